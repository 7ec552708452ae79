"""Query budgets: each page costs the same number of queries with 1 row as with 50 or more."""

import pytest
from django.urls import reverse

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog.models import ProductImage
from shomp.catalog.tests.factories import DigitalProductFactory, ProductFactory
from shomp.stores.tests.factories import StoreFactory

from .factories import CartFactory, CartItemFactory, OrderFactory, OrderItemFactory

pytestmark = pytest.mark.django_db

# Session, user, then the page's own reads (and the header's cart badge: one query, none on the
# cart page, which counts its own lines). The order lists include one query for the listed
# orders' lines (what was bought, with its options).
CART_BUDGET = 7  # + the buyer's saved addresses (the country shipping is shown for), running promotions
ORDER_LIST_BUDGET = 6
ORDER_DETAIL_BUDGET = 8  # + the order's refunds (its history) and the buyer's reviews of its products
DASHBOARD_HOME_BUDGET = 8  # the door's stores, recent orders and their lines, product counts, order totals
DASHBOARD_ORDERS_BUDGET = 7
DASHBOARD_ORDER_BUDGET = 8  # + the order's refunds (its history)


def fill_cart(user, lines: int) -> None:
    cart = CartFactory(user=user)
    stores = [StoreFactory() for _ in range(min(lines, 10))]
    for n in range(lines):
        product = ProductFactory(store=stores[n % len(stores)])
        if n % 2:
            ProductImage.objects.create(
                product=product,
                image=f"products/images/{n}.jpg",
                thumbnail=f"products/thumbs/{n}.jpg",
                width=4,
                height=3,
            )
        CartItemFactory(cart=cart, product=product, quantity=1 + n % 3)


@pytest.mark.parametrize("lines", [1, 50])
def test_cart(client, django_assert_max_num_queries, lines):
    user = UserFactory()
    fill_cart(user, lines)
    client.force_login(user)
    with django_assert_max_num_queries(CART_BUDGET):
        response = client.get(reverse("orders:cart"))
    assert response.content.decode().count('class="list-group-item"') == lines
    with django_assert_max_num_queries(CART_BUDGET):
        assert client.get(reverse("orders:checkout")).status_code == 200


@pytest.mark.parametrize("orders", [1, 55])
def test_order_list(client, django_assert_max_num_queries, orders):
    buyer = UserFactory()
    stores = [StoreFactory() for _ in range(5)]
    for n in range(orders):
        OrderItemFactory.create_batch(2, order=OrderFactory(buyer=buyer, store=stores[n % 5]))
    client.force_login(buyer)
    with django_assert_max_num_queries(ORDER_LIST_BUDGET):
        response = client.get(reverse("orders:list"))
    assert response.content.decode().count("2 items") == min(orders, 20)
    with django_assert_max_num_queries(ORDER_LIST_BUDGET):
        assert client.get(reverse("orders:list"), {"page": 3}).status_code == 200


@pytest.mark.parametrize("items", [1, 50])
def test_order_detail(client, django_assert_max_num_queries, items):
    order = OrderFactory()
    for n in range(items):
        product = (DigitalProductFactory if n % 2 else ProductFactory)(store=order.store)
        OrderItemFactory(order=order, product=product)
    client.force_login(order.buyer)
    with django_assert_max_num_queries(ORDER_DETAIL_BUDGET):
        response = client.get(order.get_absolute_url())
    assert response.content.decode().count("<tr>") == items + 2  # head and foot rows


def seller_with_orders(count: int):
    store = StoreFactory()
    for _ in range(count):
        OrderItemFactory(order=OrderFactory(store=store, buyer=UserFactory()), product__store=store)
    return store


@pytest.mark.parametrize("orders", [1, 55])
def test_dashboard_home(client, django_assert_max_num_queries, orders):
    store = seller_with_orders(orders)
    client.force_login(store.owner)
    with django_assert_max_num_queries(DASHBOARD_HOME_BUDGET):
        response = client.get(reverse("orders:dashboard_home"))
    assert response.content.decode().count('id="order-row-') == min(orders, 10)


@pytest.mark.parametrize("orders", [1, 55])
def test_dashboard_orders(client, django_assert_max_num_queries, orders):
    store = seller_with_orders(orders)
    client.force_login(store.owner)
    with django_assert_max_num_queries(DASHBOARD_ORDERS_BUDGET):
        response = client.get(reverse("orders:dashboard_orders"))
    assert response.content.decode().count('id="order-row-') == min(orders, 25)
    with django_assert_max_num_queries(DASHBOARD_ORDERS_BUDGET):
        client.get(reverse("orders:dashboard_orders"), {"status": "paid", "page": 2})


@pytest.mark.parametrize("items", [1, 50])
def test_dashboard_order_detail(client, django_assert_max_num_queries, items):
    store = StoreFactory()
    order = OrderFactory(store=store, ship_line1="1 Quay Street")
    OrderItemFactory.create_batch(items, order=order, product__store=store)
    client.force_login(store.owner)
    url = reverse("orders:dashboard_order_detail", kwargs={"order_uuid": order.uuid})
    with django_assert_max_num_queries(DASHBOARD_ORDER_BUDGET):
        response = client.get(url)
    assert response.content.decode().count("<tr>") == items + 2
