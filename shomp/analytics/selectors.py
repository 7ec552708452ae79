"""Reads for the analytics reports, already scoped to one store (or an organization's stores).

Where the numbers come from: days before the store's local today are read from the rollups
(`DailyStat`, `DailyVisitors`), today from the raw rows (`PageView`, `Conversion`, and the
orders' lines for per-product sales), so a report never double-counts a day the rollup task
has refreshed. How the rollups are read (the model's docstring):
- views, visits and product / variant / sold-out views add up over every row;
- a store's orders and revenue are the rows without a product (`product_id_value` 0:
  purchases = orders, revenue = order totals); a product's or variant's sales are the rows
  with it (purchases = units sold, revenue = those lines' revenue);
- unique visitors are the sum of each day's unique visitors (a visitor hashes differently every
  day, by design: nobody is followed across days).

Every function costs a fixed number of queries, whatever the number of products or stores.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Min, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncHour
from django.utils import timezone

from shomp.catalog.models import Product, Variant
from shomp.messaging.models import Conversation
from shomp.orders.models import Order, OrderItem
from shomp.reviews.models import Review
from shomp.stores.models import Store

from . import summaries
from .models import (
    NONE_ID,
    Conversion,
    ConversionType,
    DailyStat,
    DailySummary,
    DailyVisitors,
    Device,
    Medium,
    PageKind,
    PageView,
)
from .ranges import DateRange, local_midnight, local_today
from .rollups import VOID_STATUSES, not_voided

ZERO = Decimal("0.00")
#: The live panel's window.
LIVE_WINDOW = dt.timedelta(minutes=5)

METRICS = (
    "pageviews",
    "product_views",
    "variant_views",
    "sold_out_views",
    "visits",
    "add_to_carts",
    "checkouts",
    "orders",
    "revenue",
)

_NO_PRODUCT = Q(product_id_value=NONE_ID)
_MONEY = DecimalField(max_digits=14, decimal_places=2)


def _sum(field: str, condition: Q | None = None, *, money: bool = False):
    default = Value(ZERO, output_field=_MONEY) if money else Value(0)
    return Coalesce(Sum(field, filter=condition), default)


# What the rollups add up to, by the reading above. `sales` decides where orders and revenue
# come from: the store's rows (no product) or the product rows (units and line revenue).
def _stat_sums(*, sales: str = "store") -> dict:
    sums = {
        "pageviews": _sum("pageviews"),
        "product_views": _sum("product_views"),
        "variant_views": _sum("variant_views"),
        "sold_out_views": _sum("sold_out_views"),
        "visits": _sum("visits"),
        "add_to_carts": _sum("add_to_carts"),
        "checkouts": _sum("checkouts"),
    }
    if sales == "store":
        sums["orders"] = _sum("purchases", _NO_PRODUCT)
        sums["revenue"] = _sum("revenue", _NO_PRODUCT, money=True)
    else:
        sums["orders"] = _sum("purchases", ~_NO_PRODUCT)
        sums["revenue"] = _sum("revenue", ~_NO_PRODUCT, money=True)
    return sums


# The summaries (summaries.py) already hold the store's orders in TOTAL and SOURCE rows and the
# units sold in PRODUCT rows: plain sums.
_SUMMARY_SUMS = {
    **{name: _sum(name) for name in METRICS if name not in ("orders", "revenue")},
    "orders": _sum("purchases"),
    "revenue": _sum("revenue", money=True),
}


_SUMMARY_FIELDS = (*(name for name in METRICS if name not in ("orders", "revenue")), "purchases", "revenue")


def _days_q(ranges: Iterable[tuple[dt.date, dt.date]]) -> Q:
    q = Q()
    for first, last in ranges:
        q |= Q(day__gte=first, day__lte=last)
    return q


def _rolled_up(
    store: Store, ranges: list[tuple[dt.date, dt.date]], *, summary: str | None
) -> tuple[QuerySet[DailySummary] | None, QuerySet[DailyStat] | None]:
    """The summary rows of `kind` for the days of `ranges` that have them, and the rollup rows of
    the days that don't (either None when it has no day): each day is read from one of them."""
    missing = ranges
    summarized = None
    if summary:
        have: set[dt.date] = set()
        for first, last in ranges:
            have |= summaries.summarized_days(store_id=store.pk, first=first, last=last)
        if have:
            summarized = DailySummary.objects.filter(_days_q(ranges), store=store, kind=summary)
        missing = [run for first, last in ranges for run in summaries.missing_ranges(first, last, have)]
    stats = DailyStat.objects.filter(_days_q(missing), store=store) if missing else None
    return summarized, stats


