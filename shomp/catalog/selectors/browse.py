"""Browsing the marketplace: search, category and store pages share one listing with sorts and
filters (`browse_products`), the category tree with its counts, and facet counts.

Every listing is one query for the page plus one for the count (and the images' prefetch);
sort keys and filters are annotations and subqueries of that query, so the number of queries
does not grow with the results.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

from django.db.models import Count, F, FloatField, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Cast, Coalesce

from shomp.core.pagecache import site_result
from shomp.core.sql import Precompiled
from shomp.stores.models import Store

from ..models import Category, Product
from ..search import RELEVANCE, search_products
from .products import RATING_SUMMARY, attach_images, published_products, with_on_sale, with_sale_prices
from .variants import ORDER_ITEMS, SOLD_ORDER_STATUSES

SORTS = {
    "relevance": "Relevance",
    "newest": "Newest",
    "price_asc": "Price: low to high",
    "price_desc": "Price: high to low",
    "rating": "Top rated",
    "bestselling": "Best-selling",
}
KINDS = {"physical": "Physical items", "digital": "Digital downloads"}


@dataclass(frozen=True)
class BrowseFilters:
    """What the buyer asked for; anything unset filters nothing.

    On sale: a running promotion covers the product (its store, itself or a live variant).
    Prices (sort and range) are what a buyer pays now, promotions included."""

    query: str = ""
    sort: str = ""
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    kind: str = ""
    in_stock: bool = False
    rating_4: bool = False
    on_sale: bool = False
    store: str = ""  # a store's slug
    category: str = ""  # a category's slug (search page); category pages pass the category itself

    @property
    def effective_sort(self) -> str:
        if self.sort in SORTS and (self.sort != "relevance" or self.query.strip()):
            return self.sort
        return "relevance" if self.query.strip() else "newest"


@cache  # built once (a few milliseconds of the ORM's work); Django copies it into each query
def _units_sold():
    sold = (
        Product.objects.filter(pk=OuterRef("pk"))
        .annotate(
            units=Sum(
                f"{ORDER_ITEMS}__quantity",
                filter=Q(**{f"{ORDER_ITEMS}__order__status__in": SOLD_ORDER_STATUSES}),
            )
        )
        .values("units")[:1]
    )
    return Coalesce(Subquery(sold, output_field=IntegerField()), 0)


def _with_sort_keys(products: QuerySet[Product], filters: BrowseFilters) -> QuerySet[Product]:
    """The annotations this listing's sort and filters read, and only those: the sale price and
    "on sale" are a dozen subqueries, costly to build and to run, and the default listing (newest,
    no filter) needs none of them. Cards never read them (they are priced by services.pricing)."""
    sort = filters.effective_sort
    if sort in ("price_asc", "price_desc") or filters.min_price is not None or filters.max_price is not None:
        products = with_sale_prices(products, on_sale=filters.on_sale)
        # What the card shows: "From $X" for variants, else the price; after promotions.
        products = products.annotate(effective_price=F("sale_price"))
    elif filters.on_sale:
        products = with_on_sale(products)
    if sort == "rating":
        count = f"{RATING_SUMMARY}__count"
        products = products.annotate(
            rating_average=Coalesce(
                Cast(F(f"{RATING_SUMMARY}__rating_sum"), FloatField()) / Cast(F(count), FloatField()),
                0.0,
                output_field=FloatField(),
            ),
            rating_count=Coalesce(F(count), 0),
        )
    return products


ORDERINGS = {
    "relevance": RELEVANCE,
    "newest": ("-published_at", "-pk"),
    "price_asc": ("effective_price", "-published_at", "-pk"),
    "price_desc": ("-effective_price", "-published_at", "-pk"),
    "rating": ("-rating_average", "-rating_count", "-published_at", "-pk"),
    "bestselling": ("-units_sold", "-published_at", "-pk"),
}


def category_and_descendants(category: Category, categories: list[Category]) -> set[int]:
    children: dict[int | None, list[Category]] = {}
    for item in categories:
        children.setdefault(item.parent_id, []).append(item)
    found, todo = set(), [category]
    while todo:
        item = todo.pop()
        if item.pk not in found:
            found.add(item.pk)
            todo.extend(children.get(item.pk, []))
    return found


def _filter(products: QuerySet[Product], filters: BrowseFilters) -> QuerySet[Product]:
    if filters.min_price is not None:
        products = products.filter(effective_price__gte=filters.min_price)
    if filters.max_price is not None:
        products = products.filter(effective_price__lte=filters.max_price)
    if filters.kind in KINDS:
        products = products.filter(kind=filters.kind)
    if filters.in_stock:
        products = products.filter(
            Q(has_variants=False, stock__isnull=True)
            | Q(has_variants=False, stock__gt=0)
            | Q(has_variants=True, variant_in_stock=True)
        )
    if filters.rating_4:
        products = products.filter(
            **{f"{RATING_SUMMARY}__count__gt": 0},
            **{f"{RATING_SUMMARY}__rating_sum__gte": 4 * F(f"{RATING_SUMMARY}__count")},
        )
    if filters.on_sale:
        products = products.filter(on_sale=True)
    if filters.store:
        products = products.filter(store__slug=filters.store)
    return products


def browse_products(*, filters: BrowseFilters, category_ids: set[int] | None = None, store=None) -> QuerySet[Product]:
    """Published products matching the filters (and the query, ranked), in the chosen order."""
    products = published_products()
    if store is not None:
        products = products.filter(store=store)
    if category_ids is not None:
        products = products.filter(category_id__in=category_ids)
    products = search_products(products=products, query=filters.query)
    products = _filter(_with_sort_keys(products, filters), filters)
    sort = filters.effective_sort
    if sort == "bestselling":
        products = products.annotate(units_sold=_units_sold())
    return products.order_by(*ORDERINGS[sort])


def is_default_store_listing(filters: BrowseFilters) -> bool:
    """A store page as most visitors open it: no search, no filter, the default order."""
    return filters == BrowseFilters()


def default_store_listing(*, store, limit: int) -> list[Product]:
    """The first `limit` products of `store`'s page without filters, newest first: what
    `browse_products(filters=BrowseFilters(), store=store)[:limit]` gives, by a query compiled
    once (core.sql), as every visit of a store's page asks it."""
    products = _default_store_listing(limit)(store_id=store.pk)
    attach_images(products)
    return products


