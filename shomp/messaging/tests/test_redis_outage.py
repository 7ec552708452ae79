"""Sending a message while Redis is down (issue 10, item 4): the message is sent, no 500.

A message is rate-limited (the cache) and pushed live on commit (the channel layer): while
Redis is unreachable the limit counts in memory and the push is dropped, each with one warning.
"""

import logging

import pytest
from django.test import Client

from shomp.core import outage
from shomp.core.testing.redis import move_outage_clock, needs_redis_server, redis_of_our_own
from shomp.messaging.models import Message

pytestmark = [needs_redis_server, pytest.mark.django_db(transaction=True)]  # on_commit runs, as live


def test_messages_sent_during_an_outage_are_saved_with_one_warning_per_service(
    tmp_path, monkeypatch, caplog, customer, conversation
):
    clock = move_outage_clock(monkeypatch)
    client = Client(raise_request_exception=False)
    client.force_login(customer, backend="django.contrib.auth.backends.ModelBackend")
    with redis_of_our_own(tmp_path) as redis_server:
        redis_server.stop()
        with caplog.at_level(logging.INFO):
            for n in range(3):
                response = client.post(f"/messages/{conversation.uuid}/send/", {"content": f"Still there? {n}"})
                assert response.status_code == 302
        assert Message.objects.filter(conversation=conversation, content__startswith="Still there?").count() == 3
        assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
        warnings = sorted(r.getMessage().split(" is ")[0] for r in caplog.records if r.levelno == logging.WARNING)
        assert warnings == ["Redis (cache)", "Redis (channel layer)"]

        redis_server.start()
        clock(outage.RETRY_SECONDS + 1)
        caplog.clear()
        with caplog.at_level(logging.INFO):
            response = client.post(f"/messages/{conversation.uuid}/send/", {"content": "Back again"})
        assert response.status_code == 302
        assert any("is back" in record.getMessage() for record in caplog.records)
