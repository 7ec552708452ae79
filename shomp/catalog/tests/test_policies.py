"""Who may see and manage a product; the management door answers 404 to everyone else."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog.models import Product
from shomp.catalog.policies import access_product_for_management, can_manage_product, can_view_product
from shomp.catalog.tests.factories import ProductFactory
from shomp.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


def test_the_store_owner_manages_its_products_and_nobody_else_does():
    product = ProductFactory()

    assert can_manage_product(product.store.owner, product)
    assert not can_manage_product(UserFactory(), product)
    assert not can_manage_product(AnonymousUser(), product)
    assert not can_manage_product(product.store.owner, None)


@pytest.mark.parametrize("status", [Product.Status.DRAFT, Product.Status.ARCHIVED])
def test_unpublished_products_are_visible_to_the_store_only(status):
    product = ProductFactory(status=status)

    assert can_view_product(product.store.owner, product)
    assert not can_view_product(UserFactory(), product)
    assert not can_view_product(AnonymousUser(), product)


def test_published_products_are_visible_to_everyone():
    product = ProductFactory()

    assert can_view_product(AnonymousUser(), product)
    assert can_view_product(UserFactory(), product)


def test_access_product_for_management_returns_a_product_of_the_active_store():
    product = ProductFactory(status=Product.Status.DRAFT)
    store = product.store

    assert access_product_for_management(user=store.owner, store=store, product_id=product.pk) == product


def test_another_stores_product_id_is_a_404_even_for_an_owner_of_both():
    """The dashboard works on the active store: an id from elsewhere is not found there."""
    owner = UserFactory()
    active, other = StoreFactory(owner=owner), StoreFactory(owner=owner)
    product = ProductFactory(store=other)

    with pytest.raises(Http404):
        access_product_for_management(user=owner, store=active, product_id=product.pk)


def test_another_owners_product_id_is_a_404():
    mine = StoreFactory()
    theirs = ProductFactory(status=Product.Status.DRAFT)

    with pytest.raises(Http404):
        access_product_for_management(user=mine.owner, store=mine, product_id=theirs.pk)
    with pytest.raises(Http404):  # even when handed the other store itself
        access_product_for_management(user=mine.owner, store=theirs.store, product_id=theirs.pk)


def test_a_missing_product_is_a_404():
    store = StoreFactory()

    with pytest.raises(Http404):
        access_product_for_management(user=store.owner, store=store, product_id=999_999)
