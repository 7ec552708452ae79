"""The marketplace home page: categories with counts, popular and new products, stores to follow.

The same for every visitor (the page can be cached for everyone): nothing here reads the user.
Each section is one or two queries whatever the size of the marketplace. Which products are
popular and which stores to follow are remembered until the next change of any store
(core.pagecache.site_result): at 50,000 products choosing them took 0.5 to 1 s on PostgreSQL,
and logged-in visitors (never served the cached page) paid it on every visit. Only the choice
and the counts are remembered; the products and stores, their prices and stock, are read fresh.
"""

from __future__ import annotations

from functools import cache

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from shomp.core.pagecache import site_result
from shomp.core.sql import IDS, Precompiled, PrecompiledIn
from shomp.stores.models import Store

from ..models import Product
from ..services.pricing import attach_prices
from .browse import CategoryNode, category_tree, published_counts_by_category
from .products import RATING_SUMMARY, attach_images, published_products
from .variants import ORDER_ITEMS, SOLD_ORDER_STATUSES

# The follows app's relation from a store to its followers, by name: the catalog sits below
# follows and never imports its code (as RATING_SUMMARY for reviews).
STORE_FOLLOWS = "follows"

HOME_PRODUCTS = 8
HOME_STORES = 6


def home_categories() -> list[CategoryNode]:
    """The top-level categories that have something for sale, each with its count (its
    children's included), in the tree's order. Two queries."""
    return [node for node in category_tree(counts=published_counts_by_category()) if node.count]


def popular_products(*, limit: int = HOME_PRODUCTS, prefetch: bool = True) -> list[Product]:
    """What sells: the most units sold (paid orders and later), then the most reviewed, then the
    newest. Products nobody bought or reviewed yet are not "popular". The choice is remembered
    (site_result): then one query reads those products, in that order.

    Read from the sold order lines and the rating summaries, never by counting every product's
    sales (a subquery per published product took 0.85 s at 50,000 products): the sold ones
    first, then, if they are fewer than `limit`, the most reviewed of those never sold. One
    query, or two (each with its images' query when `prefetch`)."""
    return _remembered(f"home:popular:{limit}", lambda: _popular_products(limit, prefetch), prefetch)


def _remembered(name: str, choose, prefetch: bool) -> list[Product]:
    """`choose()`'s products, whose ids are remembered under `name` (site_result): on a miss what
    it chose, else the published products with those ids, in the remembered order. One query
    either way."""
    chosen: list[Product] | None = None

    def ids() -> list[int]:
        nonlocal chosen
        chosen = choose()
        return [product.pk for product in chosen]

    remembered = site_result(name, ids)
    if chosen is not None:
        return chosen
    if not remembered:
        return []
    by_pk = {product.pk: product for product in _BY_IDS[prefetch](ids=remembered)}
    return [by_pk[pk] for pk in remembered if pk in by_pk]


def _products(prefetch: bool) -> QuerySet[Product]:
    return published_products() if prefetch else published_products().prefetch_related(None)


# The home page's queries are the same for every visitor, or differ in ids only: compiled once
# (core.sql), as building them cost more than running them.
_BY_IDS = {
    prefetch: PrecompiledIn(lambda ids, prefetch=prefetch: _products(prefetch).filter(pk__in=ids), ids=IDS)
    for prefetch in (True, False)
}
_REVIEW_COUNT = Coalesce(f"{RATING_SUMMARY}__count", 0)
_MOST_REVIEWED = (f"-{RATING_SUMMARY}__count", "-published_at", "-pk")


@cache
def _most_sold(limit: int, prefetch: bool) -> Precompiled:
    # filter() before annotate(): the sum counts only the sold lines the filter joined.
    return Precompiled(
        lambda: (
            _products(prefetch)
            .filter(**{f"{ORDER_ITEMS}__order__status__in": SOLD_ORDER_STATUSES})
            .annotate(units_sold=Sum(f"{ORDER_ITEMS}__quantity"), review_count=_REVIEW_COUNT)
            .order_by("-units_sold", "-review_count", "-published_at", "-pk")[:limit]
        )
    )


