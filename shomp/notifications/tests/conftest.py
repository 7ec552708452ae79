import threading

import pytest

from shomp.core import realtime


@pytest.fixture
def published(monkeypatch):
    """Every realtime push as (topic, html), instead of sending it (publish and publish_many)."""
    calls: list[tuple[str, str]] = []
    lock = threading.Lock()

    def record(topic, html, **kwargs):
        with lock:
            calls.append((topic, str(html)))

    def record_many(topics, html, **kwargs):
        for topic in topics:
            record(topic, html)

    monkeypatch.setattr(realtime, "publish", record)
    monkeypatch.setattr(realtime, "publish_many", record_many)
    return calls
