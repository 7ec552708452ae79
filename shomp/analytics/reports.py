"""`generate_reports` (spec name): a store's overview for a range, compared with another period.

What the dashboard shows and the exports write: the headline numbers with their change, the
chart's series, the top products and the top sources. Reads only (selectors.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from shomp.stores.models import Store

from . import selectors
from .ranges import Compare, DateRange, comparison_range, resolve_range

TOP = 5

#: The headline numbers, in the order the overview shows them: (key, label, kind).
HEADLINES = (
    ("visits", "Visits", "count"),
    ("visitors", "Unique visitors", "count"),
    ("pageviews", "Page views", "count"),
    ("product_views", "Product views", "count"),
    ("conversion_rate", "Conversion rate", "percent"),
    ("revenue", "Revenue", "money"),
    ("orders", "Orders", "count"),
    ("aov", "Average order value", "money"),
)


@dataclass
class Report:
    store: Store
    period: DateRange
    compare: str
    previous: DateRange | None
    headlines: list[dict] = field(default_factory=list)
    series: list[dict] = field(default_factory=list)
    top_products: list[dict] = field(default_factory=list)
    top_sources: list[dict] = field(default_factory=list)

    def headline(self, key: str) -> dict:
        return next(h for h in self.headlines if h["key"] == key)

    def chart(self) -> dict:
        """The chart's data for the page's JSON block (no inline script)."""
        return {
            "labels": [point["label"] for point in self.series],
            "visits": [point["visits"] for point in self.series],
            "revenue": [float(point["revenue"]) for point in self.series],
            "granularity": self.period.granularity,
        }


def generate_reports(
    *, store: Store, period: DateRange | str, compare: str = Compare.PREVIOUS, now: dt.datetime | None = None
) -> Report:
    """The overview of `store` for `period` (a DateRange or a range key such as "30d"), each
    number with its change against `compare` ("previous", "year" or "none")."""
    if isinstance(period, str):
        period = resolve_range(period, tz=store.tzinfo, now=now)
    previous = comparison_range(period, compare)
    # One pass over the rollups for both periods: the headlines, their comparison and the chart.
    days = selectors.by_day(store=store, periods=[period, previous], now=now)
    current = selectors.total(days, period)
    before = selectors.total(days, previous) if previous else None
    report = Report(store=store, period=period, compare=compare, previous=previous)
    for key, label, kind in HEADLINES:
        value = current[key]
        prior = before[key] if before else None
        report.headlines.append(
            {
                "key": key,
                "label": label,
                "kind": kind,
                "value": value,
                "previous": prior,
                "change": selectors.change(value, prior),
            }
        )
    report.series = selectors.series(store=store, period=period, now=now, days=days)
    products = selectors.product_rows(store=store, period=period, now=now)
    report.top_products = selectors.name_products(
        store=store, rows=[r for r in products if r["views"] or r["orders"]][:TOP]
    )
    report.top_sources = selectors.source_rows(store=store, period=period, now=now)[:TOP]
    return report
