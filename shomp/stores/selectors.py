from django.contrib.auth import get_user_model
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Count, Q, QuerySet

from .models import Store


def get_managed_stores(*, user) -> QuerySet[Store]:
    """Stores `user` may manage (see policies.can_manage_store), for the dashboard switcher."""
    if not user.is_authenticated:
        return Store.objects.none()
    return Store.objects.filter(owner=user).order_by("name", "pk")


def search_stores(*, query: str = "") -> QuerySet[Store]:
    """All stores for /stores, with their published product counts, optionally searched."""
    # Products reserved for one buyer (custom orders) are not on public sale: not counted.
    on_sale = Q(products__status="published", products__reserved_for__isnull=True)
    stores = Store.objects.annotate(published_count=Count("products", filter=on_sale)).order_by("name", "pk")
    query = query.strip()
    if not query:
        return stores
    if connection.vendor == "postgresql":
        vector = SearchVector("name", weight="A") + SearchVector("description", weight="B")
        search = SearchQuery(query, search_type="websearch")
        return (
            stores.annotate(rank=SearchRank(vector, search))
            .filter(Q(rank__gt=0) | Q(name__icontains=query))
            .order_by("-rank", "name", "pk")
        )
    return stores.filter(Q(name__icontains=query) | Q(description__icontains=query))


def get_store_managers(*, store: Store) -> QuerySet:
    """The users who may manage `store` (see policies.can_manage_store), e.g. to notify them.

    The owner today; organization roles extend this together with can_manage_store.
    """
    return get_user_model().objects.filter(pk=store.owner_id, is_active=True)


def get_store_by_slug(*, slug: str) -> Store | None:
    # "rating_summary": the reviews app's summary row, joined by name (no import) for the stars.
    return Store.objects.filter(slug=slug.lower()).select_related("rating_summary").first()
