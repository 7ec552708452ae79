"""core.sessions: Django's database sessions, read by a query compiled once."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from shomp.accounts.tests.factories import UserFactory
from shomp.core.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_the_engine_in_use_reads_a_live_session_and_nothing_else():
    assert settings.SESSION_ENGINE == "shomp.core.sessions"
    first, second = SessionStore(), SessionStore()
    first["colour"], second["colour"] = "teal", "plum"
    first.save()
    second.save()
    assert SessionStore(first.session_key)["colour"] == "teal"
    assert SessionStore(second.session_key)["colour"] == "plum"
    Session.objects.filter(session_key=second.session_key).update(expire_date=timezone.now() - timedelta(seconds=1))
    expired = SessionStore(second.session_key)
    assert expired.get("colour") is None and expired.session_key is None  # a new key if it is saved
    unknown = SessionStore("x" * 32)
    assert unknown.get("colour") is None and unknown.session_key is None


def test_a_signed_in_visitor_stays_signed_in_and_signing_out_ends_it(client):
    user = UserFactory(username="mira")
    client.force_login(user)
    assert client.get("/accounts/email/").status_code == 200
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get("/accounts/email/").status_code == 302  # to the login page
