"""A product's options (Size, Colour) and their ordered values, with per-value price modifiers.

Renaming an option or a value corrects a typo ("Colur", "Rd") in place: live variants follow
(their options' text, names and combination keys), keeping their stock, SKUs and history;
archived variants keep the text they had, like past orders do."""

from collections.abc import Iterable, Sequence
from decimal import Decimal

import tinycss2.color3
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from .. import hooks
from ..models import (
    MAX_OPTION_VALUES,
    MAX_OPTIONS,
    Product,
    ProductOption,
    ProductOptionValue,
    Variant,
    VariantOption,
)
from .common import archive_variants, check_modified_price, lock_product, refresh_has_variants, validate_modifier

TEXT_MAX = 50


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
    if "|" in text or "=" in text:
        # They separate options in combination keys ("size=s/m|colour=red"). A "/" is fine ("S/M"):
        # variant names join values with " / " for reading only, and URLs carry value ids.
        raise ValidationError({field: f"{what.capitalize()} can't contain “|” or “=”."})
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


@transaction.atomic
def add_product_option(*, product: Product, name: str, values: Sequence[str]) -> ProductOption:
    """A new option with its values. Existing variants take the option's first value, so every
    variant keeps naming a full combination."""
    product = lock_product(product)
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
    lock_product(option.product)
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
    product = lock_product(value.option.product)
    if value.option.values.count() <= 1:
        raise ValidationError(f"{value.option.name} needs at least one value: remove the option instead.")
    archived = archive_variants(product.variants.filter(archived_at__isnull=True, options__value=value))
    value.delete()
    refresh_has_variants(product)
    return archived


@transaction.atomic
def remove_product_option(*, option: ProductOption) -> int:
    """Remove an option; every variant named by it is archived. Returns how many."""
    product = lock_product(option.product)
    archived = archive_variants(product.variants.filter(archived_at__isnull=True))
    option.delete()
    for position, remaining in enumerate(product.options.order_by("position", "pk")):
        ProductOption.objects.filter(pk=remaining.pk).update(position=position)
    refresh_has_variants(product)
    return archived


@transaction.atomic
def set_option_value_modifier(*, value: ProductOptionValue, price_modifier) -> ProductOptionValue:
    """Set a value's price modifier ("XL +4.00"): it adds up on every variant with that value,
    unless the variant has a modifier of its own."""
    product = lock_product(value.option.product)
    value = ProductOptionValue.objects.select_for_update(of=("self",)).get(pk=value.pk)
    modifier = validate_modifier(price_modifier)
    delta = modifier - value.price_modifier
    affected = Variant.objects.filter(
        product=product, archived_at__isnull=True, price_modifier__isnull=True, options__value=value
    )
    for variant in affected.only("name", "options_price_modifier"):
        check_modified_price(
            product=product, modifier=variant.options_price_modifier + delta, label=f"“{variant.name}”"
        )
    value.price_modifier = modifier
    value.save(update_fields=["price_modifier"])
    Variant.objects.filter(options__value=value).update(options_price_modifier=F("options_price_modifier") + delta)
    if delta:
        hooks.price_changed.send_on_commit(product_id=product.pk, variant_id=None, old_price=None, new_price=None)
    return value


@transaction.atomic
def rename_product_option(*, option: ProductOption, name: str) -> ProductOption:
    """Correct an option's name ("Colur" → "Colour"); a change of case only is allowed. Its
    values' swatches follow (the option may become, or stop being, a colour), and so do its live
    variants' names and keys; archived variants keep the old text."""
    product = lock_product(option.product)
    option = ProductOption.objects.get(pk=option.pk, product=product)
    name = _clean_text(name, field="name", what="the option's name")
    if any(other.name.lower() == name.lower() for other in product.options.exclude(pk=option.pk)):
        raise ValidationError({"name": f"This product already has an option called “{name}”."})
    option.name = name
    option.save(update_fields=["name"])
    values = list(option.values.all())
    for value in values:
        value.swatch = swatch_for(value.value) if option.is_colour else ""
    ProductOptionValue.objects.bulk_update(values, ["swatch"])
    live = VariantOption.objects.filter(variant__archived_at__isnull=True, value__option=option)
    live.update(option_name=name)
    _rename_variants(product, list(product.variants.filter(archived_at__isnull=True, options__value__option=option)))
    return option


@transaction.atomic
def rename_option_value(*, value: ProductOptionValue, new_value: str) -> ProductOptionValue:
    """Correct a value ("Rd" → "Red"); a change of case only is allowed. A colour's swatch is
    worked out again; live variants with the value follow, archived ones keep the old text."""
    product = lock_product(value.option.product)
    value = ProductOptionValue.objects.select_related("option").get(pk=value.pk, option__product=product)
    option = value.option
    text = _clean_text(new_value, field="value", what="a value")
    if any(other.value.lower() == text.lower() for other in option.values.exclude(pk=value.pk)):
        raise ValidationError({"value": f"“{text}” is already a value of {option.name}."})
    value.value = text
    value.swatch = swatch_for(text) if option.is_colour else ""
    value.save(update_fields=["value", "swatch"])
    VariantOption.objects.filter(variant__archived_at__isnull=True, value=value).update(option_value=text)
    _rename_variants(product, list(product.variants.filter(archived_at__isnull=True, options__value=value)))
    return value


def _rename_variants(product: Product, variants: list[Variant]) -> None:
    """Recompute names, keys and option modifier sums from the variants' VariantOption rows,
    after an option was added or an option or value renamed."""
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
