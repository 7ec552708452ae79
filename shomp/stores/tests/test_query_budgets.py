"""The store list costs the same number of queries for 1 store as for 60."""

import pytest

from shomp.catalog.models import Product
from shomp.catalog.tests.factories import ProductFactory
from shomp.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


def stores_with_products(count: int) -> None:
    for store in StoreFactory.create_batch(count, description="Clay mugs and bowls."):
        ProductFactory.create_batch(2, store=store)
        ProductFactory(store=store, status=Product.Status.DRAFT)


@pytest.mark.parametrize("size", [1, 60])
@pytest.mark.parametrize("query", ["", "mugs"])
def test_store_list(client, django_assert_max_num_queries, size, query):
    stores_with_products(size)

    # count, stores with their product counts, + the next promotion start or end (page cache key, on a miss)
    with django_assert_max_num_queries(3):
        response = client.get("/stores/", {"q": query})

    page = response.context["page_obj"]
    assert page.paginator.count == size
    assert all(store.published_count == 2 for store in page)


@pytest.mark.parametrize("size", [1, 60])
def test_store_list_logged_in(client, django_assert_max_num_queries, size):
    stores_with_products(size)
    client.force_login(StoreFactory().owner)

    # + session, user, cart, the next promotion start or end (page cache key, on a miss: logged-in
    # visitors share the page too)
    with django_assert_max_num_queries(6):
        response = client.get("/stores/")

    assert response.context["page_obj"].paginator.count == size + 1


@pytest.mark.parametrize("size", [1, 60])
def test_dashboard_store_settings_with_many_stores(client, django_assert_max_num_queries, size):
    owner = StoreFactory().owner
    StoreFactory.create_batch(size - 1, owner=owner)
    client.force_login(owner)

    with django_assert_max_num_queries(4):  # session, user, managed stores (the switcher), cart
        response = client.get("/dashboard/store/")

    assert len(response.context["request"].managed_stores) == size
