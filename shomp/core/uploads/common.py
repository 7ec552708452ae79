"""What images and other files share: random storage names, safe file names, sizes and the size check."""

import re
import secrets
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.core.files import File

#: The task queue for costly upload processing (decoding photos, rebuilding videos). Production
#: runs it on its own single worker: a cap on how many decodes run at once (docs/DEPLOYMENT.md).
MEDIA_TASK_QUEUE = "media"


def random_name(extension: str) -> str:
    """A storage name that says nothing about the upload: 128 random bits in hex, then ".ext"."""
    extension = extension.lstrip(".").lower()
    if not re.fullmatch(r"[a-z0-9]{1,10}", extension):
        raise ValueError(f"Not a file extension: {extension!r}")
    return f"{secrets.token_hex(16)}.{extension}"


def human_size(num_bytes: int) -> str:
    """10485760 -> "10 MB", 1536 -> "1.5 KB" (binary units, as operating systems show sizes)."""
    value = float(num_bytes)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            break
        value /= 1024
    text = f"{value:.1f}".removesuffix(".0")
    return f"{text} {unit}" if unit != "bytes" or num_bytes != 1 else "1 byte"


def as_file(upload) -> File:
    """A Django File for an upload, a ContentFile or any file-like object."""
    return upload if isinstance(upload, File) else File(upload)


def check_size(upload: File, *, max_bytes: int, noun: str) -> int:
    """The upload's size, refusing an empty file or one over `max_bytes` ("Images can be at most …")."""
    size = upload.size
    if not size:
        raise ValidationError("The file is empty.", code="empty")
    if size > max_bytes:
        raise ValidationError(f"{noun} can be at most {human_size(max_bytes)}.", code="too_big")
    return size


def sanitize_filename(name: str, *, max_length: int = 200) -> str:
    """A basename that is safe to show and to offer as a download name ("" if nothing is left).

    Drops directories, control and invisible format characters (such as right-to-left overrides
    that disguise "exe"), characters Windows forbids and leading or trailing dots and spaces.
    """
    name = str(name).replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(
        " " if unicodedata.category(char).startswith("Z") else char
        for char in name
        if not unicodedata.category(char).startswith("C")
    )
    name = re.sub(r'[<>:"|?*]', "_", name)
    name = re.sub(r" +", " ", name).strip(" .")
    if len(name) > max_length:
        stem, dot, suffix = name.rpartition(".")
        if dot and stem and len(suffix) <= 10:
            name = stem[: max_length - len(suffix) - 1].rstrip(" .") + "." + suffix
        else:
            name = name[:max_length].rstrip(" .")
    return name


class _LocalFile(File):
    """A File on local disk that says where it is, as Django's temporary uploads do (FFmpeg reads
    it by path instead of through Python)."""

    def __init__(self, file, path: str, name: str):
        super().__init__(file, name=name)
        self._path = path

    def temporary_file_path(self) -> str:
        return self._path


@contextmanager
def local_file(field_file) -> Iterator[File]:
    """A stored file (a FieldFile) as a File on local disk, for decoders that want a path: the
    file itself when the storage is local, else a temporary copy made in chunks (never in memory).
    Raises FileNotFoundError when it is gone."""
    storage, name = field_file.storage, field_file.name
    try:
        path = storage.path(name)
    except NotImplementedError:  # remote storage (S3): copy it down
        with storage.open(name, "rb") as remote, tempfile.NamedTemporaryFile(prefix="shomp-media-") as copy:
            shutil.copyfileobj(remote, copy, 1024 * 1024)
            copy.flush()
            copy.seek(0)
            yield _LocalFile(copy, copy.name, name)
        return
    with open(path, "rb") as local:
        yield _LocalFile(local, path, name)
