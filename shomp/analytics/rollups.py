"""Daily rollups: what the reports read, recomputed from raw rows one store-day at a time.

`roll_up_day(store_id=..., day=...)` (and `roll_up_days` for a range) replaces the store's
DailyStat and DailyVisitors rows of those local days (the store's time zone) with fresh sums of
their raw page views, conversions and order lines, in one transaction: running it twice, late, or
after more rows arrived gives the right numbers (idempotent). A few aggregate queries grouped by
local day and one insert, whatever the traffic or the number of days.

What each DailyStat column counts (rows keyed by product × variant × source × country × device):
- pageviews: every counted page (store, product, reviews, announcement); not the variant
  picker's choices, which are `variant_views`.
- product_views: product pages; variant_views: the picker settling on a variant, and product
  pages opened on one (`?variant=`); sold_out_views: views of a sold-out product or variant.
- visits: sessions started (entry views), in the row of the entry page.
- purchases / revenue: in the store-level row (product 0) orders and their totals; in product rows
  units sold and line totals (the order lines of the day's purchases, with the purchase's source;
  a purchase conversion that names a product itself, as demo data does, counts its quantity).
- add_to_carts, checkouts, follows, wishlist_adds, messages_started: events.

Orders cancelled or refunded in full are not sales (`voided_orders`): their purchases count
nowhere, here as in the reports' reading of today and the Customers page; cancelling or refunding
an order rolls its day up again (`reroll_order`), so every report agrees.

Privacy: rolling up a finished local day also clears the user of that day's raw page views (same
transaction), so raw rows never tie a signed-in person's views together across days.

Freshness: each drain rolls up the store-days it touched (at most every
ANALYTICS_ROLLUP_EVERY_SECONDS per store-day), a periodic task refreshes today's and finalises
yesterday's (tasks.py), and reports read today's raw rows anyway.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from shomp.orders.models import Order, OrderItem
from shomp.stores.models import Store

from . import bulk, summaries
from .models import NONE_ID, Conversion, ConversionType, DailyStat, DailyVisitors, PageKind, PageView

logger = logging.getLogger(__name__)

SLICE = ("product_id", "variant_id", "medium", "source", "utm_campaign", "country", "device")
_COUNTERS = (
    "pageviews",
    "product_views",
    "variant_views",
    "sold_out_views",
    "visits",
    "add_to_carts",
    "checkouts",
    "purchases",
    "follows",
    "wishlist_adds",
    "messages_started",
)
_ORDER_CHUNK = 2000
ALL_DAYS_AT_ONCE = 7  # roll_up_all's window
_STAT_COLUMNS = (
    "store_id",
    "day",
    "product_id_value",
    "variant_id_value",
    "medium",
    "source",
    "utm_campaign",
    "country",
    "device",
    *_COUNTERS,
    "revenue",
)
_VISITOR_COLUMNS = ("store_id", "day", "browser", "os", "device", "visitors", "visits")


#: Order statuses that are not a sale (every report leaves their purchases out).
VOID_STATUSES = (Order.Status.CANCELLED, Order.Status.REFUNDED)


def voided_orders(store_ids) -> QuerySet:
    """The ids of the stores' cancelled or fully refunded orders (a subquery)."""
    return Order.objects.filter(store_id__in=store_ids, status__in=VOID_STATUSES).values("pk")


def not_voided(store_ids) -> Q:
    """Conversions that count: every one but the purchases of voided orders."""
    return ~Q(conversion_type=ConversionType.PURCHASE, order_id__in=voided_orders(store_ids))


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants a local day starts and ends (a DST day has 23 or 25 hours)."""
    start = datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz).astimezone(UTC)
    return start, end


def _zone(store_id: int) -> ZoneInfo:
    name = Store.objects.filter(pk=store_id).values_list("time_zone", flat=True).first() or "UTC"
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        return ZoneInfo("UTC")


def roll_up_day(*, store_id: int, day: date, tz: ZoneInfo | None = None) -> int:
    """Recompute one store-day's rollups; returns how many DailyStat rows it has now."""
    return roll_up_days(store_id=store_id, first=day, last=day, tz=tz)