_VIEW_COUNTS = {
    # As the rollup counts them (rollups.roll_up_day): the picker settling on a variant is not a
    # page view; a product page opened on a variant counts as that variant's view too.
    "pageviews": Count("pk", filter=~Q(kind=PageKind.VARIANT)),
    "product_views": Count("pk", filter=Q(kind=PageKind.PRODUCT)),
    "variant_views": Count("pk", filter=Q(kind=PageKind.VARIANT) | Q(kind=PageKind.PRODUCT, variant__isnull=False)),
    "sold_out_views": Count("pk", filter=Q(sold_out=True)),
    "visits": Count("pk", filter=Q(is_entry=True)),
}
_CONVERSION_COUNTS = {
    "add_to_carts": Count("pk", filter=Q(conversion_type=ConversionType.ADD_TO_CART)),
    "checkouts": Count("pk", filter=Q(conversion_type=ConversionType.CHECKOUT_STARTED)),
    "orders": Count("pk", filter=Q(conversion_type=ConversionType.PURCHASE)),
    "revenue": Coalesce(
        Sum("value", filter=Q(conversion_type=ConversionType.PURCHASE)), Value(ZERO, output_field=_MONEY)
    ),
}


def blank() -> dict:
    row = dict.fromkeys(METRICS, 0)
    row["revenue"] = ZERO
    return row


def add_metrics(into: dict, values: dict) -> None:
    for metric in METRICS:
        if metric in values and values[metric] is not None:
            into[metric] = into[metric] + values[metric]


# Splitting a range into rolled-up days and today ------------------------------------------


@dataclass(frozen=True)
class Parts:
    """The rolled-up days of a range (None if none) and today's window (None if outside)."""

    rollup: tuple[dt.date, dt.date] | None
    raw: tuple[dt.datetime, dt.datetime] | None


def split(period: DateRange, *, now: dt.datetime | None = None) -> Parts:
    today = local_today(period.tz, now=now)
    last_rolled = min(period.end, today - dt.timedelta(days=1))
    rollup = (period.start, last_rolled) if period.start <= last_rolled else None
    raw = None
    if period.start <= today <= period.end:
        raw = (local_midnight(today, period.tz), local_midnight(today + dt.timedelta(days=1), period.tz))
    return Parts(rollup, raw)


def _views(store: Store, window: tuple[dt.datetime, dt.datetime]) -> QuerySet[PageView]:
    return PageView.objects.filter(store=store, created_at__gte=window[0], created_at__lt=window[1])


def _conversions(store: Store, window: tuple[dt.datetime, dt.datetime]) -> QuerySet[Conversion]:
    """Today's conversions as the rollup counts them: a cancelled or refunded order's purchase
    is no sale (rollups.not_voided)."""
    return Conversion.objects.filter(store=store, created_at__gte=window[0], created_at__lt=window[1]).filter(
        not_voided([store.pk])
    )


def _order_lines(store: Store, window: tuple[dt.datetime, dt.datetime]) -> QuerySet[OrderItem]:
    return OrderItem.objects.filter(
        order__store=store, order__created_at__gte=window[0], order__created_at__lt=window[1]
    ).exclude(order__status__in=VOID_STATUSES)


def grouped(
    store: Store,
    period: DateRange,
    *,
    dims: tuple[str, ...] = (),
    raw_dims: tuple[str, ...] | None = None,
    stat_filter: Q | None = None,
    view_filter: Q | None = None,
    conversion_filter: Q | None = None,
    sales: str = "store",
    summary: str | None = None,
    now: dt.datetime | None = None,
) -> dict[tuple, dict]:
    """Every metric, summed by `dims` (the rollup's field names; `raw_dims` the raw rows' names
    of the same things): {key tuple: {metric: value}}. One query per part of the range."""
    raw_dims = dims if raw_dims is None else raw_dims
    parts = split(period, now=now)
    result: dict[tuple, dict] = defaultdict(blank)

    def collect(queryset: QuerySet, names: tuple[str, ...], sums: dict) -> None:
        if not names:
            add_metrics(result[()], queryset.aggregate(**sums))
            return
        for row in queryset.values(*names).annotate(**sums).order_by():
            add_metrics(result[tuple(row[name] for name in names)], row)

    if parts.rollup:
        summarized, stats = _rolled_up(store, [parts.rollup], summary=summary)
        if summarized is not None:
            collect(summarized if stat_filter is None else summarized.filter(stat_filter), dims, _SUMMARY_SUMS)
        if stats is not None:
            collect(stats if stat_filter is None else stats.filter(stat_filter), dims, _stat_sums(sales=sales))
    if parts.raw:
        views = _views(store, parts.raw)
        if view_filter is not None:
            views = views.filter(view_filter)
        collect(views, raw_dims, _VIEW_COUNTS)
        if sales == "store":
            conversions = _conversions(store, parts.raw)
            if conversion_filter is not None:
                conversions = conversions.filter(conversion_filter)
            collect(conversions, raw_dims, _CONVERSION_COUNTS)
    return result


