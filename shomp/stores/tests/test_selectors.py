"""Reads for /stores and the dashboard switcher, on SQLite and PostgreSQL alike."""

import pytest
from django.contrib.auth.models import AnonymousUser

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog.models import Product
from shomp.catalog.tests.factories import ProductFactory
from shomp.stores.selectors import get_managed_stores, get_store_by_slug, search_stores
from shomp.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


def names(stores) -> set[str]:
    return {store.name for store in stores}


def test_search_stores_lists_every_store_with_its_published_product_count():
    busy = StoreFactory(name="Busy")
    ProductFactory.create_batch(2, store=busy)
    ProductFactory(store=busy, status=Product.Status.DRAFT)
    ProductFactory(store=busy, status=Product.Status.ARCHIVED)
    StoreFactory(name="Empty")

    counts = {store.name: store.published_count for store in search_stores()}

    assert counts == {"Busy": 2, "Empty": 0}


def test_search_stores_finds_by_name_and_by_description_words():
    StoreFactory(name="Clay Corner", description="Hand-thrown mugs and bowls.")
    StoreFactory(name="Paper Trail", description="Letterpress prints and notebooks.")
    StoreFactory(name="Sound Shack", description="Field recordings.")

    assert names(search_stores(query="clay")) == {"Clay Corner"}
    assert names(search_stores(query="  Paper  ")) == {"Paper Trail"}
    assert names(search_stores(query="notebooks")) == {"Paper Trail"}
    assert names(search_stores(query="recordings")) == {"Sound Shack"}
    assert names(search_stores(query="zeppelin")) == set()
    assert names(search_stores(query="")) == {"Clay Corner", "Paper Trail", "Sound Shack"}


def test_search_stores_keeps_counts_while_searching():
    store = StoreFactory(name="Clay Corner")
    ProductFactory.create_batch(3, store=store)

    [found] = search_stores(query="clay")

    assert found.published_count == 3


def test_get_managed_stores_is_the_users_own_stores_only():
    owner = UserFactory()
    mine = [StoreFactory(owner=owner, name="B"), StoreFactory(owner=owner, name="A")]
    StoreFactory(name="Not mine")

    assert list(get_managed_stores(user=owner)) == sorted(mine, key=lambda s: s.name)
    assert list(get_managed_stores(user=UserFactory())) == []
    assert list(get_managed_stores(user=AnonymousUser())) == []


def test_get_store_by_slug_ignores_case():
    store = StoreFactory(slug="clay")

    assert get_store_by_slug(slug="CLAY") == store
    assert get_store_by_slug(slug="nope") is None
