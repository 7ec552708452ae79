"""The services decide from the database, not from objects a caller read earlier."""

import pytest
from django.core.exceptions import ValidationError

from shomp.accounts.tests.factories import UserFactory
from shomp.organizations import services
from shomp.organizations.areas import MEMBER, Role
from shomp.organizations.models import Membership, Organization
from shomp.organizations.policies import can
from shomp.stores.selectors import stores_for
from shomp.stores.tests.factories import StoreFactory

from .factories import add_member

pytestmark = pytest.mark.django_db


def read_earlier(membership: Membership) -> Membership:
    """The membership as a page read it before something else changed the organization."""
    return Membership.objects.select_related("organization", "user").get(pk=membership.pk)


def test_removing_a_member_ends_an_ownership_offer_made_after_the_page_read_them():
    store = StoreFactory()
    membership = add_member(store, role=Role.SUPPORT)
    stale = read_earlier(membership)
    services.transfer_ownership(organization=store.organization, actor=store.owner, to=membership)

    services.remove_member(membership=stale, actor=store.owner)

    assert Organization.objects.get(pk=store.organization_id).ownership_offered_to is None
    # Invited back later, they can't take the ownership with the old offer.
    add_member(store, role=Role.SUPPORT, user=membership.user)
    with pytest.raises(ValidationError):
        services.confirm_ownership_transfer(organization=store.organization, user=membership.user)
    assert Organization.objects.get(pk=store.organization_id).owner == store.owner


def test_leaving_ends_an_ownership_offer_made_after_the_page_read_the_organization():
    store = StoreFactory()
    membership = add_member(store, role=Role.SUPPORT)
    stale_organization = Organization.objects.get(pk=store.organization_id)
    services.transfer_ownership(organization=store.organization, actor=store.owner, to=membership)

    services.leave_organization(organization=stale_organization, user=membership.user)

    assert Organization.objects.get(pk=store.organization_id).ownership_offered_to is None


def test_an_unsaved_user_may_do_nothing_even_on_a_store_with_a_team():
    store = StoreFactory()
    add_member(store, role=Role.ADMIN)
    ghost = UserFactory.build()

    assert not can(ghost, store, MEMBER)
    assert not stores_for(user=ghost, area=MEMBER).exists()
