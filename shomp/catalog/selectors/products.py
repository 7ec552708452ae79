from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Prefetch, Q, QuerySet

from ..models import Product, ProductImage
from ..policies import can_view_product

# Must stay the expression of the GIN index in migrations/0002_product_search_index.py.
PRODUCT_SEARCH_VECTOR = SearchVector("title", weight="A", config="english") + SearchVector(
    "description", weight="B", config="english"
)

# The reviews app's summary row (stars and count on cards and product pages), joined by the
# relation's name: a string, not an import, so the catalog never depends on reviews' code.
RATING_SUMMARY = "rating_summary"

_FIRST_IMAGES = Prefetch("images", queryset=ProductImage.objects.order_by("position", "pk"))


def published_products() -> QuerySet[Product]:
    """Products on public sale: published and not reserved for one buyer (custom orders)."""
    return (
        Product.objects.filter(status=Product.Status.PUBLISHED, reserved_for__isnull=True)
        .select_related("store", RATING_SUMMARY)
        .prefetch_related(_FIRST_IMAGES)
    )


def latest_products(*, limit: int = 12) -> list[Product]:
    return list(published_products().order_by("-published_at", "-pk")[:limit])


def store_published_products(*, store) -> QuerySet[Product]:
    return published_products().filter(store=store).order_by("-published_at", "-pk")


def search_products(*, query: str) -> QuerySet[Product]:
    """Published products matching `query` in title or description.

    PostgreSQL: full-text search (websearch syntax, title weighted above description, ranked).
    SQLite (the embedded default): case-insensitive containment of every word.
    """
    products = published_products()
    query = (query or "").strip()
    if not query:
        return products.order_by("-published_at", "-pk")
    if connection.vendor == "postgresql":
        search = SearchQuery(query, search_type="websearch", config="english")
        return (
            products.annotate(document=PRODUCT_SEARCH_VECTOR, rank=SearchRank(PRODUCT_SEARCH_VECTOR, search))
            .filter(document=search)  # `document @@ query`, served by the GIN index of migration 0002
            .order_by("-rank", "-published_at", "-pk")
        )
    condition = Q()
    for word in query.split()[:10]:
        condition &= Q(title__icontains=word) | Q(description__icontains=word)
    return products.filter(condition).order_by("-published_at", "-pk")


def get_visible_product(*, user, store, product_ref: str) -> Product | None:
    """The product at /<store>/products/<ref>, by slug or numeric id, if `user` may see it.

    Drafts and archived products are only for the store's managers; a product reserved for one
    buyer only for that buyer and the store (policies.can_view_product decides)."""
    products = (
        Product.objects.filter(store=store).select_related("store", RATING_SUMMARY).prefetch_related(_FIRST_IMAGES)
    )
    product = products.filter(slug=product_ref).first()
    if product is None and product_ref.isdigit():
        product = products.filter(pk=int(product_ref)).first()
    if product is None:
        return None
    if not can_view_product(user, product):
        return None
    return product


def dashboard_products(*, store, status: str = "", query: str = "") -> QuerySet[Product]:
    products = Product.objects.filter(store=store).prefetch_related(_FIRST_IMAGES).order_by("-updated_at", "-pk")
    if status in Product.Status.values:
        products = products.filter(status=status)
    if query:
        products = products.filter(title__icontains=query.strip())
    return products
