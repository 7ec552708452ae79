"""The one answer to "what does a buyer pay for this product or variant now?".

A price is the product's base price plus the variant's modifier, never below zero (the *list*
price), less the best promotion running at that instant that covers the item (its store, the
product, or the variant): the one that takes the most off wins. The discount is rounded to cents
(half up) and never takes the price below zero.

`calculate_price` returns the amount; `price_of` the whole answer (`Price`: paid, original, the
promotion and when it ends). Listings, carts and checkouts price many items at once:
`load_offers` reads every running promotion covering them in one query, and `price_of(...,
offers=...)` then prices each without another. `attach_prices` does that for a page of product
cards. The SQL twin for sorting and filtering listings is selectors.products.with_sale_prices.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Case, DecimalField, F, IntegerField, Min, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from shomp.core.money import quantize
from shomp.core.sql import IDS, Precompiled, PrecompiledIn

from ..models import Product, Promotion, PromotionTarget, Variant

ZERO = Decimal("0.00")
_MODIFIER = DecimalField(max_digits=10, decimal_places=2)


@dataclass(frozen=True)
class Offer:
    """A running promotion, as pricing needs it."""

    promotion_id: int
    name: str
    kind: str
    amount: Decimal
    ends_at: datetime

    def discount(self, price: Decimal) -> Decimal:
        percent = self.kind == Promotion.Kind.PERCENT
        off = quantize(price * self.amount / Decimal("100")) if percent else self.amount
        return min(off, price)


@dataclass(frozen=True)
class Price:
    """What a buyer pays (`paid`), the price before a promotion (`original`), and the promotion
    that made the difference (None when none covers the item)."""

    paid: Decimal
    original: Decimal
    offer: Offer | None = None

    @property
    def on_sale(self) -> bool:
        return self.offer is not None and self.paid < self.original

    @property
    def discount(self) -> Decimal:
        return self.original - self.paid

    @property
    def promotion_name(self) -> str:
        return self.offer.name if self.on_sale and self.offer else ""

    @property
    def ends_at(self) -> datetime | None:
        return self.offer.ends_at if self.on_sale and self.offer else None


@dataclass
class Offers:
    """The running promotions covering a set of stores, products and variants, by what they cover."""

    at: datetime
    by_store: dict[int, list[Offer]] = field(default_factory=lambda: defaultdict(list))
    by_product: dict[int, list[Offer]] = field(default_factory=lambda: defaultdict(list))
    by_variant: dict[int, list[Offer]] = field(default_factory=lambda: defaultdict(list))

    def covering(self, product: Product, variant: Variant | None) -> list[Offer]:
        found = self.by_store.get(product.store_id, []) + self.by_product.get(product.pk, [])
        if variant is not None:
            found += self.by_variant.get(variant.pk, [])
        return found


def running_promotions(at: datetime) -> QuerySet[Promotion]:
    """Promotions running at `at`: started, not past their end, not ended early."""
    return Promotion.objects.filter(starts_at__lte=at, ends_at__gt=at).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gt=at)
    )


def running_condition(at: datetime, prefix: str = "promotion__") -> Q:
    return Q(**{f"{prefix}starts_at__lte": at, f"{prefix}ends_at__gt": at}) & (
        Q(**{f"{prefix}ended_at__isnull": True}) | Q(**{f"{prefix}ended_at__gt": at})
    )


def load_offers(
    *,
    store_ids: Iterable[int] = (),
    product_ids: Iterable[int] = (),
    variant_ids: Iterable[int] = (),
    variants_of: Iterable[int] = (),
    at: datetime | None = None,
) -> Offers:
    """Every running promotion covering these stores, products or variants (or any variant of the
    products `variants_of`: a join, not thousands of variant ids in the query): one query."""
    at = at or timezone.now()
    offers = Offers(at=at)
    store_ids, product_ids, variant_ids, variants_of = (
        set(store_ids),
        set(product_ids),
        set(variant_ids),
        set(variants_of),
    )
    if not (store_ids or product_ids or variant_ids or variants_of):
        return offers
    rows = _TARGETS(
        store_ids=store_ids, product_ids=product_ids, variant_ids=variant_ids, variants_of=variants_of, at=at
    )
    return _offers_from(rows, at)


def _covering(*, store_ids, product_ids, variant_ids, variants_of, at: datetime) -> QuerySet:
    covers = Q()
    if store_ids:
        covers |= Q(store_id__in=store_ids)
    if product_ids:
        covers |= Q(product_id__in=product_ids)
    if variant_ids:
        covers |= Q(variant_id__in=variant_ids)
    if variants_of:
        covers |= Q(variant__product_id__in=variants_of)
    return _targets(covers, at).order_by()


# Every grid of cards and every cart asks it: compiled once per number of ids (core.sql).
_TARGETS = PrecompiledIn(_covering, store_ids=IDS, product_ids=IDS, variant_ids=IDS, variants_of=IDS, at=datetime)


_TARGET_COLUMNS = (
    "store_id",
    "product_id",
    "variant_id",
    "promotion_id",
    "promotion__name",
    "promotion__kind",
    "promotion__amount",
    "promotion__ends_at",
    "promotion__ended_at",
)


def _targets(covers: Q, at: datetime) -> QuerySet:
    return PromotionTarget.objects.filter(covers).filter(running_condition(at)).values_list(*_TARGET_COLUMNS)


# A product page's promotions: its store's, its own and its variants'. Compiled once (core.sql):
# every view of a product asks it.
_PRODUCT_TARGETS = Precompiled(
    lambda store_id, product_id, at: _targets(
        Q(store_id=store_id) | Q(product_id=product_id) | Q(variant__product_id=product_id), at
    ).order_by(),
    store_id=int,
    product_id=int,
    at=datetime,
)


def product_offers(*, product: Product, at: datetime | None = None) -> Offers:
    """Every running promotion covering `product`, its store or any of its variants: what
    `load_offers(store_ids=[store], product_ids=[product], variants_of=[product])` answers, in one
    query compiled once."""
    at = at or timezone.now()
    return _offers_from(_PRODUCT_TARGETS(store_id=product.store_id, product_id=product.pk, at=at), at)


def _offers_from(rows: Iterable[tuple], at: datetime) -> Offers:
    offers = Offers(at=at)
    for store_id, product_id, variant_id, pk, name, kind, amount, ends_at, ended_at in rows:
        offer = Offer(pk, name, kind, amount, min(ends_at, ended_at) if ended_at else ends_at)
        if store_id:
            offers.by_store[store_id].append(offer)
        elif product_id:
            offers.by_product[product_id].append(offer)
        elif variant_id:
            offers.by_variant[variant_id].append(offer)
    return offers


def list_price(*, product: Product, variant: Variant | None = None) -> Decimal:
    """The price before promotions: the base price plus the variant's modifier, never below zero.

    The variant's own modifier wins over the sum of its option values' modifiers."""
    if variant is None:
        return product.price
    return max(ZERO, quantize(product.price + variant.effective_price_modifier))


def best_price(original: Decimal, offers: Iterable[Offer]) -> Price:
    """`original` less the best of `offers` (the most off; ties: the one ending last), never below zero."""
    best: Offer | None = None
    best_off = ZERO
    for offer in offers:
        off = offer.discount(original)
        if off > best_off or (best is not None and off == best_off and offer.ends_at > best.ends_at):
            best, best_off = offer, off
    if best is None:
        return Price(paid=original, original=original)
    return Price(paid=max(ZERO, quantize(original - best_off)), original=original, offer=best)


def price_of(
    *, product: Product, variant: Variant | None = None, at: datetime | None = None, offers: Offers | None = None
) -> Price:
    """What a buyer pays for `product` (or its `variant`) at `at` (now), and why."""
    if offers is None:
        offers = load_offers(
            store_ids=[product.store_id],
            product_ids=[product.pk],
            variant_ids=[variant.pk] if variant is not None else [],
            at=at,
        )
    return best_price(list_price(product=product, variant=variant), offers.covering(product, variant))


def calculate_price(*, product: Product, variant: Variant | None = None, at: datetime | None = None) -> Decimal:
    """The price a buyer pays now (or at `at`): the list price less the best running promotion."""
    return price_of(product=product, variant=variant, at=at).paid


def offers_for_products(products: Iterable[Product], *, at: datetime | None = None, variants=()) -> Offers:
    products = list(products)
    return load_offers(
        store_ids={p.store_id for p in products},
        product_ids={p.pk for p in products},
        variant_ids={v.pk for v in variants},
        at=at,
    )


def attach_prices(products: Iterable[Product], *, at: datetime | None = None) -> None:
    """Price a page of product cards: `product.sale` (a Price) on each, and for a product with
    variants the cheapest live, enabled variant's price as `product.sale` ("From ..."), with
    `product.sale_varies` when its variants' prices differ. Two queries for the page.

    Variants are read grouped by price modifier, not one by one (a card of a product with 200
    variants read 200 rows; a store page of such cards, 4,800): variants of one product with the
    same modifier and no promotion of their own cost the same, so one of each group is priced.
    A variant with a promotion of its own is its own group. Groups come in the order of their
    first variant (position), as the variants did, so a tie on the cheapest keeps the same one."""
    products = [p for p in products if isinstance(p, Product)]
    if not products:
        return
    with_variants = [p.pk for p in products if p.has_variants]
    offers = load_offers(
        store_ids={p.store_id for p in products},
        product_ids={p.pk for p in products},
        variants_of=with_variants,
        at=at,
    )
    variants_by_product = _variant_price_groups(with_variants, offered=set(offers.by_variant))
    for product in products:
        variants = variants_by_product.get(product.pk)
        if product.has_variants and variants:
            prices = [price_of(product=product, variant=v, offers=offers) for v in variants]
            cheapest = min(prices, key=lambda price: (price.paid, -price.discount))
            product.sale = cheapest
            product.sale_varies = len({price.paid for price in prices}) > 1
        else:
            product.sale = price_of(product=product, offers=offers)
            product.sale_varies = False


def _variant_price_groups(product_ids: list[int], *, offered: set[int]) -> dict[int, list[Variant]]:
    """For each product, one unsaved Variant per distinct price among its live, enabled variants:
    its modifier, and its pk when it has a promotion of its own (`offered`), else None. One query."""
    if not product_ids:
        return {}
    groups: dict[int, list[Variant]] = defaultdict(list)
    for row in _PRICE_GROUPS(product_ids=product_ids, offered=offered):
        groups[row["product_id"]].append(
            Variant(pk=row["own_offer"], product_id=row["product_id"], price_modifier=row["modifier"])
        )
    return groups


def _price_groups(*, product_ids: list[int], offered: list[int]) -> QuerySet:
    own = (
        Case(When(pk__in=offered, then=F("pk")), default=None, output_field=IntegerField())
        if offered
        else Value(None, output_field=IntegerField())
    )
    return (
        Variant.objects.filter(product_id__in=product_ids, archived_at__isnull=True, is_enabled=True)
        .annotate(
            modifier=Coalesce("price_modifier", "options_price_modifier", output_field=_MODIFIER),
            own_offer=own,
        )
        .values("product_id", "modifier", "own_offer")
        .annotate(first_position=Min("position"), first_pk=Min("pk"))
        .order_by("first_position", "first_pk")
    )


# Every grid of cards asks it: compiled once per number of ids (core.sql).
_PRICE_GROUPS = PrecompiledIn(_price_groups, product_ids=IDS, offered=IDS)


def price_lines(lines: Iterable, *, at: datetime | None = None) -> datetime:
    """Price cart or checkout lines (anything with `product` and `variant`) at one instant:
    `line.price` (a Price) on each, from one query. Returns the instant used."""
    lines = list(lines)
    at = at or timezone.now()
    offers = load_offers(
        store_ids={line.product.store_id for line in lines},
        product_ids={line.product.pk for line in lines},
        variant_ids={line.variant.pk for line in lines if line.variant is not None},
        at=at,
    )
    for line in lines:
        line.price = price_of(product=line.product, variant=line.variant, offers=offers)
    return at
