"""Every write of the organizations app (spec: Shomp.Organizations).

The spec's context functions `create_organization`, `invite_member` and `manage_permissions`,
and the rest of a team's life: accepting and revoking invitations, removing and leaving, the
ownership transfer, the organization's name and its deletion. Each is one transaction; each
re-reads the acting member's own membership under a row lock (not the request's cached copy),
so two changes racing each other can't combine into more than either was allowed.

The rules, checked here whatever the page offered:
- Nobody grants a role or an area they don't have themselves, or stores they don't work on.
- Nobody changes their own role or access, or manages a member who may do more than they may.
- The owner role is never granted or invited: one owner per organization, changed only by a
  transfer to an existing member that the new owner confirms. The owner can't be removed and
  can't leave (transfer first, or delete the organization once it holds no stores).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from shomp.core import ratelimit, realtime
from shomp.core.exceptions import ServiceError

from . import hooks
from .areas import ALL_AREAS, ROLE_AREAS, Area, Role, closure, effective_areas, format_areas
from .models import AuditLogEntry, Invitation, Membership, Organization
from .policies import covers_stores, forget_memberships, manage_refusal
from .selectors import has_team as selectors_has_team

INVITATION_LIFETIME = timedelta(days=7)
#: A member's last activity is noted at most this often (one UPDATE, not one per page).
ACTIVITY_INTERVAL = timedelta(minutes=5)
TOKEN_BYTES = 32  # 256 bits; secrets.token_urlsafe(32) is 43 characters
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")
INVITATIONS_PER_HOUR = 50  # per organization: each one sends an email
MAX_OPEN_INVITATIONS = 200

#: Roles an invitation or a role change may give (never the owner's).
GRANTABLE_ROLES = [role for role in Role.values if role != Role.OWNER]


class InvitationRefused(ServiceError):
    """An invitation link that can't be accepted; `code` says why, the message says it to the user."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.code = code


# Helpers ---------------------------------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def is_well_formed_token(token) -> bool:
    return isinstance(token, str) and TOKEN_PATTERN.fullmatch(token) is not None


