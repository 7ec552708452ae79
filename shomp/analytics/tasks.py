"""Analytics work in the task worker: draining the buffer, rollups, salts and retention.

All idempotent (shomp.core.periodic): a late or repeated run changes nothing it shouldn't.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.tasks import task

from shomp.core.periodic import register_periodic

from . import privacy
from .ingest import drain
from .models import Conversion, DailySalt, PageView
from .rollups import reroll_order as reroll_order_day
from .rollups import roll_up_day, store_days_since

#: Raw rows deleted per statement when pruning (short transactions, no long lock).
PRUNE_BATCH = 10_000


@task
def drain_buffer() -> int:
    """Write what the buffer holds (queued by the first record after a drain, and every minute)."""
    return drain()


@task
def refresh_today() -> int:
    """Roll up today (local) for every store with rows in the last quarter of an hour."""
    pairs = store_days_since(datetime.now(UTC) - timedelta(minutes=15))
    for store_id, day in sorted(pairs):
        roll_up_day(store_id=store_id, day=day)
    return len(pairs)


@task
def finalise_days() -> int:
    """Roll up again every store-day with rows in the last two days: yesterday gets its last
    late rows (a drain after midnight) and is final from then on."""
    pairs = store_days_since(datetime.now(UTC) - timedelta(hours=48))
    for store_id, day in sorted(pairs):
        roll_up_day(store_id=store_id, day=day)
    return len(pairs)


@task
def reroll_order(*, order_id: int) -> bool:
    """Roll up again the day of an order's purchase (the order was cancelled or refunded)."""
    return reroll_order_day(order_id=order_id)


@task
def rotate_salts() -> int:
    """Make today's salt and delete every earlier one: yesterday's hashes can't be re-made."""
    today = datetime.now(UTC).date()
    privacy.salt_for(today)
    deleted, _ = DailySalt.objects.filter(day__lt=today).delete()
    privacy.forget_salts()
    return deleted


@task
def prune_raw_rows() -> int:
    """Delete raw page views and conversions older than ANALYTICS_RETENTION_DAYS (rollups stay)."""
    cutoff = datetime.now(UTC) - timedelta(days=int(getattr(settings, "ANALYTICS_RETENTION_DAYS", 400)))
    deleted = 0
    for model in (PageView, Conversion):
        while True:
            ids = list(
                model.objects.filter(created_at__lt=cutoff).order_by("pk").values_list("pk", flat=True)[:PRUNE_BATCH]
            )
            if not ids:
                break
            with transaction.atomic():
                deleted += model.objects.filter(pk__in=ids).delete()[0]
    return deleted


register_periodic(drain_buffer, every=timedelta(minutes=1))
register_periodic(refresh_today, every=timedelta(minutes=5))
register_periodic(finalise_days, every=timedelta(hours=1))
register_periodic(rotate_salts, every=timedelta(minutes=10))
register_periodic(prune_raw_rows, every=timedelta(days=1))
