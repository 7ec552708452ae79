"""The organization pages: members, settings, and the invitation link.

Every /dashboard/organization page acts on the active store's organization (the store switcher
picks it) and goes through the dashboard door (`dashboard.organization_page`): any member may
open them; each action then asks the door for its own area (members, settings) or the owner's
role, and the service checks again.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince
from django.views.decorators.http import require_http_methods, require_POST

from shomp.core.exceptions import ServiceError
from shomp.core.forms import apply_service_errors
from shomp.core.htmx import render
from shomp.core.pagination import paginate

from . import selectors, services
from .areas import MEMBER, ROLE_AREAS, ROLE_DESCRIPTIONS, Area, Role
from .dashboard import ACTIVE_STORE_SESSION_KEY, organization_page
from .forms import InviteForm, MemberForm, OrganizationForm, TransferForm
from .models import Membership, Organization
from .policies import (
    Grant,
    access_invitation,
    access_membership,
    access_organization,
    grant_in,
    manage_refusal,
)
from .services import GRANTABLE_ROLES, InvitationRefused

logger = logging.getLogger(__name__)

MEMBERS_PER_PAGE = 50
AUDIT_PER_PAGE = 25


def _organization(request: HttpRequest) -> tuple[Organization, Grant]:
    """The page's organization (the active store's, or `?organization=`; see `organization_page`)
    and the user's membership of it. Another organization's id is a 404."""
    organization = access_organization(user=request.user, organization_id=request.organization_id)
    return organization, grant_in(request.user, organization)


def _back_to(request: HttpRequest, url_name: str) -> HttpResponse:
    """Redirect to an organization page, keeping the `?organization=` the request came with."""
    return redirect(reverse(url_name) + request.organization_query)


def _require_members_area(grant: Grant) -> None:
    if not grant.allows(Area.MEMBERS):
        raise Http404("No such page.")


def _grantable_roles(grant: Grant) -> list[str]:
    return [role for role in GRANTABLE_ROLES if ROLE_AREAS[role] <= grant.areas]


def _stores_for_forms(organization: Organization, grant: Grant) -> list:
    stores = selectors.get_organization_stores(organization=organization)
    return [store for store in stores if grant.covers(store.pk)]


@organization_page
@require_http_methods(["GET", "POST"])
def members(request: HttpRequest) -> HttpResponse:
    """The members (username, role, stores, last activity), the invite form, pending invitations."""
    organization, grant = _organization(request)
    may_manage = grant.allows(Area.MEMBERS)
    invite_form = None
    if may_manage:
        invite_form = InviteForm(
            request.POST or None,
            roles=_grantable_roles(grant),
            stores=_stores_for_forms(organization, grant),
            allow_all_stores=grant.store_ids is None,
        )
    if request.method == "POST":
        if invite_form is None:
            raise Http404("No such page.")
        if invite_form.is_valid():
            data = invite_form.cleaned_data
            try:
                invitation = services.invite_member(
                    organization=organization,
                    actor=request.user,
                    email=data["email"],
                    role=data["role"],
                    store_ids=invite_form.store_ids(),
                )
            except (ValidationError, ServiceError) as error:
                apply_service_errors(invite_form, error)
            else:
                messages.success(request, f"Invitation sent to {invitation.email}. The link works for 7 days.")
                return _back_to(request, "organizations:members")
    page = paginate(request, selectors.get_members(organization=organization), per_page=MEMBERS_PER_PAGE)
    rows = [_member_row(request, grant, membership) for membership in page.object_list]
    invitations = list(selectors.get_pending_invitations(organization=organization)) if may_manage else []
    for pending in invitations:
        # The address in full only to the one who typed it; other managers tell them apart masked.
        pending.shown_email = (
            pending.email if pending.invited_by_id == request.user.pk else services.mask_email(pending.email)
        )
    offer = organization.ownership_offered_to_id
    return render(
        request,
        "organizations/members.html",
        {
            "organization": organization,
            "grant": grant,
            "page_obj": page,
            "rows": rows,
            "member_count": page.paginator.count,
            "invite_form": invite_form,
            "invitations": invitations,
            "may_manage": may_manage,
            "ownership_offered_to_me": offer is not None and offer == request.user.pk,
            "role_label": Role(grant.role).label,
            "nav": "organization",
        },
    )


def _member_row(request: HttpRequest, grant: Grant, membership: Membership) -> dict:
    stores = list(membership.stores.all())  # prefetched
    store_ids = None if membership.all_stores else frozenset(store.pk for store in stores)
    manageable = grant.allows(Area.MEMBERS) and not manage_refusal(
        actor_user_id=request.user.pk,
        actor_areas=grant.areas,
        actor_store_ids=grant.store_ids,
        target_user_id=membership.user_id,
        target_role=membership.role,
        target_areas=membership.permissions,
        target_store_ids=store_ids,
    )
    return {
        "membership": membership,
        "activity": _activity(membership.last_active_at),
        "stores": stores,
        "is_me": membership.user_id == request.user.pk,
        "manageable": manageable,
        "overridden": bool(membership.added_areas or membership.removed_areas),
    }


def _activity(last_active_at) -> str:
    """The members page's "last activity": "Active 3 minutes ago", "Active just now", "Never"."""
    if last_active_at is None:
        return "Never"
    now = timezone.now()
    if now - last_active_at < timedelta(minutes=1):
        return "Active just now"
    return f"Active {timesince(last_active_at, now, depth=1)} ago"


