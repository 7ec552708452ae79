"""Price-drop fan-out benchmark: a product saved by N people gets cheaper; how long until all are told?

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shomp_bench \
        .venv/bin/python bench/wishlists_fanout.py --savers 100000

It makes its own data in the database DATABASE_URL names (creating and migrating it if needed,
like bench/fanout.py): N users, each with a list holding one product of a bench store, saved at
$20.00. Users, lists and items are kept between runs (--fresh rebuilds them); each run puts the
price back to $20.00, forgets the alerts and deletes what it notified. Then it measures:

1. the seller's price edit, as the request does it: `update_product` and its commit, which sends
   catalog.price_changed and queues the alert task (DatabaseBackend, as in production);
2. the alert check, as the worker runs it (`alerts.check_product_alerts`): saved items read in
   keyset batches of 1,000 under a row lock, the current price worked out for each, one bulk
   insert of notifications per batch, `alerted_price` written per batch;
3. the same check again (a retried task): it must notify nobody;
4. a plain bulk insert of the same N notification rows in one transaction: the floor.

Prints a Markdown table. This is a benchmark, never a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shomp.settings")
os.environ.setdefault("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")

from fanout import ensure_database, seconds, setup_django  # noqa: E402  (the follower bench's helpers)

STORE = "bench-wishlist-store"
USER_PREFIX = "bench-saver-"
SAVED_AT = Decimal("20.00")
DROPPED_TO = Decimal("15.00")


def make_savers(savers: int, fresh: bool):
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from shomp.catalog.models import Product
    from shomp.catalog.services import create_product, publish_product
    from shomp.stores.models import Store
    from shomp.stores.services import create_store
    from shomp.wishlists.models import Wishlist, WishlistItem

    User = get_user_model()
    owner, _ = User.objects.get_or_create(username="bench-seller", defaults={"email": "bench-seller@bench.example"})
    store = Store.objects.filter(slug=STORE).first() or create_store(owner=owner, name="Wishlist Bench", slug=STORE)
    product = Product.objects.filter(store=store).first()
    if product is None:
        product = create_product(store=store, title="Bench Lamp", price=SAVED_AT, kind="physical", stock=50)
        product = publish_product(product=product)
    if fresh:
        WishlistItem.objects.filter(product=product).delete()
        User.objects.filter(username__startswith=USER_PREFIX).delete()
    if WishlistItem.objects.filter(product=product).count() == savers:
        return product
    started = time.perf_counter()
    with transaction.atomic():
        WishlistItem.objects.filter(product=product).delete()
        existing = User.objects.filter(username__startswith=USER_PREFIX).count()
        for start in range(existing, savers, 10_000):
            User.objects.bulk_create(
                User(username=f"{USER_PREFIX}{n:07d}", email=f"{USER_PREFIX}{n:07d}@bench.example", password="!")  # noqa: S106  never a login
                for n in range(start, min(start + 10_000, savers))
            )
        ids = list(
            User.objects.filter(username__startswith=USER_PREFIX).order_by("pk").values_list("pk", flat=True)[:savers]
        )
        for start in range(0, len(ids), 10_000):
            chunk = ids[start : start + 10_000]
            have = set(Wishlist.objects.filter(user_id__in=chunk, is_default=True).values_list("user_id", flat=True))
            Wishlist.objects.bulk_create(
                Wishlist(user_id=pk, name="Favourites", is_default=True) for pk in chunk if pk not in have
            )
            lists = Wishlist.objects.filter(user_id__in=chunk, is_default=True).values_list("pk", flat=True)
            WishlistItem.objects.bulk_create(
                WishlistItem(wishlist_id=pk, product=product, price_when_added=SAVED_AT) for pk in lists
            )
    print(f"Made {savers:,} savers in {time.perf_counter() - started:.1f} s.")
    return product


def reset(product) -> None:
    from shomp.catalog.models import Product
    from shomp.notifications.models import Notification, NotificationEvent
    from shomp.wishlists.models import WishlistItem

    Product.objects.filter(pk=product.pk).update(price=SAVED_AT)
    WishlistItem.objects.filter(product=product).update(alerted_price=None)
    Notification.objects.filter(key__startswith=f"price-drop:{product.pk}:").delete()
    Notification.objects.filter(key="bench-plain").delete()
    NotificationEvent.objects.filter(key__startswith=f"price-drop:{product.pk}:").delete()
    product.refresh_from_db()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--savers", type=int, default=100_000)
    parser.add_argument("--fresh", action="store_true", help="rebuild the bench users, lists and items")
    options = parser.parse_args()

    ensure_database()
    setup_django()
    from django.db import transaction
    from django.utils import timezone

    from shomp.catalog.services import update_product
    from shomp.notifications.models import Notification, NotificationType
    from shomp.wishlists import alerts
    from shomp.wishlists.models import WishlistItem

    product = make_savers(options.savers, options.fresh)
    reset(product)

    def edit() -> None:
        with transaction.atomic():  # like the seller's request: the hook queues the task on commit
            update_product(product=product, title=product.title, price=DROPPED_TO, kind=product.kind, stock=50)

    edit_time, _ = seconds(edit)
    fan_time, told = seconds(alerts.check_product_alerts, product_id=product.pk)
    retry_time, again = seconds(alerts.check_product_alerts, product_id=product.pk)
    assert told == options.savers and again == 0, (told, again)

    user_ids = list(WishlistItem.objects.filter(product=product).values_list("wishlist__user_id", flat=True))
    now = timezone.now()

    def plain() -> None:
        with transaction.atomic():
            Notification.objects.bulk_create(
                (
                    Notification(
                        user_id=user_id,
                        type=NotificationType.PRICE_DROP,
                        key="bench-plain",
                        title="Bench Lamp is now $15.00",
                        content="Bench Lamp from Wishlist Bench costs $15.00 now: it was $20.00 when you saved it.",
                        data={"product_id": product.pk},
                        created_at=now,
                    )
                    for user_id in user_ids
                ),
                batch_size=1000,
            )

    plain_time, _ = seconds(plain)
    reset(product)
    n = options.savers
    print()
    print("| what | time | rows/s |")
    print("|---|---:|---:|")
    print(f"| the seller's price edit (request side, queues the task) | {edit_time * 1000:.1f} ms | |")
    print(f"| alert check: tell all {n:,} savers | {fan_time:.2f} s | {n / fan_time:,.0f} |")
    print(f"| the same check again (a retry: tells nobody) | {retry_time:.2f} s | |")
    rate = f"{n / plain_time:,.0f}"
    print(f"| plain `bulk_create` of the same {n:,} rows, one transaction | {plain_time:.2f} s | {rate} |")
    print(f"| alert check / plain insert | {fan_time / plain_time:.2f}x | |")


if __name__ == "__main__":
    main()