def mask_email(email: str) -> str:
    """ "b***@example.com": enough to tell invitations apart in the audit log."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def record_activity(*, organization_id: int, actor, action: str, object: str = "", **details) -> AuditLogEntry:
    """Write an entry in an organization's audit log for what an app above did on its behalf
    (orders: fulfilment). `action` is one of AuditLogEntry.Action."""
    return AuditLogEntry.objects.create(
        organization_id=organization_id, actor=actor, action=action, object=object[:200], details=details
    )


def _log(organization: Organization, actor, action: str, object: str = "", **details) -> AuditLogEntry:
    return AuditLogEntry.objects.create(
        organization=organization, actor=actor, action=action, object=object[:200], details=details
    )


class _Access:
    """A membership read afresh under a row lock: what its member may do right now."""

    def __init__(self, membership: Membership, store_ids: frozenset[int] | None):
        self.membership = membership
        self.role = membership.role
        self.areas = membership.permissions
        self.store_ids = store_ids  # None: every store


def _locked_access(user, organization: Organization) -> _Access | None:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    membership = Membership.objects.select_for_update().filter(organization=organization, user=user).first()
    if membership is None:
        return None
    return _Access(membership, _store_ids_of(membership))


def _store_ids_of(membership: Membership) -> frozenset[int] | None:
    if membership.all_stores:
        return None
    return frozenset(membership.stores.filter(organization_id=membership.organization_id).values_list("pk", flat=True))


def _require(user, organization: Organization, area: str, message: str) -> _Access:
    access = _locked_access(user, organization)
    if access is None or area not in access.areas:
        raise PermissionDenied(message)
    return access


def _organization_store_ids(organization: Organization, store_ids: Iterable[int] | None, *, field: str):
    """The given store ids, checked to be stores of `organization`; None stays None (all stores)."""
    if store_ids is None:
        return None
    wanted = {int(pk) for pk in store_ids}
    if not wanted:
        raise ValidationError({field: "Pick at least one store, or give access to every store."})
    found = frozenset(organization.stores.filter(pk__in=wanted).values_list("pk", flat=True))
    if found != wanted:
        raise ValidationError({field: "Pick stores of this organization."})
    return found


def _check_grant(actor: _Access, *, role: str, areas: frozenset[str], store_ids, field: str = "role") -> None:
    """Refuse to give what the actor doesn't have: a role's areas, added areas, stores."""
    if role not in GRANTABLE_ROLES:
        raise ValidationError({field: "Ownership moves only by a transfer the new owner confirms."})
    if not areas <= actor.areas:
        missing = ", ".join(sorted(Area(a).label for a in areas - actor.areas))
        raise ValidationError({field: f"You can't give access you don't have yourself ({missing})."})
    if not covers_stores(actor.store_ids, store_ids):
        raise ValidationError({"stores": "You can only give access to stores you work on yourself."})


_MANAGE_REFUSALS = {
    "self": "You can't {what} yourself. Ask another member who manages members.",
    "owner": "You can't {what} the owner. Ownership moves only by a transfer the new owner confirms.",
    "more": "You can't {what} a member who may do more than you.",
}


def _check_may_manage(actor: _Access, target: Membership, what: str) -> _Access:
    """The actor may manage `target`: not themselves, not the owner, nobody who may do more."""
    target_access = _Access(target, _store_ids_of(target))
    refusal = manage_refusal(
        actor_user_id=actor.membership.user_id,
        actor_areas=actor.areas,
        actor_store_ids=actor.store_ids,
        target_user_id=target.user_id,
        target_role=target.role,
        target_areas=target_access.areas,
        target_store_ids=target_access.store_ids,
    )
    if refusal:
        raise ValidationError(_MANAGE_REFUSALS[refusal].format(what=what))
    return target_access


def sync_store_teams(*, organization: Organization | int) -> None:
    """Set the organization's stores' `has_team` (the door's free "no") from its memberships.

    Called under the organization's row lock by every service that adds or removes a member, so
    two of them can't leave it saying "no team" while a member exists."""
    organization_id = organization if isinstance(organization, int) else organization.pk
    team = selectors_has_team(organization_id=organization_id)
    Store = Organization._meta.get_field("stores").related_model  # stores sits above: no import
    Store.objects.filter(organization_id=organization_id).exclude(has_team=team).update(has_team=team)


def _lock_organization(organization_id: int) -> Organization:
    return Organization.objects.select_for_update().get(pk=organization_id)


# Organizations --------------------------------------------------------------------------------


@transaction.atomic
def create_organization(*, owner, name: str, description: str = "") -> Organization:
    """A new organization, `owner` its owner and only member."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": "Give the organization a name."})
    organization = Organization(owner=owner, name=name, description=(description or "").strip())
    organization.full_clean()
    organization.save()
    Membership.objects.create(organization=organization, user=owner, role=Role.OWNER)
    _log(organization, owner, AuditLogEntry.Action.CREATED, organization.name)
    forget_memberships(owner)
    return organization


@transaction.atomic
def own_organization(*, user) -> Organization:
    """The organization a seller's stores go in: the oldest they own, made if they own none.

    Named after the seller; shown as "just you" while they are its only member.
    """
    # Two first stores opened at once must not make two organizations: take turns on the user row.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    organization = Organization.objects.filter(owner=user).order_by("pk").first()
    return organization or create_organization(owner=user, name=user.username)


@transaction.atomic
def update_organization(*, organization: Organization, actor, name: str, description: str = "") -> Organization:
    access = _require(actor, organization, Area.SETTINGS, "You can't change this organization.")
    if access.store_ids is not None:
        raise PermissionDenied("You can't change this organization.")
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": "Give the organization a name."})
    before = {"name": organization.name, "description": organization.description}
    organization.name, organization.description = name, (description or "").strip()
    organization.full_clean()
    organization.save(update_fields=["name", "description", "updated_at"])
    _log(organization, actor, AuditLogEntry.Action.UPDATED, organization.name, before=before)
    return organization


@transaction.atomic
def delete_organization(*, organization: Organization, actor) -> None:
    """The owner deletes an organization that holds no stores (its members and log go with it)."""
    access = _locked_access(actor, organization)
    if access is None or access.role != Role.OWNER:
        raise PermissionDenied("Only the owner can delete the organization.")
    if organization.stores.exists():
        raise ValidationError("The organization still holds stores: it can be deleted once it holds none.")
    organization.delete()
    forget_memberships(actor)


def note_activity(*, user, organization_id: int, last_active_at: datetime | None, now: datetime | None = None) -> bool:
    """`user` is working in the organization: note it on their membership if `last_active_at`
    (what the caller read with the rows it loads anyway) is over ACTIVITY_INTERVAL old.

    Most requests compare in Python and write nothing; otherwise one UPDATE, which a concurrent
    request that got there first turns into a no-op. Returns whether it wrote."""
    now = now or timezone.now()
    cutoff = now - ACTIVITY_INTERVAL
    if last_active_at is not None and last_active_at > cutoff:
        return False
    stale = Q(last_active_at__isnull=True) | Q(last_active_at__lte=cutoff)
    return bool(
        Membership.objects.filter(stale, organization_id=organization_id, user_id=user.pk).update(last_active_at=now)
    )


def note_login(*, user) -> None:
    """`user` logged in: active now in each of their teams (one UPDATE). The dashboard door then
    has nothing to write on the pages they open in the next ACTIVITY_INTERVAL."""
    Membership.objects.filter(user_id=user.pk).update(last_active_at=timezone.now())


# Invitations -----------------------------------------------------------------------------------


@transaction.atomic
def invite_member(
    *, organization: Organization, actor, email: str, role: str, store_ids: Iterable[int] | None = None
) -> Invitation:
    """Email `email` a link to join with `role`, on every store (`store_ids` None) or on those.

    Inviting an address again revokes its earlier link. The new link's token is on the returned
    invitation as `token` (and in the email); the database keeps only its hash.
    """
    actor_access = _require(actor, organization, Area.MEMBERS, "You can't invite members.")
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": "Enter a valid email address."}) from None
    store_ids = _organization_store_ids(organization, store_ids, field="stores")
    _check_grant(actor_access, role=role, areas=effective_areas(role), store_ids=store_ids)
    open_invitations = Invitation.objects.filter(
        organization=organization, accepted_at__isnull=True, revoked_at__isnull=True
    )
    if open_invitations.exclude(email=email).count() >= MAX_OPEN_INVITATIONS:
        raise ValidationError(f"{MAX_OPEN_INVITATIONS} invitations are waiting: revoke some first.")
    ratelimit.hit(
        key=f"org-invitations:{organization.pk}",
        limit=INVITATIONS_PER_HOUR,
        window_seconds=3600,
        message="That's a lot of invitations for one hour. Please try again later.",
    )
    now = timezone.now()
    open_invitations.filter(email=email).update(revoked_at=now)  # re-inviting kills the old link
    token = secrets.token_urlsafe(TOKEN_BYTES)
    try:
        with transaction.atomic():  # a savepoint: the same address invited twice at once
            invitation = Invitation.objects.create(
                organization=organization,
                email=email,
                role=role,
                all_stores=store_ids is None,
                token_hash=hash_token(token),
                invited_by=actor,
                expires_at=now + INVITATION_LIFETIME,
            )
    except IntegrityError:
        raise ValidationError({"email": "An invitation to this address was just sent."}) from None
    if store_ids is not None:
        invitation.stores.set(store_ids)
    _log(organization, actor, AuditLogEntry.Action.INVITED, mask_email(email), role=role, invitation=invitation.pk)
    invitation.token = token
    url = f"{settings.SITE_URL}{reverse('organizations:invitation', kwargs={'token': token})}"
    # Sent here, not by a task: a task's arguments are stored, and the token must not be.
    transaction.on_commit(
        lambda: _send_invitation_email(
            email=email,
            organization_name=organization.name,
            inviter=actor.username,
            role=Role(role).label,
            url=url,
            expires_at=invitation.expires_at,
        )
    )
    return invitation


def _send_invitation_email(*, email: str, organization_name: str, inviter: str, role: str, url: str, expires_at):
    context = {
        "organization_name": organization_name,
        "inviter": inviter,
        "role": role,
        "url": url,
        "expires_at": expires_at,
    }
    send_mail(
        subject=f"{inviter} invited you to {organization_name} on Shomp",
        message=render_to_string("organizations/email/invitation.txt", context),
        from_email=None,
        recipient_list=[email],
    )


@transaction.atomic
def resend_invitation(*, invitation: Invitation, actor) -> Invitation:
    """A new link for the same address, role and stores; the old link stops working."""
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise ValidationError("This invitation was accepted or revoked: invite the address again instead.")
    store_ids = None if invitation.all_stores else list(invitation.stores.values_list("pk", flat=True))
    return invite_member(
        organization=invitation.organization,
        actor=actor,
        email=invitation.email,
        role=invitation.role,
        store_ids=store_ids,
    )


@transaction.atomic
def revoke_invitation(*, invitation: Invitation, actor) -> Invitation:
    _require(actor, invitation.organization, Area.MEMBERS, "You can't revoke invitations.")
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ValidationError("This invitation was accepted already.")
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        _log(
            invitation.organization,
            actor,
            AuditLogEntry.Action.INVITATION_REVOKED,
            mask_email(invitation.email),
            invitation=invitation.pk,
        )
    return invitation


def get_invitation_by_token(token: str) -> Invitation:
    """The invitation a link names (in any state), for the accept page; refused before any
    lookup when the token isn't one we could have made."""
    if not is_well_formed_token(token):
        raise InvitationRefused("This invitation link isn't valid.", code="invalid")
    invitation = (
        Invitation.objects.select_related("organization", "invited_by").filter(token_hash=hash_token(token)).first()
    )
    if invitation is None:
        raise InvitationRefused("This invitation link isn't valid.", code="invalid")
    return invitation


def check_invitation(invitation: Invitation, user, *, now=None) -> None:
    """Why `user` can't accept `invitation` now (InvitationRefused), or nothing."""
    status = invitation.status_at(now)
    if status == Invitation.Status.ACCEPTED:
        raise InvitationRefused("This invitation was used already. Each link works once.", code="accepted")
    if status == Invitation.Status.REVOKED:
        raise InvitationRefused("This invitation was withdrawn. Ask the organization for a new one.", code="revoked")
    if status == Invitation.Status.EXPIRED:
        raise InvitationRefused(
            "This invitation has expired (links last 7 days). Ask the organization for a new one.", code="expired"
        )
    addresses = EmailAddress.objects.filter(user=user, email__iexact=invitation.email)
    if not addresses.filter(verified=True).exists():
        if addresses.exists():
            raise InvitationRefused(
                f"Confirm your address {invitation.email} first (we sent you a link; you can send it again "
                "from your account's email page), then open this invitation again.",
                code="unverified",
            )
        raise InvitationRefused(
            f"This invitation was sent to {mask_email(invitation.email)}, which isn't a confirmed address of "
            f"the account you're logged in with ({user.username}). Log in with the invited account, or add "
            "and confirm that address on this one.",
            code="wrong_account",
        )
    if Membership.objects.filter(organization_id=invitation.organization_id, user=user).exists():
        raise InvitationRefused(f"You're already a member of {invitation.organization.name}.", code="already_member")


def accept_invitation(*, token: str, user) -> Membership:
    """`user` joins the organization with the invitation's role and stores.

    All or nothing: the invitation is locked, checked, and marked accepted in the transaction
    that makes the membership, so a failure anywhere leaves it pending and no member made.
    """
    if not is_well_formed_token(token):
        raise InvitationRefused("This invitation link isn't valid.", code="invalid")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise InvitationRefused("Log in to accept this invitation.", code="login")
    with transaction.atomic():
        organization_id = (
            Invitation.objects.filter(token_hash=hash_token(token)).values_list("organization_id", flat=True).first()
        )
        if organization_id is None:
            raise InvitationRefused("This invitation link isn't valid.", code="invalid")
        _lock_organization(organization_id)  # members come and go one at a time (sync_store_teams)
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("organization")
            .filter(token_hash=hash_token(token))
            .first()
        )
        if invitation is None:
            raise InvitationRefused("This invitation link isn't valid.", code="invalid")
        check_invitation(invitation, user)
        membership = Membership.objects.create(
            organization=invitation.organization, user=user, role=invitation.role, all_stores=invitation.all_stores
        )
        if not invitation.all_stores:
            # Stores that left the organization since the invitation are not given.
            membership.stores.set(invitation.stores.filter(organization_id=invitation.organization_id))
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        sync_store_teams(organization=invitation.organization_id)
        _log(invitation.organization, user, AuditLogEntry.Action.JOINED, user.username, role=invitation.role)
    forget_memberships(user)
    return membership


