"""What of the catalog the shared page cache watches (shomp/core/pagecache.py).

Saves and deletes of these models bump their store's pages; services that write with `.update()`
or bulk statements bump themselves. Categories show on every page (filters, tiles): a change
bumps everything. Promotions start and end without a write, so pages never outlive the next start
or end (`next_promotion_change`).
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Min, Q

from shomp.core import pagecache

from .models import (
    Category,
    InventoryAdjustment,
    Product,
    ProductImage,
    ProductOption,
    ProductOptionValue,
    Promotion,
    PromotionTarget,
    Variant,
    VariantOption,
)


def _stores_of_products(ids: set) -> list[int]:
    return list(Product.objects.filter(pk__in=ids).values_list("store_id", flat=True))


def _stores_of_variants(ids: set) -> list[int]:
    return list(Variant.objects.filter(pk__in=ids).values_list("store_id", flat=True))


def _stores_of_options(ids: set) -> list[int]:
    return list(ProductOption.objects.filter(pk__in=ids).values_list("product__store_id", flat=True))


def _stores_of_organizations(ids: set) -> list[int]:
    # A promotion covers stores of its organization (all, or the targets'): bump them all.
    from shomp.stores.models import Store

    return list(Store.objects.filter(organization_id__in=ids).values_list("pk", flat=True))


def _stores_of_promotions(ids: set) -> list[int]:
    from shomp.stores.models import Store

    return list(Store.objects.filter(organization__promotions__pk__in=ids).values_list("pk", flat=True).distinct())


def next_promotion_change(now: datetime) -> datetime | None:
    """The next start or end of any promotion after `now` (one indexed query)."""
    row = Promotion.objects.aggregate(
        start=Min("starts_at", filter=Q(starts_at__gt=now)),
        end=Min("ends_at", filter=Q(ends_at__gt=now, ended_at__isnull=True)),
        ended=Min("ended_at", filter=Q(ended_at__gt=now)),
    )
    moments = [m for m in (row["start"], row["end"], row["ended"]) if m is not None]
    return min(moments) if moments else None


def register() -> None:
    for kind, resolver in (
        ("product", _stores_of_products),
        ("variant", _stores_of_variants),
        ("option", _stores_of_options),
        ("organization", _stores_of_organizations),
        ("promotion", _stores_of_promotions),
    ):
        pagecache.register_resolver(kind, resolver)
    pagecache.watch(Category, refs=lambda category: None)
    pagecache.watch(Product, refs=lambda product: [("store", product.store_id)])
    pagecache.watch(Variant, refs=lambda variant: [("store", variant.store_id)])
    pagecache.watch(ProductImage, refs=lambda image: [("product", image.product_id)])
    pagecache.watch(ProductOption, refs=lambda option: [("product", option.product_id)])
    pagecache.watch(ProductOptionValue, refs=lambda value: [("option", value.option_id)])
    pagecache.watch(VariantOption, refs=lambda option: [("variant", option.variant_id)])
    pagecache.watch(InventoryAdjustment, refs=lambda adjustment: [("variant", adjustment.variant_id)])
    pagecache.watch(Promotion, refs=lambda promotion: [("organization", promotion.organization_id)])
    pagecache.watch(PromotionTarget, refs=lambda target: [("promotion", target.promotion_id)])
    pagecache.register_expiry(next_promotion_change)
