"""Private files: the storage they live in and serve_private_file, which streams one."""

import re
import unicodedata
from urllib.parse import quote

from django.core.files import File
from django.core.files.storage import Storage, storages
from django.db.models.fields.files import FieldFile
from django.http import FileResponse

from .common import sanitize_filename


def private_storage() -> Storage:
    """Where files only some users may download live (settings.STORAGES["private"]); never public."""
    return storages["private"]


_INLINE_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif"}


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """An RFC 6266 header value: a plain ASCII `filename` for old clients, `filename*` for the rest."""
    name = sanitize_filename(filename) or "download"
    stem, dot, suffix = name.rpartition(".")
    if not (dot and stem):
        stem, suffix = name, ""
    fallback = _ascii(stem) or "download"
    if suffix := _ascii(suffix):
        fallback += "." + suffix
    value = f'{"inline" if inline else "attachment"}; filename="{fallback}"'
    if fallback != name:
        value += f"; filename*=UTF-8''{quote(name, safe='')}"
    return value


def _ascii(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r'[^\x20-\x7e]|["\\%;]', "_", text).strip(" ._")


def serve_private_file(
    file: FieldFile | File, *, download_name: str, content_type: str | None = None, inline: bool = False
) -> FileResponse:
    """Stream a stored private file to the browser.

    The CALLER has already checked that the requesting user may have this file (with the owning
    app's policy); this function checks nothing. The response is never cached by shared caches,
    never sniffed into another type, and sandboxed; `inline=True` is honoured for raster images
    only, anything else is always a download.
    """
    content_type = content_type or "application/octet-stream"
    file.open("rb")
    response = FileResponse(file, content_type=content_type)
    inline = inline and content_type.split(";")[0].strip().lower() in _INLINE_TYPES
    response.headers["Content-Disposition"] = content_disposition(download_name, inline=inline)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