# Members ---------------------------------------------------------------------------------------


@transaction.atomic
def manage_permissions(
    *,
    membership: Membership,
    actor,
    role: str,
    added_areas: Iterable[str] = (),
    removed_areas: Iterable[str] = (),
    store_ids: Iterable[int] | None = None,
) -> Membership:
    """Set a member's role, the areas added to or taken from it, and the stores they work on
    (`store_ids` None: every store). Everything is given at once, as the member's form posts it."""
    organization = membership.organization
    actor_access = _require(actor, organization, Area.MEMBERS, "You can't manage members.")
    membership = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
    before_access = _check_may_manage(actor_access, membership, "change the role of")
    added, removed = set(added_areas), set(removed_areas)
    unknown = (added | removed) - ALL_AREAS
    if unknown:
        raise ValidationError("Pick areas from the list.")
    if added & removed:
        raise ValidationError({"added_areas": "An area can't be both added and taken away."})
    if role not in GRANTABLE_ROLES:
        raise ValidationError({"role": "Ownership moves only by a transfer the new owner confirms."})
    added -= ROLE_AREAS[role]  # nothing to add that the role already gives
    removed &= closure(ROLE_AREAS[role] | added)  # nor to take away that it doesn't
    store_ids = _organization_store_ids(organization, store_ids, field="stores")
    areas = effective_areas(role, added, removed)
    _check_grant(actor_access, role=role, areas=areas, store_ids=store_ids)
    before = {
        "role": membership.role,
        "areas": sorted(before_access.areas),
        "stores": sorted(before_access.store_ids) if before_access.store_ids is not None else "all",
    }
    membership.role = role
    membership.added_areas = format_areas(added)
    membership.removed_areas = format_areas(removed)
    membership.all_stores = store_ids is None
    membership.save(update_fields=["role", "added_areas", "removed_areas", "all_stores", "updated_at"])
    membership.stores.set(store_ids or [])
    after = {"role": role, "areas": sorted(areas), "stores": sorted(store_ids) if store_ids is not None else "all"}
    if after != before:
        _log(
            organization,
            actor,
            AuditLogEntry.Action.PERMISSIONS_CHANGED,
            membership.user.username,
            before=before,
            after=after,
        )
    forget_memberships(membership.user)
    realtime.revoke_access([membership.user_id])  # their open sockets re-ask the door at once
    hooks.access_lost.send_on_commit(organization_id=organization.pk, store_ids=None)
    return membership


