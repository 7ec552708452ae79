"""Other files: the allowed types, and process_file, which checks one and renames it randomly."""

import copy
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.text import get_text_list

from .common import as_file, check_size, random_name, sanitize_filename
from .detection import detect_file_type

# key, content type, extension of the stored file, what the user is told it is
_FILE_TYPE_TABLE = [
    ("pdf", "application/pdf", "pdf", "PDF"),
    ("zip", "application/zip", "zip", "ZIP archive"),
    ("epub", "application/epub+zip", "epub", "EPUB e-book"),
    ("png", "image/png", "png", "PNG image"),
    ("jpeg", "image/jpeg", "jpg", "JPEG image"),
    ("gif", "image/gif", "gif", "GIF image"),
    ("webp", "image/webp", "webp", "WebP image"),
    ("mp3", "audio/mpeg", "mp3", "MP3 audio"),
    ("wav", "audio/wav", "wav", "WAV audio"),
    ("flac", "audio/flac", "flac", "FLAC audio"),
    ("ogg", "audio/ogg", "ogg", "Ogg audio"),
    ("mp4", "video/mp4", "mp4", "MP4 video"),
    ("m4a", "audio/mp4", "m4a", "M4A audio"),
    ("webm", "video/webm", "webm", "WebM video"),
    ("mkv", "video/x-matroska", "mkv", "MKV video"),
    ("txt", "text/plain; charset=utf-8", "txt", "plain text"),
    ("csv", "text/csv; charset=utf-8", "csv", "CSV"),
]
FILE_TYPES: dict[str, tuple[str, str]] = {key: (mime, ext) for key, mime, ext, _ in _FILE_TYPE_TABLE}
FILE_TYPE_LABELS: dict[str, str] = {key: label for key, _, _, label in _FILE_TYPE_TABLE}
# A more specific type is accepted where only its general kind is allowed (an EPUB is a ZIP).
_BROADER = {"epub": "zip", "m4a": "mp4", "webm": "mkv", "csv": "txt"}
# Extensions a download may keep; any other is replaced so "notes.bat" (text) saves as notes.txt.
_DOWNLOAD_EXTENSIONS = {
    "jpeg": {"jpg", "jpeg"},
    "mp4": {"mp4", "m4v"},
    "m4a": {"m4a", "m4b"},
    "ogg": {"ogg", "oga", "opus"},
    "mkv": {"mkv", "mka"},
    "txt": {"txt", "text", "md", "markdown", "csv", "tsv"},
    "csv": {"csv"},
}

DIGITAL_PRODUCT_TYPES = {
    "pdf", "zip", "epub", "png", "jpeg", "gif", "webp", "mp3", "wav", "flac", "ogg", "mp4", "webm", "txt",
}  # fmt: skip
DIGITAL_PRODUCT_MAX_BYTES = 500 * 1024 * 1024


@dataclass(frozen=True)
class ProcessedFile:
    content: File  # the upload itself under a random name with the detected extension
    content_type: str
    size: int
    original_name: str  # sanitized basename with an extension matching the content, <= 200 chars
    kind: str  # the FILE_TYPES key it was accepted as


def allowed_types_text(allowed: set[str]) -> str:
    """{"pdf", "zip"} -> "PDF and ZIP archive", in FILE_TYPES order."""
    return get_text_list([FILE_TYPE_LABELS[key] for key in FILE_TYPES if key in allowed], "and")


def process_file(upload, *, allowed: set[str], max_bytes: int) -> ProcessedFile:
    """Check a file's size and content type against `allowed` (FILE_TYPES keys); rename it randomly.

    The returned `content` is ready for `storage.save(content.name, content)` or a FileField.
    """
    if unknown := set(allowed) - FILE_TYPES.keys():
        raise ValueError(f"Unknown file types: {sorted(unknown)}")
    upload = as_file(upload)
    size = check_size(upload, max_bytes=max_bytes, noun="Files")
    detected = detect_file_type(upload)
    kind = detected
    while kind is not None and kind not in allowed:
        kind = _BROADER.get(kind)
    if detected is None or kind is None:
        raise ValidationError(
            f"This kind of file can't be uploaded here. Allowed: {allowed_types_text(allowed)}.",
            code="file_type",
        )
    content_type, extension = FILE_TYPES[kind]
    original_name = _download_name(upload.name, detected, kind)
    content = copy.copy(upload)  # the same underlying file (a temporary file stays one), renamed
    content.name = random_name(extension)
    if hasattr(content, "content_type"):
        content.content_type = content_type
    content.seek(0)
    return ProcessedFile(content=content, content_type=content_type, size=size, original_name=original_name, kind=kind)


def _download_name(name: str | None, detected: str, kind: str) -> str:
    name = sanitize_filename(name or "")
    keep = {FILE_TYPES[key][1] for key in (detected, kind)}
    keep |= _DOWNLOAD_EXTENSIONS.get(detected, set()) | _DOWNLOAD_EXTENSIONS.get(kind, set())
    stem, dot, suffix = name.rpartition(".")
    if dot and re.fullmatch(r"[A-Za-z0-9]{1,8}", suffix):
        if suffix.lower() in keep:
            return name
        name = stem
    return sanitize_filename(f"{name or 'file'}.{FILE_TYPES[kind][1]}")