def roll_up_days(*, store_id: int, first: date, last: date, tz: ZoneInfo | None = None) -> int:
    """Recompute a store's rollups of the local days `first` to `last`, in one pass: the same
    handful of queries for one day or a year (grouped by the local day in the database)."""
    tz = tz or _zone(store_id)
    start, _ = day_bounds(first, tz)
    _, end = day_bounds(last, tz)
    local_day = TruncDate("created_at", tzinfo=tz)
    slices: dict[tuple, dict] = {}

    def row(day: date, key: tuple) -> dict:
        product_id, variant_id, *rest = key
        key = (day, product_id or NONE_ID, variant_id or NONE_ID, *rest)
        return slices.setdefault(key, dict.fromkeys(_COUNTERS, 0) | {"revenue": Decimal("0")})

    views = PageView.objects.filter(store_id=store_id, created_at__gte=start, created_at__lt=end).annotate(
        local_day=local_day
    )
    for values in (
        views.order_by()
        .values("local_day", *SLICE)
        .annotate(
            n_pageviews=Count("pk", filter=~Q(kind=PageKind.VARIANT)),
            n_product_views=Count("pk", filter=Q(kind=PageKind.PRODUCT)),
            n_variant_views=Count(
                "pk", filter=Q(kind=PageKind.VARIANT) | Q(kind=PageKind.PRODUCT, variant_id__isnull=False)
            ),
            n_sold_out_views=Count("pk", filter=Q(sold_out=True)),
            n_visits=Count("pk", filter=Q(is_entry=True)),
        )
    ):
        target = row(values["local_day"], tuple(values[name] for name in SLICE))
        for name in ("pageviews", "product_views", "variant_views", "sold_out_views", "visits"):
            target[name] += values[f"n_{name}"]

    conversions = (
        Conversion.objects.filter(store_id=store_id, created_at__gte=start, created_at__lt=end)
        .filter(not_voided([store_id]))
        .annotate(local_day=local_day)
    )
    for values in (
        conversions.order_by()
        .values("local_day", *SLICE)
        .annotate(
            n_add_to_carts=Count("pk", filter=Q(conversion_type=ConversionType.ADD_TO_CART)),
            n_checkouts=Count("pk", filter=Q(conversion_type=ConversionType.CHECKOUT_STARTED)),
            n_purchases=Count("pk", filter=Q(conversion_type=ConversionType.PURCHASE)),
            n_units=Sum("quantity", filter=Q(conversion_type=ConversionType.PURCHASE)),
            n_revenue=Sum("value", filter=Q(conversion_type=ConversionType.PURCHASE)),
            n_follows=Count("pk", filter=Q(conversion_type=ConversionType.FOLLOW)),
            n_wishlist_adds=Count("pk", filter=Q(conversion_type=ConversionType.WISHLIST_ADD)),
            n_messages_started=Count("pk", filter=Q(conversion_type=ConversionType.MESSAGE_STARTED)),
        )
    ):
        target = row(values["local_day"], tuple(values[name] for name in SLICE))
        for name in ("add_to_carts", "checkouts", "follows", "wishlist_adds", "messages_started"):
            target[name] += values[f"n_{name}"]
        # An order's purchase has no product (its lines come below); one with a product (demo
        # data, an import) counts its units in that product's row.
        target["purchases"] += values["n_purchases"] if values["product_id"] is None else (values["n_units"] or 0)
        target["revenue"] += values["n_revenue"] or Decimal("0")

    # Units and line totals of the days' purchases, per product and variant, in their source's slice.
    purchases = {
        values["order_id"]: values
        for values in conversions.filter(conversion_type=ConversionType.PURCHASE, order_id__isnull=False)
        .order_by()
        .values("order_id", "local_day", *SLICE[2:])
    }
    order_ids = list(purchases)
    line_total = ExpressionWrapper(
        F("unit_price") * F("quantity"), output_field=DecimalField(max_digits=14, decimal_places=2)
    )
    for offset in range(0, len(order_ids), _ORDER_CHUNK):
        for values in (
            OrderItem.objects.filter(order_id__in=order_ids[offset : offset + _ORDER_CHUNK], product_id__isnull=False)
            .order_by()
            .values("order_id", "product_id", "variant_id")
            .annotate(units=Sum("quantity"), total=Sum(line_total))
        ):
            origin = purchases[values["order_id"]]
            key = (values["product_id"], values["variant_id"], *(origin[name] for name in SLICE[2:]))
            target = row(origin["local_day"], key)
            target["purchases"] += values["units"] or 0
            target["revenue"] += values["total"] or Decimal("0")

    audience = (
        views.order_by()
        .values("local_day", "browser", "os", "device")
        .annotate(
            n_visitors=Count("visitor_hash", distinct=True, filter=~Q(visitor_hash="")),
            n_visits=Count("pk", filter=Q(is_entry=True)),
        )
    )
    visitor_rows = [
        (store_id, v["local_day"], v["browser"], v["os"], v["device"], v["n_visitors"], v["n_visits"]) for v in audience
    ]
    stat_rows = [
        (store_id, *key, *(counts[name] for name in _COUNTERS), counts["revenue"]) for key, counts in slices.items()
    ]
    with transaction.atomic():
        DailyStat.objects.filter(store_id=store_id, day__gte=first, day__lte=last).delete()
        DailyVisitors.objects.filter(store_id=store_id, day__gte=first, day__lte=last).delete()
        bulk.insert_values(DailyStat, _STAT_COLUMNS, stat_rows)
        bulk.insert_values(DailyVisitors, _VISITOR_COLUMNS, visitor_rows)
        # The reports' per-dimension sums of these days, in the same transaction: a report reads
        # a day's summary or its slices, never half of each.
        summaries.summarize_days(store_id=store_id, first=first, last=last)
        # The finished days' raw views lose their user: nobody's views are tied across days.
        finished_end = min(end, day_bounds(timezone.now().astimezone(tz).date(), tz)[0])
        if finished_end > start:
            PageView.objects.filter(
                store_id=store_id, created_at__gte=start, created_at__lt=finished_end, user_id__isnull=False
            ).update(user_id=None)
    return len(stat_rows)


