"""Reads of the promotions dashboard: the organization's promotions a user works on, what each
covers, which overlap (the best one for the buyer wins), and what the form can offer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from ..models import Product, Promotion, PromotionTarget, Variant

CHOOSER_LIMIT = 2000  # products (and variants) listed in the form's choosers


def dashboard_promotions(*, organization_id: int, store_ids) -> QuerySet[Promotion]:
    """The organization's promotions touching any of `store_ids`, newest start first, with
    their targets (store, product, variant) in the same three queries whatever the count."""
    store_ids = list(store_ids)
    touching = PromotionTarget.objects.filter(
        Q(store_id__in=store_ids) | Q(product__store_id__in=store_ids) | Q(variant__store_id__in=store_ids)
    ).values("promotion_id")
    targets = PromotionTarget.objects.select_related("store", "product", "variant__product").order_by("pk")
    return (
        Promotion.objects.filter(organization_id=organization_id, pk__in=touching)
        .prefetch_related(Prefetch("targets", queryset=targets))
        .order_by("-starts_at", "-pk")
    )


@dataclass
class PromotionRow:
    promotion: Promotion
    status: str
    stores: list = field(default_factory=list)
    products: list = field(default_factory=list)
    variants: list = field(default_factory=list)
    store_ids: set[int] = field(default_factory=set)  # every store it touches
    overlaps: list[Promotion] = field(default_factory=list)

    @property
    def can_change(self) -> bool:
        return self.status in ("scheduled", "running")


def promotion_rows(promotions, *, at: datetime | None = None) -> list[PromotionRow]:
    """Rows for the list, with the other rows each overlaps: same stores, times that meet."""
    at = at or timezone.now()
    rows = []
    for promotion in promotions:
        row = PromotionRow(promotion=promotion, status=promotion.status_at(at))
        for target in promotion.targets.all():
            if target.store_id:
                row.stores.append(target.store)
                row.store_ids.add(target.store_id)
            elif target.product_id:
                row.products.append(target.product)
                row.store_ids.add(target.product.store_id)
            else:
                row.variants.append(target.variant)
                row.store_ids.add(target.variant.store_id)
        rows.append(row)
    live = [row for row in rows if row.status in ("scheduled", "running")]
    for row in live:
        for other in live:
            if other is row or not (row.store_ids & other.store_ids):
                continue
            a, b = row.promotion, other.promotion
            if a.starts_at < b.effective_end and b.starts_at < a.effective_end:
                row.overlaps.append(b)
    return rows


def chooser_products(*, store_ids) -> list[Product]:
    return list(
        Product.objects.filter(store_id__in=list(store_ids), reserved_for__isnull=True)
        .exclude(status=Product.Status.ARCHIVED)
        .select_related("store")
        .only("pk", "title", "store__name", "store_id")
        .order_by("store__name", "title", "pk")[:CHOOSER_LIMIT]
    )


def chooser_variants(*, store_ids) -> list[Variant]:
    return list(
        Variant.objects.filter(store_id__in=list(store_ids), archived_at__isnull=True, product__has_variants=True)
        .exclude(product__status=Product.Status.ARCHIVED)
        .select_related("product")
        .only("pk", "name", "product__title", "store_id")
        .order_by("product__title", "position", "pk")[:CHOOSER_LIMIT]
    )
