"""The demo's followers and notifications: who follows whom, a few announcements, launch notices.

Called by `seed_demo` inside its transaction, after the stores and products exist. Everything goes
through the follows and notifications services; only the fans (users) are created directly, and
follow dates are moved into the past so the followers chart has a history. Idempotent: fans are
found by username, follows by (user, store), announcements by (store, title), and notifications
carry their event keys, so a second run makes nothing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from shomp.catalog.models import Product
from shomp.follows import services as follows
from shomp.follows.models import Follow, StoreAnnouncement
from shomp.notifications import services as notifications
from shomp.notifications.models import Notification
from shomp.stores.models import Store

User = get_user_model()

#: Fans who follow Inkwell & Ash over the last eleven weeks (the seller's followers chart).
FANS = 18
FAN_STORE = "inkwell-and-ash"

#: (who, which store, followed how many days ago). A follow older than the store's products puts
#: its follower in their launch fan-outs (which the task worker delivers after the seed commits).
FOLLOWS = [
    ("demo-buyer", "inkwell-and-ash", 40),
    ("demo-buyer", "low-tide-audio", 0),
    ("demo-buyer", "fern-and-kiln", 0),
    ("demo-seller2", "inkwell-and-ash", 12),
    ("demo-seller", "marginalia-press", 5),
]


@dataclass(frozen=True)
class DemoAnnouncement:
    store: str
    kind: str
    title: str
    body: str
    sale_days: int | None = None  # a sale ending this many days from the seed


ANNOUNCEMENTS = [
    DemoAnnouncement(
        "low-tide-audio",
        "update",
        "New album recorded on the pier",
        "Eight field recordings from the old pier at low tide, mixed with a harmonium. "
        "It's in the store now as WAV files, and the first fifty buyers get the sheet music too.",
    ),
    DemoAnnouncement(
        "fern-and-kiln",
        "sale",
        "Seconds sale: wonky mugs at half price",
        "Every kiln firing leaves a few mugs with a drip too many or a slightly squint handle. "
        "They hold tea perfectly well. This weekend they're half price, while they last.",
        sale_days=10,
    ),
    DemoAnnouncement(
        "inkwell-and-ash",
        "sale",
        "Spring print sale",
        "20% off every A3 and A4 print until the end of the month. Digital editions included.",
        sale_days=21,
    ),
]

#: Products whose launch notices the demo delivers at once (the rest come from the worker).
LAUNCHES = [("inkwell-and-ash", 0), ("inkwell-and-ash", 1)]


def seed(*, users: dict, stores: dict[str, Store], products: dict[tuple[str, int], Product], created: Counter) -> None:
    """Make the demo's followers and notifications; count what was made in `created`."""
    now = timezone.now()
    fans = _fans(created)
    for number, fan in enumerate(fans):
        _follow(fan, stores[FAN_STORE], days_ago=3 + number * 4, created=created)
    for username, slug, days_ago in FOLLOWS:
        if slug in stores and username in users:
            _follow(users[username], stores[slug], days_ago=days_ago, created=created)

    for spec in ANNOUNCEMENTS:
        store = stores.get(spec.store)
        if store is None or StoreAnnouncement.objects.filter(store=store, title=spec.title).exists():
            continue
        announcement = follows.send_announcement(
            store=store,
            author=store.owner,
            kind=spec.kind,
            title=spec.title,
            body=spec.body,
            sale_ends_at=now + timedelta(days=spec.sale_days) if spec.sale_days else None,
        )
        # Delivered now, so the demo has them without a worker; the queued task finds them done.
        follows.deliver_announcement(announcement_id=announcement.pk)
        created["announcements"] += 1

    for slug, index in LAUNCHES:
        product = products.get((slug, index))
        if product is not None and product.is_published:
            delivered = follows.notify_followers_of_new_product(product_id=product.pk)
            if delivered:
                created["launch notices"] += delivered

    # One of the buyer's notifications already read, so the bell and the centre show both kinds.
    buyer = users.get("demo-buyer")
    first = Notification.objects.filter(user=buyer).order_by("created_at", "pk").first() if buyer else None
    if first is not None and first.read_at is None and Notification.objects.filter(user=buyer).count() > 1:
        notifications.mark_as_read(user=buyer, notification=first)


def _fans(created: Counter) -> list:
    fans = []
    for number in range(1, FANS + 1):
        username = f"demo-fan-{number:02d}"
        fan = User.objects.filter(username__iexact=username).first()
        if fan is None:
            fan = User(username=username, email=f"{username}@example.com")
            fan.set_unusable_password()  # followers in the chart, never logins
            fan.save()
            created["fans"] += 1
        fans.append(fan)
    return fans


def _follow(user, store: Store, *, days_ago: int, created: Counter) -> None:
    if store.owner_id == user.pk or Follow.objects.filter(user=user, store=store).exists():
        return
    follow = follows.follow_store(user=user, store=store)
    # Demo history: the follow happened `days_ago` days ago (there is no service for the past).
    Follow.objects.filter(pk=follow.pk).update(created_at=timezone.now() - timedelta(days=days_ago, hours=2))
    created["follows"] += 1
