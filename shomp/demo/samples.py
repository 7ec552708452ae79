"""Sample files made from nothing: product pictures (drawn in pictures.py), store logos, and small downloads.

Everything is generated in memory, deterministically from the product (so a product keeps its
colour), and small: an 800×600 JPEG picture, a one-page PDF, a ZIP, an EPUB or a short WAV tone.
The command passes every file through `core.uploads`, as a real upload would.
"""

import colorsys
import functools
import io
import math
import struct
import textwrap
import unicodedata
import wave
import zipfile
from xml.sax.saxutils import escape

from django.core.files.base import ContentFile
from PIL import Image, ImageChops, ImageDraw, ImageFont, ImageOps

from shomp.demo import pictures

IMAGE_SIZE = (800, 600)
LOGO_SIZE = (400, 400)
_SMALL_WORDS = {"a", "an", "and", "for", "in", "of", "on", "the", "to", "with"}
_GOLDEN = 0.618033988749895


# --- Pictures ---------------------------------------------------------------------------------


def palette(seed: int) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """Two related colours for `seed`; golden-ratio hue steps keep neighbouring seeds apart."""
    hue = (seed * _GOLDEN) % 1.0
    light = colorsys.hls_to_rgb(hue, 0.62, 0.55)
    dark = colorsys.hls_to_rgb((hue + 0.08) % 1.0, 0.28, 0.5)
    return tuple(round(v * 255) for v in light), tuple(round(v * 255) for v in dark)


def initials(title: str) -> str:
    """Initials for a picture: "Harbour at Dusk, A3 Print" -> "HD" (first letters of two significant words)."""
    words = [w for w in "".join(c if c.isalnum() else " " for c in title).split() if w.lower() not in _SMALL_WORDS]
    letters = [w[0] for w in words if w[0].isalpha()][:2]
    return "".join(letters).upper() or title[:1].upper()


@functools.cache
def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)  # Pillow's bundled font: no system fonts needed


def _gradient(size: tuple[int, int], light, dark) -> Image.Image:
    """A diagonal gradient from `light` (top left) to `dark` (bottom right)."""
    vertical = Image.linear_gradient("L")
    diagonal = ImageChops.add(vertical, vertical.transpose(Image.Transpose.ROTATE_90), scale=2)
    return ImageOps.colorize(diagonal, light, dark).resize(size, Image.Resampling.BILINEAR)


def _jpeg(image: Image.Image, name: str) -> ContentFile:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return ContentFile(buffer.getvalue(), name=name)


def product_image(
    *, title: str, seed: int, variant: int = 0, colour: tuple[int, int, int] | None = None
) -> ContentFile:
    """An 800×600 JPEG that looks like the product (pictures.py: a mug, a print, a record...);
    `variant` 1 and 2 are other shots, `colour` (r, g, b) paints the object, e.g. the picture of
    a product's red variant. Drawn once, then read from the disk cache."""
    data = pictures.picture_jpeg(title=title, seed=seed, variant=variant, colour=colour)
    return ContentFile(data, name=f"{initials(title).lower() or 'product'}-{variant + 1}.jpg")


def store_logo(*, name: str, seed: int) -> ContentFile:
    """A 400×400 JPEG badge: a ring and the store's initials on its colours."""
    light, dark = palette(seed)
    image = _gradient(LOGO_SIZE, dark, light)
    draw = ImageDraw.Draw(image, "RGBA")
    draw.ellipse((40, 40, 360, 360), outline=(255, 255, 255, 200), width=10)
    draw.text((200, 200), initials(name), font=_font(150), fill=(255, 255, 255, 240), anchor="mm")
    return _jpeg(image, "logo.jpg")


# --- Downloads --------------------------------------------------------------------------------