def reroll_order(*, order_id: int) -> bool:
    """Roll up again the local day of an order's purchase (it was cancelled or refunded), unless
    that day is today (the reports read today's raw rows, already without it)."""
    found = (
        Conversion.objects.filter(conversion_type=ConversionType.PURCHASE, order_id=order_id)
        .values_list("store_id", "created_at")
        .first()
    )
    if found is None:
        return False
    store_id, created_at = found
    tz = _zone(store_id)
    day = created_at.astimezone(tz).date()
    now = timezone.now()
    if day >= now.astimezone(tz).date():
        return False
    retention = timedelta(days=int(getattr(settings, "ANALYTICS_RETENTION_DAYS", 400)))
    if day_bounds(day, tz)[0] < now - retention:
        return False  # its raw rows are (being) pruned: re-rolling would lose the day's views
    roll_up_day(store_id=store_id, day=day, tz=tz)
    return True


def refresh_touched(touched: Iterable[tuple[int, date]]) -> int:
    """Roll up store-days a drain just wrote to, each at most every ANALYTICS_ROLLUP_EVERY_SECONDS."""
    every = int(getattr(settings, "ANALYTICS_ROLLUP_EVERY_SECONDS", 60))
    done = 0
    for store_id, day in sorted(touched):
        if every > 0 and not _first_in_window(f"analytics:rolled:{store_id}:{day.isoformat()}", every):
            continue
        try:
            roll_up_day(store_id=store_id, day=day)
        except Exception:
            logger.exception("Could not roll up store %s on %s", store_id, day)
            continue
        done += 1
    return done


def _first_in_window(key: str, seconds: int) -> bool:
    try:
        return bool(cache.add(key, 1, timeout=seconds))
    except Exception:  # no cache to ask: roll up anyway
        logger.warning("The cache refused the rollup throttle; rolling up", exc_info=True)
        return True


def store_days_since(since: datetime, *, until: datetime | None = None) -> set[tuple[int, date]]:
    """The (store, local day) pairs that have raw rows from `since` on."""
    pairs: set[tuple[int, date]] = set()
    until = until or datetime.now(UTC)
    for model in (PageView, Conversion):
        bounds = (
            model.objects.filter(created_at__gte=since, created_at__lte=until)
            .order_by()
            .values("store_id")
            .annotate(first=Min("created_at"), last=Max("created_at"))
        )
        zones = {}
        for values in bounds:
            store_id = values["store_id"]
            tz = zones.setdefault(store_id, _zone(store_id))
            day, last_day = values["first"].astimezone(tz).date(), values["last"].astimezone(tz).date()
            while day <= last_day:
                pairs.add((store_id, day))
                day += timedelta(days=1)
    return pairs


def roll_up_all(store: Store) -> int:
    """Roll up every local day of `store` that has raw rows (demo data, the benchmark, a repair)."""
    tz = store.tzinfo
    first_last = PageView.objects.filter(store=store).aggregate(first=Min("created_at"), last=Max("created_at"))
    conv = Conversion.objects.filter(store=store).aggregate(first=Min("created_at"), last=Max("created_at"))
    instants = [value for value in (*first_last.values(), *conv.values()) if value is not None]
    if not instants:
        return 0
    first, last = min(instants).astimezone(tz).date(), max(instants).astimezone(tz).date()
    day = first
    while day <= last:  # a few days at a time: a year of a big store's slices doesn't fit in memory
        until = min(last, day + timedelta(days=ALL_DAYS_AT_ONCE - 1))
        roll_up_days(store_id=store.pk, first=day, last=until, tz=tz)
        day = until + timedelta(days=1)
    return (last - first).days + 1
