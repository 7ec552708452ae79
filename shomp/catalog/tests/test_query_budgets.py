"""Every list page of the catalog costs the same number of queries for 1 row as for 60."""

import pytest

from shomp.catalog.models import Product
from shomp.catalog.tests.factories import ProductFactory, ProductImageFactory
from shomp.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db

MANY = 60


def fill(store, count: int, **fields) -> None:
    """`count` products of `store`, each with two images."""
    for product in ProductFactory.create_batch(count, store=store, title="Blue mug", **fields):
        ProductImageFactory.create_batch(2, product=product)


def other_stores(count: int) -> None:
    """Products of other stores, as home and search show products of many stores."""
    for _ in range(count):
        product = ProductFactory(title="Blue mug elsewhere")
        ProductImageFactory(product=product)


@pytest.mark.parametrize("size", [1, MANY])
def test_home(client, django_assert_max_num_queries, size):
    fill(StoreFactory(), size)
    other_stores(min(size, 12))

    # categories, their counts, popular (the sold ones, then the reviewed ones while fewer than
    # eight ever sold), new, both grids' images and running promotions, stores, + the next
    # promotion start or end (the shared page cache's key, on a miss)
    with django_assert_max_num_queries(9):
        response = client.get("/")

    assert len(response.context["products"]) == min(size + min(size, 12), 8)


@pytest.mark.parametrize("size", [1, MANY])
def test_store_page(client, django_assert_max_num_queries, size):
    store = StoreFactory(slug="alpha")
    fill(store, size)
    fill(store, size, status=Product.Status.DRAFT)

    # store, count, products, images, the typical reply time (messaging)
    # + the store's published design (themes), running promotions (one query), the next promotion
    # start or end (the shared page cache's key, on a miss)
    with django_assert_max_num_queries(8):
        response = client.get("/alpha/")

    assert response.context["page_obj"].paginator.count == size


@pytest.mark.parametrize("size", [1, MANY])
def test_store_page_for_its_owner(client, django_assert_max_num_queries, size):
    store = StoreFactory(slug="alpha")
    fill(store, size)
    client.force_login(store.owner)

    # + session, user, the owner's cart, the design, promotions, and their memberships (the page
    # cache asks whether they are on a team: then store pages are rendered for them)
    with django_assert_max_num_queries(11):
        response = client.get("/alpha/")

    assert response.context["is_manager"]


@pytest.mark.parametrize("size", [1, MANY])
def test_search(client, django_assert_max_num_queries, size):
    fill(StoreFactory(), size)
    other_stores(size)

    # count, products with stores, images; the category tree, its counts and the stores' counts
    # + running promotions (one query), the next promotion start or end (page cache key, on a miss)
    with django_assert_max_num_queries(8):
        response = client.get("/search/", {"q": "mug"})

    assert response.context["page_obj"].paginator.count == 2 * size


@pytest.mark.parametrize("size", [1, MANY])
def test_search_logged_in(client, django_assert_max_num_queries, size):
    fill(StoreFactory(), size)
    client.force_login(StoreFactory().owner)

    # + session, user, cart, running promotions (one query), the next promotion start or end
    # (page cache key, on a miss: logged-in visitors share the page too)
    with django_assert_max_num_queries(11):
        response = client.get("/search/", {"q": "mug"})

    assert response.context["page_obj"].paginator.count == size


@pytest.mark.parametrize("size", [1, MANY])
def test_dashboard_products(client, django_assert_max_num_queries, size):
    store = StoreFactory()
    fill(store, size)
    fill(store, size, status=Product.Status.DRAFT)
    other_stores(size)
    client.force_login(store.owner)

    # session, user, managed stores, count, products, images, cart
    with django_assert_max_num_queries(7):
        response = client.get("/dashboard/products/")

    assert response.context["page_obj"].paginator.count == 2 * size


@pytest.mark.parametrize("size", [1, MANY])
def test_product_page(client, django_assert_max_num_queries, size):
    product = ProductFactory(store__slug="alpha", slug="mug")
    ProductImageFactory.create_batch(min(size, 10), product=product)

    # store, product, images, the store's design (themes), promotions, + the next promotion start
    # or end (the shared page cache's key, on a miss)
    with django_assert_max_num_queries(6):
        response = client.get("/alpha/products/mug/")

    assert response.status_code == 200
