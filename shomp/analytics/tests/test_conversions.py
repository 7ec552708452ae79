"""Conversions from the moments that already exist, attributed to the visitor's session and source."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from shomp.accounts.tests.factories import UserFactory
from shomp.analytics import services
from shomp.analytics.models import Conversion, ConversionType, Medium, PageView
from shomp.catalog.tests.factories import ProductFactory
from shomp.follows.services import follow_store
from shomp.messaging.models import Conversation
from shomp.messaging.services import create_conversation
from shomp.orders.models import Order
from shomp.orders.tests.helpers import page_token, payment_data, shipping_data
from shomp.stores.tests.factories import StoreFactory

from .recording import GOOGLEBOT, browser

pytestmark = pytest.mark.django_db

ADD = reverse("orders:cart_add")
CHECKOUT = reverse("orders:checkout")


@pytest.fixture
def buyer():
    return UserFactory()


@pytest.fixture
def buyer_client(client, buyer):
    client.force_login(buyer)
    return client


def test_a_visit_from_instagram_that_buys_is_one_session_with_its_conversions(
    buyer_client, buyer, django_capture_on_commit_callbacks
):
    mug = ProductFactory(price=Decimal("12.50"), stock=5)
    store = mug.store
    seen = browser(HTTP_REFERER="https://www.instagram.com/")
    buyer_client.get(mug.get_absolute_url(), **seen)
    with django_capture_on_commit_callbacks(execute=True):
        buyer_client.post(ADD, {"product": mug.pk, "quantity": 2}, **browser())
    buyer_client.get(CHECKOUT, **browser())
    page = buyer_client.get(CHECKOUT, **browser())  # opened again: still one "checkout started"
    with django_capture_on_commit_callbacks(execute=True):
        response = buyer_client.post(CHECKOUT, payment_data(page_token(page)) | shipping_data(), **browser())
    assert response.status_code == 302
    order = Order.objects.get()

    view = PageView.objects.get()
    conversions = {c.conversion_type: c for c in Conversion.objects.all()}
    assert Conversion.objects.count() == 3
    cart, checkout, purchase = (conversions[t] for t in ("add_to_cart", "checkout_started", "purchase"))
    assert (cart.product_id, cart.quantity) == (mug.pk, 2)
    assert (purchase.value, purchase.order_id, purchase.user_id) == (Decimal("25.00"), order.pk, buyer.pk)
    assert order.total == Decimal("25.00")
    for conversion in (cart, checkout, purchase):
        assert conversion.store_id == store.pk
        assert conversion.session_id == view.session_id != ""
        assert (conversion.medium, conversion.source) == (Medium.SOCIAL, "instagram")  # the session's source


def test_a_purchase_counts_once_per_order_whatever_sends_it(buyer):
    store = StoreFactory()
    for _ in range(3):
        services.on_order_placed(
            order_id=77, store_id=store.pk, total=Decimal("40.00"), currency="USD", buyer_id=buyer.pk, country="nz"
        )
    purchase = Conversion.objects.get()
    assert (purchase.conversion_type, purchase.value, purchase.country) == (
        ConversionType.PURCHASE,
        Decimal("40.00"),
        "NZ",
    )


def test_a_conversion_without_a_visit_is_direct_and_one_without_a_store_is_skipped(buyer):
    store = StoreFactory()
    services.track_conversion(store_id=store.pk, conversion_type=ConversionType.FOLLOW, user_id=buyer.pk)
    services.track_conversion(store_id=10**12, conversion_type=ConversionType.FOLLOW, user_id=buyer.pk)
    assert not services.track_conversion(store_id=store.pk, conversion_type="nonsense")
    follow = Conversion.objects.get()
    assert (follow.medium, follow.session_id, follow.visitor_hash) == (Medium.DIRECT, "", "")


def test_following_and_starting_a_conversation_are_conversions(buyer, django_capture_on_commit_callbacks):
    product = ProductFactory()
    store = product.store
    with django_capture_on_commit_callbacks(execute=True):
        follow_store(user=buyer, store=store)
        create_conversation(
            store=store, customer=buyer, type=Conversation.Type.PRE_PURCHASE, subject="", content="Hi", product=product
        )
    kinds = dict(Conversion.objects.values_list("conversion_type", "product_id"))
    assert kinds == {ConversionType.FOLLOW: None, ConversionType.MESSAGE_STARTED: product.pk}


def test_a_follow_through_the_page_is_attributed_to_the_visitors_session(
    buyer_client, django_capture_on_commit_callbacks
):
    store = StoreFactory()
    buyer_client.get(store.get_absolute_url(), **browser(HTTP_REFERER="https://duckduckgo.com/"))
    with django_capture_on_commit_callbacks(execute=True):
        buyer_client.post(reverse("follows:follow", args=[store.slug]), **browser())
    follow = Conversion.objects.get()
    assert follow.session_id == PageView.objects.get().session_id
    assert (follow.medium, follow.source) == (Medium.SEARCH, "duckduckgo")


def test_a_bots_add_to_cart_is_not_counted(client, django_capture_on_commit_callbacks):
    product = ProductFactory()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(ADD, {"product": product.pk, "quantity": 1}, **browser(ua=GOOGLEBOT))
    assert not Conversion.objects.exists()


def test_each_store_of_a_checkout_gets_its_own_purchase(buyer_client, django_capture_on_commit_callbacks):
    one, two = ProductFactory(price=Decimal("5.00")), ProductFactory(price=Decimal("7.00"))
    with django_capture_on_commit_callbacks(execute=True):
        for product in (one, two):
            buyer_client.post(ADD, {"product": product.pk, "quantity": 1}, **browser())
    page = buyer_client.get(CHECKOUT, **browser())
    with django_capture_on_commit_callbacks(execute=True):
        buyer_client.post(CHECKOUT, payment_data(page_token(page)) | shipping_data(), **browser())
    purchases = dict(
        Conversion.objects.filter(conversion_type=ConversionType.PURCHASE).values_list("store_id", "value")
    )
    assert purchases == {one.store_id: Decimal("5.00"), two.store_id: Decimal("7.00")}
    checkouts = Conversion.objects.filter(conversion_type=ConversionType.CHECKOUT_STARTED)
    assert sorted(checkouts.values_list("store_id", flat=True)) == sorted([one.store_id, two.store_id])


def test_saving_to_a_wishlist_is_a_conversion_of_the_product(buyer, django_capture_on_commit_callbacks):
    from shomp.wishlists.services import add_to_wishlist

    product = ProductFactory()
    with django_capture_on_commit_callbacks(execute=True):
        add_to_wishlist(user=buyer, product=product)
        add_to_wishlist(user=buyer, product=product)  # already there: nothing sent
    saved = Conversion.objects.get()
    assert (saved.conversion_type, saved.product_id, saved.store_id) == (
        ConversionType.WISHLIST_ADD,
        product.pk,
        product.store_id,
    )
