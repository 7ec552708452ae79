from django.contrib.auth import get_user_model
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL

from shomp.core.sql import Precompiled
from shomp.organizations import selectors as organization_selectors
from shomp.organizations.areas import EVERY, MEMBER, Role
from shomp.organizations.models import Organization
from shomp.organizations.selectors import store_condition, user_condition

from .models import Store


def stores_for(*, user, area: str) -> QuerySet[Store]:
    """The stores `user` may do `area` on: the queryset twin of policies.can, in one query."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.pk is None:
        return Store.objects.none()
    return Store.objects.filter(pk__in=_door_subquery(user_id=user.pk, area=area)).order_by("name", "pk")


#: The door's `SELECT id FROM stores WHERE store_condition(user, area)`, one per area.
_door_queries: dict[str, Precompiled] = {}


def _door_subquery(*, user_id: int, area: str) -> RawSQL:
    """The door's condition as a subquery, compiled once per area (core.sql): building and
    compiling it (memberships by role and added or removed areas, store limits) was a few
    milliseconds of every page that asks the door (the inbox, every dashboard page)."""
    query = _door_queries.get(area)
    if query is None:
        query = _door_queries[area] = Precompiled(
            lambda user_id: Store.objects.filter(store_condition(user=user_id, area=area)).values("pk"), user_id=int
        )
    return RawSQL(*query.sql(user_id=user_id))  # noqa: S611 (the ORM's SQL; the id is a parameter)


def team_stores(*, user) -> list[Store]:
    """Every store of `user`'s teams (stores_for MEMBER) with their organization, and when the
    user was last active in it (`member_last_active_at`): the dashboard door's query, on every
    dashboard page, its SQL compiled once (core.sql)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.pk is None:
        return []
    return _TEAM_STORES(user_id=user.pk)


def _team_stores(user_id: int) -> QuerySet[Store]:
    return (
        Store.objects.filter(pk__in=_door_subquery(user_id=user_id, area=MEMBER))
        .order_by("name", "pk")
        .select_related("organization")
        .annotate(member_last_active_at=organization_selectors.last_active_of(user=get_user_model()(pk=user_id)))
    )


_TEAM_STORES = Precompiled(_team_stores, user_id=int)


def get_managed_stores(*, user) -> QuerySet[Store]:
    """Stores `user` may manage (every area; see policies.can_manage_store)."""
    return stores_for(user=user, area=EVERY)


def search_stores(*, query: str = "") -> QuerySet[Store]:
    """All stores for /stores, with their published product counts, optionally searched.

    The count is a subquery per store, so PostgreSQL counts only the stores of the page shown,
    and the paginator's count (which drops it) is a plain count of stores: counted by a join
    and grouped, every store's products were counted twice, for the page and for the total
    (0.25 s at 1,000 stores and 50,000 products)."""
    # Products reserved for one buyer (custom orders) are not on public sale: not counted.
    on_sale = Q(products__status="published", products__reserved_for__isnull=True)
    counted = Store.objects.filter(pk=OuterRef("pk")).annotate(n=Count("products", filter=on_sale)).values("n")[:1]
    stores = Store.objects.annotate(published_count=Subquery(counted, output_field=IntegerField())).order_by(
        "name", "pk"
    )
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
    """The users who may manage `store` (see policies.can_manage_store), e.g. to notify them."""
    return users_for(store=store, area=EVERY)


def users_for(*, store: Store, area: str) -> QuerySet:
    """The active users who may do `area` on `store` (policies.can in SQL, one query)."""
    return get_user_model().objects.filter(user_condition(store=store, area=area))


def get_store_by_slug(*, slug: str) -> Store | None:
    """The store at /<slug>/ (any case), with its rating summary: every storefront page asks it,
    so its query is compiled once (core.sql)."""
    found = _STORE_BY_SLUG(slug=slug.lower())
    return found[0] if found else None


# "rating_summary": the reviews app's summary row, joined by name (no import) for the stars.
_STORE_BY_SLUG = Precompiled(
    lambda slug: Store.objects.filter(slug=slug).select_related("rating_summary").order_by("pk")[:1], slug=str
)


def get_movable_stores(*, user, into: Organization) -> QuerySet[Store]:
    """The stores `user` could move into `into`: those of the other organizations they own."""
    if not getattr(user, "is_authenticated", False) or user.pk is None:
        return Store.objects.none()
    return (
        Store.objects.filter(organization__owner=user)
        .exclude(organization=into)
        .select_related("organization")
        .only("pk", "name", "slug", "organization__id", "organization__name")
        .order_by("organization__name", "organization_id", "name", "pk")
    )


def get_team_by_store(*, organization: Organization, store_ids) -> tuple[list, dict[int, list]]:
    """Who works on the organization's stores: the members on every store (owner first, then by
    role and username), and for each of `store_ids` the members limited to some stores who have
    it. Two queries, however many stores and members."""
    members = list(organization_selectors.get_members(organization=organization))
    order = {role: n for n, role in enumerate(Role.values)}
    members.sort(key=lambda m: (order.get(m.role, 99), m.user.username.casefold()))
    everywhere = [m for m in members if m.all_stores]
    limited: dict[int, list] = {pk: [] for pk in store_ids}
    for membership in members:
        if membership.all_stores:
            continue
        for store in membership.stores.all():  # prefetched
            if store.pk in limited:
                limited[store.pk].append(membership)
    return everywhere, limited


def get_organization_stores(*, organization: Organization) -> QuerySet[Store]:
    """The organization's stores by name, for its Stores page."""
    return Store.objects.filter(organization=organization).order_by("name", "pk")


def get_own_organization(*, user) -> Organization | None:
    return organization_selectors.get_own_organization(user=user)