def _rates(row: dict) -> dict:
    row["conversion_rate"] = (row["orders"] / row["visits"] * 100) if row["visits"] else None
    row["aov"] = (row["revenue"] / row["orders"]) if row["orders"] else None
    return row


# The overview -----------------------------------------------------------------------------


def by_day(*, store: Store, periods: list[DateRange | None], now: dt.datetime | None = None) -> dict[dt.date, dict]:
    """Every metric and the unique visitors per local day of the `periods` (the report's range
    and the one it is compared with), in one rollup query, one visitors query and today's raw
    rows: the overview, its comparison and the chart all add these days up."""
    periods = [p for p in periods if p is not None]
    days: dict[dt.date, dict] = defaultdict(lambda: {**blank(), "visitors": 0})
    ranges = []
    raw = None
    for period in periods:
        parts = split(period, now=now)
        if parts.rollup:
            ranges.append(parts.rollup)
        raw = raw or parts.raw
    if ranges:
        summarized, stats = _rolled_up(store, ranges, summary=DailySummary.Kind.TOTAL)
        for queryset, sums in ((summarized, _SUMMARY_SUMS), (stats, _stat_sums())):
            if queryset is not None:
                for row in queryset.values("day").annotate(**sums).order_by():
                    add_metrics(days[row["day"]], row)
        visitors = DailyVisitors.objects.filter(_days_q(ranges), store=store)
        for row in visitors.values("day").annotate(n=_sum("visitors")).order_by():
            days[row["day"]]["visitors"] += row["n"]
    if raw and periods:
        today = days[local_today(periods[0].tz, now=now)]
        add_metrics(today, _views(store, raw).aggregate(**_VIEW_COUNTS))
        add_metrics(today, _conversions(store, raw).aggregate(**_CONVERSION_COUNTS))
        today["visitors"] += _views(store, raw).exclude(visitor_hash="").values("visitor_hash").distinct().count()
    return days


def total(days: dict[dt.date, dict], period: DateRange) -> dict:
    """The overview of `period` from `by_day`'s days: sums, conversion rate and order value."""
    row = {**blank(), "visitors": 0}
    for day, values in days.items():
        if period.start <= day <= period.end:
            add_metrics(row, values)
            row["visitors"] += values["visitors"]
    return _rates(row)


def overview(*, store: Store, period: DateRange, now: dt.datetime | None = None) -> dict:
    """Visits, unique visitors, page views, product views, orders, revenue, conversion rate
    (orders ÷ visits, in %) and average order value of the range."""
    return total(by_day(store=store, periods=[period], now=now), period)


def change(current, previous) -> float | None:
    """The change in % from `previous` to `current`; None when there is nothing to compare."""
    if current is None or previous is None or not previous:
        return None
    return float((current - previous) / previous * 100)


# The chart --------------------------------------------------------------------------------


def series(
    *, store: Store, period: DateRange, now: dt.datetime | None = None, days: dict[dt.date, dict] | None = None
) -> list[dict]:
    """Visits, page views, orders and revenue per hour (today), day, or month of the range
    (from `by_day`'s `days` when the caller has them)."""
    if period.by_hour:
        return _hourly(store, period, now=now)
    if days is None:
        days = by_day(store=store, periods=[period], now=now)
    points: dict[str, dict] = {}
    two_years = period.start.year != period.end.year  # "Mar 10" alone would be ambiguous
    for day in period.each_day():
        if period.granularity == "month":
            key, label = day.strftime("%Y-%m"), f"{day:%b} {day.year}"
        else:
            key, label = day.isoformat(), f"{day:%b} {day.day}" + (f", {day.year}" if two_years else "")
        point = points.setdefault(key, {"key": key, "label": label, **blank()})
        add_metrics(point, days.get(day, {}))
    return list(points.values())


