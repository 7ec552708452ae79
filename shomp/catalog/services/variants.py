"""Options, variants and inventory (spec section 8, Shomp.ProductVariants).

A product's options (Size, Colour) have ordered values (S, M, L). A variant is one
combination of values; `generate_variants` makes every combination that does not exist yet.
Each write locks the product row first, so two sellers editing the same product's options
take turns instead of racing on combination keys.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from itertools import product as cartesian
from math import prod

import tinycss2.color3
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from shomp.core.money import MAX_PRICE, format_money, quantize

from ..models import (
    MAX_OPTION_VALUES,
    MAX_OPTIONS,
    MAX_VARIANTS,
    InventoryAdjustment,
    Product,
    ProductImage,
    ProductOption,
    ProductOptionValue,
    Variant,
    VariantOption,
)

MAX_STOCK = 1_000_000
TEXT_MAX = 50


# Pricing -----------------------------------------------------------------------------------


def calculate_price(*, product: Product, variant: Variant | None = None) -> Decimal:
    """The price a buyer pays: the base price plus the variant's modifier, never below zero.

    The variant's own modifier wins over the sum of its option values' modifiers."""
    if variant is None:
        return product.price
    return max(Decimal("0.00"), quantize(product.price + variant.effective_price_modifier))


def _validate_modifier(value, *, field: str = "price_modifier") -> Decimal:
    try:
        modifier = quantize(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({field: "Enter an amount such as 4.00 or -2.50."}) from None
    if abs(modifier) > MAX_PRICE:
        raise ValidationError({field: "A price modifier can be at most 1,000,000.00 either way."})
    return modifier


def _check_modified_price(*, product: Product, modifier: Decimal, label: str, field: str = "price_modifier") -> None:
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


# Options ------------------------------------------------------------------------------------


def swatch_for(value: str) -> str:
    """ "#rrggbb" when `value` is a CSS colour name or hex code (Red, navy, #0a0), else ""."""
    colour = tinycss2.color3.parse_color(value.strip())
    if colour is None or isinstance(colour, str) or colour.alpha < 1:
        return ""
    return "#" + "".join(f"{round(channel * 255):02x}" for channel in colour[:3])


def _clean_text(text: str, *, field: str, what: str) -> str:
    text = " ".join((text or "").split())
    if not text:
        raise ValidationError({field: f"Enter {what}."})
    if len(text) > TEXT_MAX:
        raise ValidationError({field: f"Keep {what} to {TEXT_MAX} characters."})
    if "/" in text or "|" in text or "=" in text:
        # They separate options in variant names ("M / Red") and combination keys.
        raise ValidationError({field: f"{what.capitalize()} can't contain “/”, “|” or “=”."})
    return text


def _clean_values(values: Iterable[str], *, existing: Sequence[str] = (), option_name: str = "") -> list[str]:
    cleaned: list[str] = []
    seen = {value.lower() for value in existing}
    for raw in values:
        if not (raw or "").strip():
            continue
        value = _clean_text(raw, field="values", what="a value")
        if value.lower() in seen:
            if value.lower() in {v.lower() for v in existing}:
                raise ValidationError({"values": f"“{value}” is already a value of {option_name}."})
            raise ValidationError({"values": f"“{value}” is listed twice: each value once, please."})
        seen.add(value.lower())
        cleaned.append(value)
    if not cleaned:
        raise ValidationError({"values": "Enter at least one value, such as S, M, L."})
    if len(existing) + len(cleaned) > MAX_OPTION_VALUES:
        raise ValidationError({"values": f"An option can have at most {MAX_OPTION_VALUES} values."})
    return cleaned


def _lock(product: Product) -> Product:
    return Product.objects.select_for_update(of=("self",)).select_related("store").get(pk=product.pk)


@transaction.atomic
def add_product_option(*, product: Product, name: str, values: Sequence[str]) -> ProductOption:
    """A new option with its values. Existing variants take the option's first value, so every
    variant keeps naming a full combination."""
    product = _lock(product)
    name = _clean_text(name, field="name", what="the option's name")
    options = list(product.options.all())
    if len(options) >= MAX_OPTIONS:
        raise ValidationError({"name": f"A product can have at most {MAX_OPTIONS} options."})
    if any(option.name.lower() == name.lower() for option in options):
        raise ValidationError({"name": f"This product already has an option called “{name}”."})
    cleaned = _clean_values(values)
    option = ProductOption.objects.create(product=product, name=name, position=len(options))
    created = ProductOptionValue.objects.bulk_create(
        ProductOptionValue(
            option=option, value=value, position=index, swatch=swatch_for(value) if option.is_colour else ""
        )
        for index, value in enumerate(cleaned)
    )
    first = ProductOptionValue.objects.get(option=option, position=0) if not created[0].pk else created[0]
    live = list(product.variants.filter(archived_at__isnull=True))
    if live:
        VariantOption.objects.bulk_create(
            VariantOption(variant=variant, option_name=option.name, option_value=first.value, value=first)
            for variant in live
        )
        _rename_variants(product, live)
    return option


@transaction.atomic
def add_option_values(*, option: ProductOption, values: Sequence[str]) -> list[ProductOptionValue]:
    """More values for an option; `generate_variants` then adds only the new combinations."""
    _lock(option.product)
    existing = list(option.values.all())
    cleaned = _clean_values(values, existing=[v.value for v in existing], option_name=option.name)
    start = max((v.position for v in existing), default=-1) + 1
    ProductOptionValue.objects.bulk_create(
        ProductOptionValue(
            option=option, value=value, position=start + index, swatch=swatch_for(value) if option.is_colour else ""
        )
        for index, value in enumerate(cleaned)
    )
    return list(option.values.filter(position__gte=start))


@transaction.atomic
def remove_option_value(*, value: ProductOptionValue) -> int:
    """Remove a value; its variants are archived (past orders keep them). Returns how many."""
    product = _lock(value.option.product)
    if value.option.values.count() <= 1:
        raise ValidationError(f"{value.option.name} needs at least one value: remove the option instead.")
    archived = _archive(product.variants.filter(archived_at__isnull=True, options__value=value))
    value.delete()
    _refresh_has_variants(product)
    return archived


@transaction.atomic
def remove_product_option(*, option: ProductOption) -> int:
    """Remove an option; every variant named by it is archived. Returns how many."""
    product = _lock(option.product)
    archived = _archive(product.variants.filter(archived_at__isnull=True))
    option.delete()
    for position, remaining in enumerate(product.options.order_by("position", "pk")):
        ProductOption.objects.filter(pk=remaining.pk).update(position=position)
    _refresh_has_variants(product)
    return archived


@transaction.atomic
def set_option_value_modifier(*, value: ProductOptionValue, price_modifier) -> ProductOptionValue:
    """Set a value's price modifier ("XL +4.00"): it adds up on every variant with that value,
    unless the variant has a modifier of its own."""
    product = _lock(value.option.product)
    value = ProductOptionValue.objects.select_for_update(of=("self",)).get(pk=value.pk)
    modifier = _validate_modifier(price_modifier)
    delta = modifier - value.price_modifier
    affected = Variant.objects.filter(
        product=product, archived_at__isnull=True, price_modifier__isnull=True, options__value=value
    )
    for variant in affected.only("name", "options_price_modifier"):
        _check_modified_price(
            product=product, modifier=variant.options_price_modifier + delta, label=f"“{variant.name}”"
        )
    value.price_modifier = modifier
    value.save(update_fields=["price_modifier"])
    Variant.objects.filter(options__value=value).update(options_price_modifier=F("options_price_modifier") + delta)
    return value


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
    product = _lock(product)
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
        _check_modified_price(product=product, modifier=variant.options_price_modifier, label=f"“{variant.name}”")
    Variant.objects.bulk_update(positions, ["position"])
    created = Variant.objects.bulk_create([variant for variant, _ in new])
    VariantOption.objects.bulk_create(
        VariantOption(variant=variant, option_name=value.option.name, option_value=value.value, value=value)
        for variant, combo in zip(created, (combo for _, combo in new), strict=True)
        for value in combo
    )
    _refresh_has_variants(product)
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
    product = _lock(product)
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
    count = _validate_count(inventory_count, field="inventory_count")
    _save(variant)
    VariantOption.objects.bulk_create(
        VariantOption(variant=variant, option_name=v.option.name, option_value=v.value, value=v) for v in combo
    )
    if count:
        _adjust(variant, kind=InventoryAdjustment.Kind.SET, delta=count, reason="Initial stock", actor=actor)
    _refresh_has_variants(product)
    return variant


# Editing variants --------------------------------------------------------------------------

_UNCHANGED = object()


def _validate_count(value, *, field: str) -> int:
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


def _apply_fields(variant: Variant, *, price_modifier=_UNCHANGED, sku=_UNCHANGED, image_id=_UNCHANGED) -> None:
    product = variant.product
    if price_modifier is not _UNCHANGED:
        modifier = None if price_modifier in (None, "") else _validate_modifier(price_modifier)
        effective = modifier if modifier is not None else variant.options_price_modifier
        _check_modified_price(product=product, modifier=effective, label=f"“{variant.name}”")
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
            image = ProductImage.objects.filter(product=product, pk=image_id).first()
            if image is None:
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
    _lock(variant.product)
    variant = Variant.objects.select_for_update(of=("self",)).select_related("product__store").get(pk=variant.pk)
    if variant.is_archived:
        raise ValidationError("This variant is archived: its option value was removed.")
    _apply_fields(variant, price_modifier=price_modifier, sku=sku, image_id=image_id)
    if is_enabled is not _UNCHANGED:
        variant.is_enabled = bool(is_enabled)
    count = None if inventory_count is _UNCHANGED else _validate_count(inventory_count, field="inventory_count")
    _save(variant)
    if count is not None and count != variant.inventory_count:
        _adjust(
            variant,
            kind=InventoryAdjustment.Kind.SET,
            delta=count - variant.inventory_count,
            reason="Edited in the variant grid",
            actor=actor,
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
    _lock(product)
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


@transaction.atomic
def set_inventory_settings(*, product: Product, track_inventory: bool, low_stock_threshold: int) -> Product:
    product = _lock(product)
    threshold = _validate_count(low_stock_threshold, field="low_stock_threshold")
    product.track_inventory = bool(track_inventory)
    product.low_stock_threshold = threshold
    product.save(update_fields=["track_inventory", "low_stock_threshold", "updated_at"])
    return product


# Inventory ---------------------------------------------------------------------------------


class InventoryAction:
    SET = "set"
    ADJUST = "adjust"
    RESTOCK = "restock"
    CHOICES = [(SET, "Set the count to"), (RESTOCK, "Restock: add"), (ADJUST, "Adjust by (+/-)")]


def _adjust(variant: Variant, *, kind: str, delta: int, reason: str, actor) -> InventoryAdjustment:
    Variant.objects.filter(pk=variant.pk).update(inventory_count=F("inventory_count") + delta)
    variant.inventory_count += delta
    return InventoryAdjustment.objects.create(
        variant=variant, actor=actor, kind=kind, delta=delta, resulting_count=variant.inventory_count, reason=reason
    )


@transaction.atomic
def manage_inventory(*, variant: Variant, action: str, quantity, reason: str = "", actor=None) -> Variant:
    """Set, adjust (with a reason) or restock a variant's stock, and record who, when, why, delta."""
    variant = Variant.objects.select_for_update(of=("self",)).select_related("product__store").get(pk=variant.pk)
    reason = " ".join((reason or "").split())[:200]
    if action == InventoryAction.SET:
        count = _validate_count(quantity, field="quantity")
        delta, kind = count - variant.inventory_count, InventoryAdjustment.Kind.SET
        reason = reason or "Stock count"
        if delta == 0:
            return variant  # the count is right already: nothing to record
    elif action == InventoryAction.RESTOCK:
        delta = _validate_count(quantity, field="quantity")
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
    _adjust(variant, kind=kind, delta=delta, reason=reason, actor=actor)
    return variant


def sell_variant_stock(*, variant_id: int, quantity: int, reason: str) -> bool:
    """Take `quantity` of a variant for a sale, if that many are left; record it. Call inside
    the checkout's transaction, after locking the variant rows in primary-key order."""
    taken = Variant.objects.filter(pk=variant_id, inventory_count__gte=quantity).update(
        inventory_count=F("inventory_count") - quantity
    )
    if not taken:
        return False
    left = Variant.objects.filter(pk=variant_id).values_list("inventory_count", flat=True).get()
    InventoryAdjustment.objects.create(
        variant_id=variant_id, kind=InventoryAdjustment.Kind.SALE, delta=-quantity, resulting_count=left, reason=reason
    )
    return True


# Helpers -----------------------------------------------------------------------------------


def _archive(variants) -> int:
    return variants.update(archived_at=timezone.now(), is_enabled=False)


def _refresh_has_variants(product: Product) -> None:
    """Keep `has_variants` true while a live variant exists.

    A physical product's own stock is set to 0 when it gets variants: stock is counted per
    variant from then on, and if every variant is archived later (an option removed), the
    product must not go back on sale with an old count the seller has forgotten."""
    live = Variant.objects.filter(product=OuterRef("pk"), archived_at__isnull=True)
    Product.objects.filter(pk=product.pk).update(has_variants=Exists(live))
    Product.objects.filter(pk=product.pk, has_variants=True, stock__gt=0).update(stock=0)
    product.refresh_from_db(fields=["has_variants", "stock"])


def _rename_variants(product: Product, variants: list[Variant]) -> None:
    """Recompute names, keys and option modifier sums after an option was added."""
    order = {option.name: index for index, option in enumerate(product.options.order_by("position", "pk"))}
    rows = VariantOption.objects.filter(variant__in=variants).select_related("value")
    by_variant: dict[int, list[VariantOption]] = {}
    for row in rows:
        by_variant.setdefault(row.variant_id, []).append(row)
    for variant in variants:
        picked = sorted(by_variant.get(variant.pk, []), key=lambda row: order.get(row.option_name, 99))
        variant.name = " / ".join(row.option_value for row in picked)
        variant.combination_key = "|".join(f"{row.option_name.lower()}={row.option_value.lower()}" for row in picked)
        variant.options_price_modifier = sum(
            (row.value.price_modifier for row in picked if row.value is not None), Decimal("0")
        )
    Variant.objects.bulk_update(variants, ["name", "combination_key", "options_price_modifier"])