@transaction.atomic
def remove_member(*, membership: Membership, actor) -> None:
    """`actor` removes a member: their access ends with their next request."""
    organization = membership.organization
    _lock_organization(organization.pk)
    actor_access = _require(actor, organization, Area.MEMBERS, "You can't remove members.")
    membership = Membership.objects.select_for_update().select_related("user").filter(pk=membership.pk).first()
    if membership is None:
        return  # removed meanwhile
    _check_may_manage(actor_access, membership, "remove")
    # An ownership offer to them ends with their membership (asked of the row, not of the
    # organization object the caller read before the offer may have been made).
    Organization.objects.filter(pk=organization.pk, ownership_offered_to=membership.user_id).update(
        ownership_offered_to=None
    )
    membership.delete()
    sync_store_teams(organization=organization)
    _log(organization, actor, AuditLogEntry.Action.REMOVED, membership.user.username, role=membership.role)
    forget_memberships(membership.user)
    realtime.revoke_access([membership.user_id])  # their open sockets re-ask the door at once
    hooks.access_lost.send_on_commit(organization_id=organization.pk, store_ids=None)


@transaction.atomic
def leave_organization(*, organization: Organization, user) -> None:
    _lock_organization(organization.pk)
    access = _locked_access(user, organization)
    if access is None:
        raise ValidationError("You're not a member of this organization.")
    if access.role == Role.OWNER:
        raise ValidationError(
            "You own this organization: transfer the ownership to another member first "
            "(or delete the organization once it holds no stores)."
        )
    Organization.objects.filter(pk=organization.pk, ownership_offered_to=user.pk).update(ownership_offered_to=None)
    access.membership.delete()
    sync_store_teams(organization=organization)
    _log(organization, user, AuditLogEntry.Action.LEFT, user.username, role=access.role)
    forget_memberships(user)
    realtime.revoke_access([user.pk])
    hooks.access_lost.send_on_commit(organization_id=organization.pk, store_ids=None)


