"""Logging in while Redis is down (issue 10, item 4): no 500, and failed logins still lock.

allauth keeps its login throttle in the cache. While Redis is unreachable the cache counts in
each process's memory (shomp.core.cache): five wrong passwords still lock the account.
"""

import logging

import pytest
from django.test import Client

from shomp.accounts.tests.factories import PASSWORD, UserFactory
from shomp.core import outage
from shomp.core.testing.redis import PREFIX, move_outage_clock, needs_redis_server, redis_of_our_own

pytestmark = [needs_redis_server, pytest.mark.django_db]


def throttled(response) -> bool:
    return response.status_code == 429 or "Too many failed login attempts" in response.text


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_logins_during_an_outage_answer_and_five_failures_still_lock_the_account(tmp_path, monkeypatch, caplog):
    UserFactory(username="outagebuyer")
    clock = move_outage_clock(monkeypatch)
    with redis_of_our_own(tmp_path) as redis_server:
        redis_server.stop()
        client = Client(raise_request_exception=False)
        with caplog.at_level(logging.INFO):
            for n in range(5):
                response = client.post("/accounts/login/", {"login": "outagebuyer", "password": f"guess-{n}"})
                assert response.status_code == 200  # the form again, with its error: not a 500
                assert not logged_in(client)
            right = client.post("/accounts/login/", {"login": "outagebuyer", "password": PASSWORD})
            assert throttled(right)  # Redis or not, five failures lock the account
            assert not logged_in(client)
        assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
        warnings = [record for record in caplog.records if record.levelno == logging.WARNING]
        assert [record.getMessage().split(" is ")[0] for record in warnings] == ["Redis (cache)"]  # once

        redis_server.start()
        clock(outage.RETRY_SECONDS + 1)
        fresh = Client(raise_request_exception=False)
        fresh.post("/accounts/login/", {"login": "outagebuyer", "password": "wrong"})
        assert redis_server.keys(f"{PREFIX}:*")  # the throttle counts in Redis again
        fresh.post("/accounts/login/", {"login": "outagebuyer", "password": PASSWORD})
        assert logged_in(fresh)  # the failures counted in memory during the outage stay there
