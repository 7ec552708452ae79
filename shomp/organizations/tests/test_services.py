"""The team's rules, whatever a page offered: invitations, roles, removal, leaving, ownership."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError
from django.utils import timezone

from shomp.accounts.tests.factories import UserFactory
from shomp.organizations import services
from shomp.organizations.models import AuditLogEntry, Invitation, Membership
from shomp.organizations.policies import can
from shomp.organizations.services import InvitationRefused
from shomp.stores.services import create_store
from shomp.stores.tests.factories import StoreFactory

from .factories import add_member

pytestmark = pytest.mark.django_db


def verified_user(email):
    user = UserFactory(email=email)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def invite(store, email="new@example.com", role="support", actor=None, **kwargs):
    return services.invite_member(
        organization=store.organization, actor=actor or store.owner, email=email, role=role, **kwargs
    )


# Organizations and stores -----------------------------------------------------------------------


def test_a_sellers_first_store_makes_their_organization_and_later_stores_join_it():
    seller = UserFactory(username="maker")
    first = create_store(owner=seller, name="First")
    second = create_store(owner=seller, name="Second")

    assert first.organization_id == second.organization_id
    assert first.organization.name == "maker" and first.organization.owner == seller
    assert list(first.organization.memberships.values_list("user__username", "role")) == [("maker", "owner")]


# Invitations ------------------------------------------------------------------------------------


def test_an_invitation_keeps_only_the_tokens_hash_and_emails_the_link(django_capture_on_commit_callbacks):
    store = StoreFactory()
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(store, email=" New@Example.com ")

    assert invitation.email == "new@example.com"
    assert len(invitation.token) >= 43  # 256 bits, url-safe
    assert invitation.token_hash == services.hash_token(invitation.token) != invitation.token
    assert not Invitation.objects.filter(token_hash=invitation.token).exists()
    assert invitation.expires_at - timezone.now() > timedelta(days=6, hours=23)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["new@example.com"]
    assert f"/organizations/invitations/{invitation.token}/" in mail.outbox[0].body
    assert mail.outbox[0].body.count("http") == 1 and "http" in mail.outbox[0].body
    assert AuditLogEntry.objects.filter(action="invited", object="n***@example.com").exists()


def test_the_invited_verified_account_accepts_once():
    store = StoreFactory()
    invitation = invite(store, email="new@example.com", role="support")
    user = verified_user("NEW@example.com")

    membership = services.accept_invitation(token=invitation.token, user=user)

    assert membership.role == "support" and membership.organization_id == store.organization_id
    store.refresh_from_db()  # as the next request reads it
    assert can(user, store, "messages") and not can(user, store, "products")
    with pytest.raises(InvitationRefused) as refused:
        services.accept_invitation(token=invitation.token, user=user)
    assert refused.value.code == "accepted"
    assert Membership.objects.filter(user=user).count() == 1


def test_an_invitation_limited_to_stores_gives_those_stores_only():
    store = StoreFactory()
    other = StoreFactory(owner=store.owner)
    invitation = invite(store, role="fulfilment", store_ids=[other.pk])
    user = verified_user("new@example.com")

    services.accept_invitation(token=invitation.token, user=user)

    other.refresh_from_db()
    assert other.has_team
    assert can(user, other, "orders") and not can(user, store, "orders")


@pytest.mark.parametrize(
    ("setup", "code"),
    [
        (lambda invitation, store: services.revoke_invitation(invitation=invitation, actor=store.owner), "revoked"),
        (lambda inv, _: Invitation.objects.filter(pk=inv.pk).update(expires_at=timezone.now()), "expired"),
        (lambda invitation, store: invite(store, email=invitation.email), "revoked"),  # re-invited: a new link
    ],
    ids=["revoked", "expired", "reinvited"],
)
def test_a_dead_link_is_refused_and_changes_nothing(setup, code):
    store = StoreFactory()
    invitation = invite(store)
    setup(invitation, store)
    user = verified_user("new@example.com")

    with pytest.raises(InvitationRefused) as refused:
        services.accept_invitation(token=invitation.token, user=user)

    assert refused.value.code == code
    assert not Membership.objects.filter(user=user).exists()


def test_reinviting_gives_a_new_working_link():
    store = StoreFactory()
    old = invite(store)
    new = invite(store)
    user = verified_user("new@example.com")

    services.accept_invitation(token=new.token, user=user)

    assert old.token != new.token
    assert Invitation.objects.get(pk=old.pk).revoked_at is not None


@pytest.mark.parametrize("token", ["", " ", "a" * 42, "a" * 44, "é" * 43, "a" * 42 + "/", None, "\x00" * 43])
def test_empty_or_malformed_tokens_are_refused_before_any_lookup(token, django_assert_num_queries):
    store = StoreFactory()
    invite(store)
    user = verified_user("new@example.com")

    with django_assert_num_queries(0), pytest.raises(InvitationRefused) as refused:
        services.accept_invitation(token=token, user=user)
    assert refused.value.code == "invalid"
    with pytest.raises(InvitationRefused):
        services.get_invitation_by_token(token)


def test_a_well_formed_token_we_never_made_is_refused():
    user = verified_user("new@example.com")
    with pytest.raises(InvitationRefused) as refused:
        services.accept_invitation(token="A" * 43, user=user)
    assert refused.value.code == "invalid"


def test_another_account_is_refused_clearly():
    store = StoreFactory()
    invitation = invite(store, email="new@example.com")
    other = verified_user("other@example.com")

    with pytest.raises(InvitationRefused) as refused:
        services.accept_invitation(token=invitation.token, user=other)

    assert refused.value.code == "wrong_account"
    assert "n***@example.com" in refused.value.message and "new@example.com" not in refused.value.message
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is None


def test_an_unverified_address_is_not_enough():
    """Someone who signs up with the invited address before the invitee proves nothing."""
    store = StoreFactory()
    invitation = invite(store, email="new@example.com")
    squatter = UserFactory(email="new@example.com")
    EmailAddress.objects.create(user=squatter, email="new@example.com", verified=False, primary=True)

    with pytest.raises(InvitationRefused) as refused:
        services.accept_invitation(token=invitation.token, user=squatter)

    assert refused.value.code == "unverified"
    assert not Membership.objects.filter(user=squatter).exists()


def test_a_database_error_mid_accept_leaves_the_invitation_pending_and_no_member():
    store = StoreFactory()
    invitation = invite(store, role="fulfilment", store_ids=[store.pk])
    user = verified_user("new@example.com")

    with (
        mock.patch.object(AuditLogEntry.objects, "create", side_effect=DatabaseError("disk full")),
        pytest.raises(DatabaseError),
    ):
        services.accept_invitation(token=invitation.token, user=user)

    invitation.refresh_from_db()
    assert invitation.accepted_at is None and invitation.accepted_by is None
    assert not Membership.objects.filter(user=user).exists()
    store.refresh_from_db()
    assert not store.has_team
    services.accept_invitation(token=invitation.token, user=user)  # and it still works afterwards
    store.refresh_from_db()
    assert can(user, store, "orders")


def test_a_manager_may_not_invite_at_all_and_nobody_invites_an_owner():
    store = StoreFactory()
    manager = add_member(store, role="manager").user
    with pytest.raises(PermissionDenied):
        invite(store, actor=manager, role="analyst")

    with pytest.raises(ValidationError) as refused:
        invite(store, role="owner")
    assert "role" in refused.value.message_dict


def test_nobody_invites_with_more_than_they_have():
    store = StoreFactory()
    other = StoreFactory(owner=store.owner)
    # A manager who was also given the members area: may invite, but not an admin (settings).
    manager = add_member(store, role="manager", added={"members"}).user
    with pytest.raises(ValidationError) as refused:
        invite(store, actor=manager, role="admin")
    assert "role" in refused.value.message_dict
    # A member limited to one store can't invite to every store, nor to a store they don't work on.
    limited = add_member(store, role="admin", stores=[store]).user
    with pytest.raises(ValidationError):
        invite(store, actor=limited, role="support")
    with pytest.raises(ValidationError):
        invite(store, actor=limited, role="support", store_ids=[other.pk])
    assert invite(store, actor=limited, role="support", store_ids=[store.pk]).pk
    # Stores of another organization are refused.
    with pytest.raises(ValidationError):
        invite(store, role="support", store_ids=[StoreFactory().pk])


# Roles ------------------------------------------------------------------------------------------


def test_nobody_changes_their_own_role():
    store = StoreFactory()
    admin = add_member(store, role="admin")
    manager = add_member(store, role="manager", added={"members"})

    for membership in (admin, manager):
        with pytest.raises(ValidationError):
            services.manage_permissions(membership=membership, actor=membership.user, role="admin")
    assert Membership.objects.get(pk=manager.pk).role == "manager"


def test_nobody_grants_a_role_or_area_they_dont_have():
    store = StoreFactory()
    manager = add_member(store, role="manager", added={"members"}).user
    support = add_member(store, role="support")

    with pytest.raises(ValidationError):
        services.manage_permissions(membership=support, actor=manager, role="admin")
    with pytest.raises(ValidationError):
        services.manage_permissions(membership=support, actor=manager, role="support", added_areas=["settings"])
    with pytest.raises(ValidationError):
        services.manage_permissions(membership=support, actor=manager, role="owner")

    services.manage_permissions(membership=support, actor=manager, role="fulfilment")
    assert Membership.objects.get(pk=support.pk).role == "fulfilment"


def test_nobody_manages_a_member_who_may_do_more_or_the_owner():
    store = StoreFactory()
    owner_membership = Membership.objects.get(organization=store.organization, user=store.owner)
    manager = add_member(store, role="manager", added={"members"}).user
    admin = add_member(store, role="admin")

    with pytest.raises(ValidationError):
        services.manage_permissions(membership=admin, actor=manager, role="support")
    with pytest.raises(ValidationError):
        services.remove_member(membership=admin, actor=manager)
    with pytest.raises(ValidationError):
        services.manage_permissions(membership=owner_membership, actor=admin.user, role="admin")
    assert Membership.objects.get(pk=admin.pk).role == "admin"


def test_the_owner_changes_a_role_and_it_is_logged_and_takes_effect():
    store = StoreFactory()
    member = add_member(store, role="admin")

    services.manage_permissions(membership=member, actor=store.owner, role="support", store_ids=[store.pk])

    member.refresh_from_db()
    user = type(member.user).objects.get(pk=member.user_id)
    assert not can(user, store, "products") and can(user, store, "messages")
    entry = AuditLogEntry.objects.get(action="permissions_changed")
    assert entry.object == member.user.username
    assert entry.details["before"]["role"] == "admin" and entry.details["after"]["role"] == "support"


# Removing, leaving, ownership -------------------------------------------------------------------


def test_the_last_owner_can_neither_be_removed_nor_leave():
    store = StoreFactory()
    owner_membership = Membership.objects.get(organization=store.organization, user=store.owner)
    admin = add_member(store, role="admin").user

    with pytest.raises(ValidationError):
        services.remove_member(membership=owner_membership, actor=admin)
    with pytest.raises(ValidationError):
        services.remove_member(membership=owner_membership, actor=store.owner)
    with pytest.raises(ValidationError):
        services.leave_organization(organization=store.organization, user=store.owner)
    assert Membership.objects.filter(pk=owner_membership.pk, role="owner").exists()


def test_removing_and_leaving_end_access_at_once():
    store = StoreFactory()
    removed = add_member(store, role="admin")
    leaver = add_member(store, role="support")

    services.remove_member(membership=removed, actor=store.owner)
    services.leave_organization(organization=store.organization, user=leaver.user)

    assert not can(type(removed.user).objects.get(pk=removed.user_id), store, "member")
    assert not can(type(leaver.user).objects.get(pk=leaver.user_id), store, "member")
    assert set(AuditLogEntry.objects.values_list("action", flat=True)) >= {"removed", "left"}
    store.refresh_from_db()
    assert not store.has_team  # nobody but the owner: the door answers others without a query


def test_ownership_moves_only_when_the_new_owner_confirms():
    store = StoreFactory()
    old_owner = store.owner
    member = add_member(store, role="support")
    admin = add_member(store, role="admin").user

    with pytest.raises(PermissionDenied):
        services.transfer_ownership(organization=store.organization, actor=admin, to=member)
    services.transfer_ownership(organization=store.organization, actor=old_owner, to=member)
    store.refresh_from_db()
    assert store.owner == old_owner
    with pytest.raises(ValidationError):
        services.confirm_ownership_transfer(organization=store.organization, user=admin)

    services.confirm_ownership_transfer(organization=store.organization, user=member.user)

    store.refresh_from_db()
    assert store.owner == member.user and store.organization.owner == member.user
    roles = dict(store.organization.memberships.values_list("user_id", "role"))
    assert roles[member.user_id] == "owner" and roles[old_owner.pk] == "admin"
    assert can(type(member.user).objects.get(pk=member.user_id), store, "settings")


def test_an_organization_is_deleted_only_by_its_owner_once_it_holds_no_stores():
    owner = UserFactory()
    organization = services.create_organization(owner=owner, name="Empty")
    store = StoreFactory()
    with pytest.raises(ValidationError):
        services.delete_organization(organization=store.organization, actor=store.owner)

    services.delete_organization(organization=organization, actor=owner)

    assert not type(organization).objects.filter(pk=organization.pk).exists()


def test_the_token_pattern_matches_what_we_make():
    assert re.fullmatch(services.TOKEN_PATTERN, services.secrets.token_urlsafe(services.TOKEN_BYTES))
