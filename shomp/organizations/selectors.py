"""Reads for the organization pages, and the SQL half of the door.

`store_condition` and `user_condition` are the queryset twins of `policies.can`: the same role
table (areas.py), asked in SQL, so that "the stores this user may do AREA on" and "the users who
may do AREA on this store" are one query each. They are Q objects on the Store and User models,
named by field, so this app needs no import of the stores app (which sits above it).
"""

from __future__ import annotations

from functools import reduce
from operator import and_, or_

from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery

from .areas import ALL_AREAS, EVERY, MEMBER, ROLE_AREAS, Role, grants, revoked_by
from .models import AuditLogEntry, Invitation, Membership, Organization


def _any(conditions) -> Q:
    return reduce(or_, conditions, Q(pk__in=[]))


def area_condition(area: str) -> Q:
    """A condition on Membership rows: the member may do `area` (areas.effective_areas in SQL)."""
    # The owner's rights come from each store's `owner` (as in policies.can), not from here.
    team = ~Q(role=Role.OWNER)
    if area == MEMBER:
        return team
    if area == EVERY:
        return reduce(and_, (area_condition(a) for a in sorted(ALL_AREAS)))
    if area not in ALL_AREAS:
        return Q(pk__in=[])  # an unknown area is nobody's
    by_role = Q(role__in=sorted(role for role, areas in ROLE_AREAS.items() if area in areas))
    added = _any(Q(added_areas__contains=f",{a},") for a in sorted(grants(area)))
    removed = _any(Q(removed_areas__contains=f",{a},") for a in sorted(revoked_by(area)))
    return team & (by_role | added) & ~removed


def memberships_allowing(*, area: str) -> QuerySet[Membership]:
    return Membership.objects.filter(area_condition(area))


def store_condition(*, user, area: str) -> Q:
    """A condition on Store rows: `user` may do `area` on the store (policies.can in SQL)."""
    allowing = memberships_allowing(area=area).filter(user=user)
    limited_to = Membership.stores.through.objects.filter(
        membership__in=allowing.filter(all_stores=False),
        # A limit names a store of the membership's own organization, or it counts for nothing.
        store__organization_id=F("membership__organization_id"),
    ).values("store_id")
    team = Q(organization_id__in=allowing.filter(all_stores=True).values("organization_id")) | Q(pk__in=limited_to)
    return Q(owner=user) | (Q(has_team=True) & team)


def user_condition(*, store, area: str) -> Q:
    """A condition on User rows: the user may do `area` on `store` (policies.can in SQL)."""
    if not store.has_team:
        return Q(is_active=True, pk=store.owner_id)
    allowing = memberships_allowing(area=area).filter(organization_id=store.organization_id)
    members = allowing.filter(Q(all_stores=True) | Q(stores=store)).values("user_id")
    return Q(is_active=True) & (Q(pk=store.owner_id) | Q(pk__in=members))


def has_team(*, organization_id: int) -> bool:
    """Has the organization members besides its owner? (What each of its stores' `has_team` says.)"""
    return Membership.objects.filter(organization_id=organization_id).exclude(role=Role.OWNER).exists()


# The organization pages -------------------------------------------------------------------------


def get_members(*, organization: Organization) -> QuerySet[Membership]:
    """The members with what the list shows: username and last activity (nothing else of the
    user is loaded: other members never see an email or a name), role, store limits."""
    return (
        Membership.objects.filter(organization=organization)
        .select_related("user")
        .only(
            "pk",
            "organization_id",
            "role",
            "added_areas",
            "removed_areas",
            "all_stores",
            "created_at",
            "last_active_at",
            "user__id",
            "user__username",
            "user__is_active",
        )
        .prefetch_related(Prefetch("stores", queryset=_store_names()))
        .order_by("user__username", "pk")
    )


def _store_names():
    # The Store model, reached through the relation: this app never imports the stores app.
    return Membership.stores.field.related_model.objects.only("pk", "name", "slug").order_by("name", "pk")


def get_organization_stores(*, organization: Organization) -> QuerySet:
    """The organization's stores, by name (id, name and address only)."""
    return organization.stores.only("pk", "name", "slug", "organization_id", "owner_id", "has_team").order_by(
        "name", "pk"
    )


def get_pending_invitations(*, organization: Organization, now=None) -> QuerySet[Invitation]:
    """Invitations not accepted or revoked (expired ones too: they can be sent again)."""
    return (
        Invitation.objects.filter(organization=organization, accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("invited_by")
        .only(
            "pk",
            "organization_id",
            "email",
            "role",
            "all_stores",
            "created_at",
            "expires_at",
            "accepted_at",
            "revoked_at",
            "invited_by__id",
            "invited_by__username",
        )
        .prefetch_related(Prefetch("stores", queryset=_store_names()))
        .order_by("-created_at", "-pk")
    )


def get_audit_log(*, organization: Organization) -> QuerySet[AuditLogEntry]:
    return (
        AuditLogEntry.objects.filter(organization=organization)
        .select_related("actor")
        .only("pk", "organization_id", "action", "object", "details", "at", "actor__id", "actor__username")
        .order_by("-at", "-pk")
    )


def get_organizations(*, user) -> QuerySet[Organization]:
    """The organizations `user` belongs to, with their member and store counts."""
    return (
        Organization.objects.filter(memberships__user=user)
        .annotate(member_count=Count("memberships", distinct=True), store_count=Count("stores", distinct=True))
        .order_by("name", "pk")
    )


def get_own_organization(*, user) -> Organization | None:
    """Where a seller's own stores go (services.own_organization without making one): the oldest
    organization they own."""
    if not getattr(user, "is_authenticated", False) or user.pk is None:
        return None
    return Organization.objects.filter(owner=user).order_by("pk").only("pk", "name", "owner_id").first()


def last_active_of(*, user) -> Subquery:
    """For a queryset of stores: when `user` was last active in each store's organization
    (their membership's last_active_at), as an annotation, so the dashboard door reads it with
    the stores it loads anyway."""
    return Subquery(
        Membership.objects.filter(organization_id=OuterRef("organization_id"), user_id=user.pk).values(
            "last_active_at"
        )[:1]
    )
