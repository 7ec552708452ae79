"""`can_manage_store` is the one answer to "may this user manage this store?"; doors answer 404."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from shomp.accounts.tests.factories import UserFactory
from shomp.stores.policies import access_store_for_management, can_manage_store
from shomp.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


def test_the_owner_may_manage_the_store():
    store = StoreFactory()

    assert can_manage_store(store.owner, store)
    assert store.owner.has_perm("stores.manage_store", store)


def test_another_user_may_not_manage_the_store():
    store = StoreFactory()
    stranger = UserFactory()

    assert not can_manage_store(stranger, store)
    assert not stranger.has_perm("stores.manage_store", store)


def test_an_anonymous_visitor_may_not_manage_any_store():
    assert not can_manage_store(AnonymousUser(), StoreFactory())


def test_an_inactive_owner_may_not_manage_the_store():
    store = StoreFactory(owner__is_active=False)

    assert not can_manage_store(store.owner, store)


def test_nobody_manages_a_missing_store():
    assert not can_manage_store(UserFactory(), None)


def test_access_store_for_management_returns_the_owners_store():
    store = StoreFactory()

    assert access_store_for_management(user=store.owner, store_id=store.pk) == store


@pytest.mark.parametrize("who", ["stranger", "anonymous", "inactive owner"])
def test_access_store_for_management_is_a_404_for_anyone_else(who):
    store = StoreFactory()
    user = {"stranger": UserFactory, "anonymous": AnonymousUser}.get(who, lambda: store.owner)()
    if who == "inactive owner":
        user.is_active = False
        user.save()

    with pytest.raises(Http404):
        access_store_for_management(user=user, store_id=store.pk)


def test_access_store_for_management_is_a_404_for_a_missing_store():
    store = StoreFactory()

    with pytest.raises(Http404):
        access_store_for_management(user=store.owner, store_id=store.pk + 1000)
