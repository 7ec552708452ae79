"""Small sample files for upload tests, generated in memory (Pillow for images, PyAV for media)."""

import functools
import io
import struct
import wave
import zipfile
import zlib
from fractions import Fraction

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageCms

GPS_LATITUDE = (51.0, 30.0, 12.5)
SECRET = b"secret-metadata-marker"


def upload(data: bytes, name: str = "upload.bin", content_type: str = "application/octet-stream"):
    """What a view receives from a browser; the name and content type are whatever the client said."""
    return SimpleUploadedFile(name, data, content_type=content_type)


def image_bytes(image: Image.Image, image_format: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def two_tone(size=(200, 100), left="red", right="blue", mode="RGB") -> Image.Image:
    """Left half one colour, right half another: shows which way an image was turned."""
    image = Image.new(mode, size, left)
    image.paste(Image.new(mode, (size[0] // 2, size[1]), right), (size[0] // 2, 0))
    return image


def jpeg_with_metadata(orientation: int = 1, size=(200, 100)) -> bytes:
    """A JPEG carrying GPS EXIF, a camera make, an XMP packet, a comment and an ICC profile."""
    image = two_tone(size)
    exif = image.getexif()
    exif[0x0112] = orientation
    exif[0x010F] = SECRET.decode()
    exif[0x8825] = {1: "N", 2: GPS_LATITUDE, 3: "W", 4: (0.0, 7.0, 39.0)}
    xmp = b"<x:xmpmeta xmlns:x='adobe:ns:meta/'>" + SECRET + b"</x:xmpmeta>"
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return image_bytes(image, "JPEG", exif=exif, xmp=xmp, comment=SECRET, icc_profile=icc)


def png_with_transparency(size=(64, 48)) -> bytes:
    """Opaque red on the left, fully transparent on the right, with a text chunk."""
    image = two_tone(size, left=(255, 0, 0, 255), right=(0, 0, 0, 0), mode="RGBA")
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", SECRET.decode())
    return image_bytes(image, "PNG", pnginfo=info)


def animated_gif() -> bytes:
    frames = [Image.new("P", (40, 30), index) for index in (1, 2, 3)]
    return image_bytes(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int, height: int) -> bytes:
    """A valid 1-bit grey PNG of width x height black pixels: a few KB that decode to width*height bytes.

    Built by hand (row by row through zlib), so making it costs no memory.
    """
    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte "none", then the packed bits
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


@functools.cache
def image_bomb(image_format: str, width: int, height: int) -> bytes:
    """A small, valid image of one flat colour that decodes to width × height pixels: what a
    decompression bomb looks like in each allowed format (PNG 1-bit grey, JPEG grey, lossless
    WebP, GIF). Made once per size for the run."""
    if image_format == "PNG":
        return png_bomb(width, height)
    mode = {"JPEG": "L", "WEBP": "RGB", "GIF": "P"}[image_format]
    options = {"WEBP": {"lossless": True, "method": 0, "quality": 0}, "JPEG": {"quality": 50}}.get(image_format, {})
    with Image.new(mode, (width, height), 0) as image:
        return image_bytes(image, image_format, **options)


SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("readme.txt", "hello")
    return buffer.getvalue()


def epub_bytes() -> bytes:
    """The OCF layout: an uncompressed "mimetype" member first."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip", zipfile.ZIP_STORED)
        archive.writestr("META-INF/container.xml", "<container/>", zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def wav_bytes() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x00\x00" * 800)
    return buffer.getvalue()


@functools.cache
def audio_bytes(container: str, codec: str, sample_rate: int = 44100) -> bytes:
    """A tenth of a second of silence encoded with PyAV."""
    import av

    buffer = io.BytesIO()
    with av.open(buffer, "w", format=container) as output:
        stream = output.add_stream(codec, rate=sample_rate)
        stream.layout = "mono"
        frame_size = stream.codec_context.frame_size or 1024
        fmt = stream.codec_context.format.name
        samples = 0
        while samples < sample_rate // 10:
            frame = av.AudioFrame(format=fmt, layout="mono", samples=frame_size)
            for plane in frame.planes:
                plane.update(bytes(plane.buffer_size))
            frame.sample_rate = sample_rate
            frame.pts = samples
            frame.time_base = Fraction(1, sample_rate)
            output.mux(stream.encode(frame))
            samples += frame_size
        output.mux(stream.encode(None))
    return buffer.getvalue()


@functools.cache
def video_bytes(container: str, codec: str) -> bytes:
    """Two 32x32 grey frames encoded with PyAV."""
    import av

    buffer = io.BytesIO()
    with av.open(buffer, "w", format=container) as output:
        stream = output.add_stream(codec, rate=10)
        stream.width, stream.height, stream.pix_fmt = 32, 32, "yuv420p"
        for index in range(2):
            frame = av.VideoFrame.from_image(Image.new("RGB", (32, 32), (index * 100, 90, 90)))
            frame.pts = index
            output.mux(stream.encode(frame))
        output.mux(stream.encode(None))
    return buffer.getvalue()
