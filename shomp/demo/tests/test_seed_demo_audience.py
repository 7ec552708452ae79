"""seed_demo's followers, announcements and notifications: there, consistent, and made once."""

import io

import pytest
from django.core.management import call_command

from shomp.follows.models import Follow, StoreAnnouncement
from shomp.notifications.models import Notification, NotificationEvent


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", products_per_store=2, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "follows": Follow.objects.count(),
        "announcements": StoreAnnouncement.objects.count(),
        "notifications": Notification.objects.count(),
        "events": NotificationEvent.objects.count(),
        "read": Notification.objects.filter(read_at__isnull=False).count(),
    }


@pytest.mark.django_db
def test_demo_followers_and_notifications_are_made_once():
    seed()
    inkwell = Follow.objects.filter(store__slug="inkwell-and-ash")
    assert inkwell.filter(user__username__startswith="demo-fan-").count() == 18
    assert inkwell.filter(user__username="demo-buyer").exists()
    assert len({follow.created_at.date() for follow in inkwell}) > 10  # a history for the chart
    assert Follow.objects.filter(user__username="demo-buyer").count() == 3

    assert StoreAnnouncement.objects.count() == 3
    for announcement in StoreAnnouncement.objects.select_related("event"):
        assert announcement.received_count == announcement.store.follows.count() > 0
        assert announcement.is_delivered

    buyer_notes = Notification.objects.filter(user__username="demo-buyer")
    # What the followed stores told them, and the price drops of their wishlists (demo/wishlists.py).
    assert set(buyer_notes.values_list("type", flat=True)) == {
        "new_product",
        "store_announcement",
        "sale",
        "price_drop",
    }
    assert buyer_notes.filter(read_at__isnull=True).exists() and buyer_notes.filter(read_at__isnull=False).exists()

    before = counts()
    seed()
    assert counts() == before
