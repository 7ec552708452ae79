"""Custom orders: offers, acceptance into a reserved product, and where that product may appear."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog import selectors as catalog_selectors
from shomp.catalog.models import Product
from shomp.catalog.policies import can_view_product
from shomp.core.exceptions import OutOfStock
from shomp.messaging import services
from shomp.messaging.models import Offer, Side
from shomp.orders import services as order_services
from shomp.orders.models import CartItem
from shomp.orders.tests.helpers import SHIPPING, card
from shomp.stores.selectors import search_stores

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_thread(store, customer):
    return services.create_conversation(
        store=store,
        customer=customer,
        type="custom_order",
        subject="Cat mug",
        content="A mug with my cat Miso on it",
        budget=Decimal("40"),
    )


@pytest.fixture
def offer(request_thread, seller):
    return services.send_offer(
        conversation=request_thread,
        sender=seller,
        title="Miso mug",
        price=Decimal("38.00"),
        delivery_date=timezone.localdate() + timedelta(days=20),
    )


def test_the_store_sends_an_offer_in_the_thread(offer, request_thread):
    assert offer.state == Offer.Status.SENT and offer.price == Decimal("38.00")
    assert offer.message.sender_type == Side.STORE and "Miso mug" in offer.message.content
    request_thread.refresh_from_db()
    assert request_thread.customer_unread_count == 1


def test_offers_only_from_the_store_and_in_custom_requests(request_thread, conversation, customer, seller):
    with pytest.raises(ValidationError):
        services.send_offer(conversation=request_thread, sender=customer, title="Mine", price=Decimal("1"))
    with pytest.raises(ValidationError, match="custom order"):
        services.send_offer(conversation=conversation, sender=seller, title="Mug", price=Decimal("1"))
    for bad in [{"price": Decimal("0")}, {"title": " "}, {"delivery_date": timezone.localdate() - timedelta(days=1)}]:
        with pytest.raises(ValidationError):
            services.send_offer(
                conversation=request_thread, sender=seller, **({"title": "Mug", "price": Decimal("5")} | bad)
            )
    assert not Offer.objects.exists()


def test_a_new_offer_withdraws_the_open_one(offer, request_thread, seller):
    newer = services.send_offer(conversation=request_thread, sender=seller, title="Miso mug XL", price=Decimal("45"))
    offer.refresh_from_db()
    assert offer.status == Offer.Status.WITHDRAWN and newer.state == Offer.Status.SENT


def test_accepting_makes_a_reserved_product_in_the_buyers_cart(offer, customer, request_thread):
    item = services.accept_offer(offer=offer, buyer=customer)
    offer.refresh_from_db()
    product = offer.product
    assert offer.state == Offer.Status.ACCEPTED and offer.accepted_at
    assert item.cart.user == customer and item.product == product and item.quantity == 1
    assert (product.reserved_for, product.price, product.stock, product.status) == (
        customer,
        Decimal("38.00"),
        1,
        Product.Status.PUBLISHED,
    )
    assert product.description == "A mug with my cat Miso on it"
    assert request_thread.messages.filter(content__startswith="Accepted the offer").exists()
    with pytest.raises(ValidationError, match="accepted"):
        services.accept_offer(offer=offer, buyer=customer)


def test_only_the_customer_accepts_and_only_an_open_offer(offer, seller, stranger, customer, request_thread):
    for user in (seller, stranger):
        with pytest.raises(ValidationError):
            services.accept_offer(offer=offer, buyer=user)
    services.withdraw_offer(offer=offer, actor=seller)
    with pytest.raises(ValidationError, match="withdrawn"):
        services.accept_offer(offer=offer, buyer=customer)
    expired = services.send_offer(conversation=request_thread, sender=seller, title="Late", price=Decimal("9"))
    Offer.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    expired.refresh_from_db()
    assert expired.state == Offer.Status.EXPIRED
    with pytest.raises(ValidationError, match="expired"):
        services.accept_offer(offer=expired, buyer=customer)
    assert not Product.objects.filter(reserved_for__isnull=False).exists()


def test_a_reserved_product_is_never_listed_and_only_its_buyer_sees_or_buys_it(
    client, offer, customer, stranger, store, seller
):
    services.accept_offer(offer=offer, buyer=customer)
    product = Product.objects.get(reserved_for=customer)
    assert product not in catalog_selectors.latest_products()
    assert product not in catalog_selectors.store_published_products(store=store)
    assert product not in catalog_selectors.search_products(query="Miso")
    assert search_stores().get(pk=store.pk).published_count == 0
    assert can_view_product(customer, product) and can_view_product(seller, product)
    assert not can_view_product(stranger, product) and not can_view_product(UserFactory.build(), product)
    url = product.get_absolute_url()
    assert client.get(url).status_code == 404  # a visitor
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    assert client.get(f"/{store.slug}/").status_code == 200 and "Miso" not in client.get(f"/{store.slug}/").text
    response = client.post(reverse("orders:cart_add"), {"product": product.pk, "quantity": 1})
    assert response.status_code == 404
    cart = order_services.get_or_create_cart(user=stranger, session=None)
    with pytest.raises(ValidationError):
        order_services.add_to_cart(cart=cart, product=product)
    assert not CartItem.objects.filter(cart=cart).exists()
    client.force_login(customer)
    assert client.get(url).status_code == 200 and "made for you" in client.get(url).text


def test_the_buyer_checks_out_the_reserved_product(offer, customer, stranger):
    item = services.accept_offer(offer=offer, buyer=customer)
    checkout = order_services.place_order(
        buyer=customer, cart=item.cart, token=uuid.uuid4(), card=card(), shipping=SHIPPING
    )
    [order] = checkout.orders.all()
    assert order.items.get().title == "Miso mug" and order.total == Decimal("38.00")
    item.product.refresh_from_db()
    assert item.product.stock == 0
    # Someone else's cart holding it (forced in) cannot be checked out.
    other = order_services.get_or_create_cart(user=stranger, session=None)
    CartItem.objects.create(cart=other, product=item.product, quantity=1)
    Product.objects.filter(pk=item.product.pk).update(stock=1)
    with pytest.raises(OutOfStock):
        order_services.place_order(buyer=stranger, cart=other, token=uuid.uuid4(), card=card(), shipping=SHIPPING)
