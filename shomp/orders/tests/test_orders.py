"""Orders after checkout: the buyer's pages and downloads, the seller's fulfilment, and privacy."""

import re
import uuid

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog.tests.factories import DigitalProductFactory, ProductFactory
from shomp.orders import services
from shomp.orders.models import Order
from shomp.stores.tests.factories import StoreFactory

from .factories import CartFactory, CartItemFactory, OrderFactory, OrderItemFactory
from .helpers import card

pytestmark = pytest.mark.django_db

ADDRESS = {
    "ship_name": "Robin Receiver",
    "ship_line1": "1 Quay Street",
    "ship_line2": "Flat 2",
    "ship_city": "Bristol",
    "ship_postal_code": "BS1 4DJ",
    "ship_country": "UK",
}


def download_url(item) -> str:
    return reverse("orders:download", kwargs={"order_uuid": item.order.uuid, "item_id": item.pk})


def status_url(order) -> str:
    return reverse("orders:dashboard_order_status", kwargs={"order_uuid": order.uuid})


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# The buyer -------------------------------------------------------------------------------


def test_the_buyer_downloads_their_digital_file(buyer_client, buyer):
    item = OrderItemFactory(order__buyer=buyer, product=DigitalProductFactory(digital_file_name="Glazing guide.pdf"))
    page = buyer_client.get(item.order.get_absolute_url()).content.decode()
    assert download_url(item) in page

    response = buyer_client.get(download_url(item))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="Glazing guide.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test file"


def test_a_physical_item_has_no_download(buyer_client, buyer):
    item = OrderItemFactory(order__buyer=buyer, product=ProductFactory())
    assert download_url(item) not in buyer_client.get(item.order.get_absolute_url()).content.decode()
    assert buyer_client.get(download_url(item)).status_code == 404


def test_a_cancelled_orders_file_is_not_downloadable(buyer_client, buyer):
    item = OrderItemFactory(order__buyer=buyer, order__status=Order.Status.CANCELLED, product=DigitalProductFactory())
    assert download_url(item) not in buyer_client.get(item.order.get_absolute_url()).content.decode()
    assert buyer_client.get(download_url(item)).status_code == 404


def test_the_buyers_order_pages(buyer_client, buyer):
    order = OrderFactory(buyer=buyer, store=StoreFactory(name="Pottery"), total="32.00", **ADDRESS)
    OrderItemFactory(order=order, product=ProductFactory(title="Mug"), unit_price="12.50", quantity=2)
    OrderItemFactory(order=order, product=DigitalProductFactory(title="Guide"), unit_price="7.00")
    theirs = OrderFactory()

    listing = buyer_client.get(reverse("orders:list")).content.decode()
    assert theirs.number not in listing
    assert f"Order {order.number}" in listing and "3 items" in listing and "$32.00" in listing

    page = buyer_client.get(order.get_absolute_url()).content.decode()
    for text in ("Pottery", "Mug", "$12.50", "$25.00", "Guide", "$7.00", "$32.00", "Robin Receiver", "BS1 4DJ Bristol"):
        assert text in page


def test_an_empty_order_list_says_so(buyer_client):
    assert "No orders yet" in buyer_client.get(reverse("orders:list")).content.decode()


# The seller ------------------------------------------------------------------------------


@pytest.fixture
def seller_client(client):
    seller = UserFactory()
    client.force_login(seller)
    client.store = StoreFactory(owner=seller)
    return client


def test_the_seller_ships_then_fulfils_an_order(seller_client):
    order = OrderFactory(store=seller_client.store, **ADDRESS)
    OrderItemFactory(order=order)
    detail = reverse("orders:dashboard_order_detail", kwargs={"order_uuid": order.uuid})
    assert "Mark shipped" in seller_client.get(detail).content.decode()

    response = seller_client.post(status_url(order), {"action": "ship"}, follow=True)
    assert response.redirect_chain == [(detail, 302)]
    page = response.content.decode()
    assert f"Order {order.number} marked shipped." in page and "Mark shipped" not in page
    order.refresh_from_db()
    assert order.status == Order.Status.SHIPPED and order.shipped_at is not None

    response = seller_client.post(status_url(order), {"action": "fulfil"}, follow=True)
    assert f"Order {order.number} marked fulfilled." in response.content.decode()
    order.refresh_from_db()
    assert order.status == Order.Status.FULFILLED and order.fulfilled_at >= order.shipped_at

    response = seller_client.post(status_url(order), {"action": "ship"}, follow=True)
    assert "This order is fulfilled; only paid orders can ship." in response.content.decode()
    response = seller_client.post(status_url(order), {"action": "fulfil"}, follow=True)
    assert "This order is fulfilled already." in response.content.decode()
    order.refresh_from_db()
    assert order.status == Order.Status.FULFILLED


