"""Deleting stored files that no row refers to any more.

Uploads are written to storage before their row is saved, and nothing removes them when the row
never comes (a refused edit, a failed task) or goes (a replaced picture). The sweep walks the
folders of every FileField's `upload_to`, in the field's storage, and deletes what no FileField
column of any model names, once it is older than UNREFERENCED_FILE_GRACE: an upload whose row is
still being written is never touched. A storage no row refers to at all is left alone: that is
a database that doesn't belong to those files, not a marketplace whose every upload is garbage.
"""

import logging
import posixpath
from collections.abc import Iterator
from datetime import datetime, timedelta
from itertools import batched

from django.apps import apps
from django.core.files.storage import Storage
from django.db.models import FileField
from django.utils import timezone
from django.utils.functional import LazyObject, empty

logger = logging.getLogger(__name__)

UNREFERENCED_FILE_GRACE = timedelta(days=1)
_BATCH = 500


def delete_unreferenced_files(*, older_than: timedelta = UNREFERENCED_FILE_GRACE, now: datetime | None = None) -> int:
    """Delete files under the upload folders that no row names and that are older than
    `older_than`; returns how many were deleted."""
    cutoff = (now or timezone.now()) - older_than
    fields = [
        field for model in apps.get_models() for field in model._meta.concrete_fields if isinstance(field, FileField)
    ]
    deleted = 0
    for storage, storage_fields in _fields_by_storage(fields):
        if not any(field.model._base_manager.exclude(**{field.attname: ""}).exists() for field in storage_fields):
            # Not one row names a file here: most likely this database isn't the one these
            # files belong to (a fresh or different DATABASE_URL over an old media folder).
            logger.warning("Skipped the unreferenced-file sweep of %s: no row refers to any file in it.", storage)
            continue
        folders = _upload_folders(storage_fields)
        for names in batched(_files_older_than(storage, folders, cutoff), _BATCH):
            referenced = set()
            for field in storage_fields:
                referenced.update(
                    field.model._base_manager.filter(**{f"{field.attname}__in": names}).values_list(
                        field.attname, flat=True
                    )
                )
            for name in names:
                if name not in referenced:
                    storage.delete(name)
                    deleted += 1
    if deleted:
        logger.info("Deleted %d stored files that no row refers to.", deleted)
    return deleted


def _unwrap(storage: Storage) -> Storage:
    if isinstance(storage, LazyObject):  # default_storage
        if storage._wrapped is empty:
            storage._setup()
        return storage._wrapped
    return storage


def _fields_by_storage(fields: list[FileField]) -> list[tuple[Storage, list[FileField]]]:
    groups: dict[int, tuple[Storage, list[FileField]]] = {}
    for field in fields:
        storage = _unwrap(field.storage)
        groups.setdefault(id(storage), (storage, []))[1].append(field)
    return list(groups.values())


def _upload_folders(fields: list[FileField]) -> list[str]:
    """The distinct top folders to walk: "stores/logos/thumbs" is inside "stores/logos"."""
    folders = sorted({field.upload_to.strip("/") for field in fields if isinstance(field.upload_to, str)})
    walked: list[str] = []
    for folder in folders:
        if folder and not any(folder == top or folder.startswith(top + "/") for top in walked):
            walked.append(folder)
    return walked


def _files_older_than(storage: Storage, folders: list[str], cutoff: datetime) -> Iterator[str]:
    pending = list(folders)
    while pending:
        folder = pending.pop()
        try:
            subfolders, files = storage.listdir(folder)
        except FileNotFoundError:
            continue
        pending.extend(posixpath.join(folder, sub) for sub in subfolders)
        for filename in files:
            name = posixpath.join(folder, filename)
            try:
                if storage.get_modified_time(name) < cutoff:
                    yield name
            except FileNotFoundError:  # deleted meanwhile
                continue
