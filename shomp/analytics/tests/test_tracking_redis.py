"""The Redis buffer: records go through a Redis list and a drain task; Redis down costs no page."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest

from shomp.analytics import buffer, ingest
from shomp.analytics.models import PageView
from shomp.catalog.tests.factories import ProductFactory
from shomp.core import outage
from shomp.core.testing.redis import move_outage_clock, needs_redis_server, redis_of_our_own

from .recording import browser

pytestmark = [needs_redis_server, pytest.mark.django_db]


def test_views_go_through_redis_and_are_dropped_with_one_warning_while_it_is_down(
    tmp_path, monkeypatch, caplog, client, settings
):
    settings.ANALYTICS_BUFFER = "redis"
    clock = move_outage_clock(monkeypatch)
    product = ProductFactory()
    url = product.get_absolute_url()
    with redis_of_our_own(tmp_path) as redis_server:
        assert client.get(url, **browser()).status_code == 200
        assert PageView.objects.count() == 1  # pushed, the drain queued and run (immediate tasks)
        assert buffer.pending() == 0

        redis_server.stop()
        with caplog.at_level(logging.INFO):
            for _ in range(3):
                assert client.get(url, **browser()).status_code == 200
        assert PageView.objects.count() == 1
        assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert len([w for w in warnings if w.startswith("Redis (analytics buffer) is unavailable")]) == 1

        redis_server.start()
        clock(outage.RETRY_SECONDS + 1)
        assert client.get(url, **browser()).status_code == 200
        assert PageView.objects.count() == 2


def test_a_queued_drain_is_not_queued_again_until_it_starts(tmp_path, client, settings, monkeypatch):
    settings.ANALYTICS_BUFFER = "redis"
    product = ProductFactory()
    queued = []
    monkeypatch.setattr("shomp.analytics.tasks.drain_buffer", SimpleNamespace(enqueue=lambda: queued.append(1)))
    with redis_of_our_own(tmp_path):
        for _ in range(5):
            client.get(product.get_absolute_url(), **browser())
        assert len(queued) == 1 and buffer.pending() == 5
        assert ingest.drain() == 5  # what the task runs
        client.get(product.get_absolute_url(), **browser())
        assert len(queued) == 2  # the drain started: the next record queues the next drain
    assert PageView.objects.count() == 5
