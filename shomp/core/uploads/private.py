"""Private files: the storage they live in and serve_private_file, which streams one.

A download streams in bounded memory under both servers: WSGI iterates the file in blocks (or
hands it to the server's file_wrapper); ASGI reads it block by block in a worker thread through
PrivateFileResponse's asynchronous iterator. Django would otherwise read a synchronous iterator
whole into memory before sending the first byte under ASGI.

On S3 (settings' AWS_* block) a download is instead a redirect, after the view's access check,
to a presigned URL that lives settings.PRIVATE_DOWNLOAD_URL_SECONDS: django-storages' S3File
copies the whole object into a local spool before its first read, so streaming an album through
Django would hold a sync thread for the whole copy. Inline images (message attachments) still
stream: they are small and shown on Shomp's own pages.
"""

import re
import unicodedata
from urllib.parse import quote

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpResponseRedirect

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


class PrivateFileResponse(FileResponse):
    """A FileResponse that streams in bounded memory under ASGI too.

    Under WSGI it is a plain FileResponse (64 KiB blocks, or the server's file_wrapper). Under
    ASGI, StreamingHttpResponse.__aiter__ consumes a synchronous iterator with
    `sync_to_async(list)`: the whole file in memory before the first byte. Here `__aiter__` reads
    one block at a time in a thread instead, and the ASGI server's flow control (send() waits
    while the client is slow) keeps what is in flight to about one block. The file is closed by
    response.close(), which both handlers call, after a client's disconnect too."""

    block_size = 64 * 1024
    async_block_size = 1024 * 1024  # one thread hop per megabyte

    async def __aiter__(self):
        if self.file_to_stream is None:
            # Not a file (any more): FileResponse resets file_to_stream when a middleware
            # replaces streaming_content, and then Django's own iteration is the right one.
            async for part in super().__aiter__():
                yield part
            return
        # Not thread_sensitive: a file read needs no database connection, and must not queue
        # behind every sync view in the one thread those share.
        read = sync_to_async(self.file_to_stream.read, thread_sensitive=False)
        while chunk := await read(self.async_block_size):
            yield chunk


def serve_private_file(
    file: FieldFile | File, *, download_name: str, content_type: str | None = None, inline: bool = False
) -> PrivateFileResponse | HttpResponseRedirect:
    """Stream a stored private file to the browser, or, for a download from S3, redirect to a
    presigned URL that lives settings.PRIVATE_DOWNLOAD_URL_SECONDS and sets the same headers.

    The CALLER has already checked that the requesting user may have this file (with the owning
    app's policy); this function checks nothing. The response is never cached by shared caches,
    never sniffed into another type, and sandboxed; `inline=True` is honoured for raster images
    only, anything else is always a download.
    """
    content_type = content_type or "application/octet-stream"
    inline = inline and content_type.split(";")[0].strip().lower() in _INLINE_TYPES
    disposition = content_disposition(download_name, inline=inline)
    if not inline and (signed := _presigned_url(file, content_type, disposition)):
        response = HttpResponseRedirect(signed)
        response.headers["Cache-Control"] = "private, no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response
    file.open("rb")
    response = PrivateFileResponse(file, content_type=content_type)
    response.headers["Content-Disposition"] = disposition
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def _presigned_url(file: FieldFile | File, content_type: str, disposition: str) -> str | None:
    """A presigned S3 GET for `file` that answers with these headers, or None to stream it.

    Only S3Storage that signs its URLs (querystring_auth, no custom domain: a custom domain's
    URL is not signed) and only with PRIVATE_DOWNLOAD_URL_SECONDS set; the embedded default's
    FileSystemStorage never gets here."""
    seconds = settings.PRIVATE_DOWNLOAD_URL_SECONDS
    storage = getattr(file, "storage", None)
    if not seconds or storage is None or not getattr(file, "name", None):
        return None
    from storages.backends.s3 import S3Storage  # boto3 is heavy; only S3 deployments load it

    if not isinstance(storage, S3Storage) or not storage.querystring_auth or storage.custom_domain:
        return None
    parameters = {
        "ResponseContentType": content_type,
        "ResponseContentDisposition": disposition,
        "ResponseCacheControl": "private, no-store",
    }
    return storage.url(file.name, parameters=parameters, expire=seconds)