@organization_page
@require_http_methods(["GET", "POST"])
def member_edit(request: HttpRequest, membership_id: int) -> HttpResponse:
    """Change a member's role, extra or removed areas, and stores."""
    organization, grant = _organization(request)
    _require_members_area(grant)
    membership = access_membership(user=request.user, organization=organization, membership_id=membership_id)
    row = _member_row(request, grant, membership)
    if not row["manageable"]:
        raise Http404("No such member.")
    form = MemberForm(
        request.POST or None,
        roles=_grantable_roles(grant),
        areas=grant.areas,
        stores=_stores_for_forms(organization, grant),
        allow_all_stores=grant.store_ids is None,
        initial={
            "role": membership.role,
            "added_areas": sorted(a for a in membership.added_areas.split(",") if a),
            "removed_areas": sorted(a for a in membership.removed_areas.split(",") if a),
            "access": "all" if membership.all_stores else "some",
            "stores": [store.pk for store in row["stores"]],
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.manage_permissions(
                membership=membership,
                actor=request.user,
                role=data["role"],
                added_areas=data["added_areas"],
                removed_areas=data["removed_areas"],
                store_ids=form.store_ids(),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Saved {membership.user.username}'s access.")
            return _back_to(request, "organizations:members")
    return render(
        request,
        "organizations/member_edit.html",
        {"organization": organization, "membership": membership, "row": row, "form": form, "nav": "organization"},
    )


@organization_page
@require_POST
def member_remove(request: HttpRequest, membership_id: int) -> HttpResponse:
    organization, grant = _organization(request)
    _require_members_area(grant)
    membership = access_membership(user=request.user, organization=organization, membership_id=membership_id)
    try:
        services.remove_member(membership=membership, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{membership.user.username} is no longer a member of {organization.name}.")
    return _back_to(request, "organizations:members")


@organization_page
@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    organization, _grant = _organization(request)
    try:
        services.leave_organization(organization=organization, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _back_to(request, "organizations:members")
    request.session.pop(ACTIVE_STORE_SESSION_KEY, None)
    messages.success(request, f"You left {organization.name}.")
    return redirect("/")


@organization_page
@require_POST
def invitation_resend(request: HttpRequest, invitation_id: int) -> HttpResponse:
    organization, _grant = _organization(request)
    invitation = access_invitation(user=request.user, organization=organization, invitation_id=invitation_id)
    try:
        invitation = services.resend_invitation(invitation=invitation, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except ServiceError as error:  # rate limited
        messages.error(request, error.message)
    else:
        messages.success(request, f"A new link was sent to {invitation.email}; the old one no longer works.")
    return _back_to(request, "organizations:members")


@organization_page
@require_POST
def invitation_revoke(request: HttpRequest, invitation_id: int) -> HttpResponse:
    organization, _grant = _organization(request)
    invitation = access_invitation(user=request.user, organization=organization, invitation_id=invitation_id)
    try:
        services.revoke_invitation(invitation=invitation, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"The invitation to {invitation.email} was revoked.")
    return _back_to(request, "organizations:members")


# Settings and ownership --------------------------------------------------------------------------


@organization_page
@require_http_methods(["GET", "POST"])
def settings(request: HttpRequest) -> HttpResponse:
    """Name and description, the ownership transfer, deletion, and the audit log."""
    organization, grant = _organization(request)
    if not (grant.allows(Area.SETTINGS) and grant.store_ids is None):
        raise Http404("No such page.")
    form = OrganizationForm(
        request.POST or None, initial={"name": organization.name, "description": organization.description}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_organization(
                organization=organization,
                actor=request.user,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Organization saved.")
            return _back_to(request, "organizations:settings")
    is_owner = grant.role == Role.OWNER
    others = []
    if is_owner:
        others = [m for m in selectors.get_members(organization=organization) if m.user_id != request.user.pk]
    store_count = organization.stores.count()
    return render(
        request,
        "organizations/settings.html",
        {
            "organization": organization,
            "form": form,
            "is_owner": is_owner,
            "transfer_form": TransferForm(members=others) if is_owner else None,
            "has_other_members": bool(others),
            "offered_to": organization.ownership_offered_to if organization.ownership_offered_to_id else None,
            "store_count": store_count,
            "page_obj": paginate(request, selectors.get_audit_log(organization=organization), per_page=AUDIT_PER_PAGE),
            "nav": "organization",
        },
        partial="audit",
    )


@organization_page
@require_POST
def transfer(request: HttpRequest) -> HttpResponse:
    organization, grant = _organization(request)
    if grant.role != Role.OWNER:
        raise Http404("No such page.")
    form = TransferForm(request.POST, members=selectors.get_members(organization=organization))
    if not form.is_valid():
        messages.error(request, "Choose the member who should become the owner.")
        return _back_to(request, "organizations:settings")
    membership = access_membership(
        user=request.user, organization=organization, membership_id=form.cleaned_data["member"]
    )
    try:
        services.transfer_ownership(organization=organization, actor=request.user, to=membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"{membership.user.username} was asked to take over {organization.name}. "
            "You stay the owner until they confirm.",
        )
    return _back_to(request, "organizations:settings")


@organization_page
@require_POST
def transfer_cancel(request: HttpRequest) -> HttpResponse:
    """The owner withdraws the offer, or the member it was made to declines."""
    organization, _grant = _organization(request)
    try:
        services.cancel_ownership_transfer(organization=organization, actor=request.user)
    except PermissionDenied:
        raise Http404("No such page.") from None
    messages.success(request, "The ownership offer was withdrawn.")
    return _back_to(
        request, "organizations:members" if request.POST.get("from") == "members" else "organizations:settings"
    )


@organization_page
@require_POST
def transfer_confirm(request: HttpRequest) -> HttpResponse:
    organization, _grant = _organization(request)
    try:
        services.confirm_ownership_transfer(organization=organization, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"You own {organization.name} now.")
    return _back_to(request, "organizations:members")


@organization_page
@require_POST
def delete(request: HttpRequest) -> HttpResponse:
    organization, grant = _organization(request)
    if grant.role != Role.OWNER:
        raise Http404("No such page.")
    try:
        services.delete_organization(organization=organization, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _back_to(request, "organizations:settings")
    messages.success(request, f"{organization.name} was deleted.")
    return redirect("/")


# The invitation link -----------------------------------------------------------------------------


@login_not_required
@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """What the emailed link opens: the invitation, and accepting it.

    Logged out: log in or sign up, then come back here (?next). A malformed token or one we
    never made is a 404 (a malformed one before any lookup)."""
    try:
        found = services.get_invitation_by_token(token)
    except InvitationRefused:
        raise Http404("No such invitation.") from None
    refusal = None
    status = None
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.path)
        try:
            membership = services.accept_invitation(token=token, user=request.user)
        except InvitationRefused as error:
            refusal = error
            status = 403
        except DatabaseError:
            # The service is all or nothing: its transaction rolled back, the invitation is
            # still pending and no membership was made. Say so, and let them try again.
            logger.exception("Accepting invitation %s failed", found.pk)
            refusal = InvitationRefused(
                "We couldn't add you just now. Nothing changed: the invitation still works. Please try again.",
                code="retry",
            )
            status = 503
        else:
            first_store = (
                membership.organization.stores.filter(selectors.store_condition(user=request.user, area=MEMBER))
                .order_by("name", "pk")
                .first()
            )
            messages.success(request, f"Welcome to {membership.organization.name}.")
            if first_store is None:  # an organization with no store for them (yet)
                return redirect(f"{reverse('organizations:members')}?organization={membership.organization_id}")
            request.session[ACTIVE_STORE_SESSION_KEY] = first_store.pk
            return redirect("organizations:members")
    elif request.user.is_authenticated:
        try:
            services.check_invitation(found, request.user)
        except InvitationRefused as error:
            refusal = error
    elif found.status != found.Status.PENDING:
        refusal = InvitationRefused("This invitation can no longer be accepted.", code=found.status)
    return render(
        request,
        "organizations/invitation.html",
        {
            "invitation": found,
            "stores": [] if found.all_stores else list(found.stores.order_by("name").only("pk", "name")),
            "role_description": ROLE_DESCRIPTIONS.get(found.role, ""),
            "refusal": refusal,
            "next": request.path,
        },
        status=status,
    )