# Ownership -------------------------------------------------------------------------------------


def _locked_organization(organization: Organization) -> Organization:
    return Organization.objects.select_for_update().get(pk=organization.pk)


@transaction.atomic
def transfer_ownership(*, organization: Organization, actor, to: Membership) -> Organization:
    """The owner offers the ownership to a member; it moves when they confirm
    (`confirm_ownership_transfer`). Offering to someone else replaces the offer."""
    organization = _locked_organization(organization)
    access = _locked_access(actor, organization)
    if access is None or access.role != Role.OWNER:
        raise PermissionDenied("Only the owner can transfer the ownership.")
    to = Membership.objects.select_related("user").filter(pk=to.pk, organization=organization).first()
    if to is None:
        raise ValidationError({"member": "Pick a member of this organization."})
    if to.user_id == actor.pk:
        raise ValidationError({"member": "You own it already."})
    if not to.user.is_active:
        raise ValidationError({"member": "This member's account is closed."})
    organization.ownership_offered_to = to.user
    organization.save(update_fields=["ownership_offered_to", "updated_at"])
    _log(organization, actor, AuditLogEntry.Action.OWNERSHIP_OFFERED, to.user.username)
    return organization


@transaction.atomic
def cancel_ownership_transfer(*, organization: Organization, actor) -> Organization:
    """The owner withdraws the offer, or the member it was made to declines it."""
    organization = _locked_organization(organization)
    offered_to = organization.ownership_offered_to
    if offered_to is None:
        return organization
    access = _locked_access(actor, organization)
    if access is None or (access.role != Role.OWNER and actor.pk != offered_to.pk):
        raise PermissionDenied("You can't change this offer.")
    organization.ownership_offered_to = None
    organization.save(update_fields=["ownership_offered_to", "updated_at"])
    _log(organization, actor, AuditLogEntry.Action.OWNERSHIP_CANCELLED, offered_to.username)
    return organization


