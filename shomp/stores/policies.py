"""Who may do what with a store: the permission door.

`organizations.policies.can(user, store, area)` is the one answer to "may this user do AREA on
this store?" (the organization's role table, areas.py); `selectors.stores_for` is its queryset
twin. Each app asks for its own area (catalog products, orders "orders.view"/"orders",
messaging messages, reviews reviews, follows followers, store settings settings).
`can_manage_store` asks it for every area at once: what "is the store's owner" meant before
organizations (the owner and full admins), still asked for who may not review, vote on or
follow their own store.
"""

from functools import wraps

import rules
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect

from shomp.organizations.areas import EVERY, MEMBER, Role
from shomp.organizations.dashboard import ACTIVE_STORE_SESSION_KEY
from shomp.organizations.policies import can, memberships_for
from shomp.organizations.services import note_activity

from .models import Store

__all__ = [
    "ACTIVE_STORE_SESSION_KEY",
    "access_store_for_management",
    "active_store_required",
    "can",
    "can_manage_store",
]


@rules.predicate
def can_manage_store(user, store: Store | None) -> bool:
    return can(user, store, EVERY)


rules.add_perm("stores.manage_store", can_manage_store)


def access_store_for_management(*, user, store_id: int, area: str = EVERY) -> Store:
    """The store if `user` may do `area` on it; Http404 otherwise (never reveal that it exists)."""
    store = Store.objects.filter(pk=store_id).first()
    if store is None or not can(user, store, area):
        raise Http404("No such store.")
    return store


def active_store_required(view=None, *, area: str = EVERY, store_of=None, store_optional: bool = False):
    """The door to every /dashboard page: sets `request.store` to the user's active store.

    The active store is the one picked in the store switcher (kept in the session) if the user
    may still do `area` on it, else their first such store. `request.managed_stores` are the
    stores allowing `area`; `request.switchable_stores` every store of the user's teams, by
    organization (the switcher's list). A user with no such store goes to
    their organization's members page if they belong to a team, else to create a store.
    Use bare (`@active_store_required`: every area) or with an area.

    `store_of(**url_kwargs)` names the store a page's object belongs to (the product of a variant
    manager, an order): opening such a page of another of the user's stores allowing `area` (a
    link from an email, a notification or another tab) makes that store the active one, with a
    notice, instead of a 404 (asked only once the active store answered 404). A store the user
    isn't on keeps the 404.

    `store_optional` (the organization pages): a user with no store to work on still gets the
    page, with `request.store` None, so an organization without stores can be managed, deleted
    or left.
    """
    if view is None:
        return lambda view: active_store_required(view, area=area, store_of=store_of, store_optional=store_optional)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        from .selectors import team_stores as team_stores_of

        # Every store of the user's teams (the switcher lists them all, by organization), then
        # those allowing `area`, asked of the door's cached memberships: no query per store.
        # Each with when the user was last active in its organization (the same query), so
        # noting activity below costs no query on most requests.
        team_stores = team_stores_of(user=request.user)
        stores = [s for s in team_stores if can(request.user, s, area)]
        if not stores and store_optional:
            request.store = None
            request.managed_stores = []
            request.switchable_stores = []
            return view(request, *args, **kwargs)
        if not stores:
            if area != MEMBER and (team_stores or _in_a_team(request.user)):
                # A member whose role doesn't include this page (or no longer does: a role
                # lowered while their dashboard was open) is told so on their team's page.
                messages.info(request, "Your role doesn't include that page.")
                return redirect("organizations:members")
            return redirect("stores:create")
        wanted = request.session.get(ACTIVE_STORE_SESSION_KEY)
        store = next((s for s in stores if s.pk == wanted), stores[0])
        note_activity(
            user=request.user, organization_id=store.organization_id, last_active_at=store.member_last_active_at
        )
        request.store = store
        request.managed_stores = stores
        request.switchable_stores = sorted(
            team_stores, key=lambda s: (s.organization.name.casefold(), s.organization_id, s.name.casefold(), s.pk)
        )
        if store_of is None or request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        try:
            return view(request, *args, **kwargs)
        except Http404:
            # Asked only after the active store's 404: the common case pays no query.
            owner_id = store_of(**kwargs)
            other = next((s for s in stores if s.pk == owner_id), None) if owner_id != store.pk else None
            if other is None:
                raise
            return switch_to(request, other)

    return wrapper


def _in_a_team(user) -> bool:
    """Is `user` a member (not the owner) of some team, though it has no store for them now?
    Asked only when the door found no store: their team's page is where they can leave it."""
    return any(grant.role != Role.OWNER for grant in memberships_for(user).values())


def switch_to(request, store: Store, *, next_url: str | None = None):
    """Make `store` the active one, say so, and go on to `next_url` (the page asked for)."""
    request.session[ACTIVE_STORE_SESSION_KEY] = store.pk
    messages.info(request, f"Now managing {store.name}.")
    return redirect(next_url or request.get_full_path())


def access_organization_store(*, user, organization_id: int, store_id: int) -> Store:
    """A store of the organization `organization_id` that `user` works on; Http404 otherwise."""
    store = Store.objects.filter(pk=store_id, organization_id=organization_id).first()
    if store is None or not can(user, store, MEMBER):
        raise Http404("No such store.")
    return store
