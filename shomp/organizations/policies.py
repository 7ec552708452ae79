"""The permission door: may this user do AREA on this store?

`can(user, store, area)` is the one yes/no answer (stores.policies.can_manage_store and every
dashboard door ask it); `stores.selectors.stores_for(user=, area=)` is its queryset twin. Both
read the role table in `areas.py`.

`can` costs no query per check: the user's memberships (role, overrides, store limits) are read
with one query the first time they are needed and kept on the user object, which lives for one
request (Django loads the user anew for each request). So removing a member or lowering a role
takes effect on their very next request.

A WebSocket (core/consumers.py) keeps its user object, and so these answers, between pushes. It
re-reads the user from the session and re-asks every topic's door in two cases only: when a
`realtime.revoke_access` notice arrives (every service here that changes or ends a membership
sends one after its commit, so the next push is already refused), and before forwarding a push
once its answers are over `realtime.RECHECK_SECONDS` (30 s) old. A membership changed without the
services (raw SQL, a shell) therefore stops reaching a socket within 30 s, not at once.
Code that keeps a user object longer and changes memberships in between calls
`forget_memberships(user)`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.http import Http404

from shomp.core.sql import Precompiled

from .areas import ALL_AREAS, EVERY, MEMBER, Area, Role, effective_areas, parse_areas
from .models import Invitation, Membership, Organization

_CACHE_ATTRIBUTE = "_shomp_memberships"


@dataclass(frozen=True)
class Grant:
    """One membership, as the door needs it."""

    membership_id: int
    organization_id: int
    role: str
    areas: frozenset[str]
    store_ids: frozenset[int] | None  # None: every store of the organization, now and later

    def covers(self, store_id: int) -> bool:
        return self.store_ids is None or store_id in self.store_ids

    def allows(self, area: str) -> bool:
        if area == MEMBER:
            return True
        if area == EVERY:
            return self.areas >= ALL_AREAS
        return area in self.areas


def _active(user) -> bool:
    # An unsaved user (pk None) belongs to nothing.
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.pk is not None)


# The ORM's SQL, compiled once; its one parameter is the user's id.
_on_any_team = Precompiled(
    lambda user_id: Membership.objects.filter(user_id=user_id).order_by().values_list("pk")[:1], user_id=int
)


def on_any_team(user) -> bool:
    """Is the user a member of any organization? Asked on every hit of a shared store page by a
    logged-in visitor (apps.py), so cheaper than `memberships_for`: the memberships it already
    read, else one precompiled `SELECT 1 ... LIMIT 1` (core.sql: no ORM query to build per
    request). Fresh on every request, like the door: joining or leaving a team counts from the
    next request."""
    if not _active(user):
        return False
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return bool(cached)
    with connection.cursor() as cursor:
        cursor.execute(*_on_any_team.sql(user_id=user.pk))
        return cursor.fetchone() is not None


# One row per membership and limited store (a LEFT JOIN on the store limits). Compiled once:
# every signed-in page of a store with a team asks it.
_memberships = Precompiled(
    lambda user_id: Membership.objects.filter(user_id=user_id).values_list(
        "pk", "organization_id", "role", "added_areas", "removed_areas", "all_stores", "stores__id"
    ),
    user_id=int,
)


def memberships_for(user) -> dict[int, Grant]:
    """The user's memberships by organization id: one query, then kept on the user object."""
    if not _active(user) or user.pk is None:  # an unsaved user (UserFactory.build()) has none
        return {}
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    rows = _memberships(user_id=user.pk)
    found: dict[int, tuple] = {}
    limits: dict[int, set[int]] = {}
    for pk, organization_id, role, added, removed, all_stores, store_id in rows:
        found[organization_id] = (pk, role, added, removed)
        if not all_stores:
            limits.setdefault(organization_id, set())
            if store_id is not None:
                limits[organization_id].add(store_id)
    grants = {
        organization_id: Grant(
            membership_id=pk,
            organization_id=organization_id,
            role=role,
            areas=effective_areas(role, parse_areas(added), parse_areas(removed)),
            store_ids=frozenset(limits[organization_id]) if organization_id in limits else None,
        )
        for organization_id, (pk, role, added, removed) in found.items()
    }
    setattr(user, _CACHE_ATTRIBUTE, grants)
    return grants