@transaction.atomic
def confirm_ownership_transfer(*, organization: Organization, user) -> Organization:
    """The member the owner offered it to takes the ownership; the old owner becomes an admin.

    The organization, both memberships and every store's `owner` change together."""
    organization = _locked_organization(organization)
    if organization.ownership_offered_to_id != user.pk:
        raise ValidationError("There is no ownership offer for you here.")
    new = _locked_access(user, organization)
    if new is None:
        raise ValidationError("You're not a member of this organization any more.")
    old_owner = organization.owner
    # Demote first: the database holds one owner per organization at every moment.
    Membership.objects.filter(organization=organization, role=Role.OWNER).update(
        role=Role.ADMIN, updated_at=timezone.now()
    )
    membership = new.membership
    membership.role = Role.OWNER
    membership.added_areas = membership.removed_areas = ""
    membership.all_stores = True
    membership.save(update_fields=["role", "added_areas", "removed_areas", "all_stores", "updated_at"])
    membership.stores.clear()
    organization.owner = user
    organization.ownership_offered_to = None
    organization.save(update_fields=["owner", "ownership_offered_to", "updated_at"])
    # Each store keeps a copy of its organization's owner (the door's free answer for owners).
    organization.stores.update(owner=user)
    sync_store_teams(organization=organization)
    _log(organization, user, AuditLogEntry.Action.OWNERSHIP_TRANSFERRED, old_owner.username)
    forget_memberships(user)
    forget_memberships(old_owner)
    realtime.revoke_access([old_owner.pk])  # an admin now: their sockets re-ask the door
    return organization


