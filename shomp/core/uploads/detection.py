"""What a file is, from its content (magic bytes, or text that decodes as UTF-8), never its name."""

import codecs

from django.core.files import File

from .common import as_file

_HEAD_BYTES = 4096
_MP4_BRANDS = {
    b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ", b"M4VH",
    b"M4VP", b"dash", b"mmp4", b"MSNV", b"f4v ", b"3gp4", b"3gp5", b"3gp6",
}  # fmt: skip
_M4A_BRANDS = {b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B "}


def detect_file_type(upload) -> str | None:
    """The FILE_TYPES key for this file's content (magic bytes), or None if it is none of them.

    Text is recognised only when the whole file decodes as UTF-8 without NUL bytes; whether it
    is "csv" or "txt" is the one thing the name decides, as both are served as text.
    """
    upload = as_file(upload)
    upload.seek(0)
    head = upload.read(_HEAD_BYTES)
    kind = _sniff(head)
    if kind == "id3":
        kind = _after_id3(upload, head)
    elif kind is None and head and _is_utf8_text(upload):
        kind = "csv" if str(upload.name or "").lower().endswith(".csv") else "txt"
    upload.seek(0)
    return kind


def _sniff(head: bytes) -> str | None:
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        # An EPUB's first member is an uncompressed file "mimetype" saying so (OCF spec).
        return "epub" if head[30:58] == b"mimetypeapplication/epub+zip" else "zip"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] in (b"WEBP", b"WAVE"):
        return "webp" if head[8:12] == b"WEBP" else "wav"
    if head.startswith(b"fLaC"):
        return "flac"
    if head.startswith(b"OggS"):
        return "ogg"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        return "m4a" if brand in _M4A_BRANDS else "mp4" if brand in _MP4_BRANDS else None
    if head.startswith(b"\x1a\x45\xdf\xa3"):  # EBML: Matroska or its WebM profile
        doctype = head[:64]
        return "webm" if b"\x42\x82\x84webm" in doctype else "mkv" if b"matroska" in doctype else None
    if len(head) >= 10 and head.startswith(b"ID3") and head[3] in (2, 3, 4) and max(head[6:10]) < 0x80:
        return "id3"
    if _is_mpeg_audio_frame(head):
        return "mp3"
    return None


def _after_id3(upload: File, head: bytes) -> str:
    """An ID3v2 tag usually starts an MP3 but may also precede FLAC."""
    size = 10 + sum(byte << (7 * (3 - index)) for index, byte in enumerate(head[6:10]))  # syncsafe
    if head[5] & 0x10:  # a footer follows the tag
        size += 10
    upload.seek(size)
    return "flac" if upload.read(4) == b"fLaC" else "mp3"


def _is_mpeg_audio_frame(head: bytes) -> bool:
    """An MPEG-1/2/2.5 layer I-III frame header (ADTS AAC has layer bits 00 and is excluded)."""
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version, layer = (head[1] >> 3) & 0b11, (head[1] >> 1) & 0b11
    bitrate, sample_rate = head[2] >> 4, (head[2] >> 2) & 0b11
    return version != 0b01 and layer != 0 and bitrate != 0xF and sample_rate != 0b11


def _is_utf8_text(upload: File) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for chunk in upload.chunks(1024 * 1024):
            if b"\x00" in chunk:
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True