def pdf_document(*, title: str, lines: list[str]) -> bytes:
    """A valid one-page PDF with a heading and a few lines of text, in Helvetica."""

    def text(value: str) -> bytes:
        encoded = value.encode("cp1252", errors="replace")  # WinAnsiEncoding
        return encoded.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")

    stream = b"BT /F1 22 Tf 72 760 Td (" + text(title) + b") Tj /F1 12 Tf 0 -36 Td 16 TL"
    for line in lines:
        stream += b" (" + text(line) + b") Tj T*"
    stream += b" ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Title (" + text(title) + b") /Producer (Shomp demo data) >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info 6 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def wav_tone(*, seed: int, seconds: float = 1.0, rate: int = 11025) -> bytes:
    """A short mono 16-bit WAV: a soft chord chosen by `seed`, faded in and out."""
    root = 196.0 * 2 ** ((seed % 12) / 12)  # somewhere between G3 and F#4
    freqs = (root, root * 5 / 4, root * 3 / 2)
    count = int(seconds * rate)
    fade = rate // 10
    samples = bytearray()
    for i in range(count):
        envelope = min(1.0, i / fade, (count - i) / fade)
        value = sum(math.sin(2 * math.pi * f * i / rate) for f in freqs) / len(freqs)
        samples += struct.pack("<h", int(value * envelope * 12000))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(bytes(samples))
    return buffer.getvalue()


def _ascii(value: str) -> str:
    return unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()


def zip_archive(*, title: str, seed: int, audio: bool) -> bytes:
    """A ZIP with a README and either a few WAV tracks or a few PDF chapters."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        tracks = [f"{n:02d} - {_ascii(title)[:40]} (part {n}).{'wav' if audio else 'pdf'}" for n in (1, 2, 3)]
        readme = f"{title}\n\nThank you for your purchase!\n\nContents:\n" + "".join(f"- {t}\n" for t in tracks)
        archive.writestr("README.txt", readme + "\nShomp demo data: sample content.\n")
        for n, name in enumerate(tracks, start=1):
            if audio:
                archive.writestr(name, wav_tone(seed=seed + n, seconds=0.6))
            else:
                archive.writestr(name, pdf_document(title=f"{title}: part {n}", lines=["Sample content."]))
    return buffer.getvalue()


def epub_book(*, title: str, author: str, description: str) -> bytes:
    """A small valid EPUB 3: the `mimetype` entry first and stored, then the package and one chapter."""
    title_xml, author_xml, text_xml = escape(title), escape(author), escape(description)
    container = (
        '<?xml version="1.0"?>\n<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
        '<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
        "</rootfiles></container>"
    )
    package = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">'
        '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<dc:identifier id="id">urn:shomp-demo:{escape(_ascii(title).lower().replace(" ", "-"))}</dc:identifier>'
        f"<dc:title>{title_xml}</dc:title><dc:creator>{author_xml}</dc:creator><dc:language>en</dc:language>"
        '<meta property="dcterms:modified">2026-01-01T00:00:00Z</meta></metadata>'
        '<manifest><item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>'
        '<item id="ch1" href="chapter1.xhtml" media-type="application/xhtml+xml"/></manifest>'
        '<spine><itemref idref="ch1"/></spine></package>'
    )
    page = (
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"><head>'
        f"<title>{title_xml}</title></head><body>{{body}}</body></html>"
    )
    nav = page.format(
        body='<nav epub:type="toc"><h1>Contents</h1><ol><li><a href="chapter1.xhtml">Chapter one</a></li></ol></nav>'
    )
    chapter = page.format(body=f"<h1>{title_xml}</h1><p><em>by {author_xml}</em></p><p>{text_xml}</p>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/container.xml", container, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("OEBPS/content.opf", package, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("OEBPS/nav.xhtml", nav, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("OEBPS/chapter1.xhtml", chapter, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def download(*, kind: str, title: str, slug: str, seed: int, store_name: str, description: str) -> ContentFile:
    """The file a buyer downloads for a digital product, named as the seller would have uploaded it."""
    if kind == "pdf":
        lines = [*textwrap.wrap(description, width=80), "", f"From {store_name}, on Shomp.", "Shomp demo data."]
        return ContentFile(pdf_document(title=title, lines=lines), name=f"{slug}.pdf")
    if kind == "epub":
        return ContentFile(epub_book(title=title, author=store_name, description=description), name=f"{slug}.epub")
    if kind == "wav":
        return ContentFile(wav_tone(seed=seed, seconds=1.5), name=f"{slug}.wav")
    if kind in ("zip", "album"):
        return ContentFile(zip_archive(title=title, seed=seed, audio=kind == "album"), name=f"{slug}.zip")
    raise ValueError(f"Unknown demo file kind: {kind!r}")
