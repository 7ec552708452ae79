"""The sweep of stored files no row refers to (core.uploads.cleanup), on real rows and storage."""

import os
import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from shomp.catalog.tests.factories import DigitalProductFactory, ProductImageFactory
from shomp.core.uploads import private_storage
from shomp.core.uploads.cleanup import UNREFERENCED_FILE_GRACE, delete_unreferenced_files
from shomp.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db

TWO_DAYS_AGO = time.time() - 2 * 24 * 3600


def stored(storage, name: str, *, old: bool = True) -> str:
    name = storage.save(name, ContentFile(b"some bytes"))
    if old:
        os.utime(storage.path(name), (TWO_DAYS_AGO, TWO_DAYS_AGO))
    return name


def test_old_files_no_row_names_are_deleted_and_referenced_ones_never():
    assert UNREFERENCED_FILE_GRACE.total_seconds() < time.time() - TWO_DAYS_AGO
    image = stored(default_storage, "products/images/kept.jpg")
    thumbnail = stored(default_storage, "products/thumbs/kept.jpg")
    ProductImageFactory(image=image, thumbnail=thumbnail)
    product = DigitalProductFactory()
    os.utime(private_storage().path(product.digital_file.name), (TWO_DAYS_AGO, TWO_DAYS_AGO))
    logo = stored(default_storage, "stores/logos/kept.png")
    logo_thumbnail = stored(default_storage, "stores/logos/thumbs/kept.png")
    StoreFactory(logo=logo, logo_thumbnail=logo_thumbnail)
    orphans = [
        (default_storage, stored(default_storage, "products/images/refused-edit.jpg")),
        (default_storage, stored(default_storage, "stores/logos/thumbs/replaced.png")),
        (private_storage(), stored(private_storage(), "products/files/abandoned.pdf")),
        (private_storage(), stored(private_storage(), "messages/files/never-sent.pdf")),
    ]
    fresh_orphan = stored(default_storage, "products/images/being-saved.jpg", old=False)
    outside_uploads = stored(default_storage, "somewhere-else/readme.txt")

    deleted = delete_unreferenced_files()

    assert deleted >= len(orphans)
    assert not any(storage.exists(name) for storage, name in orphans)
    for name in [image, thumbnail, logo, logo_thumbnail, fresh_orphan, outside_uploads]:
        assert default_storage.exists(name), name
    assert private_storage().exists(product.digital_file.name)
    product.refresh_from_db()
    assert product.digital_file.read() == b"%PDF-1.4 test file"


def test_many_referenced_files_survive_the_sweep_in_batches():
    names = [stored(default_storage, f"products/images/batch-{n}.jpg") for n in range(1203)]
    for n, name in enumerate(names):
        ProductImageFactory(image=name, thumbnail=f"products/thumbs/none-{n}.jpg")
    orphan = stored(default_storage, "products/images/batch-orphan.jpg")

    delete_unreferenced_files()

    assert all(default_storage.exists(name) for name in names)
    assert not default_storage.exists(orphan)


def test_a_storage_no_row_refers_to_is_left_alone():
    """A fresh database over an old media folder must not wipe the folder."""
    old_files = [stored(default_storage, f"products/images/from-another-database-{n}.jpg") for n in range(3)]
    assert not ProductImageFactory._meta.model.objects.exists()

    delete_unreferenced_files()

    assert all(default_storage.exists(name) for name in old_files)