def test_a_digital_only_order_cannot_be_shipped(seller_client):
    order = OrderFactory(store=seller_client.store)
    OrderItemFactory(order=order, product=DigitalProductFactory(store=seller_client.store))
    detail = reverse("orders:dashboard_order_detail", kwargs={"order_uuid": order.uuid})
    assert "Mark shipped" not in seller_client.get(detail).content.decode()

    response = seller_client.post(status_url(order), {"action": "ship"}, follow=True)
    assert "This order has nothing to ship: mark it fulfilled." in response.content.decode()
    order.refresh_from_db()
    assert order.status == Order.Status.PAID and order.shipped_at is None

    seller_client.post(status_url(order), {"action": "fulfil"})
    order.refresh_from_db()
    assert order.status == Order.Status.FULFILLED


def test_an_unknown_action_changes_nothing(seller_client):
    order = OrderFactory(store=seller_client.store, **ADDRESS)
    response = seller_client.post(status_url(order), {"action": "explode"})
    assert messages_of(response) == ["Unknown action."]
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert seller_client.get(status_url(order)).status_code == 405


def test_the_seller_sees_the_buyers_handle_and_address_but_never_their_email_or_name(seller_client):
    """The buyer typed the shipping name "Robin Receiver": that is theirs to show the store.
    Their account's name ("Private Person") and email stay private."""
    buyer = UserFactory(username="mugfan")
    store = seller_client.store
    cart = CartFactory(user=buyer)
    CartItemFactory(cart=cart, product=ProductFactory(store=store, title="Mug"))
    placed = services.place_order(
        buyer=buyer,
        cart=cart,
        token=uuid.uuid4(),
        card=card(),
        shipping=services.ShippingAddress(
            name="Robin Receiver", line1="1 Quay Street", line2="", city="Bristol", postal_code="BS1", country="GB"
        ),
    )
    order = placed.orders.get()
    pages = [
        seller_client.get(reverse("orders:dashboard_order_detail", kwargs={"order_uuid": order.uuid})),
        seller_client.get(reverse("orders:dashboard_orders")),
        seller_client.get(reverse("orders:dashboard_home")),
    ]
    for response in pages:
        page = response.content.decode()
        assert response.status_code == 200
        assert "mugfan" in page and order.number in page
        assert buyer.email not in page
        assert buyer.get_full_name() == "Private Person"
        assert not re.search(r"\bPrivate\b|\bPerson\b", page)
    detail = pages[0].content.decode()
    for text in ("Robin Receiver", "1 Quay Street", "Bristol", "United Kingdom", "Mug"):
        assert text in detail


def test_the_dashboard_filters_orders_by_status(seller_client):
    paid = OrderFactory(store=seller_client.store)
    shipped = OrderFactory(store=seller_client.store, status=Order.Status.SHIPPED)
    page = seller_client.get(reverse("orders:dashboard_orders"), {"status": "shipped"}).content.decode()
    assert shipped.number in page and paid.number not in page
    page = seller_client.get(reverse("orders:dashboard_orders"), {"status": "bogus"}).content.decode()
    assert shipped.number in page and paid.number in page


@pytest.mark.django_db
def test_a_digital_file_missing_from_storage_is_a_404_not_a_server_error(client):
    from shomp.catalog.tests.factories import DigitalProductFactory
    from shomp.orders.tests.factories import OrderItemFactory

    product = DigitalProductFactory()
    item = OrderItemFactory(order__store=product.store, product=product)
    product.digital_file.storage.delete(product.digital_file.name)
    client.force_login(item.order.buyer)
    response = client.get(f"/orders/{item.order.uuid}/items/{item.pk}/download/")
    assert response.status_code == 404
