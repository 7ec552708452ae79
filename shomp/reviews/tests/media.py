"""Tiny real media for review tests: PNG photos with Pillow, video clips with PyAV (cached)."""

import functools
import io
from fractions import Fraction

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

SECRET = "secret-location-marker"


def png(color=(109, 40, 217), size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def photo(name: str = "photo.png", **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png(**kwargs), content_type="image/png")


@functools.cache
def clip(
    container: str = "mp4",
    codec: str = "libx264",
    *,
    seconds: float = 1.0,
    fps: int = 10,
    size: tuple[int, int] = (32, 24),
    audio: str | None = None,
    metadata: bool = True,
) -> bytes:
    """A short clip of coloured frames (a second of 32x24 by default), with metadata to strip."""
    import av

    buffer = io.BytesIO()
    with av.open(buffer, "w", format=container) as output:
        if metadata:
            output.metadata["title"] = SECRET
            output.metadata["comment"] = SECRET
            if container == "mp4":
                output.metadata["location"] = "+51.5012-000.1245/"
        video = output.add_stream(codec, rate=fps)
        video.width, video.height, video.pix_fmt = size[0], size[1], "yuv420p"
        if metadata:
            video.metadata["handler_name"] = SECRET
        sound = None
        if audio:
            sound = output.add_stream(audio, rate=48000)
            sound.layout = "mono"
        for index in range(round(seconds * fps)):
            frame = av.VideoFrame.from_image(Image.new("RGB", size, (200, (40 + index * 20) % 255, 40)))
            frame.pts, frame.time_base = index, Fraction(1, fps)
            output.mux(video.encode(frame))
        output.mux(video.encode(None))
        if sound is not None:
            frame_size = sound.codec_context.frame_size or 960
            fmt = sound.codec_context.format.name
            samples = 0
            while samples < seconds * 48000:
                frame = av.AudioFrame(format=fmt, layout="mono", samples=frame_size)
                for plane in frame.planes:
                    plane.update(bytes(plane.buffer_size))
                frame.sample_rate, frame.pts, frame.time_base = 48000, samples, Fraction(1, 48000)
                output.mux(sound.encode(frame))
                samples += frame_size
            output.mux(sound.encode(None))
    return buffer.getvalue()


def video(name: str = "clip.mp4", data: bytes | None = None, content_type: str = "video/mp4") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, clip() if data is None else data, content_type=content_type)


HTML_PRETENDING = b"<!doctype html><html><body><script>alert(1)</script></body></html>\n" * 20
