from decimal import Decimal
from functools import cache

from django.db.models import (
    BooleanField,
    Case,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Round
from django.utils import timezone

from shomp.core.params import parse_id
from shomp.core.sql import IDS, Precompiled, PrecompiledIn, set_prefetched

from ..models import ImageStatus, Product, ProductImage, Promotion, PromotionTarget, Variant
from ..policies import can_view_product
from ..services.pricing import attach_prices, running_condition
from .variants import with_variant_stock

# The reviews app's summary row (stars and count on cards and product pages), joined by the
# relation's name: a string, not an import, so the catalog never depends on reviews' code.
RATING_SUMMARY = "rating_summary"

_MONEY = DecimalField(max_digits=12, decimal_places=2)
# Shown images only: one still processing (or refused) by the worker has no picture yet.
FIRST_IMAGES = Prefetch(
    "images", queryset=ProductImage.objects.filter(status=ImageStatus.READY).order_by("position", "pk")
)


def _with_variant_stock_flag(products: QuerySet[Product]) -> QuerySet[Product]:
    """`variant_in_stock`: whether any live, enabled variant can be bought (a subquery of the
    listing's one query), for the cards' "Sold out" and the in-stock filter. Null-safe for
    products without variants (False, never read for them). Cards take their prices from
    services.pricing ({% priced %}), so no price is annotated here.

    The product's own flags (untracked inventory, digital) are read from the outer row, not by
    joining the product again inside the subquery: with that join PostgreSQL hashed the whole
    subquery (every variant joined to every product, 130-200 ms at 50,000 products) even for a
    page of eight; now it probes the variant index per row of the page."""
    live = Variant.objects.filter(product=OuterRef("pk"), archived_at__isnull=True, is_enabled=True)
    never_out = Q(track_inventory=False) | Q(kind=Product.Kind.DIGITAL)
    return products.annotate(
        variant_in_stock=Case(
            When(never_out, then=Exists(live)),
            default=Exists(live.filter(inventory_count__gt=0)),
            output_field=BooleanField(),
        )
    )


def _best_discount(price, *, store, product, variant=None, at):
    """The most any running promotion covering the item takes off `price` (SQL, null when none):
    the SQL twin of services.pricing.best_price, for sorting and filtering listings."""
    covers = Q(store_id=store) | Q(product_id=product)
    if variant is not None:
        covers |= Q(variant_id=variant)
    off = Case(
        When(
            promotion__kind=Promotion.Kind.PERCENT,
            then=Round(price * F("promotion__amount") / Value(Decimal("100")), 2),
        ),
        default=F("promotion__amount"),
        output_field=_MONEY,
    )
    best = (
        PromotionTarget.objects.filter(covers)
        .filter(running_condition(at))
        .annotate(off=off)
        .order_by("-off")
        .values("off")[:1]
    )
    return Subquery(best, output_field=_MONEY)


def with_sale_prices(products: QuerySet[Product], *, at=None, on_sale: bool = True) -> QuerySet[Product]:
    """`sale_price`: what the card's price is after promotions (the cheapest live variant's for
    products with variants), and `on_sale`: a running promotion covers the store, the product or
    one of its live variants (unless `on_sale` is False). For sorting and filtering; cards show
    services.pricing's answer."""
    at = at or timezone.now()
    base_sale = Greatest(
        Value(Decimal("0.00")),
        F("price")
        - Coalesce(_best_discount(OuterRef("price"), store=OuterRef("store_id"), product=OuterRef("pk"), at=at), 0),
        output_field=_MONEY,
    )
    live = Variant.objects.filter(product=OuterRef("pk"), archived_at__isnull=True, is_enabled=True)
    variant_price = Greatest(
        Value(Decimal("0.00")),
        OuterRef("price") + Coalesce("price_modifier", "options_price_modifier"),
        output_field=_MONEY,
    )
    variant_sales = live.annotate(variant_price=variant_price).annotate(
        sale=Greatest(
            Value(Decimal("0.00")),
            F("variant_price")
            - Coalesce(
                _best_discount(
                    OuterRef("variant_price"),
                    store=OuterRef("store_id"),
                    product=OuterRef("product_id"),
                    variant=OuterRef("pk"),
                    at=at,
                ),
                0,
            ),
            output_field=_MONEY,
        )
    )
    cheapest_variant = Subquery(variant_sales.order_by("sale").values("sale")[:1], output_field=_MONEY)
    products = products.annotate(
        sale_price=Case(When(has_variants=True, then=Coalesce(cheapest_variant, base_sale)), default=base_sale)
    )
    return with_on_sale(products, at=at) if on_sale else products


def with_on_sale(products: QuerySet[Product], *, at=None) -> QuerySet[Product]:
    """`on_sale`: a running promotion covers the store, the product or one of its live variants."""
    at = at or timezone.now()
    running = PromotionTarget.objects.filter(running_condition(at)).filter(
        Q(store_id=OuterRef("store_id"))
        | Q(product_id=OuterRef("pk"))
        | Q(variant__product_id=OuterRef("pk"), variant__archived_at__isnull=True, variant__is_enabled=True)
    )
    return products.annotate(on_sale=Exists(running))


def published_products() -> QuerySet[Product]:
    """Products on public sale: published and not reserved for one buyer (custom orders)."""
    return _published_products().all()  # a fresh clone: the cached queryset is never evaluated


@cache  # the same for every request: built once (its subquery is costly to build), cloned for each
def _published_products() -> QuerySet[Product]:
    return _with_variant_stock_flag(
        Product.objects.filter(status=Product.Status.PUBLISHED, reserved_for__isnull=True)
        .select_related("store", RATING_SUMMARY)
        .prefetch_related(FIRST_IMAGES)
    )


def latest_products(*, limit: int = 12) -> list[Product]:
    return list(published_products().order_by("-published_at", "-pk")[:limit])


def store_published_products(*, store) -> QuerySet[Product]:
    return published_products().filter(store=store).order_by("-published_at", "-pk")


def search_products(*, query: str) -> QuerySet[Product]:
    """Published products matching `query`, best first (catalog.search: FTS5 on SQLite,
    full-text search on PostgreSQL, the same results); every product, newest first, without one."""
    from ..search import RELEVANCE
    from ..search import search_products as search

    products = search(products=published_products(), query=query)
    return products.order_by(*RELEVANCE)


def _product_page_products(*, store_id: int) -> QuerySet[Product]:
    return (
        Product.objects.filter(store_id=store_id)
        .select_related("store", RATING_SUMMARY)
        .prefetch_related(FIRST_IMAGES)
        .order_by("pk")
    )


# The product page's product, by its address: compiled once (core.sql), as every view of a
# product asks it.
_PRODUCT_BY_SLUG = Precompiled(
    lambda store_id, slug: _product_page_products(store_id=store_id).prefetch_related(None).filter(slug=slug)[:1],
    store_id=int,
    slug=str,
)


def attach_images(products: list[Product]) -> None:
    """What `prefetch_related(FIRST_IMAGES)` leaves on `products` (their shown images, in order,
    for `product.images.all()` and `product.cover`), by one query compiled once per number of
    products (core.sql): the prefetch built its queryset anew for every page of cards."""
    if not products:
        return
    by_product: dict[int, list[ProductImage]] = {product.pk: [] for product in products}
    for image in _SHOWN_IMAGES(product_ids=list(by_product)):
        by_product[image.product_id].append(image)
    for product in products:
        for image in by_product[product.pk]:
            image.product = product  # as the prefetch would: no query to go back to it
        set_prefetched(product, "images", by_product[product.pk])


_SHOWN_IMAGES = PrecompiledIn(
    lambda product_ids: FIRST_IMAGES.queryset.filter(product_id__in=product_ids), product_ids=IDS
)


def get_visible_product(*, user, store, product_ref: str) -> Product | None:
    """The product at /<store>/products/<ref>, by slug or numeric id, if `user` may see it.

    Drafts and archived products are only for the store's managers; a product reserved for one
    buyer only for that buyer and the store (policies.can_view_product decides)."""
    found = _PRODUCT_BY_SLUG(store_id=store.pk, slug=product_ref)
    product = found[0] if found else None
    if product is None and (product_id := parse_id(product_ref)) is not None:
        product = _product_page_products(store_id=store.pk).filter(pk=product_id).first()
    if product is None or not can_view_product(user, product):
        return None
    if found:  # the compiled read leaves the images to one query (the id path prefetched them)
        attach_images([product])
    if not product.has_variants:  # with variants, the option picker prices the choice
        attach_prices([product])  # product.sale: what a buyer pays now (promotions included)
    return product


def dashboard_products(*, store, status: str = "", query: str = "") -> QuerySet[Product]:
    """The seller's products; those with variants carry their summed variant stock and how many
    variants are low or out (variants.with_variant_stock: subqueries, no extra query)."""
    products = with_variant_stock(
        Product.objects.filter(store=store).prefetch_related(FIRST_IMAGES).order_by("-updated_at", "-pk")
    )
    if status in Product.Status.values:
        products = products.filter(status=status)
    if query:
        products = products.filter(title__icontains=query.strip())
    return products
