"""The buyer's option picker on the product page: which values exist, which are sold out.

`build_variant_picker` reads a product's options with their values, its live variants and their
option values in three queries, whatever the number of variants, and works out the rest in
Python: what the request selected, which values can still be bought with the other choices,
the link each value makes, and the price, stock, SKU and image of the choice.

A selection comes from the URL: `?variant=<id>` (a full choice, the address a link shares) or
`?o=<value id>&o=<value id>` (a partial one, while the buyer is still choosing). Anything that
is not a live, enabled variant or a value of this product is ignored, never an error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from shomp.core.params import parse_id
from shomp.core.sql import Precompiled

from ..models import Product, ProductImage, ProductOptionValue, Variant, VariantOption
from ..services.pricing import Offers, Price, price_of, product_offers

MAX_SELECTION_PARAMS = 20  # more `o` values than any product has options: the rest are ignored

CHOOSE = "choose"  # some options are not chosen yet
UNAVAILABLE = "unavailable"  # no live, enabled variant has these values
OUT = "out"  # it exists but is sold out
LOW = "low"  # "Only N left"
IN_STOCK = "in_stock"


@dataclass(frozen=True)
class PickerValue:
    """One button of an option: its value, and what picking it does."""

    id: int
    value: str
    swatch: str  # "#rrggbb" for a colour value, else ""
    selected: bool
    available: bool  # an enabled, in-stock variant has it together with the other chosen values
    url: str  # the product page with this value picked (the other choices kept)


@dataclass(frozen=True)
class PickerOption:
    id: int
    name: str
    is_colour: bool
    values: list[PickerValue]

    @property
    def chosen(self) -> PickerValue | None:
        return next((value for value in self.values if value.selected), None)

    @property
    def has_swatches(self) -> bool:
        return self.is_colour and all(value.swatch for value in self.values)


@dataclass(frozen=True)
class VariantPicker:
    options: list[PickerOption]
    # The chosen variant: the selection names a value of every option and a live, enabled variant.
    variant: Variant | None
    status: str  # CHOOSE, UNAVAILABLE, OUT, LOW or IN_STOCK
    price: Decimal  # what a buyer pays (services.pricing: promotions included)
    price_is_from: bool  # the selection is partial and its variants' prices differ: "From $X"
    image: ProductImage | None  # the choice's picture (shown first), if its variants share one
    url: str  # the address of this selection
    missing: list[str] = field(default_factory=list)  # names of the options still to choose
    sale: Price | None = None  # the price's whole answer: before the promotion, its name and end

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def available_count(self) -> int | None:
        return self.variant.available_count if self.variant is not None else None

    @property
    def can_buy(self) -> bool:
        return self.variant is not None and self.status in (IN_STOCK, LOW)

    @property
    def hint(self) -> str:
        """ "Choose a size and colour": what is still missing before the button works."""
        if not self.missing:
            return ""
        names = [name.lower() for name in self.missing]
        article = "an" if names[0][:1] in "aeiou" else "a"
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        return f"Choose {article} {listed}"

    @property
    def summary(self) -> str:
        """The choice in one phrase, for screen readers when it changes: "M / Red"."""
        return " / ".join(option.chosen.value for option in self.options if option.chosen)


def build_variant_picker(*, product: Product, params: Mapping[str, str] | None = None) -> VariantPicker:
    """Everything the product page's option picker shows, for `product` and the request's
    query parameters (`request.GET`). `product.store` and `product.images` should be loaded
    (the product page's selector does both); no query here depends on the number of rows."""
    values = _VALUES(product_id=product.pk)
    options = sorted({value.option_id: value.option for value in values}.values(), key=lambda o: (o.position, o.pk))
    variants = _LIVE_VARIANTS(product_id=product.pk)
    links = _LINKS(product_id=product.pk)

    values_by_option: dict[int, list[ProductOptionValue]] = {option.pk: [] for option in options}
    option_of_value: dict[int, int] = {}
    for value in values:
        if value.option_id in values_by_option:
            values_by_option[value.option_id].append(value)
            option_of_value[value.pk] = value.option_id
    # Options without values cannot be chosen; the services never leave one, but skip it if so.
    options = [option for option in options if values_by_option[option.pk]]
    option_ids = [option.pk for option in options]

    picked_by_variant: dict[int, dict[int, int]] = {}
    for variant_id, value_id in links:
        option_id = option_of_value.get(value_id)
        if option_id is not None:
            picked_by_variant.setdefault(variant_id, {})[option_id] = value_id
    by_combo: dict[tuple[int, ...], Variant] = {}
    combos: list[tuple[tuple[int, ...], Variant]] = []
    for variant in variants:
        variant.product = product  # prices and stock read the product: no query per variant
        picked = picked_by_variant.get(variant.pk, {})
        if len(picked) != len(option_ids):
            continue  # a variant that does not name a value of every option can't be chosen
        combo = tuple(picked[option_id] for option_id in option_ids)
        by_combo.setdefault(combo, variant)
        combos.append((combo, variant))

    selected = _selection(params or {}, option_ids, option_of_value, combos)
    base_url = product.get_absolute_url()
    chosen_combo = tuple(selected.get(option_id) for option_id in option_ids)
    complete = all(value_id is not None for value_id in chosen_combo)
    variant = by_combo.get(chosen_combo) if complete else None  # type: ignore[arg-type]

    picker_options = []
    for index, option in enumerate(options):
        # Values of this option that some buyable variant has along with the other choices.
        others = [(i, value_id) for i, value_id in enumerate(chosen_combo) if i != index and value_id is not None]
        buyable_here = {combo[index] for combo, candidate in combos if candidate.is_buyable and _matches(combo, others)}
        picker_values = []
        for value in values_by_option[option.pk]:
            after = dict(selected) | {option.pk: value.pk}
            picker_values.append(
                PickerValue(
                    id=value.pk,
                    value=value.value,
                    swatch=value.swatch,
                    selected=selected.get(option.pk) == value.pk,
                    available=value.pk in buyable_here,
                    url=_url(base_url, option_ids, after, by_combo),
                )
            )
        picker_options.append(
            PickerOption(id=option.pk, name=option.name, is_colour=option.is_colour, values=picker_values)
        )

    matching = [
        candidate
        for combo, candidate in combos
        if _matches(combo, [(i, value_id) for i, value_id in enumerate(chosen_combo) if value_id is not None])
    ]
    offers = product_offers(product=product)
    sale, price_is_from = _price(product, variant, matching, offers)
    return VariantPicker(
        options=picker_options,
        variant=variant,
        status=_status(variant, matching, complete=complete, has_selection=bool(selected)),
        price=sale.paid,
        price_is_from=price_is_from,
        sale=sale,
        image=_image(product, variant, matching, has_selection=bool(selected)),
        url=_url(base_url, option_ids, selected, by_combo),
        missing=[option.name for option, value_id in zip(options, chosen_combo, strict=True) if value_id is None],
    )


# The picker's three queries, compiled once (core.sql): every view of a product with variants
# asks them, and building them cost more than running them.
# The values with their options in one query: an option without values is skipped anyway.
_VALUES = Precompiled(
    lambda product_id: (
        ProductOptionValue.objects.filter(option__product_id=product_id)
        .select_related("option")
        .only("id", "option_id", "value", "position", "swatch", "option__id", "option__name", "option__position")
        .order_by("position", "pk")
    ),
    product_id=int,
)
_LIVE_VARIANTS = Precompiled(
    lambda product_id: Variant.objects.filter(
        product_id=product_id, archived_at__isnull=True, is_enabled=True
    ).order_by("position", "pk"),
    product_id=int,
)
_LINKS = Precompiled(
    lambda product_id: VariantOption.objects.filter(
        variant__product_id=product_id, variant__archived_at__isnull=True, variant__is_enabled=True, value__isnull=False
    ).values_list("variant_id", "value_id"),
    product_id=int,
)


def _selection(
    params: Mapping[str, str],
    option_ids: Sequence[int],
    option_of_value: Mapping[int, int],
    combos: Sequence[tuple[tuple[int, ...], Variant]],
) -> dict[int, int]:
    """{option id: value id} from `?variant=<id>`, or else from `?o=<value id>` (first per option)."""
    wanted = parse_id(params.get("variant", ""))
    if wanted is not None:
        for combo, variant in combos:
            if variant.pk == wanted:
                return dict(zip(option_ids, combo, strict=True))
        return {}  # not a live, enabled variant of this product: no selection
    raw_values = params.getlist("o") if hasattr(params, "getlist") else []
    selected: dict[int, int] = {}
    for raw in raw_values[:MAX_SELECTION_PARAMS]:
        value_id = parse_id(raw)
        option_id = option_of_value.get(value_id) if value_id is not None else None
        if option_id is not None:
            selected.setdefault(option_id, value_id)
    return selected


def _matches(combo: tuple[int, ...], chosen: Sequence[tuple[int, int]]) -> bool:
    return all(combo[index] == value_id for index, value_id in chosen)


def _url(
    base_url: str,
    option_ids: Sequence[int],
    selected: Mapping[int, int],
    by_combo: Mapping[tuple[int, ...], Variant],
) -> str:
    """`?variant=<id>` for a full choice of an existing variant, else `?o=..&o=..` in option order."""
    combo = tuple(selected.get(option_id) for option_id in option_ids)
    variant = by_combo.get(combo) if all(value_id is not None for value_id in combo) else None  # type: ignore[arg-type]
    if variant is not None:
        return f"{base_url}?{urlencode({'variant': variant.pk})}"
    query = urlencode([("o", value_id) for value_id in combo if value_id is not None])
    return f"{base_url}?{query}" if query else base_url


def _price(
    product: Product, variant: Variant | None, matching: Sequence[Variant], offers: Offers
) -> tuple[Price, bool]:
    if variant is not None:
        return price_of(product=product, variant=variant, offers=offers), False
    prices = [price_of(product=product, variant=candidate, offers=offers) for candidate in matching]
    if not prices:
        return price_of(product=product, offers=offers), False
    cheapest = min(prices, key=lambda price: (price.paid, -price.discount))
    return cheapest, len({price.paid for price in prices}) > 1


def _status(variant: Variant | None, matching: Sequence[Variant], *, complete: bool, has_selection: bool) -> str:
    if variant is not None:
        return {"out": OUT, "low": LOW}.get(variant.stock_status, IN_STOCK)
    if not has_selection and not matching:
        return OUT  # every variant is disabled: nothing to buy, whatever the choice
    if complete or not matching:
        return UNAVAILABLE
    if not any(candidate.is_buyable for candidate in matching):
        return OUT
    return CHOOSE


def _image(
    product: Product, variant: Variant | None, matching: Sequence[Variant], *, has_selection: bool
) -> ProductImage | None:
    """The chosen variant's picture; for a partial choice, the one its variants share (if any)."""
    if variant is not None:
        image_ids = {variant.image_id} if variant.image_id else set()
    elif has_selection:
        image_ids = {candidate.image_id for candidate in matching if candidate.image_id}
    else:
        image_ids = set()
    if len(image_ids) != 1:
        return None
    (image_id,) = image_ids
    return next((image for image in product.images.all() if image.pk == image_id), None)


__all__ = [
    "CHOOSE",
    "IN_STOCK",
    "LOW",
    "OUT",
    "UNAVAILABLE",
    "PickerOption",
    "PickerValue",
    "VariantPicker",
    "build_variant_picker",
]
