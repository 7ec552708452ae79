"""The rows a bulk operation can pick from: products or live variants of the user's bulk
stores, filtered (store, status, stock, price range, search). Every query is scoped to the
stores the caller passes (policies.bulk_stores), so an id from another store is never found."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, Greatest

from shomp.catalog.models import Product, Variant

from .models import BulkJob

PRODUCTS = "products"
VARIANTS = "variants"
TARGETS = ((PRODUCTS, "Products"), (VARIANTS, "Variants"))


@dataclass(frozen=True)
class Filters:
    store_ids: tuple[int, ...]  # the stores asked for (all of the user's bulk stores when none)
    status: str = ""
    stock: str = ""  # "", in, low, out
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    q: str = ""


def _live_sum():
    return Subquery(
        Variant.objects.filter(product=OuterRef("pk"), archived_at__isnull=True)
        .order_by()
        .values("product")
        .annotate(total=Sum("inventory_count"))
        .values("total")[:1],
        output_field=IntegerField(),
    )


def _min_modifier():
    return Subquery(
        Variant.objects.filter(product=OuterRef("pk"), archived_at__isnull=True)
        .annotate(modifier=Coalesce("price_modifier", "options_price_modifier"))
        .order_by("modifier")
        .values("modifier")[:1]
    )


def products(*, filters: Filters) -> QuerySet[Product]:
    """Products of the stores in `filters` (custom orders made for one buyer left out), with
    `stock_level` (own stock, or the sum of the live variants') and `min_modifier`."""
    rows = (
        Product.objects.filter(store_id__in=filters.store_ids, reserved_for__isnull=True)
        .select_related("store")
        .annotate(
            stock_level=Case(
                When(has_variants=True, then=Coalesce(_live_sum(), Value(0))),
                default=F("stock"),
                output_field=IntegerField(),
            ),
            min_modifier=_min_modifier(),
        )
        .order_by("store__name", "title", "pk")
    )
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.stock == "out":
        rows = rows.filter(stock_level__lte=0)
    elif filters.stock == "low":
        rows = rows.filter(stock_level__gt=0, stock_level__lte=F("low_stock_threshold"))
    elif filters.stock == "in":
        rows = rows.filter(Q(stock_level__gt=0) | Q(stock_level__isnull=True))
    if filters.price_min is not None:
        rows = rows.filter(price__gte=filters.price_min)
    if filters.price_max is not None:
        rows = rows.filter(price__lte=filters.price_max)
    if filters.q:
        rows = rows.filter(Q(title__icontains=filters.q) | Q(slug__icontains=filters.q))
    return rows


def variants(*, filters: Filters) -> QuerySet[Variant]:
    """Live variants of the stores in `filters`, with `unit_price` (what a buyer pays)."""
    rows = (
        Variant.objects.filter(
            store_id__in=filters.store_ids, archived_at__isnull=True, product__reserved_for__isnull=True
        )
        .select_related("product__store")
        .annotate(
            unit_price=Greatest(
                F("product__price") + Coalesce("price_modifier", "options_price_modifier"), Value(Decimal("0.00"))
            )
        )
        .order_by("product__store__name", "product__title", "product_id", "position", "pk")
    )
    if filters.status:
        rows = rows.filter(product__status=filters.status)
    if filters.stock == "out":
        rows = rows.filter(inventory_count__lte=0)
    elif filters.stock == "low":
        rows = rows.filter(inventory_count__gt=0, inventory_count__lte=F("product__low_stock_threshold"))
    elif filters.stock == "in":
        rows = rows.filter(inventory_count__gt=0)
    if filters.price_min is not None:
        rows = rows.filter(unit_price__gte=filters.price_min)
    if filters.price_max is not None:
        rows = rows.filter(unit_price__lte=filters.price_max)
    if filters.q:
        q = filters.q
        rows = rows.filter(Q(product__title__icontains=q) | Q(name__icontains=q) | Q(sku__icontains=q))
    return rows


def rows_for(*, target: str, filters: Filters) -> QuerySet:
    return variants(filters=filters) if target == VARIANTS else products(filters=filters)


def recent_jobs(*, user, limit: int = 5) -> list[BulkJob]:
    return list(BulkJob.objects.filter(user=user).defer("changes", "params")[:limit])
