"""The marketplace home page: categories with counts, popular and new products, stores to follow.

The same for every visitor (the page can be cached for everyone): nothing here reads the user.
Each section is one or two queries whatever the size of the marketplace.
"""

from __future__ import annotations

from functools import cache

from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery, Sum, prefetch_related_objects
from django.db.models.functions import Coalesce

from shomp.stores.models import Store

from ..models import Product
from ..services.pricing import attach_prices
from .browse import CategoryNode, category_tree, published_counts_by_category
from .products import FIRST_IMAGES, RATING_SUMMARY, published_products
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
    newest. Products nobody bought or reviewed yet are not "popular".

    Read from the sold order lines and the rating summaries, never by counting every product's
    sales (a subquery per published product took 0.85 s at 50,000 products): the sold ones
    first, then, if they are fewer than `limit`, the most reviewed of those never sold. One
    query, or two (each with its images' query when `prefetch`)."""
    products = published_products() if prefetch else published_products().prefetch_related(None)
    review_count = Coalesce(f"{RATING_SUMMARY}__count", 0)
    # filter() before annotate(): the sum counts only the sold lines the filter joined.
    sold = list(
        products.filter(**{f"{ORDER_ITEMS}__order__status__in": SOLD_ORDER_STATUSES})
        .annotate(units_sold=Sum(f"{ORDER_ITEMS}__quantity"), review_count=review_count)
        .order_by("-units_sold", "-review_count", "-published_at", "-pk")[:limit]
    )
    if len(sold) == limit:
        return sold
    ever_sold = Product.objects.filter(pk=OuterRef("pk"), **{f"{ORDER_ITEMS}__order__status__in": SOLD_ORDER_STATUSES})
    reviewed = (
        products.annotate(review_count=review_count)
        .filter(review_count__gt=0)
        .filter(~Exists(ever_sold))
        .order_by("-review_count", "-published_at", "-pk")[: limit - len(sold)]
    )
    return sold + list(reviewed)


def new_products(*, limit: int = HOME_PRODUCTS) -> list[Product]:
    """The newest products on sale. Two queries."""
    return list(published_products().order_by("-published_at", "-pk")[:limit])


def home_products(*, limit: int = HOME_PRODUCTS) -> tuple[list[Product], list[Product]]:
    """The popular and the new products, their images and their prices (services.pricing) loaded
    for both grids at once: five queries (six while fewer than `limit` products ever sold)."""
    popular = popular_products(limit=limit, prefetch=False)
    new = list(published_products().prefetch_related(None).order_by("-published_at", "-pk")[:limit])
    prefetch_related_objects([*popular, *new], FIRST_IMAGES)
    attach_prices([*popular, *new])
    return popular, new


def stores_to_follow(*, limit: int = HOME_STORES) -> QuerySet[Store]:
    """Stores with something on sale, the most followed first (then the fullest). One query."""
    return _stores_to_follow()[:limit]  # slicing clones: the cached queryset is never evaluated


@cache  # the same query for every visitor: built once, cloned for each request
def _stores_to_follow() -> QuerySet[Store]:
    on_sale = Product.objects.filter(store=OuterRef("pk"), status=Product.Status.PUBLISHED, reserved_for__isnull=True)
    counted = on_sale.order_by().values("store").annotate(n=Count("pk")).values("n")
    followers = Store.objects.filter(pk=OuterRef("pk")).annotate(n=Count(STORE_FOLLOWS)).order_by().values("n")[:1]
    return (
        Store.objects.annotate(
            published_count=Coalesce(Subquery(counted, output_field=IntegerField()), 0),
            follower_count=Coalesce(Subquery(followers, output_field=IntegerField()), 0),
        )
        .filter(published_count__gt=0)
        .order_by("-follower_count", "-published_count", "name", "pk")
    )
