"""Free items read "Free" to buyers, wherever a price is shown: the card, the product page, the
cart, checkout and their orders. (Sellers' dashboards keep the figure.)"""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from shomp.catalog.tests.factories import ProductFactory
from shomp.core.money import format_price
from shomp.stores.tests.factories import StoreFactory

from .factories import CartFactory, CartItemFactory, OrderFactory, OrderItemFactory

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def freebie():
    return ProductFactory(store=StoreFactory(name="Zines"), title="Sticker", price=Decimal("0.00"))


def test_format_price_says_free_for_nothing_and_money_otherwise():
    assert format_price(Decimal("0")) == "Free"
    assert format_price(Decimal("0.004")) == "Free"
    assert format_price(Decimal("12.5"), "EUR") == "€12.50"
    assert format_price(None) == ""


def test_a_free_product_reads_free_on_its_card_and_page(client, freebie):
    page = text(client.get(freebie.get_absolute_url()))
    store = text(client.get(freebie.store.get_absolute_url()))

    for shown in (page, store):
        assert "Free" in shown
        assert "$0.00" not in shown


def test_a_free_item_reads_free_in_the_cart_and_at_checkout(buyer_client, buyer, freebie):
    CartItemFactory(cart=CartFactory(user=buyer), product=freebie, quantity=2)

    cart = text(buyer_client.get(reverse("orders:cart")))
    checkout = text(buyer_client.get(reverse("orders:checkout")))

    assert "Free" in cart and "$0.00" not in cart
    assert "Free each" not in cart
    assert "Total Free" in checkout


def test_a_free_order_reads_free_in_the_buyers_orders(buyer_client, buyer, freebie):
    order = OrderFactory(buyer=buyer, store=freebie.store, total=0)
    OrderItemFactory(order=order, product=freebie)

    detail = text(buyer_client.get(order.get_absolute_url()))
    listing = text(buyer_client.get(reverse("orders:list")))

    assert "Total Free" in detail and "$0.00" not in detail
    assert "Free" in listing and "$0.00" not in listing


def test_a_priced_item_still_shows_its_price(client):
    product = ProductFactory(price=Decimal("4.20"))

    assert "$4.20" in text(client.get(product.get_absolute_url()))
