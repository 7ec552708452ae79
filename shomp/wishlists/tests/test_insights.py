"""Seller insights at /dashboard/wishlists/analytics: counts only, never who; the door is the
"analytics" area; flat queries; the sale notice's bad input."""

import pytest
from django.urls import reverse

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog import services as catalog
from shomp.catalog.tests.factories import ProductFactory
from shomp.notifications.models import Notification, NotificationType
from shomp.orders.tests.factories import OrderFactory, OrderItemFactory
from shomp.organizations.tests.factories import add_member
from shomp.stores.tests.factories import StoreFactory
from shomp.wishlists import services

pytestmark = pytest.mark.django_db
URL = "/dashboard/wishlists/analytics/"


def test_counts_per_product_and_variant_and_never_who(client, variant_product):
    store = variant_product.store
    small, medium = variant_product.variants.order_by("pk")
    savers = [UserFactory(username=f"secret-saver-{n}") for n in range(3)]
    for saver in savers:
        services.add_to_wishlist(user=saver, product=variant_product, variant=small)
    services.add_to_wishlist(user=savers[0], product=variant_product, variant=medium)
    catalog.update_variant(variant=medium, inventory_count=0)  # one saver waits on it
    order = OrderFactory(buyer=savers[1], store=store)
    OrderItemFactory(order=order, product=variant_product, variant=small)
    client.force_login(store.owner)
    response = client.get(URL)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="total-lists">4<' in page and 'id="total-adds">4<' in page
    assert 'id="total-bought">1<' in page and 'id="total-waiting">1<' in page
    assert "secret-saver" not in page and savers[0].email not in page
    assert f">{small.name}<" in page


def test_only_the_analytics_area_and_only_the_own_store(client, product):
    services.add_to_wishlist(user=UserFactory(), product=product)
    client.logout()
    response = client.get(URL)
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    client.force_login(UserFactory())  # a stranger with no store
    assert client.get(URL).status_code == 302
    other_owner = StoreFactory().owner
    client.force_login(other_owner)
    page = client.get(URL).content.decode()
    assert product.title not in page
    # Another store's product in the sale form is a 404, and nobody is told anything.
    assert client.post(URL, {"product": product.pk, "message": "Sale!"}).status_code == 404
    support = add_member(product.store, role="support").user
    client.force_login(support)
    assert client.get(URL).status_code == 302
    assert not Notification.objects.filter(type=NotificationType.SAVED_SALE).exists()


def test_bad_range_and_empty_sale_message_are_told(client, product, buyer):
    services.add_to_wishlist(user=buyer, product=product)
    client.force_login(product.store.owner)
    assert "Choose 7, 30 or 90 days" in client.get(URL + "?days=abc").content.decode()
    response = client.post(URL, {"product": product.pk, "message": "   "})
    assert response.status_code == 400 and 'id="id_message_error"' in response.content.decode()
    response = client.post(URL, {"product": "x", "message": "Sale"})
    assert response.status_code == 400 and "Choose one of your products" in response.content.decode()
    assert not Notification.objects.filter(type=NotificationType.SAVED_SALE).exists()


@pytest.mark.parametrize("count", [1, 50])
def test_insights_budget(client, django_assert_max_num_queries, count):
    store = StoreFactory()
    saver = UserFactory()
    for product in ProductFactory.create_batch(count, store=store):
        services.add_to_wishlist(user=saver, product=product)
    client.force_login(store.owner)
    with django_assert_max_num_queries(20):
        response = client.get(URL)
    assert response.content.decode().count("on lists)</option>") == count
