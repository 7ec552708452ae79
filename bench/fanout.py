"""Fan-out benchmark: a store with N followers publishes a product; how long until all are told?

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shomp_bench .venv/bin/python bench/fanout.py --followers 100000

It makes its own data in the database DATABASE_URL names (creating the PostgreSQL database and
migrating it if needed): N users following one store, and a second store with no followers.
Users and follows are kept between runs (pass --fresh to rebuild them); everything a run
notifies is deleted afterwards. Then it measures, in one run:

1. publish, as the seller's request does it: `publish_product` and its commit, which queues the
   fan-out task (DatabaseBackend, as in production) and returns; with N followers and with none;
2. the fan-out itself, as the worker runs it (`notify_followers_of_new_product`): followers read
   in keyset batches, one bulk insert per batch, events and live pushes after each commit;
3. the same fan-out again (a retried task): it must notify nobody;
4. a plain bulk insert of the same N notification rows (one `bulk_create`, one transaction):
   the floor the fan-out is compared with.

Live pushes go to the channel layer the settings name. In memory (no REDIS_URL), only to
followers with a page open: --online of them (default 1,000) get a channel in their topic's
group, as a connected socket would. On Redis (production's pub/sub layer, core.layers) the
fan-out publishes to every follower's topic, pipelined, and --online is not used. Prints a
Markdown table.
This is a benchmark, never a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shomp.settings")
os.environ.setdefault("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")

BENCH_STORE = "bench-fanout-store"
QUIET_STORE = "bench-quiet-store"
USER_PREFIX = "bench-fan-"
SOCKET_PREFIX = "specific.bench!"  # a channel name, as a consumer's would be


def ensure_database() -> None:
    """Create the PostgreSQL database DATABASE_URL names, if it is missing."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL database, e.g. postgres://postgres@127.0.0.1:5432/shomp_bench")
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
            print(f"Created database {name}.")


