"""Invitations at their edges: which addresses count, and a database error at each step of
accepting (test_services.py has the main attacks)."""

import pytest
from allauth.account.models import EmailAddress
from django.db import DatabaseError

from shomp.accounts.tests.factories import UserFactory
from shomp.organizations import services
from shomp.organizations.areas import Area, Role
from shomp.organizations.models import Invitation, Membership
from shomp.organizations.policies import can
from shomp.organizations.services import InvitationRefused, accept_invitation, invite_member
from shomp.stores.tests.factories import StoreFactory

from .factories import add_member

pytestmark = pytest.mark.django_db


def invite(store, email="bob@example.com", role=Role.SUPPORT, **kwargs) -> Invitation:
    return invite_member(organization=store.organization, actor=store.owner, email=email, role=role, **kwargs)


def with_address(email: str, *, verified: bool = True, **fields):
    user = UserFactory(email=email, **fields)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=verified)
    return user


def refusal(token, user) -> str:
    with pytest.raises(InvitationRefused) as caught:
        accept_invitation(token=token, user=user)
    return caught.value.code


def test_the_address_is_compared_without_case():
    store = StoreFactory()
    invitation = invite(store, email="Bob@Example.com")
    assert accept_invitation(token=invitation.token, user=with_address("BOB@example.COM")).role == Role.SUPPORT


def test_a_second_confirmed_address_of_the_account_counts():
    store = StoreFactory()
    invitation = invite(store, email="work@example.com")
    bob = with_address("bob@example.com")
    EmailAddress.objects.create(user=bob, email="work@example.com", verified=True, primary=False)

    accept_invitation(token=invitation.token, user=bob)
    assert Membership.objects.filter(user=bob, organization=store.organization).exists()


def test_the_accounts_email_field_alone_is_not_a_confirmed_address():
    store = StoreFactory()
    invitation = invite(store, email="carol@example.com")
    carol = UserFactory(email="carol@example.com")  # no allauth address row at all

    assert refusal(invitation.token, carol) == "wrong_account"
    assert not Membership.objects.filter(user=carol).exists()


def test_a_member_already_in_is_told_so_and_keeps_their_role():
    store = StoreFactory()
    bob = with_address("bob@example.com")
    add_member(store, user=bob, role=Role.ANALYST)
    invitation = invite(store)

    assert refusal(invitation.token, bob) == "already_member"
    assert Membership.objects.get(user=bob).role == Role.ANALYST


@pytest.mark.parametrize("failing", ["membership stores", "invitation", "audit log"])
def test_a_database_error_at_any_step_leaves_the_invitation_pending_and_nobody_a_member(monkeypatch, failing):
    store = StoreFactory()
    second = StoreFactory(owner=store.owner)
    invitation = invite(store, role=Role.MANAGER, store_ids=[store.pk, second.pk])
    bob = with_address("bob@example.com")

    def boom(*args, **kwargs):
        raise DatabaseError("forced")

    with monkeypatch.context() as patch:
        target = {
            "membership stores": (Membership.stores.related_manager_cls, "set"),
            "invitation": (Invitation, "save"),
            "audit log": (services, "_log"),
        }[failing]
        patch.setattr(*target, boom)
        with pytest.raises(DatabaseError):
            accept_invitation(token=invitation.token, user=bob)

    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING and invitation.accepted_by is None
    assert not Membership.objects.filter(user=bob).exists()
    store.refresh_from_db()
    assert not can(bob, store, Area.PRODUCTS)
    # The link still works once the database does.
    assert accept_invitation(token=invitation.token, user=bob).role == Role.MANAGER