def _hourly(store: Store, period: DateRange, *, now: dt.datetime | None = None) -> list[dict]:
    points = []
    for hour in range(24):
        points.append({"key": f"{hour:02d}", "label": f"{hour:02d}:00", **blank()})
    parts = split(period, now=now)
    if not parts.raw:
        return points
    hour_of = TruncHour("created_at", tzinfo=period.tz)
    for row in _views(store, parts.raw).annotate(hour=hour_of).values("hour").annotate(**_VIEW_COUNTS).order_by():
        add_metrics(points[row["hour"].astimezone(period.tz).hour], row)
    for row in (
        _conversions(store, parts.raw).annotate(hour=hour_of).values("hour").annotate(**_CONVERSION_COUNTS).order_by()
    ):
        add_metrics(points[row["hour"].astimezone(period.tz).hour], row)
    return points


# Products and their variants --------------------------------------------------------------


def _sales_today(lines: QuerySet[OrderItem], field: str) -> Iterable[dict]:
    line_total = ExpressionWrapper(F("unit_price") * F("quantity"), output_field=_MONEY)
    return lines.values(field).annotate(units=Sum("quantity"), total=Sum(line_total)).order_by()


PRODUCT_SORTS = {
    "views": "Views",
    "add_to_carts": "Added to cart",
    "orders": "Purchases",
    "conversion": "Conversion",
    "revenue": "Revenue",
}


def product_rows(
    *, store: Store, period: DateRange, sort: str = "revenue", now: dt.datetime | None = None
) -> list[dict]:
    """Per product: views, add to carts, purchases (units), conversion (purchases ÷ views),
    sold-out views and revenue, sorted by `sort` (highest first). Names: `name_products`."""
    rows = grouped(
        store,
        period,
        dims=("product_id_value",),
        raw_dims=("product_id",),
        stat_filter=~_NO_PRODUCT,
        view_filter=Q(product__isnull=False),
        sales="product",
        summary=DailySummary.Kind.PRODUCT,
        now=now,
    )
    parts = split(period, now=now)
    if parts.raw:
        for row in (
            _conversions(store, parts.raw)
            .filter(product__isnull=False)
            .values("product_id")
            .annotate(**_CONVERSION_COUNTS)
            .order_by()
        ):
            add_metrics(
                rows[(row["product_id"],)], {"add_to_carts": row["add_to_carts"], "checkouts": row["checkouts"]}
            )
        for row in _sales_today(_order_lines(store, parts.raw).filter(product__isnull=False), "product_id"):
            add_metrics(rows[(row["product_id"],)], {"orders": row["units"], "revenue": row["total"]})
    result = []
    for (product_id,), row in rows.items():
        row["product_id"] = product_id
        row["views"] = row["product_views"]
        row["conversion"] = (row["orders"] / row["views"] * 100) if row["views"] else None
        result.append(row)
    key = sort if sort in PRODUCT_SORTS else "revenue"
    result.sort(key=lambda r: (r[key] if r[key] is not None else -1, r["views"], -r["product_id"]), reverse=True)
    return result


def name_products(*, store: Store, rows: list[dict]) -> list[dict]:
    """Give each row its product (title, link) in one query; a deleted one keeps its id."""
    ids = [row["product_id"] for row in rows]
    products = {
        p.pk: p for p in Product.objects.filter(store=store, pk__in=ids).only("pk", "title", "slug", "store_id")
    }
    for row in rows:
        row["product"] = products.get(row["product_id"])
        row["title"] = row["product"].title if row["product"] else f"Deleted product #{row['product_id']}"
    return rows