def default_store_listing_count(*, store) -> int:
    """How many products `store`'s page lists without filters (compiled once, core.sql)."""
    rows = _DEFAULT_STORE_LISTING_COUNT(store_id=store.pk)
    return rows[0] if rows else 0


def _default_listing(store_id: int) -> QuerySet[Product]:
    return browse_products(filters=BrowseFilters(), store=Store(pk=store_id))


@cache
def _default_store_listing(limit: int) -> Precompiled:
    return Precompiled(lambda store_id: _default_listing(store_id).prefetch_related(None)[:limit], store_id=int)


# Grouped by the store (one group: the listing is one store's), so that it is a queryset.
_DEFAULT_STORE_LISTING_COUNT = Precompiled(
    lambda store_id: (
        _default_listing(store_id).order_by().values("store_id").annotate(n=Count("pk")).values_list("n", flat=True)
    ),
    store_id=int,
)


# Categories ---------------------------------------------------------------------------------


@dataclass
class CategoryNode:
    category: Category
    count: int = 0  # published products in it and below it
    children: list[CategoryNode] = field(default_factory=list)


def category_tree(*, counts: dict[int, int] | None = None) -> list[CategoryNode]:
    """The whole tree (one query), each node with its products' count including its children's."""
    return build_tree(_ALL_CATEGORIES(), counts or {})


_ALL_CATEGORIES = Precompiled(lambda: Category.objects.all())  # every listing page's tree: compiled once


def build_tree(categories: list[Category], counts: dict[int, int]) -> list[CategoryNode]:
    nodes = {category.pk: CategoryNode(category, counts.get(category.pk, 0)) for category in categories}
    roots = []
    for category in categories:  # already in (position, name) order
        node = nodes[category.pk]
        parent = nodes.get(category.parent_id)
        (parent.children if parent else roots).append(node)

    def total(node: CategoryNode) -> int:
        node.count += sum(total(child) for child in node.children)
        return node.count

    for root in roots:
        total(root)
    return roots


def published_counts_by_category() -> dict[int, int]:
    """Published, listed products per category (one query, remembered until the next change of
    any store: core.pagecache.site_result; counting 50,000 products took 0.1 s on PostgreSQL)."""
    return site_result("category-counts", _published_counts_by_category)


def _published_counts_by_category() -> dict[int, int]:
    return {row["category_id"]: row["n"] for row in _PUBLISHED_COUNTS()}


# The same for everyone: compiled once (core.sql).
_PUBLISHED_COUNTS = Precompiled(
    lambda: (
        Product.objects.filter(status=Product.Status.PUBLISHED, reserved_for__isnull=True)
        .values("category_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
)


def counts_by_category(products: QuerySet[Product]) -> dict[int, int]:
    """How many of `products` (a browse listing) fall in each category (one query)."""
    rows = products.order_by().values("category_id").annotate(n=Count("pk", distinct=True))
    return {row["category_id"]: row["n"] for row in rows}


def get_category(*, slug: str) -> tuple[Category | None, list[Category]]:
    """The category with `slug` and the whole list (one query: the tree is small)."""
    categories = _ALL_CATEGORIES()
    return next((c for c in categories if c.slug == slug), None), categories


def leaf_category_choices() -> list[tuple[str, list[tuple[int, str]]]]:
    """The product form's choices: top-level categories as groups of their children (a category
    without children is its own choice)."""
    roots = build_tree(list(Category.objects.all()), {})
    choices: list = []
    for root in roots:
        if root.children:
            choices.append((root.category.name, [(c.category.pk, c.category.name) for c in root.children]))
        else:
            choices.append((root.category.pk, root.category.name))
    return choices


def counts_by_store(products: QuerySet[Product]) -> list[dict]:
    """The stores of `products` with how many each has, most first (one query)."""
    return list(
        products.order_by()
        .values("store__slug", "store__name")
        .annotate(n=Count("pk", distinct=True))
        .order_by("-n", "store__name")[:50]
    )


def find_node(nodes: list[CategoryNode], pk: int) -> CategoryNode | None:
    for node in nodes:
        if node.category.pk == pk:
            return node
        if (found := find_node(node.children, pk)) is not None:
            return found
    return None
