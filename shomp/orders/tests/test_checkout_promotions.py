"""Sale prices in the cart, at checkout and in the order: the catalog's one pricing function,
and a promotion that starts or ends between the checkout page and the submit."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from shomp.catalog.models import Promotion, PromotionTarget
from shomp.catalog.tests.factories import DigitalProductFactory
from shomp.orders.models import CartItem, Checkout, Order, OrderItem
from shomp.stores.tests.factories import StoreFactory

from .factories import CartFactory, CartItemFactory
from .helpers import page_token, payment_data

pytestmark = pytest.mark.django_db

CHECKOUT = reverse("orders:checkout")


def sale(store, *, percent="25", hours=24):
    now = timezone.now()
    promotion = Promotion.objects.create(
        organization=store.organization,
        name="Autumn sale",
        kind="percent",
        amount=Decimal(percent),
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=hours),
    )
    PromotionTarget.objects.create(promotion=promotion, store=store)
    return promotion


@pytest.fixture
def guide(buyer):
    """A $20.00 digital guide in the buyer's cart (no shipping to choose), twice."""
    store = StoreFactory(name="Guides")
    product = DigitalProductFactory(store=store, title="Guide", price="20.00")
    CartItemFactory(cart=CartFactory(user=buyer), product=product, quantity=2)
    return product


def test_cart_checkout_and_order_show_and_charge_the_sale_price(buyer_client, guide, provider):
    sale(guide.store)
    cart = buyer_client.get(reverse("orders:cart")).content.decode()
    assert "$15.00 each" in cart and re.search(r"<s>.*\$20\.00</s>", cart) and "Autumn sale" in cart
    page = buyer_client.get(CHECKOUT)
    assert "Pay $30.00" in page.content.decode()
    response = buyer_client.post(CHECKOUT, payment_data(page_token(page)) | {"expected_items_total": "30.00"})
    assert response.status_code == 302
    assert Checkout.objects.get().amount == Decimal("30.00")
    item = OrderItem.objects.get()
    assert (item.unit_price, item.original_unit_price, item.promotion_name) == (
        Decimal("15.00"),
        Decimal("20.00"),
        "Autumn sale",
    )
    order = Order.objects.get()
    assert order.discount_total == Decimal("10.00") and order.total == Decimal("30.00")
    detail = buyer_client.get(order.get_absolute_url()).content.decode()
    assert "You saved (sale prices)" in detail and "−$10.00" in detail and "Autumn sale" in detail


def test_a_sale_that_ends_after_the_page_refuses_the_order_with_the_new_total(buyer_client, guide, provider):
    promotion = sale(guide.store)
    page = buyer_client.get(CHECKOUT)
    assert "Pay $30.00" in page.content.decode()
    assert 'name="expected_items_total" value="30.00"' in page.content.decode()  # what the form sends
    Promotion.objects.filter(pk=promotion.pk).update(ended_at=timezone.now())  # ends while the buyer types
    response = buyer_client.post(CHECKOUT, payment_data(page_token(page)) | {"expected_items_total": "30.00"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Prices changed while you were checking out" in html and "your items now come to $40.00" in html
    assert "Pay $40.00" in html  # the page now shows what the next submit pays
    assert not Checkout.objects.exists() and not Order.objects.exists() and not provider.calls
    assert CartItem.objects.get().quantity == 2


def test_a_sale_that_starts_after_the_page_is_refused_too(buyer_client, guide, provider):
    page = buyer_client.get(CHECKOUT)
    sale(guide.store)
    response = buyer_client.post(CHECKOUT, payment_data(page_token(page)) | {"expected_items_total": "40.00"})
    assert "your items now come to $30.00" in response.content.decode()
    assert not Order.objects.exists()