def variant_funnel(*, store: Store, product: Product, period: DateRange, now: dt.datetime | None = None) -> list[dict]:
    """Per variant of `product`: views of its selection, add to carts, purchases (units), sold-out
    views (missed demand) and revenue; every live variant appears, archived ones if they count."""
    rows = grouped(
        store,
        period,
        dims=("variant_id_value",),
        raw_dims=("variant_id",),
        stat_filter=Q(product_id_value=product.pk) & ~Q(variant_id_value=NONE_ID),
        view_filter=Q(product=product, variant__isnull=False),
        sales="product",
        summary=DailySummary.Kind.PRODUCT,
        now=now,
    )
    parts = split(period, now=now)
    if parts.raw:
        for row in (
            _conversions(store, parts.raw)
            .filter(product=product, variant__isnull=False)
            .values("variant_id")
            .annotate(**_CONVERSION_COUNTS)
            .order_by()
        ):
            add_metrics(rows[(row["variant_id"],)], {"add_to_carts": row["add_to_carts"]})
        lines = _order_lines(store, parts.raw).filter(product=product, variant__isnull=False)
        for row in _sales_today(lines, "variant_id"):
            add_metrics(rows[(row["variant_id"],)], {"orders": row["units"], "revenue": row["total"]})
    variants = list(Variant.objects.filter(product=product).order_by("archived_at", "position", "pk"))
    known = {v.pk for v in variants}
    result = []
    for variant in variants:
        if variant.archived_at is not None and (variant.pk,) not in rows:
            continue
        row = rows.get((variant.pk,), blank())
        result.append({**row, "variant_id": variant.pk, "name": variant.name, "archived": variant.is_archived})
    for (variant_id,), row in rows.items():
        if variant_id not in known:
            result.append({**row, "variant_id": variant_id, "name": f"Deleted variant #{variant_id}", "archived": True})
    for row in result:
        row["cart_rate"] = (row["add_to_carts"] / row["variant_views"] * 100) if row["variant_views"] else None
    return result


# Traffic sources --------------------------------------------------------------------------


def _source_rows(rows: dict[tuple, dict], *, names: tuple[str, ...]) -> list[dict]:
    result = []
    for key, row in rows.items():
        row.update(zip(names, key, strict=True))
        result.append(_rates(row))
    result.sort(key=lambda r: (r["visits"], r["revenue"]), reverse=True)
    return result


def source_rows(*, store: Store, period: DateRange, now: dt.datetime | None = None) -> list[dict]:
    """Visits, orders, conversion and revenue by medium and source (orders are credited to the
    source of the visit they came in)."""
    rows = grouped(store, period, dims=("medium", "source"), summary=DailySummary.Kind.SOURCE, now=now)
    result = _source_rows(rows, names=("medium", "source"))
    for row in result:
        row["medium_label"] = Medium(row["medium"]).label if row["medium"] in Medium.values else row["medium"]
        row["name"] = row["source"] or row["medium_label"]
    return result


def campaign_rows(*, store: Store, period: DateRange, now: dt.datetime | None = None) -> list[dict]:
    not_blank = ~Q(utm_campaign="")
    rows = grouped(
        store,
        period,
        dims=("utm_campaign",),
        stat_filter=not_blank,
        view_filter=not_blank,
        conversion_filter=not_blank,
        summary=DailySummary.Kind.SOURCE,
        now=now,
    )
    return _source_rows(rows, names=("utm_campaign",))


def referrer_rows(*, store: Store, period: DateRange, now: dt.datetime | None = None) -> list[dict]:
    """Other websites that sent visits, by domain (the source of a referral)."""
    referral = Q(medium=Medium.REFERRAL)
    rows = grouped(
        store, period, dims=("source",), stat_filter=referral, view_filter=referral, conversion_filter=referral, now=now
    )
    return _source_rows(rows, names=("source",))


# Audience and buyers ----------------------------------------------------------------------


def country_rows(*, store: Store, period: DateRange, now: dt.datetime | None = None) -> list[dict]:
    """Visits by country (from the visit) and orders and revenue by the buyers' shipping country."""
    visits = grouped(store, period, dims=("country",), now=now)
    result: dict[str, dict] = {}
    for (country,), row in visits.items():
        result[country or ""] = {"country": country or "", "visits": row["visits"], "orders": 0, "revenue": ZERO}
    # Orders by their shipping country's code, as visits are (older orders: the name typed).
    by_country = _orders(store, period).values("ship_country_code", "ship_country")
    for row in by_country.annotate(n=Count("pk"), total=Sum("total")).order_by():
        name = row["ship_country_code"] or (row["ship_country"] or "").strip()
        entry = result.setdefault(name, {"country": name, "visits": 0, "orders": 0, "revenue": ZERO})
        entry["orders"] += row["n"]
        entry["revenue"] += row["total"] or ZERO
    return sorted(result.values(), key=lambda r: (r["visits"] + r["orders"], r["revenue"]), reverse=True)


