"""Stock per variant: set, restock, adjust with a reason, and sales, each leaving a history row."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from shomp.core import pagecache

from .. import hooks
from ..models import (
    InventoryAdjustment,
    Product,
    Variant,
)
from .common import MAX_STOCK, lock_product, record_adjustment, validate_count


@transaction.atomic
def set_inventory_settings(*, product: Product, track_inventory: bool, low_stock_threshold: int) -> Product:
    product = lock_product(product)
    threshold = validate_count(low_stock_threshold, field="low_stock_threshold")
    product.track_inventory = bool(track_inventory)
    product.low_stock_threshold = threshold
    product.save(update_fields=["track_inventory", "low_stock_threshold", "updated_at"])
    return product


class InventoryAction:
    SET = "set"
    ADJUST = "adjust"
    RESTOCK = "restock"
    CHOICES = [(SET, "Set the count to"), (RESTOCK, "Restock: add"), (ADJUST, "Adjust by (+/-)")]


@transaction.atomic
def manage_inventory(*, variant: Variant, action: str, quantity, reason: str = "", actor=None) -> Variant:
    """Set, adjust (with a reason) or restock a variant's stock, and record who, when, why, delta."""
    variant = Variant.objects.select_for_update(of=("self",)).select_related("product__store").get(pk=variant.pk)
    reason = " ".join((reason or "").split())[:200]
    if action == InventoryAction.SET:
        count = validate_count(quantity, field="quantity")
        delta, kind = count - variant.inventory_count, InventoryAdjustment.Kind.SET
        reason = reason or "Stock count"
        if delta == 0:
            return variant  # the count is right already: nothing to record
    elif action == InventoryAction.RESTOCK:
        delta = validate_count(quantity, field="quantity")
        if delta < 1:
            raise ValidationError({"quantity": "Restock at least 1."})
        kind, reason = InventoryAdjustment.Kind.RESTOCK, reason or "Restock"
    elif action == InventoryAction.ADJUST:
        try:
            delta = int(quantity)
        except (TypeError, ValueError):
            raise ValidationError({"quantity": "Enter a whole number, such as -2 or 5."}) from None
        if delta == 0:
            raise ValidationError({"quantity": "Enter how many to add (5) or take away (-2)."})
        if not reason:
            raise ValidationError({"reason": "Say why (damaged, found in the back, a gift…)."})
        if variant.inventory_count + delta < 0:
            raise ValidationError(
                {
                    "quantity": f"That would leave {variant.inventory_count + delta} in stock: there are only "
                    f"{variant.inventory_count}."
                }
            )
        if variant.inventory_count + delta > MAX_STOCK:
            raise ValidationError({"quantity": f"Stock can be at most {MAX_STOCK:,}."})
        kind = InventoryAdjustment.Kind.ADJUST
    else:
        raise ValidationError({"action": "Choose set, restock or adjust."})
    if variant.inventory_count + delta > MAX_STOCK:
        raise ValidationError({"quantity": f"Stock can be at most {MAX_STOCK:,}."})
    record_adjustment(variant, kind=kind, delta=delta, reason=reason, actor=actor)
    return variant


def sell_variant_stock(*, variant_id: int, quantity: int, reason: str) -> bool:
    """Take `quantity` of a variant for a sale, if that many are left; record it. Call inside
    the checkout's transaction, after locking the variant rows in primary-key order."""
    pagecache.bump(refs=[("variant", variant_id)])  # the count changes by .update()
    taken = Variant.objects.filter(pk=variant_id, inventory_count__gte=quantity).update(
        inventory_count=F("inventory_count") - quantity
    )
    if not taken:
        return False
    left = Variant.objects.filter(pk=variant_id).values_list("inventory_count", flat=True).get()
    sale = InventoryAdjustment.objects.create(
        variant_id=variant_id, kind=InventoryAdjustment.Kind.SALE, delta=-quantity, resulting_count=left, reason=reason
    )
    if left == 0:
        product_id = Variant.objects.filter(pk=variant_id).values_list("product_id", flat=True).get()
        hooks.out_of_stock.send_on_commit(product_id=product_id, variant_id=variant_id, adjustment_id=sale.pk)
    return True


@transaction.atomic
def return_stock(*, product_id: int, variant_id: int | None, quantity: int, reason: str, actor=None) -> None:
    """Put back `quantity` of a sold product or variant (a cancelled order): a variant's with a
    history row (a restock, with `reason`), a product's own count when it keeps one. Made-to-order
    and digital things, and untracked variants, have no count to put back. A sold-out thing that
    gets stock again is announced (`restocked`, on commit)."""
    if quantity < 1:
        return
    if variant_id is not None:
        variant = (
            Variant.objects.select_for_update(of=("self",)).select_related("product").filter(pk=variant_id).first()
        )
        if variant is None or not variant.product.tracks_variant_stock:
            return
        record_adjustment(
            variant, kind=InventoryAdjustment.Kind.RESTOCK, delta=quantity, reason=reason[:200], actor=actor
        )
        return
    product = Product.objects.select_for_update(of=("self",)).filter(pk=product_id).first()
    if product is None or product.stock is None or product.is_digital:
        return
    Product.objects.filter(pk=product.pk).update(stock=F("stock") + quantity)
    pagecache.bump(store_ids=[product.store_id])
    if product.stock <= 0:
        hooks.restocked.send_on_commit(product_id=product.pk, variant_id=None, restock_id=hooks.restock_id())
