"""Locks and checks the variant services share (options.py, variants.py, inventory.py).

Each write locks the product row first, so two sellers editing the same product's options
take turns instead of racing on combination keys."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from shomp.core import pagecache
from shomp.core.money import MAX_PRICE, format_money, quantize

from .. import hooks
from ..models import (
    InventoryAdjustment,
    Product,
    Variant,
)

MAX_STOCK = 1_000_000


def validate_modifier(value, *, field: str = "price_modifier") -> Decimal:
    try:
        modifier = quantize(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({field: "Enter an amount such as 4.00 or -2.50."}) from None
    if abs(modifier) > MAX_PRICE:
        raise ValidationError({field: "A price modifier can be at most 1,000,000.00 either way."})
    return modifier


def check_modified_price(*, product: Product, modifier: Decimal, label: str, field: str = "price_modifier") -> None:
    price = product.price + modifier
    currency = product.store.currency
    if price < 0:
        raise ValidationError(
            {
                field: f"That makes {label} cost {format_money(price, currency)}: with a base price of "
                f"{format_money(product.price, currency)} the modifier can go down to "
                f"{format_money(-product.price, currency)}."
            }
        )
    if price > MAX_PRICE:
        raise ValidationError({field: f"That makes {label} cost more than 1,000,000.00."})


def lock_product(product: Product) -> Product:
    # Whoever locks a product changes it, often with .update() or bulk statements (no signals):
    # its store's shared pages are bumped on commit (shomp/core/pagecache.py).
    pagecache.bump(store_ids=[product.store_id])
    return Product.objects.select_for_update(of=("self",)).select_related("store").get(pk=product.pk)


def validate_count(value, *, field: str) -> int:
    if value is None or value == "":
        raise ValidationError({field: "Enter how many you have."})
    try:
        count = int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: "Enter a whole number."}) from None
    if count < 0:
        raise ValidationError({field: "Stock can't be negative."})
    if count > MAX_STOCK:
        raise ValidationError({field: f"Stock can be at most {MAX_STOCK:,}."})
    return count


def record_adjustment(variant: Variant, *, kind: str, delta: int, reason: str, actor) -> InventoryAdjustment:
    pagecache.bump(store_ids=[variant.store_id])  # the count changes by .update()
    Variant.objects.filter(pk=variant.pk).update(inventory_count=F("inventory_count") + delta)
    was_out = variant.inventory_count <= 0
    variant.inventory_count += delta
    adjustment = InventoryAdjustment.objects.create(
        variant=variant, actor=actor, kind=kind, delta=delta, resulting_count=variant.inventory_count, reason=reason
    )
    if was_out and variant.inventory_count > 0:
        hooks.restocked.send_on_commit(
            product_id=variant.product_id, variant_id=variant.pk, restock_id=f"adjustment-{adjustment.pk}"
        )
    return adjustment


def archive_variants(variants) -> int:
    """Callers lock the product first (lock_product bumps its pages)."""
    return variants.update(archived_at=timezone.now(), is_enabled=False)


def refresh_has_variants(product: Product) -> None:
    """Keep `has_variants` true while a live variant exists.

    A physical product's own stock is set to 0 when it gets variants: stock is counted per
    variant from then on, and if every variant is archived later (an option removed), the
    product must not go back on sale with an old count the seller has forgotten."""
    pagecache.bump(store_ids=[product.store_id])
    live = Variant.objects.filter(product=OuterRef("pk"), archived_at__isnull=True)
    Product.objects.filter(pk=product.pk).update(has_variants=Exists(live))
    Product.objects.filter(pk=product.pk, has_variants=True, stock__gt=0).update(stock=0)
    product.refresh_from_db(fields=["has_variants", "stock"])
