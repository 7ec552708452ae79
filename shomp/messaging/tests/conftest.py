import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog.tests.factories import ProductFactory
from shomp.core import realtime
from shomp.core.testing.images import image_bytes
from shomp.messaging import services
from shomp.messaging.forms import prepare_attachment
from shomp.messaging.models import Conversation
from shomp.stores.tests.factories import StoreFactory

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def seller(db):
    return UserFactory(username="seller")


@pytest.fixture
def store(seller):
    return StoreFactory(owner=seller, name="Kiln & Co", slug="kiln")


@pytest.fixture
def customer(db):
    return UserFactory(username="buyer")


@pytest.fixture
def stranger(db):
    return UserFactory(username="stranger")


@pytest.fixture
def product(store):
    return ProductFactory(store=store, title="Blue mug", slug="blue-mug")


@pytest.fixture
def conversation(store, customer) -> Conversation:
    return services.create_conversation(
        store=store, customer=customer, type=Conversation.Type.GENERAL, subject="Hello", content="Do you ship to Oslo?"
    )


@pytest.fixture
def published(monkeypatch):
    """Every realtime.publish(topic, html) call, instead of sending it."""
    calls: list[tuple[str, str]] = []
    lock = threading.Lock()

    def record(topic, html, **kwargs):
        with lock:
            calls.append((topic, str(html)))

    monkeypatch.setattr(realtime, "publish", record)
    return calls


def png_upload(name="photo.png", **kwargs):
    return SimpleUploadedFile(name, image_bytes(fmt="PNG", **kwargs), content_type="image/png")


def pdf_upload(name="invoice.pdf", data=PDF):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def prepared(*uploads):
    return [prepare_attachment(upload) for upload in uploads]