# Stores ----------------------------------------------------------------------------------------
# The Store model is reached through the relation (stores sits above this app: no import).


def may_open_stores(access: _Access | None) -> bool:
    """Who opens stores in an organization: its owner, or a member with store settings on every
    store (an admin). The store's `owner` is the organization's owner either way."""
    if access is None:
        return False
    return access.role == Role.OWNER or (Area.SETTINGS in access.areas and access.store_ids is None)


@transaction.atomic
def lock_for_new_store(*, organization: Organization, actor) -> Organization:
    """Before `actor` opens a store in `organization` (stores.services.create_store, in the same
    transaction): the organization's row locked, so the new store's `has_team` is read while no
    member comes or goes (sync_store_teams writes it under this lock), and the actor checked."""
    organization = _lock_organization(organization.pk)
    if not may_open_stores(_locked_access(actor, organization)):
        raise PermissionDenied(
            f"Only the owner or an admin of {organization.name} can open stores in it. "
            "Your own stores open in your own organization (New store)."
        )
    return organization


def record_store_opened(*, organization: Organization, actor, store_name: str) -> None:
    _log(organization, actor, AuditLogEntry.Action.STORE_OPENED, store_name)


@transaction.atomic
def move_store(*, store, actor, to_organization: Organization):
    """Move `store` from its organization into `to_organization`; only someone who owns both may.

    Members limited to some stores of the old organization lose this one (invitations too):
    nobody keeps working on a store that left their team. Both organizations log it. Returns
    the store as it is now (its organization, owner and `has_team` are the new one's).
    """
    Store = Organization._meta.get_field("stores").related_model
    source_id = Store.objects.filter(pk=store.pk).values_list("organization_id", flat=True).first()
    if source_id is None:
        raise ValidationError("This store no longer exists.")
    if source_id == to_organization.pk:
        raise ValidationError(f"{store.name} is in {to_organization.name} already.")
    # Both organizations locked, in primary-key order (two moves the other way can't deadlock),
    # then the store: it can't move twice at once, and no member comes or goes meanwhile.
    locked = {
        o.pk: o
        for o in Organization.objects.select_for_update().filter(pk__in=[source_id, to_organization.pk]).order_by("pk")
    }
    source, target = locked.get(source_id), locked.get(to_organization.pk)
    if source is None or target is None:
        raise ValidationError("That organization no longer exists.")
    store = Store.objects.select_for_update().get(pk=store.pk)
    if store.organization_id != source_id:
        raise ValidationError(f"{store.name} was just moved by someone else. Please look again.")
    if source.owner_id != actor.pk or target.owner_id != actor.pk:
        raise PermissionDenied(
            f"Only someone who owns both {source.name} and {target.name} can move {store.name} between them."
        )
    limits = Membership.stores.through.objects.filter(store_id=store.pk)
    lost = sorted(limits.values_list("membership__user__username", flat=True))
    limits.delete()
    Invitation.stores.through.objects.filter(store_id=store.pk).delete()
    store.organization = target
    store.owner_id = target.owner_id
    store.has_team = selectors_has_team(organization_id=target.pk)
    store.save(update_fields=["organization", "owner", "has_team", "updated_at"])
    _log(source, actor, AuditLogEntry.Action.STORE_MOVED_OUT, store.name, to=target.name, lost=lost)
    _log(target, actor, AuditLogEntry.Action.STORE_MOVED_IN, store.name, **{"from": source.name})
    forget_memberships(actor)
    # Members of the organization it left may have lost it: their sockets re-ask the door.
    realtime.revoke_access(Membership.objects.filter(organization=source).values_list("user_id", flat=True))
    hooks.access_lost.send_on_commit(organization_id=source.pk, store_ids=[store.pk])
    return store