def setup_django() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seconds(func, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    result = func(*args, **kwargs)
    return time.perf_counter() - started, result


def make_audience(followers: int, fresh: bool) -> tuple:
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from shomp.follows.models import Follow
    from shomp.stores.models import Store
    from shomp.stores.services import create_store

    User = get_user_model()
    owner, _ = User.objects.get_or_create(username="bench-seller", defaults={"email": "bench-seller@bench.example"})
    store = Store.objects.filter(slug=BENCH_STORE).first() or create_store(
        owner=owner, name="Bench Store", slug=BENCH_STORE
    )
    quiet = Store.objects.filter(slug=QUIET_STORE).first() or create_store(
        owner=owner, name="Quiet Store", slug=QUIET_STORE
    )
    if fresh:
        Follow.objects.filter(store=store).delete()
        User.objects.filter(username__startswith=USER_PREFIX).delete()
    have = Follow.objects.filter(store=store).count()
    if have == followers:
        return store, quiet
    started = time.perf_counter()
    with transaction.atomic():
        Follow.objects.filter(store=store).delete()
        existing = User.objects.filter(username__startswith=USER_PREFIX).count()
        for start in range(existing, followers, 10_000):
            User.objects.bulk_create(
                User(
                    username=f"{USER_PREFIX}{n:07d}",
                    email=f"{USER_PREFIX}{n:07d}@bench.example",
                    password="!unusable",  # noqa: S106  never a login
                )
                for n in range(start, min(start + 10_000, followers))
            )
        ids = list(
            User.objects.filter(username__startswith=USER_PREFIX)
            .order_by("pk")
            .values_list("pk", flat=True)[:followers]
        )
        for start in range(0, len(ids), 10_000):
            Follow.objects.bulk_create(Follow(user_id=pk, store=store) for pk in ids[start : start + 10_000])
    print(f"Made {followers:,} followers in {time.perf_counter() - started:.1f} s.")
    return store, quiet


def draft(store, title: str):
    from shomp.catalog.services import create_product

    return create_product(store=store, title=title, price=Decimal("12.00"), kind="physical", stock=5)


def publish(product) -> None:
    from django.db import transaction

    from shomp.catalog.services import publish_product

    with transaction.atomic():  # like a request: the hook queues the task when this commits
        publish_product(product=product)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--followers", type=int, default=100_000)
    parser.add_argument("--fresh", action="store_true", help="rebuild the bench users and follows")
    parser.add_argument(
        "--online", type=int, default=1000, help="followers with a page open (counted as sockets), who get a live push"
    )
    options = parser.parse_args()

    ensure_database()
    setup_django()
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer
    from django.conf import settings
    from django.db import connection, transaction
    from django_tasks_db.models import DBTaskResult

    from shomp.catalog.models import Product
    from shomp.core import realtime
    from shomp.follows import services as follows
    from shomp.follows.models import Follow
    from shomp.follows.services import BATCH_SIZE
    from shomp.notifications.events import user_topic
    from shomp.notifications.models import Notification, NotificationEvent, NotificationType

    store, quiet = make_audience(options.followers, options.fresh)
    with connection.cursor() as cursor:  # fresh statistics, as autovacuum would have by now
        cursor.execute("ANALYZE accounts_user, follows_follow, notifications_notification")
    # Leftovers of an interrupted run.
    Product.objects.filter(store__in=[store, quiet]).delete()
    Notification.objects.filter(key__startswith="new-product:").delete()
    Notification.objects.filter(key="bench-plain").delete()
    NotificationEvent.objects.filter(key__startswith="new-product:").delete()
    DBTaskResult.objects.filter(task_path__endswith="notify_followers_of_new_product_task").delete()

    # 1. The seller's publish, with N followers and with none (median of 5 each).
    def publish_times(target) -> float:
        times = []
        for n in range(5):
            product = draft(target, f"Warm-up {target.slug} {n}")
            times.append(seconds(publish, product)[0])
        return sorted(times)[2]

    publish_quiet = publish_times(quiet)
    publish_busy = publish_times(store)
    queued = DBTaskResult.objects.filter(task_path__endswith="notify_followers_of_new_product_task").count()

    # 2. The fan-out, as the worker runs it, with --online followers' pages open: a channel in
    # each of their topics' groups, as the consumer adds a socket. They get a live push; the
    # channel layer says nobody follows the others' topics, so they are skipped.
    online = [
        user_topic(user_id)
        for user_id in Follow.objects.filter(store=store)
        .order_by("?")
        .values_list("user_id", flat=True)[: options.online]
    ]
    layer = get_channel_layer()

    async def sockets(join: bool) -> None:
        for topic in online:
            if join:
                await layer.group_add(realtime.group_name(topic), f"{SOCKET_PREFIX}{topic.rsplit(':', 1)[1]}")
            else:
                await layer.group_discard(realtime.group_name(topic), f"{SOCKET_PREFIX}{topic.rsplit(':', 1)[1]}")

    pushes = []
    if hasattr(layer, "group_send_many"):
        # Production's pub/sub layer (core.layers): no per-socket groups to fake, and the fan-out
        # publishes to every follower's topic, pipelined (a PUBLISH to nobody is as cheap as
        # asking whether anyone listens); count what it sends.
        original_send_many = layer.group_send_many

        async def counting_send_many(messages):
            pushes.extend(group for group, _ in messages)
            await original_send_many(messages)

        layer.group_send_many = counting_send_many
        online = []
    else:
        async_to_sync(sockets)(True)
        original_send = layer.group_send

        async def counting_send(group, message):
            pushes.append(group)
            await original_send(group, message)

        layer.group_send = counting_send
    product = draft(store, "Bench Launch")
    publish(product)
    fan_out, delivered = seconds(follows.notify_followers_of_new_product, product_id=product.pk)
    assert delivered == options.followers, (delivered, options.followers)
    if online:
        async_to_sync(sockets)(False)

    # 3. The same task again.
    retry, again = seconds(follows.notify_followers_of_new_product, product_id=product.pk)
    assert again == 0

    # 4. A plain bulk insert of the same rows.
    template = Notification.objects.filter(key=f"new-product:{product.pk}").first()
    user_ids = list(Notification.objects.filter(key=template.key).values_list("user_id", flat=True))

    def plain_insert() -> None:
        with transaction.atomic():
            Notification.objects.bulk_create(
                (
                    Notification(
                        user_id=user_id,
                        type=NotificationType.NEW_PRODUCT,
                        key="bench-plain",
                        title=template.title,
                        content=template.content,
                        data=template.data,
                    )
                    for user_id in user_ids
                ),
                batch_size=BATCH_SIZE,
            )

    plain, _ = seconds(plain_insert)

    # Clean up what this run notified (users and follows stay for the next run).
    Notification.objects.filter(key__in=[template.key, "bench-plain"]).delete()
    Product.objects.filter(store__in=[store, quiet]).delete()
    NotificationEvent.objects.filter(key__startswith="new-product:").delete()
    DBTaskResult.objects.filter(task_path__endswith="notify_followers_of_new_product_task").delete()

    layer = settings.CHANNEL_LAYERS["default"]["BACKEND"].rsplit(".", 1)[-1]
    n = options.followers
    print()
    print(f"Fan-out to {n:,} followers: PostgreSQL {connection.pg_version // 10000}, channel layer {layer}, ")
    print(f"batches of {BATCH_SIZE:,}, {queued} fan-out tasks queued by the publishes (run by no worker here),")
    if online:
        print(f"{len(online):,} followers online: {len(pushes):,} live pushes sent by the fan-out.")
    else:
        print(f"{len(pushes):,} live pushes published by the fan-out (pub/sub layer: one per follower, pipelined).")
    print()
    print("| what | time | rows/s |")
    print("|---|---:|---:|")
    print(
        f"| publish a product, store with no followers (request side, median of 5) | {publish_quiet * 1000:.1f} ms | |"
    )
    busy = f"{publish_busy * 1000:.1f} ms"
    print(f"| publish a product, store with {n:,} followers (request side, median of 5) | {busy} | |")
    print(f"| fan-out task: deliver to all {n:,} followers | {fan_out:.2f} s | {n / fan_out:,.0f} |")
    print(f"| the same task again (a retry: notifies nobody) | {retry:.2f} s | |")
    print(f"| plain `bulk_create` of the same {n:,} rows, one transaction | {plain:.2f} s | {n / plain:,.0f} |")
    print(f"| fan-out / plain insert | {fan_out / plain:.2f}x | |")


if __name__ == "__main__":
    main()
