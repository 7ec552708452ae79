"""Seller insights: what people want from a store, as counts only — never who.

Per product and per variant: how many lists hold it, how many adds in the chosen range (and per
day, for the chart), how many savers later bought it, and how many current savers wait on a
sold-out variant (missed demand). A fixed number of queries whatever the number of products.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from shomp.catalog.models import Product, Variant
from shomp.orders.models import OrderItem

from .models import WishlistItem

RANGES = {"7": 7, "30": 30, "90": 90}
DEFAULT_RANGE = "30"
TOP = 100


@dataclass
class Row:
    product_id: int
    title: str
    variant_name: str = ""
    lists: int = 0
    adds: int = 0
    bought: int = 0
    waiting: int = 0
    variants: list[Row] = field(default_factory=list)


def parse_range(value: str | None) -> tuple[str, str]:
    """The range key and an error ('' when fine). A bad value falls back to 30 days, said so."""
    if value in (None, ""):
        return DEFAULT_RANGE, ""
    if value in RANGES:
        return value, ""
    return DEFAULT_RANGE, "Choose 7, 30 or 90 days: showing the last 30."


def store_insights(*, store, days: int, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    start = now - timedelta(days=days)
    items = WishlistItem.objects.filter(product__store=store)
    bought = OrderItem.objects.filter(
        order__buyer_id=OuterRef("wishlist__user_id"),
        order__store=store,
        product_id=OuterRef("product_id"),
        order__created_at__gt=OuterRef("added_at"),
    )
    sold_out = Q(variant__isnull=False, variant__inventory_count__lte=0, product__track_inventory=True) & ~Q(
        product__kind=Product.Kind.DIGITAL
    )
    rows = (
        items.values("product_id", "variant_id")
        .annotate(
            lists=Count("wishlist_id", distinct=True),
            adds=Count("pk", filter=Q(added_at__gte=start)),
            bought=Count("wishlist__user_id", filter=Q(Exists(bought)), distinct=True),
            waiting=Count("wishlist__user_id", filter=sold_out, distinct=True),
        )
        .order_by()
    )
    per_product: dict[int, Row] = {}
    variant_rows: dict[int, list[tuple[int, dict]]] = defaultdict(list)
    for r in rows:
        product_row = per_product.setdefault(r["product_id"], Row(product_id=r["product_id"], title=""))
        product_row.lists += r["lists"]
        product_row.adds += r["adds"]
        product_row.bought += r["bought"]
        product_row.waiting += r["waiting"]
        if r["variant_id"]:
            variant_rows[r["product_id"]].append((r["variant_id"], r))
    titles = dict(Product.objects.filter(pk__in=per_product).values_list("pk", "title"))
    names = dict(
        Variant.objects.filter(pk__in=[v for rows_ in variant_rows.values() for v, _ in rows_]).values_list(
            "pk", "name"
        )
    )
    for product_id, product_row in per_product.items():
        product_row.title = titles.get(product_id, "")
        for variant_id, r in variant_rows.get(product_id, []):
            product_row.variants.append(
                Row(
                    product_id=product_id,
                    title=product_row.title,
                    variant_name=names.get(variant_id, ""),
                    lists=r["lists"],
                    adds=r["adds"],
                    bought=r["bought"],
                    waiting=r["waiting"],
                )
            )
        product_row.variants.sort(key=lambda v: (-v.lists, v.variant_name))
    products = sorted(per_product.values(), key=lambda p: (-p.lists, p.title))[:TOP]
    per_day = dict(
        items.filter(added_at__gte=start)
        .annotate(day=TruncDate("added_at"))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("day", "n")
    )
    first = timezone.localtime(start).date()
    chart_days = [first + timedelta(days=i) for i in range(days + 1)]
    return {
        "products": products,
        "totals": {
            "lists": sum(p.lists for p in per_product.values()),
            "adds": sum(p.adds for p in per_product.values()),
            "bought": sum(p.bought for p in per_product.values()),
            "waiting": sum(p.waiting for p in per_product.values()),
        },
        "chart": {
            "labels": [f"{d:%b} {d.day}" for d in chart_days],
            "adds": [per_day.get(d, 0) for d in chart_days],
        },
    }
