"""The same notification, event or preference written twice at once, with real threads and real
transactions: one row, the same answer to every caller, and never an IntegrityError (a 500).
PostgreSQL only: on SQLite every write transaction takes the whole database, so nothing races."""

import pytest
from django.db import connection

from shomp.accounts.tests.factories import UserFactory
from shomp.core.testing.threads import outcomes, run_together, widen_check_then_act
from shomp.notifications import services
from shomp.notifications.models import Notification, NotificationEvent, NotificationPreference, NotificationType

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks only exist on PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def slow_checks(monkeypatch):
    widen_check_then_act(monkeypatch)


def test_the_same_notification_created_at_once_is_made_once(published):
    user = UserFactory()

    results = run_together(
        4, lambda i: services.create_notification(user=user, type=NotificationType.SALE, key="sale:1", title="Sale")
    )

    assert outcomes(results) == ["ok"] * 4
    assert {notification.pk for _, notification in results} == {Notification.objects.get(user=user, key="sale:1").pk}


def test_the_same_event_created_at_once_is_made_once():
    results = run_together(4, lambda i: services.create_event(key="announcement:1", type=NotificationType.SALE))

    assert outcomes(results) == ["ok"] * 4
    assert {event.pk for _, event in results} == {NotificationEvent.objects.get(key="announcement:1").pk}


def test_preferences_saved_at_once_keep_one_row_per_type():
    user = UserFactory()

    results = run_together(
        4, lambda i: services.set_preferences(user=user, preferences={NotificationType.SALE: (i % 2 == 0, False)})
    )

    assert outcomes(results) == ["ok"] * 4
    assert NotificationPreference.objects.filter(user=user, type=NotificationType.SALE).count() == 1
