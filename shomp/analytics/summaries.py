"""Report summaries: `DailyStat` added up per store-day along one dimension at a time.

The rollup's rows are full slices (product × variant × source × country × device), so a busy
store has tens of thousands a day, and a 12-month report that added them up would read
millions. `summarize_days` writes, for each store-day, one TOTAL row, a row per product and
variant and a row per source and campaign (`DailySummary`); the reports read those for every
day that has its TOTAL row and fall back to `DailyStat` for any day that has none, so a day is
never counted twice nor missed, hook or no hook.

Call it wherever the store's `DailyStat` rows of those days are rewritten, in the same
transaction (rollups.roll_up_days), so summaries never lag behind their rollups.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum

from .models import NONE_ID, DailyStat, DailySummary

BATCH = 5000

_VIEW_METRICS = ("pageviews", "product_views", "variant_views", "sold_out_views", "visits", "add_to_carts", "checkouts")
_STORE_SALES = Q(product_id_value=NONE_ID)


def _sums(*, sales: Q | None) -> dict:
    sums = {f"s_{name}": Sum(name) for name in _VIEW_METRICS}
    sums["s_purchases"] = Sum("purchases", filter=sales)
    sums["s_revenue"] = Sum("revenue", filter=sales)
    return sums


def _row(store_id: int, kind: str, values: dict, **keys) -> DailySummary:
    metrics = {name: values[f"s_{name}"] or 0 for name in (*_VIEW_METRICS, "purchases")}
    return DailySummary(store_id=store_id, kind=kind, revenue=values["s_revenue"] or Decimal("0"), **metrics, **keys)


def summarize_days(*, store_id: int, first: dt.date, last: dt.date) -> int:
    """Rewrite the summaries of a store's local days `first`..`last` from its rollups; returns
    how many summary rows the days have now. Every day gets its TOTAL row (zeros included)."""
    stats = DailyStat.objects.filter(store_id=store_id, day__gte=first, day__lte=last).order_by()
    rows: list[DailySummary] = []
    totals = {v["day"]: v for v in stats.values("day").annotate(**_sums(sales=_STORE_SALES))}
    day = first
    while day <= last:
        values = totals.get(day) or {f"s_{name}": 0 for name in (*_VIEW_METRICS, "purchases", "revenue")}
        rows.append(_row(store_id, DailySummary.Kind.TOTAL, values, day=day))
        day += dt.timedelta(days=1)
    for v in (
        stats.exclude(_STORE_SALES).values("day", "product_id_value", "variant_id_value").annotate(**_sums(sales=None))
    ):
        rows.append(
            _row(
                store_id,
                DailySummary.Kind.PRODUCT,
                v,
                day=v["day"],
                product_id_value=v["product_id_value"],
                variant_id_value=v["variant_id_value"],
            )
        )
    for v in stats.values("day", "medium", "source", "utm_campaign").annotate(**_sums(sales=_STORE_SALES)):
        rows.append(
            _row(
                store_id,
                DailySummary.Kind.SOURCE,
                v,
                day=v["day"],
                medium=v["medium"],
                source=v["source"],
                utm_campaign=v["utm_campaign"],
            )
        )
    with transaction.atomic():
        DailySummary.objects.filter(store_id=store_id, day__gte=first, day__lte=last).delete()
        DailySummary.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def summarized_days(*, store_id: int, first: dt.date, last: dt.date) -> set[dt.date]:
    """The days of the range that have their summaries (one small query)."""
    return set(
        DailySummary.objects.filter(
            store_id=store_id, kind=DailySummary.Kind.TOTAL, day__gte=first, day__lte=last
        ).values_list("day", flat=True)
    )


def missing_ranges(first: dt.date, last: dt.date, have: set[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """The runs of days of `first`..`last` not in `have`, as (first, last) pairs."""
    runs: list[tuple[dt.date, dt.date]] = []
    start = None
    day = first
    while day <= last:
        if day not in have and start is None:
            start = day
        if day in have and start is not None:
            runs.append((start, day - dt.timedelta(days=1)))
            start = None
        day += dt.timedelta(days=1)
    if start is not None:
        runs.append((start, last))
    return runs
