import threading

import pytest

from shomp.accounts.tests.factories import UserFactory
from shomp.core import realtime

from .helpers import RecordingProvider


@pytest.fixture
def provider(settings):
    """Checkout through the test provider, recording each charge."""
    settings.SHOMP_PAYMENT_PROVIDER = "shomp.orders.tests.helpers.RecordingProvider"
    RecordingProvider.calls = []
    yield RecordingProvider
    RecordingProvider.calls = []


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


@pytest.fixture
def buyer(db):
    return UserFactory()


@pytest.fixture
def buyer_client(client, buyer):
    client.force_login(buyer)
    return client