def device_rows(*, store: Store, period: DateRange, now: dt.datetime | None = None) -> list[dict]:
    rows = grouped(store, period, dims=("device",), now=now)
    visitors = _visitor_counts(store, period, "device", now=now)
    result = []
    for device in {key[0] for key in rows} | set(visitors):
        row = rows.get((device,), blank())
        label = Device(device).label if device in Device.values else device
        result.append(
            {"device": label, "visits": row["visits"], "orders": row["orders"], "visitors": visitors.get(device, 0)}
        )
    return sorted(result, key=lambda r: (r["visits"], r["visitors"], r["device"]), reverse=True)


def _visitor_counts(store: Store, period: DateRange, field: str, *, now: dt.datetime | None = None) -> dict[str, int]:
    parts = split(period, now=now)
    counts: dict[str, int] = defaultdict(int)
    if parts.rollup:
        for row in (
            DailyVisitors.objects.filter(store=store, day__gte=parts.rollup[0], day__lte=parts.rollup[1])
            .values(field)
            .annotate(n=Sum("visitors"))
            .order_by()
        ):
            counts[row[field]] += row["n"] or 0
    if parts.raw:
        for row in (
            _views(store, parts.raw)
            .exclude(visitor_hash="")
            .values(field)
            .annotate(n=Count("visitor_hash", distinct=True))
            .order_by()
        ):
            counts[row[field]] += row["n"]
    return counts


def family_rows(*, store: Store, period: DateRange, field: str, now: dt.datetime | None = None) -> list[dict]:
    """Unique visitors by browser or OS family ("" = unknown)."""
    if field not in ("browser", "os"):
        raise ValueError(field)
    counts = _visitor_counts(store, period, field, now=now)
    return sorted(({"name": name or "", "visitors": n} for name, n in counts.items()), key=lambda r: -r["visitors"])


def _orders(store: Store, period: DateRange) -> QuerySet[Order]:
    return Order.objects.filter(store=store, created_at__gte=period.start_at, created_at__lt=period.end_at).exclude(
        status__in=VOID_STATUSES
    )


TOP_BUYERS = 10


def buyers(*, store: Store, period: DateRange) -> dict:
    """New vs returning buyers of the range (new: their first order from the store is in it),
    the repeat purchase rate (buyers of the range with two or more orders from the store up to
    its end, in %) and the top buyers by order count, by username only. One query."""
    in_range = Q(created_at__gte=period.start_at, created_at__lt=period.end_at)
    rows = list(
        Order.objects.filter(store=store, created_at__lt=period.end_at)
        .exclude(status__in=VOID_STATUSES)
        .values("buyer_id", "buyer__username")
        .annotate(first=Min("created_at"), total=Count("pk"), orders=Count("pk", filter=in_range))
        .filter(orders__gt=0)
        .order_by()
    )
    new = sum(1 for row in rows if row["first"] >= period.start_at)
    repeat = sum(1 for row in rows if row["total"] >= 2)
    top = sorted(rows, key=lambda r: (-r["orders"], r["buyer__username"].casefold()))[:TOP_BUYERS]
    return {
        "count": len(rows),
        "new": new,
        "returning": len(rows) - new,
        "repeat_rate": (repeat / len(rows) * 100) if rows else None,
        "top": [{"username": row["buyer__username"], "orders": row["orders"]} for row in top],
    }


# Live -------------------------------------------------------------------------------------

LIVE_PAGES = 10


def live(*, store: Store, now: dt.datetime | None = None) -> dict:
    """Visitors on the store's pages in the last five minutes and what they look at (paths and
    products only: nobody is named). A visitor is a session, or a view without one (GPC/DNT)."""
    now = now or timezone.now()
    recent = PageView.objects.filter(store=store, created_at__gte=now - LIVE_WINDOW, created_at__lte=now)
    sessions = recent.exclude(session_id="").values("session_id").distinct().count()
    anonymous = recent.filter(session_id="").count()
    pages = list(
        recent.values("path", "product__title").annotate(views=Count("pk")).order_by("-views", "path")[:LIVE_PAGES]
    )
    return {"visitors": sessions + anonymous, "pages": pages, "as_of": now}


# The organization's stores side by side ---------------------------------------------------