def forget_memberships(user) -> None:
    """Drop the memberships kept on `user`: the next check reads them again."""
    if user is not None and hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)


def can(user, store, area: str) -> bool:
    """May `user` do `area` (an areas.Area value, or EVERY / MEMBER) on `store`?"""
    if store is None or not _active(user):
        return False
    # Each store's `owner` is its organization's owner (the services keep them together), who
    # may do everything: answered without a query. The owner's rights come from there only.
    if store.owner_id == user.pk:
        return True
    if not store.has_team:  # nobody but the owner works on it: no membership to read
        return False
    grant = memberships_for(user).get(store.organization_id)
    return grant is not None and grant.role != Role.OWNER and grant.covers(store.pk) and grant.allows(area)


def grant_in(user, organization: Organization | int) -> Grant | None:
    """The user's membership of `organization` (a Grant), or None."""
    if not _active(user):
        return None
    organization_id = organization if isinstance(organization, int) else organization.pk
    return memberships_for(user).get(organization_id)


def can_in_organization(user, organization: Organization, area: str) -> bool:
    """May `user` do `area` organization-wide (not limited to some stores)?

    For what belongs to the organization rather than one store: its name, its audit log.
    """
    grant = grant_in(user, organization)
    return grant is not None and grant.store_ids is None and grant.allows(area)


def is_owner(user, organization: Organization) -> bool:
    grant = grant_in(user, organization)
    return grant is not None and grant.role == Role.OWNER


def covers_stores(store_ids: frozenset[int] | None, others: frozenset[int] | None) -> bool:
    """Do `store_ids` (None: every store) include all of `others`?"""
    return store_ids is None or (others is not None and others <= store_ids)


def manage_refusal(
    *,
    actor_user_id: int,
    actor_areas: frozenset[str],
    actor_store_ids: frozenset[int] | None,
    target_user_id: int,
    target_role: str,
    target_areas: frozenset[str],
    target_store_ids: frozenset[int] | None,
) -> str | None:
    """Why a member who manages members may not change or remove this one ("self", "owner",
    "more": the target may do more than them), or None. Services and pages both ask it."""
    if actor_user_id == target_user_id:
        return "self"
    if target_role == Role.OWNER:
        return "owner"
    if not target_areas <= actor_areas or not covers_stores(actor_store_ids, target_store_ids):
        return "more"
    return None


# Doors to objects by id: the object if the user may reach it, else Http404 ---------------------


def access_organization(*, user, organization_id: int) -> Organization:
    """An organization the user belongs to."""
    if grant_in(user, organization_id) is None:
        raise Http404("No such organization.")
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        raise Http404("No such organization.")
    return organization


def access_membership(*, user, organization: Organization, membership_id: int) -> Membership:
    """A membership of `organization` (which the user belongs to): another organization's is a 404."""
    if grant_in(user, organization) is None:
        raise Http404("No such member.")
    membership = (
        Membership.objects.filter(pk=membership_id, organization=organization)
        .select_related("user", "organization")
        .first()
    )
    if membership is None:
        raise Http404("No such member.")
    return membership


def access_invitation(*, user, organization: Organization, invitation_id: int) -> Invitation:
    """A pending-or-past invitation of `organization`, for members who manage members."""
    grant = grant_in(user, organization)
    if grant is None or not grant.allows(Area.MEMBERS):
        raise Http404("No such invitation.")
    invitation = Invitation.objects.filter(pk=invitation_id, organization=organization).first()
    if invitation is None:
        raise Http404("No such invitation.")
    return invitation