@cache
def _most_reviewed_never_sold(limit: int, prefetch: bool) -> Precompiled:
    ever_sold = Product.objects.filter(pk=OuterRef("pk"), **{f"{ORDER_ITEMS}__order__status__in": SOLD_ORDER_STATUSES})
    # Chosen by a narrow subquery (ids only), then read in full: sorting 50,000 whole rows
    # (store and rating summary joined) took most of 0.9 s on PostgreSQL.
    top = (
        Product.objects.filter(status=Product.Status.PUBLISHED, reserved_for__isnull=True)
        .filter(**{f"{RATING_SUMMARY}__count__gt": 0})
        .filter(~Exists(ever_sold))
        .order_by(*_MOST_REVIEWED)
        .values("pk")[:limit]
    )
    return Precompiled(
        lambda: _products(prefetch).filter(pk__in=top).annotate(review_count=_REVIEW_COUNT).order_by(*_MOST_REVIEWED)
    )


def _popular_products(limit: int, prefetch: bool) -> list[Product]:
    sold = _most_sold(limit, prefetch)()
    if len(sold) == limit:
        return sold
    return sold + _most_reviewed_never_sold(limit - len(sold), prefetch)()


@cache
def _newest(limit: int) -> Precompiled:
    return Precompiled(lambda: _products(False).order_by("-published_at", "-pk")[:limit])


def new_products(*, limit: int = HOME_PRODUCTS) -> list[Product]:
    """The newest products on sale. Two queries."""
    return list(published_products().order_by("-published_at", "-pk")[:limit])


def home_products(*, limit: int = HOME_PRODUCTS) -> tuple[list[Product], list[Product]]:
    """The popular and the new products, their images and their prices (services.pricing) loaded
    for both grids at once: five queries (six while fewer than `limit` products ever sold)."""
    popular = popular_products(limit=limit, prefetch=False)
    new = _newest(limit)()
    attach_images([*popular, *new])
    attach_prices([*popular, *new])
    return popular, new


def stores_to_follow(*, limit: int = HOME_STORES) -> list[Store]:
    """Stores with something on sale, the most followed first (then the fullest), each with
    `published_count` and `follower_count`. One query: the choice and the counts are remembered
    (site_result), the stores read by id."""
    chosen: list[Store] | None = None

    def rows() -> list[tuple[int, int, int]]:
        nonlocal chosen
        chosen = _stores_to_follow_first(limit)()
        return [(store.pk, store.published_count, store.follower_count) for store in chosen]

    remembered = site_result(f"home:stores:{limit}", rows)
    if chosen is not None:
        return chosen
    by_pk = Store.objects.in_bulk([pk for pk, _, _ in remembered])
    stores = []
    for pk, published_count, follower_count in remembered:
        if (store := by_pk.get(pk)) is not None:
            store.published_count, store.follower_count = published_count, follower_count
            stores.append(store)
    return stores


@cache  # the same query for every visitor: compiled once (core.sql)
def _stores_to_follow_first(limit: int) -> Precompiled:
    return Precompiled(lambda: _stores_to_follow()[:limit])


def _stores_to_follow() -> QuerySet[Store]:
    # Counted in one pass over the products (a join), not by a subquery per store, which
    # PostgreSQL ran twice (the filter and the column): 1,000 stores, 0.45 s.
    on_sale = Q(products__status=Product.Status.PUBLISHED, products__reserved_for__isnull=True)
    followers = Store.objects.filter(pk=OuterRef("pk")).annotate(n=Count(STORE_FOLLOWS)).order_by().values("n")[:1]
    return (
        Store.objects.annotate(
            published_count=Count("products", filter=on_sale),
            # Bare, not in Coalesce (it always has a row: the store's own): Django then groups by
            # the store's id alone, and PostgreSQL runs it once per store, not once per product.
            follower_count=Subquery(followers, output_field=IntegerField()),
        )
        .filter(published_count__gt=0)
        .order_by("-follower_count", "-published_count", "name", "pk")
    )
