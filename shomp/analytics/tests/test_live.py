"""The live panel's topic: the door decides on join and before every push; live_changed pushes
the panel only while someone watches."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from shomp.accounts.tests.factories import UserFactory
from shomp.analytics import events
from shomp.analytics.tests.factories import page_view
from shomp.core import realtime
from shomp.organizations.models import Membership
from shomp.organizations.policies import forget_memberships
from shomp.organizations.tests.factories import add_member
from shomp.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("admin", True), ("manager", True), ("analyst", True), ("support", False), ("fulfilment", False)],
)
def test_the_live_topic_asks_the_door(role, allowed):
    store = StoreFactory()
    topic = events.live_topic(store.pk)
    member = add_member(store, role=role).user
    assert realtime.authorize_topic(member, topic) is allowed
    assert realtime.authorize_topic(store.owner, topic) is True
    assert realtime.authorize_topic(StoreFactory().owner, topic) is False
    assert realtime.authorize_topic(UserFactory(), topic) is False
    assert realtime.authorize_topic(AnonymousUser(), topic) is False
    for bad in ("store-live:abc", "store-live:99999999", "store-live:" + "9" * 40):
        assert realtime.authorize_topic(store.owner, bad) is False


def test_a_lowered_analyst_is_refused_at_the_next_push():
    store = StoreFactory()
    analyst = add_member(store, role="analyst").user
    topic = events.live_topic(store.pk)
    assert realtime.authorize_topic(analyst, topic)
    Membership.objects.filter(user=analyst).update(role="support")
    forget_memberships(analyst)  # a push reads the memberships again
    assert not realtime.authorize_topic(analyst, topic)


def test_live_changed_pushes_the_panel_only_while_watched(monkeypatch):
    store = StoreFactory()
    page_view(store, session_id="x", path=f"/{store.slug}/", created_at=timezone.now() - dt.timedelta(seconds=30))
    sent = []
    monkeypatch.setattr(realtime, "publish", lambda topic, html: sent.append((topic, html)))
    monkeypatch.setattr(realtime, "online", lambda topics: [])
    events.live_changed(store_id=store.pk)
    assert sent == []
    monkeypatch.setattr(realtime, "online", lambda topics: list(topics))
    events.live_changed(store_id=store.pk)
    events.live_changed(store_id=987654)  # a store that is gone: nothing
    [(topic, html)] = sent
    assert topic == f"store-live:{store.pk}"
    assert 'id="analytics-live"' in html and 'hx-swap-oob="outerHTML"' in html
    assert 'id="live-visitors">1<' in html
