"""Private downloads stream in bounded memory under ASGI, and go to a presigned URL on S3.

The ASGI tests drive Django's own ASGIHandler.send_response, the code uvicorn's request goes
through, with a file that records what has been read from it. The 200 MB download through a real
uvicorn lives in shomp/orders/tests/test_download_memory.py.
"""

import io
import warnings
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.handlers.asgi import ASGIHandler
from django.db import models
from django.db.models.fields.files import FieldFile
from storages.backends.s3 import S3Storage

from shomp.core import uploads
from shomp.core.tests import files
from shomp.core.uploads.private import PrivateFileResponse

MB = 1024 * 1024
# Tests close responses as a server does once it has sent them (the root conftest says why).
pytestmark = pytest.mark.usefixtures("responses_closed_outside_a_request")


class RecordingFile(io.BytesIO):
    """A file that counts the bytes read from it so far."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


def pattern(size: int) -> bytes:
    """Bytes that differ from block to block, so a reordered or repeated block would show."""
    return b"".join(i.to_bytes(4, "big") for i in range(size // 4))


async def send_over_asgi(response, recording: RecordingFile | None = None) -> tuple[list[dict], list[int]]:
    """Send `response` as Django's ASGI handler does; the messages, and for each body message
    how many bytes had been read from `recording` when it was sent."""
    messages, read_so_far = [], []

    async def send(message):
        messages.append(message)
        if message["type"] == "http.response.body" and recording is not None:
            read_so_far.append(recording.bytes_read)

    with warnings.catch_warnings():
        # Django warns "StreamingHttpResponse must consume synchronous iterators" when it falls
        # back to reading the whole iterator into a list: an error here.
        warnings.simplefilter("error")
        await ASGIHandler().send_response(response, send)
    return messages, read_so_far


@pytest.mark.asyncio
async def test_an_asgi_download_sends_its_first_bytes_after_reading_one_block():
    data = pattern(32 * MB)
    recording = RecordingFile(data)
    response = uploads.serve_private_file(File(recording, name="ab12.bin"), download_name="Album.zip")
    assert isinstance(response, PrivateFileResponse)

    messages, read_so_far = await send_over_asgi(response, recording)

    bodies = [m for m in messages if m["type"] == "http.response.body"]
    assert read_so_far[0] <= PrivateFileResponse.async_block_size  # not the whole 32 MB first
    assert max(len(m.get("body", b"")) for m in bodies) <= PrivateFileResponse.async_block_size
    # Reading never runs more than a block ahead of what has been sent.
    sent = 0
    for message, read in zip(bodies, read_so_far, strict=True):
        assert read - sent <= PrivateFileResponse.async_block_size
        sent += len(message.get("body", b""))
    assert b"".join(m.get("body", b"") for m in bodies) == data
    assert bodies[-1].get("more_body", False) is False
    start = messages[0]
    assert start["type"] == "http.response.start" and start["status"] == 200
    assert (b"Content-Length", str(len(data)).encode()) in start["headers"]


@pytest.mark.asyncio
async def test_an_asgi_download_of_a_stored_file_closes_it(tmp_path):
    storage = FileSystemStorage(location=tmp_path)
    name = storage.save(uploads.random_name("pdf"), ContentFile(files.PDF))
    field_file = FieldFile(None, models.FileField(storage=storage), name)
    response = uploads.serve_private_file(field_file, download_name="Guide.pdf", content_type="application/pdf")

    messages, _ = await send_over_asgi(response)
    response.close()  # as ASGIHandler.handle does once the response is sent, or the client left

    assert b"".join(m.get("body", b"") for m in messages[1:]) == files.PDF
    assert field_file.closed


@pytest.mark.asyncio
async def test_a_middleware_that_wraps_the_stream_still_gets_every_byte():
    response = uploads.serve_private_file(File(io.BytesIO(b"abc" * 1000), name="x.bin"), download_name="x.txt")
    response.streaming_content = (part.upper() for part in response.streaming_content)

    with pytest.warns(Warning, match="consume synchronous iterators"):  # Django's own fallback
        parts = [part async for part in response]

    assert b"".join(parts) == b"ABC" * 1000


def test_wsgi_iterates_the_file_in_bounded_blocks():
    recording = RecordingFile(pattern(4 * MB))
    response = uploads.serve_private_file(File(recording, name="ab12.bin"), download_name="Album.zip")

    first = next(iter(response))

    assert len(first) == PrivateFileResponse.block_size
    assert recording.bytes_read == PrivateFileResponse.block_size
    response.close()


# On S3: a presigned URL --------------------------------------------------------------------


def s3_file(name: str = "products/files/ab12.zip", **options) -> FieldFile:
    """A FieldFile on a real S3Storage; presigning happens offline, so no bucket is needed."""
    storage = S3Storage(
        bucket_name="shomp-private",
        location="private",
        default_acl="private",
        access_key="AKIAEXAMPLE",
        secret_key="not-a-secret",
        region_name="eu-west-1",
        **options,
    )
    return FieldFile(None, models.FileField(storage=storage), name)


def test_on_s3_a_download_redirects_to_a_short_lived_presigned_url_with_the_same_headers(settings, monkeypatch):
    settings.PRIVATE_DOWNLOAD_URL_SECONDS = 60
    file = s3_file()
    monkeypatch.setattr(file.storage, "open", lambda *a, **k: pytest.fail("the file was opened, not presigned"))

    response = uploads.serve_private_file(file, download_name="Été album.zip", content_type="application/zip")

    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    url = urlsplit(response["Location"])
    query = parse_qs(url.query)
    assert url.scheme == "https" and url.hostname == "shomp-private.s3.amazonaws.com"
    assert url.path == "/private/products/files/ab12.zip"
    assert "Signature" in query or "X-Amz-Signature" in query
    assert query["response-content-type"] == ["application/zip"]
    assert query["response-content-disposition"] == [uploads.content_disposition("Été album.zip")]
    assert query["response-cache-control"] == ["private, no-store"]
    expires = int(query["Expires"][0]) if "Expires" in query else None
    if expires is not None:
        import time

        assert 0 < expires - time.time() <= 61
    else:
        assert query["X-Amz-Expires"] == ["60"]


def test_on_s3_inline_images_still_stream_from_shomp(settings, monkeypatch):
    settings.PRIVATE_DOWNLOAD_URL_SECONDS = 60
    file = s3_file("messaging/ab12.png")
    monkeypatch.setattr(file.storage, "open", lambda name, mode="rb": ContentFile(files.PDF, name=name))

    response = uploads.serve_private_file(file, download_name="a.png", content_type="image/png", inline=True)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("inline")
    response.close()


def test_no_presigned_url_without_the_setting_or_a_signing_storage(settings, tmp_path, monkeypatch):
    settings.PRIVATE_DOWNLOAD_URL_SECONDS = 0
    file = s3_file()
    monkeypatch.setattr(file.storage, "open", lambda name, mode="rb": ContentFile(files.PDF, name=name))
    assert uploads.serve_private_file(file, download_name="a.pdf").status_code == 200

    settings.PRIVATE_DOWNLOAD_URL_SECONDS = 60
    unsigned = s3_file(querystring_auth=False)
    monkeypatch.setattr(unsigned.storage, "open", lambda name, mode="rb": ContentFile(files.PDF, name=name))
    assert uploads.serve_private_file(unsigned, download_name="a.pdf").status_code == 200

    local = FileSystemStorage(location=tmp_path)
    name = local.save("a.pdf", ContentFile(files.PDF))
    response = uploads.serve_private_file(FieldFile(None, models.FileField(storage=local), name), download_name="a.pdf")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == files.PDF
    response.close()
