"""Marketplace reads: search, the store's shelf, a product by slug or id, the seller's list.

Search runs on SQLite (word containment) and PostgreSQL (full-text); these tests hold on both."""

import pytest
from django.contrib.auth.models import AnonymousUser

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog import selectors
from shomp.catalog.models import Product
from shomp.catalog.tests.factories import ProductFactory
from shomp.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


def titles(products) -> set[str]:
    return {product.title for product in products}


@pytest.fixture
def shelf():
    ProductFactory(title="Stoneware mug", description="A speckled glaze, holds 350 ml of coffee.")
    ProductFactory(title="Linen tea towel", description="Block printed with lemons.")
    ProductFactory(title="Watercolour print", description="A lemon tree at dusk.")
    ProductFactory(title="Draft mug", description="Coffee.", status=Product.Status.DRAFT)
    ProductFactory(title="Archived mug", description="Coffee.", status=Product.Status.ARCHIVED)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("mug", {"Stoneware mug"}),
        ("MUG", {"Stoneware mug"}),
        ("stoneware", {"Stoneware mug"}),
        ("coffee", {"Stoneware mug"}),  # a description word
        ("speckled glaze", {"Stoneware mug"}),
        ("tea towel", {"Linen tea towel"}),
        ("block", {"Linen tea towel"}),
        ("lemon", {"Linen tea towel", "Watercolour print"}),  # "lemons" and "lemon"
        ("print", {"Watercolour print", "Linen tea towel"}),  # "printed" holds "print" on both databases
        ("zeppelin", set()),
    ],
)
def test_search_finds_published_products_by_title_and_description_words(shelf, query, expected):
    assert titles(selectors.search_products(query=query)) == expected


def test_search_never_returns_drafts_or_archived_products(shelf):
    for query in ["mug", "draft", "archived", "coffee", ""]:
        found = titles(selectors.search_products(query=query))
        assert "Draft mug" not in found
        assert "Archived mug" not in found


def test_an_empty_search_lists_every_published_product_newest_first(shelf):
    found = [product.title for product in selectors.search_products(query="  ")]

    assert found == ["Watercolour print", "Linen tea towel", "Stoneware mug"]


def test_search_survives_punctuation_and_operators(shelf):
    for query in ['"mug', "mug -", "or", "!!", "mug & | !", "%", "_", "'"]:
        list(selectors.search_products(query=query))  # no database error
    assert titles(selectors.search_products(query="%")) == set()


def test_latest_products_are_published_ones_newest_first_and_limited():
    old, new = ProductFactory(title="Old"), ProductFactory(title="New")
    ProductFactory(status=Product.Status.DRAFT)

    assert selectors.latest_products(limit=5) == [new, old]
    assert selectors.latest_products(limit=1) == [new]


def test_store_published_products_are_that_stores_published_ones():
    store = StoreFactory()
    mine = ProductFactory(store=store)
    ProductFactory(store=store, status=Product.Status.DRAFT)
    ProductFactory()

    assert list(selectors.store_published_products(store=store)) == [mine]


def test_get_visible_product_by_slug_or_numeric_id():
    product = ProductFactory(slug="mug")
    store = product.store

    assert selectors.get_visible_product(user=AnonymousUser(), store=store, product_ref="mug") == product
    assert selectors.get_visible_product(user=AnonymousUser(), store=store, product_ref=str(product.pk)) == product
    assert selectors.get_visible_product(user=AnonymousUser(), store=StoreFactory(), product_ref="mug") is None
    other_store_product = ProductFactory()
    assert (
        selectors.get_visible_product(user=AnonymousUser(), store=store, product_ref=str(other_store_product.pk))
        is None
    )


@pytest.mark.parametrize("status", [Product.Status.DRAFT, Product.Status.ARCHIVED])
def test_get_visible_product_shows_unpublished_products_to_the_store_only(status):
    product = ProductFactory(slug="secret", status=status)
    store = product.store

    assert selectors.get_visible_product(user=store.owner, store=store, product_ref="secret") == product
    for user in (AnonymousUser(), UserFactory(), StoreFactory().owner):
        assert selectors.get_visible_product(user=user, store=store, product_ref="secret") is None
        assert selectors.get_visible_product(user=user, store=store, product_ref=str(product.pk)) is None


def test_dashboard_products_filter_by_status_and_title_within_the_store():
    store = StoreFactory()
    mug = ProductFactory(store=store, title="Blue mug")
    draft = ProductFactory(store=store, title="Red mug", status=Product.Status.DRAFT)
    ProductFactory(title="Blue mug elsewhere")

    assert set(selectors.dashboard_products(store=store)) == {mug, draft}
    assert list(selectors.dashboard_products(store=store, status="draft")) == [draft]
    assert list(selectors.dashboard_products(store=store, query=" blue ")) == [mug]
    assert set(selectors.dashboard_products(store=store, status="bogus")) == {mug, draft}
