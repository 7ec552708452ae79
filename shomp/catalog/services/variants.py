"""Variants: pricing, generating every combination, and editing them one by one or in bulk.

A variant is one combination of option values; `generate_variants` makes every combination
that does not exist yet."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import product as cartesian
from math import prod

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from .. import hooks
from ..models import (
    MAX_VARIANTS,
    ImageStatus,
    InventoryAdjustment,
    Product,
    ProductImage,
    ProductOptionValue,
    Variant,
    VariantOption,
)
from .common import (
    check_modified_price,
    lock_product,
    record_adjustment,
    refresh_has_variants,
    validate_count,
    validate_modifier,
)
from .pricing import list_price

# Generating variants -----------------------------------------------------------------------


@dataclass(frozen=True)
class VariantPlan:
    """What `generate_variants` would do now: shown to the seller before anything is written."""

    combinations: int  # every combination of the current values
    existing: int  # of those, how many are variants already
    error: str = ""

    @property
    def to_create(self) -> int:
        return 0 if self.error else self.combinations - self.existing


def _combinations(product: Product) -> list[list[ProductOptionValue]]:
    """The values of each option, in option order (prefetched in one query)."""
    options = list(product.options.prefetch_related("values").order_by("position", "pk"))
    return [list(option.values.all()) for option in options] if options else []


def _key(values: Sequence[ProductOptionValue]) -> str:
    return "|".join(f"{v.option.name.lower()}={v.value.lower()}" for v in values)


def _plan(product: Product, values_per_option) -> VariantPlan:
    if not values_per_option:
        return VariantPlan(0, 0, error="Add an option, such as Size with S, M, L, first.")
    total = prod(len(values) for values in values_per_option)
    live_keys = set(product.variants.filter(archived_at__isnull=True).values_list("combination_key", flat=True))
    if total > MAX_VARIANTS:
        counts = " × ".join(str(len(values)) for values in values_per_option)
        return VariantPlan(
            total,
            len(live_keys),
            error=f"{counts} values make {total:,} combinations; a product can have at most "
            f"{MAX_VARIANTS:,} variants. Remove some values or options first.",
        )
    existing = sum(1 for combo in cartesian(*values_per_option) if _key(combo) in live_keys)
    return VariantPlan(total, existing)


def preview_variants(*, product: Product) -> VariantPlan:
    return _plan(product, _combinations(product))


@transaction.atomic
def generate_variants(*, product: Product) -> list[Variant]:
    """Make a variant for every combination of values that has none yet; all or nothing.

    New variants start with no stock and the sum of their values' price modifiers."""
    product = lock_product(product)
    values_per_option = _combinations(product)
    plan = _plan(product, values_per_option)
    if plan.error:
        raise ValidationError(plan.error)
    live = {v.combination_key: v for v in product.variants.filter(archived_at__isnull=True)}
    new: list[tuple[Variant, Sequence[ProductOptionValue]]] = []
    positions: list[Variant] = []
    for position, combo in enumerate(cartesian(*values_per_option)):
        key = _key(combo)
        if key in live:
            live[key].position = position
            positions.append(live[key])
            continue
        variant = Variant(
            product=product,
            store=product.store,
            name=" / ".join(v.value for v in combo),
            options_price_modifier=sum((v.price_modifier for v in combo), Decimal("0")),
            combination_key=key,
            position=position,
        )
        new.append((variant, combo))
    for variant, _combo in new:
        check_modified_price(product=product, modifier=variant.options_price_modifier, label=f"“{variant.name}”")
    Variant.objects.bulk_update(positions, ["position"])
    created = Variant.objects.bulk_create([variant for variant, _ in new])
    VariantOption.objects.bulk_create(
        VariantOption(variant=variant, option_name=value.option.name, option_value=value.value, value=value)
        for variant, combo in zip(created, (combo for _, combo in new), strict=True)
        for value in combo
    )
    refresh_has_variants(product)
    return created


@transaction.atomic
def create_variant(
    *,
    product: Product,
    options: Mapping[str, str],
    price_modifier=None,
    sku: str = "",
    inventory_count: int = 0,
    image_id: int | None = None,
    is_enabled: bool = True,
    actor=None,
) -> Variant:
    """One variant for one combination: `options` names a value for every option of the product."""
    product = lock_product(product)
    values_per_option = _combinations(product)
    if not values_per_option:
        raise ValidationError({"options": "Add an option, such as Size with S, M, L, first."})
    wanted = {name.strip().lower(): (value or "").strip().lower() for name, value in options.items()}
    combo = []
    for values in values_per_option:
        option = values[0].option
        chosen = wanted.pop(option.name.lower(), "")
        if not chosen:
            raise ValidationError({"options": f"Choose a value for {option.name}."})
        match = next((v for v in values if v.value.lower() == chosen), None)
        if match is None:
            raise ValidationError({"options": f"“{options.get(option.name, chosen)}” is not a value of {option.name}."})
        combo.append(match)
    if wanted:
        raise ValidationError({"options": f"This product has no option called “{next(iter(wanted))}”."})
    key = _key(combo)
    name = " / ".join(v.value for v in combo)
    live = product.variants.filter(archived_at__isnull=True)
    if live.filter(combination_key=key).exists():
        raise ValidationError({"options": f"A variant for {name} already exists."})
    if live.count() >= MAX_VARIANTS:
        raise ValidationError({"options": f"A product can have at most {MAX_VARIANTS:,} variants."})
    variant = Variant(
        product=product,
        store=product.store,
        name=name,
        options_price_modifier=sum((v.price_modifier for v in combo), Decimal("0")),
        combination_key=key,
        position=live.count(),
        is_enabled=is_enabled,
    )
    _apply_fields(variant, price_modifier=price_modifier, sku=sku, image_id=image_id)
    count = validate_count(inventory_count, field="inventory_count")
    _save(variant)
    VariantOption.objects.bulk_create(
        VariantOption(variant=variant, option_name=v.option.name, option_value=v.value, value=v) for v in combo
    )
    if count:
        record_adjustment(variant, kind=InventoryAdjustment.Kind.SET, delta=count, reason="Initial stock", actor=actor)
    refresh_has_variants(product)
    return variant


