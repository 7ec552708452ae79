"""Platform staff run users, stores, products and orders from Django's admin."""

import pytest

from shomp.accounts.tests.factories import UserFactory
from shomp.orders.tests.factories import OrderItemFactory

ADMIN_PAGES = [
    "/admin/accounts/user/",
    "/admin/stores/store/",
    "/admin/catalog/product/",
    "/admin/orders/order/",
    "/admin/orders/checkout/",
]


@pytest.fixture
def item():
    return OrderItemFactory()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_staff_see_each_admin_list_and_its_rows(client, item, url):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    order = item.order
    shown, change_url = {
        "/admin/accounts/user/": (order.buyer.username, f"/admin/accounts/user/{order.buyer.pk}/change/"),
        "/admin/stores/store/": (order.store.name, f"/admin/stores/store/{order.store.pk}/change/"),
        "/admin/catalog/product/": (item.product.title, f"/admin/catalog/product/{item.product.pk}/change/"),
        "/admin/orders/order/": (order.number, f"/admin/orders/order/{order.pk}/change/"),
        "/admin/orders/checkout/": (str(order.checkout.token), f"/admin/orders/checkout/{order.checkout.pk}/change/"),
    }[url]
    response = client.get(url)
    assert response.status_code == 200
    assert shown in response.text
    assert client.get(change_url).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_non_staff_are_sent_to_the_admin_login(client, item, url):
    client.force_login(UserFactory())
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_staff_search_orders_by_buyer_username(client, item):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get("/admin/orders/order/", {"q": item.order.buyer.username})
    assert item.order.number in response.text
    response = client.get("/admin/orders/order/", {"q": "nobody-has-this-name"})
    assert item.order.number not in response.text


@pytest.mark.django_db
def test_the_admin_index_names_every_app_distinctly(client):
    """Each app's heading is its own (allauth's "Accounts" and ours no longer read the same)."""
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    apps = client.get("/admin/").context["app_list"]

    names = [app["name"] for app in apps]
    assert len(names) == len(set(names)), names
    assert "Users and sign-in" in names and "Orders and payments" in names
