"""The store's live order feed: placing an order pushes a row to "store-orders:<store_id>" on commit."""

import uuid

import pytest
from django.urls import reverse

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog.tests.factories import DigitalProductFactory, ProductFactory
from shomp.core import realtime
from shomp.core.exceptions import PaymentDeclined
from shomp.orders import services
from shomp.stores.tests.factories import StoreFactory

from .factories import CartFactory, CartItemFactory
from .helpers import DECLINE_CARD, SHIPPING, card, page_token, payment_data, shipping_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def cart():
    """A cart with items from two stores, owned by "mugfan"."""
    buyer = UserFactory(username="mugfan")
    cart = CartFactory(user=buyer)
    CartItemFactory(cart=cart, product=ProductFactory(store=StoreFactory()))
    CartItemFactory(cart=cart, product=DigitalProductFactory(store=StoreFactory()))
    return cart


def test_placing_an_order_publishes_it_to_each_store_on_commit(cart, published, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        placed = services.place_order(buyer=cart.user, cart=cart, token=uuid.uuid4(), card=card(), shipping=SHIPPING)
        assert published == []  # nothing while the transaction is open
    assert published == []
    for callback in callbacks:
        callback()

    orders = {order.store_id: order for order in placed.orders.all()}
    assert len(orders) == 2
    rows = [(topic, html) for topic, html in published if "dashboard-orders-body" in html]
    cards = [(topic, html) for topic, html in published if 'id="dashboard-overview-cards"' in html]
    assert len(rows) + len(cards) == len([topic for topic, _ in published if topic.startswith("store-orders:")])
    assert sorted(topic for topic, _ in rows) == sorted(f"store-orders:{store_id}" for store_id in orders)
    # Each store's dashboard cards count the new order (a frame of their own).
    assert sorted(topic for topic, _ in cards) == sorted(f"store-orders:{store_id}" for store_id in orders)
    for _, html in cards:
        assert 'hx-swap-oob="true"' in html and 'data-card="orders">1<' in html
    for topic, html in rows:
        order = orders[int(topic.split(":")[1])]
        assert order.number in html
        assert "mugfan" in html
        assert cart.user.email not in html and "Private Person" not in html
        assert 'hx-swap-oob="afterbegin:#dashboard-orders-body"' in html
        assert reverse("orders:dashboard_order_detail", kwargs={"order_uuid": order.uuid}) in html


def test_the_topic_is_only_for_the_stores_managers(cart):
    store = cart.items.first().product.store
    topic = f"store-orders:{store.pk}"
    assert realtime.authorize_topic(store.owner, topic)
    assert not realtime.authorize_topic(cart.user, topic)
    assert not realtime.authorize_topic(UserFactory(), topic)


def test_a_declined_payment_publishes_nothing(cart, published, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(PaymentDeclined):
        services.place_order(buyer=cart.user, cart=cart, token=uuid.uuid4(), card=card(DECLINE_CARD), shipping=SHIPPING)
    assert callbacks == [] and published == []


def test_checking_out_through_the_page_publishes_once_per_store(
    client, cart, published, provider, django_capture_on_commit_callbacks
):
    client.force_login(cart.user)
    token = page_token(client.get(reverse("orders:checkout")))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("orders:checkout"), payment_data(token, number=DECLINE_CARD) | shipping_data())
    assert published == []
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("orders:checkout"), payment_data(token) | shipping_data())
        client.post(reverse("orders:checkout"), payment_data(token) | shipping_data())  # a double submit
    store_frames = [html for topic, html in published if topic.startswith("store-orders:")]
    assert len([html for html in store_frames if "dashboard-orders-body" in html]) == 2
    assert len(store_frames) == 4  # and each store's cards