def organization_rows(
    *, stores: list[Store], period: DateRange, show: dict[int, frozenset[str]], now: dt.datetime | None = None
) -> list[dict]:
    """Per store: revenue, orders, visits, conversion for the range's local days (each store's
    today from its raw rows), plus waiting conversations, unanswered reviews and low-stock
    variants where `show[store.pk]` allows ("messages", "reviews", "products"). One query per
    kind of number, whatever the number of stores."""
    rows = {store.pk: {"store": store, **blank()} for store in stores}
    ids = list(rows)
    if not ids:
        return []
    now = now or timezone.now()
    # Rolled-up days: the same local dates for every store (each store's own local days).
    by_zone: dict[str, list[Store]] = defaultdict(list)
    for store in stores:
        by_zone[store.time_zone].append(store)
    stat_q = Q()
    raw_q = Q()
    rolled: dict[int, tuple[dt.date, dt.date]] = {}
    for zone_stores in by_zone.values():
        zone_ids = [s.pk for s in zone_stores]
        parts = split(DateRange(period.start, period.end, zone_stores[0].tzinfo, period.key), now=now)
        if parts.rollup:
            stat_q |= Q(store_id__in=zone_ids, day__gte=parts.rollup[0], day__lte=parts.rollup[1])
            rolled.update(dict.fromkeys(zone_ids, parts.rollup))
        if parts.raw:
            raw_q |= Q(store_id__in=zone_ids, created_at__gte=parts.raw[0], created_at__lt=parts.raw[1])
    if stat_q:
        # Summarized days from their TOTAL rows (one query), the others from the rollups (one).
        totals = DailySummary.objects.filter(stat_q, kind=DailySummary.Kind.TOTAL)
        have: dict[int, set[dt.date]] = defaultdict(set)
        for row in totals.values("store_id", "day", *_SUMMARY_FIELDS):
            have[row["store_id"]].add(row["day"])
            add_metrics(rows[row["store_id"]], {**row, "orders": row["purchases"]})
        missing_q = Q()
        for store_id, (first, last) in rolled.items():
            for run in summaries.missing_ranges(first, last, have[store_id]):
                missing_q |= Q(store_id=store_id, day__gte=run[0], day__lte=run[1])
        if missing_q:
            for row in DailyStat.objects.filter(missing_q).values("store_id").annotate(**_stat_sums()).order_by():
                add_metrics(rows[row["store_id"]], row)
    if raw_q:
        for row in PageView.objects.filter(raw_q).values("store_id").annotate(**_VIEW_COUNTS).order_by():
            add_metrics(rows[row["store_id"]], row)
        counted = Conversion.objects.filter(raw_q).filter(not_voided(ids))
        for row in counted.values("store_id").annotate(**_CONVERSION_COUNTS).order_by():
            add_metrics(rows[row["store_id"]], row)

    def allowed(area: str) -> list[int]:
        return [pk for pk in ids if area in show.get(pk, frozenset())]

    counts = {
        "waiting": _count_by_store(
            Conversation.objects.filter(store_id__in=allowed("messages"), store_unread_count__gt=0).exclude(
                status__in=[Conversation.Status.RESOLVED, Conversation.Status.ARCHIVED]
            )
        ),
        "unanswered": _count_by_store(
            Review.objects.filter(
                store_id__in=allowed("reviews"),
                status__in=[Review.Status.PUBLISHED, Review.Status.HIDDEN],
                response__isnull=True,
            )
        ),
        "low_stock": _count_by_store(
            Variant.objects.filter(
                store_id__in=allowed("products"),
                archived_at__isnull=True,
                is_enabled=True,
                product__track_inventory=True,
                inventory_count__lte=F("product__low_stock_threshold"),
            ).exclude(product__kind=Product.Kind.DIGITAL)
        ),
    }
    areas = {"waiting": "messages", "unanswered": "reviews", "low_stock": "products"}
    for pk, row in rows.items():
        for key, area in areas.items():
            row[key] = counts[key].get(pk, 0) if area in show.get(pk, frozenset()) else None
        _rates(row)
    return list(rows.values())


def _count_by_store(queryset: QuerySet) -> dict[int, int]:
    return dict(queryset.values("store_id").annotate(n=Count("pk")).order_by().values_list("store_id", "n"))


def organization_totals(rows: list[dict]) -> dict:
    """The stores' rows added up. Revenue is summed as one currency: true while every store is
    USD (Store.currency can't be changed today); group by currency if that changes."""
    total = blank()
    for row in rows:
        add_metrics(total, row)
    for key in ("waiting", "unanswered", "low_stock"):
        values = [row[key] for row in rows if row[key] is not None]
        total[key] = sum(values) if values else None
    return _rates(total)