# Editing variants --------------------------------------------------------------------------

_UNCHANGED = object()


def _apply_fields(variant: Variant, *, price_modifier=_UNCHANGED, sku=_UNCHANGED, image_id=_UNCHANGED) -> None:
    product = variant.product
    if price_modifier is not _UNCHANGED:
        modifier = None if price_modifier in (None, "") else validate_modifier(price_modifier)
        effective = modifier if modifier is not None else variant.options_price_modifier
        check_modified_price(product=product, modifier=effective, label=f"“{variant.name}”")
        variant.price_modifier = modifier
    if sku is not _UNCHANGED:
        sku = (sku or "").strip()
        if len(sku) > 64:
            raise ValidationError({"sku": "Keep the SKU to 64 characters."})
        taken = Variant.objects.filter(store=product.store, sku__iexact=sku, archived_at__isnull=True)
        if sku and taken.exclude(pk=variant.pk).exists():
            raise ValidationError({"sku": f"Another variant in your store already uses the SKU “{sku}”."})
        variant.sku = sku
    if image_id is not _UNCHANGED:
        if image_id in (None, ""):
            variant.image = None
        else:
            image = ProductImage.objects.filter(product=product, pk=image_id, status=ImageStatus.READY).first()
            if image is None:  # not this product's, or not decoded yet (it has no picture)
                raise ValidationError({"image": "Choose one of this product's images."})
            variant.image = image


def _save(variant: Variant) -> None:
    try:
        with transaction.atomic():
            variant.save()
    except IntegrityError:  # a concurrent edit took the SKU or the combination first
        raise ValidationError({"sku": "Another variant in your store already uses that SKU."}) from None


@transaction.atomic
def update_variant(
    *,
    variant: Variant,
    price_modifier=_UNCHANGED,
    sku=_UNCHANGED,
    image_id=_UNCHANGED,
    is_enabled=_UNCHANGED,
    inventory_count=_UNCHANGED,
    actor=None,
) -> Variant:
    """Change what the seller edits in the grid; fields not passed stay as they are.

    A new stock count is recorded as a "set" adjustment, like `manage_inventory`."""
    lock_product(variant.product)
    variant = Variant.objects.select_for_update(of=("self",)).select_related("product__store").get(pk=variant.pk)
    if variant.is_archived:
        raise ValidationError("This variant is archived: its option value was removed.")
    old_price = list_price(product=variant.product, variant=variant)
    _apply_fields(variant, price_modifier=price_modifier, sku=sku, image_id=image_id)
    if is_enabled is not _UNCHANGED:
        variant.is_enabled = bool(is_enabled)
    count = None if inventory_count is _UNCHANGED else validate_count(inventory_count, field="inventory_count")
    _save(variant)
    if count is not None and count != variant.inventory_count:
        record_adjustment(
            variant,
            kind=InventoryAdjustment.Kind.SET,
            delta=count - variant.inventory_count,
            reason="Edited in the variant grid",
            actor=actor,
        )
    new_price = list_price(product=variant.product, variant=variant)
    if new_price != old_price:
        hooks.price_changed.send_on_commit(
            product_id=variant.product_id, variant_id=variant.pk, old_price=old_price, new_price=new_price
        )
    return variant


BULK_FIELDS = {
    "price_modifier": "price modifier",
    "inventory_count": "stock",
    "is_enabled": "enabled",
    "image_id": "image",
}


@transaction.atomic
def bulk_update_variants(*, product: Product, variant_ids: Sequence[int], field: str, value, actor=None) -> int:
    """Set one field on many variants at once, all or none. Returns how many changed."""
    if field not in BULK_FIELDS:
        raise ValidationError({"field": "Choose what to change: price modifier, stock, enabled or image."})
    ids = {int(pk) for pk in variant_ids}
    if not ids:
        raise ValidationError({"variant_ids": "Select at least one variant."})
    lock_product(product)
    variants = list(
        Variant.objects.select_for_update(of=("self",))
        .select_related("product__store")
        .filter(product=product, archived_at__isnull=True, pk__in=ids)
        .order_by("pk")
    )
    if len(variants) != len(ids):
        raise ValidationError({"variant_ids": "Some selected variants are not variants of this product."})
    for variant in variants:
        update_variant(variant=variant, **{field: value}, actor=actor)
    return len(variants)
