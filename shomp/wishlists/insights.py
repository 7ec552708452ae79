"""Seller insights: what people want from a store, as counts only — never who.

Per product and per variant: how many lists hold it, how many adds in the chosen days (and per
day, for the chart: the store's, or one product's when the seller picks it), how many savers
later bought it, and how many current savers wait on a sold-out variant (missed demand).

Each count is a distinct count of its own: a list holding the product and one of its variants,
or a saver of two variants, counts once for the product. "Bought" for a variant row means that
variant was bought; for a product row, any of it. Products are a page of rows (`PER_PAGE`), the
variants read for that page only: a fixed number of queries whatever the store's size.

The days are a `forms.InsightsRangeForm` (last 7/30/90 days or from/to), validated like the
analytics range picker (analytics sits above wishlists in the layers, so it can't be reused).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import TruncDate

from shomp.catalog.models import Product
from shomp.orders.models import OrderItem

from .models import WishlistItem

PER_PAGE = 25


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


def _sold_out() -> Q:
    return Q(variant__isnull=False, variant__inventory_count__lte=0, product__track_inventory=True) & ~Q(
        product__kind=Product.Kind.DIGITAL
    )


def _bought(store, *, by_variant: bool) -> Exists:
    """The item's saver bought it (the variant, for a variant's row) after saving it."""
    orders = OrderItem.objects.filter(
        order__buyer_id=OuterRef("wishlist__user_id"),
        order__store=store,
        product_id=OuterRef("product_id"),
        order__created_at__gt=OuterRef("added_at"),
    )
    if by_variant:
        orders = orders.filter(variant_id=OuterRef("variant_id"))
    return Exists(orders)


def _counts(store, start: datetime, end: datetime, *, by_variant: bool) -> dict:
    return {
        "lists": Count("wishlist_id", distinct=True),
        "adds": Count("pk", filter=Q(added_at__gte=start, added_at__lt=end)),
        "bought": Count("wishlist__user_id", filter=Q(_bought(store, by_variant=by_variant)), distinct=True),
        "waiting": Count("wishlist__user_id", filter=_sold_out(), distinct=True),
    }


def store_insights(
    *, store, start: datetime, end: datetime, days: list[date], page: int | str = 1, product: Product | None = None
) -> dict:
    """Counts for `store`'s saved products over [start, end) (aware), charted over `days`; the
    chart is `product`'s when given (that product's row is then the only one shown)."""
    items = WishlistItem.objects.filter(product__store=store)
    product_rows = (
        items.values("product_id").annotate(**_counts(store, start, end, by_variant=False)).order_by("product_id")
    )
    totals = product_rows.aggregate(
        total_lists=Sum("lists"), total_adds=Sum("adds"), total_bought=Sum("bought"), total_waiting=Sum("waiting")
    )
    if product is not None:
        product_rows = product_rows.filter(product_id=product.pk)
    paginator = Paginator(
        product_rows.annotate(product_title=_title()).order_by("-lists", "product_title", "product_id"), PER_PAGE
    )
    paged: Page = paginator.get_page(page)
    rows = [
        Row(
            product_id=r["product_id"],
            title=r["product_title"],
            lists=r["lists"],
            adds=r["adds"],
            bought=r["bought"],
            waiting=r["waiting"],
        )
        for r in paged.object_list
    ]
    by_product = {row.product_id: row for row in rows}
    variant_counts = (
        items.filter(product_id__in=list(by_product), variant__isnull=False)
        .values("product_id", "variant_id")
        .annotate(variant_name=_variant_name(), **_counts(store, start, end, by_variant=True))
        .order_by()
    )
    grouped: dict[int, list[Row]] = defaultdict(list)
    for r in variant_counts:
        grouped[r["product_id"]].append(
            Row(
                product_id=r["product_id"],
                title=by_product[r["product_id"]].title,
                variant_name=r["variant_name"] or "",
                lists=r["lists"],
                adds=r["adds"],
                bought=r["bought"],
                waiting=r["waiting"],
            )
        )
    for product_id, variants in grouped.items():
        by_product[product_id].variants = sorted(variants, key=lambda v: (-v.lists, v.variant_name))
    adds = items.filter(added_at__gte=start, added_at__lt=end)
    if product is not None:
        adds = adds.filter(product=product)
    tz = start.tzinfo
    per_day = dict(
        adds.annotate(day=TruncDate("added_at", tzinfo=tz))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("day", "n")
    )
    return {
        "products": rows,
        "page": paged,
        "totals": {
            "lists": totals["total_lists"] or 0,
            "adds": totals["total_adds"] or 0,
            "bought": totals["total_bought"] or 0,
            "waiting": totals["total_waiting"] or 0,
        },
        "chart": {
            "labels": [f"{d:%b} {d.day}" for d in days],
            "adds": [per_day.get(d, 0) for d in days],
            "title": product.title if product is not None else "",
        },
    }


def _title() -> F:
    return F("product__title")


def _variant_name() -> F:
    return F("variant__name")


def chart_days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]
