"""Checkouts racing each other, with real threads and real transactions.

PostgreSQL only: on SQLite every write transaction takes the whole database (IMMEDIATE mode),
so there are no row locks to get wrong. The CI's PostgreSQL run executes all of these.
"""

import threading
import time
import uuid

import pytest
from django.core import mail
from django.db import connection
from django.db.models import QuerySet
from django.test import Client
from django.urls import reverse

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog.models import Product
from shomp.catalog.tests.factories import ProductFactory
from shomp.core.exceptions import OutOfStock
from shomp.core.testing.threads import run_together
from shomp.orders import services
from shomp.orders.models import CartItem, Checkout, Order

from .factories import CartFactory, CartItemFactory
from .helpers import SHIPPING, card, page_token, payment_data, shipping_data

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks and deadlocks only exist on PostgreSQL; SQLite serialises write transactions",
    ),
    pytest.mark.django_db(transaction=True),
]


def test_twenty_buyers_race_for_five_in_stock(published):
    product = ProductFactory(title="Last Vases", stock=5)
    carts = [CartItemFactory(cart=CartFactory(), product=product).cart for _ in range(20)]

    results = run_together(
        20,
        lambda i: services.place_order(
            buyer=carts[i].user, cart=carts[i], token=uuid.uuid4(), card=card(), shipping=SHIPPING
        ),
    )

    placed = [value for outcome, value in results if outcome == "ok"]
    refused = [value for outcome, value in results if outcome == "error"]
    assert len(placed) == 5
    assert len(refused) == 15
    assert all(isinstance(error, OutOfStock) for error in refused), refused
    assert {error.message for error in refused} == {"“Last Vases” sold out. Remove it from your cart."}
    product.refresh_from_db()
    assert product.stock == 0
    assert Order.objects.count() == 5 and Checkout.objects.count() == 5
    assert {o.buyer_id for o in Order.objects.all()} == {c.buyer_id for c in placed}
    assert CartItem.objects.count() == 15  # the refused buyers keep their carts
    rows = [html for topic, html in published if topic.startswith("store-orders:") and "orders-body" in html]
    confirmations = [email for email in mail.outbox if email.subject.startswith("Your Shomp order")]
    assert len(rows) == 5 and len(confirmations) == 5  # (and the store's cards, its owner's new-order notices)


@pytest.fixture
def slow_stock_updates(monkeypatch):
    """Pause after each stock decrement, so two checkouts that lock rows one at a time, in their
    carts' order, would reliably hold one row each and wait for the other: a deadlock."""
    update = QuerySet.update

    def slow_update(self, **kwargs):
        rows = update(self, **kwargs)
        if self.model is Product and "stock" in kwargs:
            time.sleep(0.02)
        return rows

    monkeypatch.setattr(QuerySet, "update", slow_update)


def test_two_carts_with_the_same_products_in_opposite_order_never_deadlock(published, slow_stock_updates):
    first, second = ProductFactory(title="Cup", stock=500), ProductFactory(title="Saucer", stock=500)
    buyers = [UserFactory(), UserFactory()]
    carts = [CartFactory(user=buyer) for buyer in buyers]
    rounds = 15
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def shop(index: int) -> int:
        placed = 0
        products = [first, second] if index == 0 else [second, first]
        for _ in range(rounds):
            for product in products:  # the two carts list them in opposite order
                services.add_to_cart(cart=carts[index], product=Product.objects.get(pk=product.pk))
            barrier.wait(timeout=20)
            try:
                services.place_order(
                    buyer=buyers[index], cart=carts[index], token=uuid.uuid4(), card=card(), shipping=SHIPPING
                )
                placed += 1
            except BaseException as error:
                errors.append(error)
                CartItem.objects.filter(cart=carts[index]).delete()
        return placed

    results = run_together(2, shop)

    assert errors == []
    assert results == [("ok", rounds), ("ok", rounds)]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.stock, second.stock) == (500 - 2 * rounds, 500 - 2 * rounds)
    assert Checkout.objects.count() == 2 * rounds
    assert Order.objects.count() == 4 * rounds  # the two products come from two stores


def test_the_same_checkout_submitted_from_two_tabs_at_once_is_placed_once(buyer, provider, published):
    product = ProductFactory(title="Kettle", stock=50)
    tabs = [Client(), Client()]
    tabs[0].force_login(buyer)
    tabs[1].cookies = tabs[0].cookies  # one browser, one session, two tabs
    cart = CartFactory(user=buyer)

    for _ in range(4):
        CartItemFactory(cart=cart, product=product, quantity=2)
        token = page_token(tabs[0].get(reverse("orders:checkout")))
        data = payment_data(token) | shipping_data()
        before = Checkout.objects.count()

        results = run_together(2, lambda i, data=data: tabs[i].post(reverse("orders:checkout"), data))

        done = reverse("orders:checkout_done", kwargs={"token": token})
        assert [(outcome, getattr(r, "status_code", r)) for outcome, r in results] == [("ok", 302), ("ok", 302)]
        assert [response.url for _, response in results] == [done, done]
        assert Checkout.objects.count() == before + 1
        assert Checkout.objects.filter(token=token).count() == 1

    assert len(provider.calls) == 4
    assert Order.objects.count() == 4
    product.refresh_from_db()
    assert product.stock == 50 - 4 * 2


@pytest.mark.parametrize("tabs", [2, 5])
def test_one_cart_submitted_from_parallel_tabs_is_paid_once(buyer, provider, published, tabs):
    """Each tab has its own checkout token; the cart's contents are still paid for once, and the
    other tabs are told about the first checkout instead of paying again."""
    mug, poster = ProductFactory(title="Mug", stock=20), ProductFactory(title="Poster", stock=20)
    cart = CartFactory(user=buyer)
    CartItemFactory(cart=cart, product=mug, quantity=2)
    CartItemFactory(cart=cart, product=poster, quantity=1)
    tokens = [uuid.uuid4() for _ in range(tabs)]

    results = run_together(
        tabs, lambda i: services.place_order(buyer=buyer, cart=cart, token=tokens[i], card=card(), shipping=SHIPPING)
    )

    placed = [value for outcome, value in results if outcome == "ok"]
    assert len(placed) == 1, results
    first = placed[0]
    refused = [value for outcome, value in results if outcome == "error"]
    assert all(isinstance(error, services.AlreadyPlaced) for error in refused), refused
    assert [error.checkout for error in refused] == [first] * (tabs - 1)
    assert list(Checkout.objects.all()) == [first]
    assert [(key, amount) for key, amount, _ in provider.calls] == [(str(first.token), first.amount)]
    assert Order.objects.count() == 2  # the two products come from two stores
    mug.refresh_from_db()
    poster.refresh_from_db()
    assert (mug.stock, poster.stock) == (18, 19)
    assert not CartItem.objects.exists()


def test_parallel_tabs_of_one_browser_all_land_on_the_first_order(buyer, provider, published):
    """Five tabs render the checkout page (five tokens) and are submitted at once: one charge, and
    every tab is redirected to that checkout's confirmation, none to "your cart is empty"."""
    product = ProductFactory(title="Teapot", stock=30)
    CartItemFactory(cart=CartFactory(user=buyer), product=product, quantity=2)
    tabs = [Client() for _ in range(5)]
    tabs[0].force_login(buyer)
    for tab in tabs[1:]:
        tab.cookies = tabs[0].cookies  # one browser, one session
    forms = [payment_data(page_token(tab.get(reverse("orders:checkout")))) | shipping_data() for tab in tabs]
    assert len({form["token"] for form in forms}) == 5

    results = run_together(5, lambda i: tabs[i].post(reverse("orders:checkout"), forms[i]))

    placed = Checkout.objects.get()
    done = reverse("orders:checkout_done", kwargs={"token": placed.token})
    assert [(outcome, getattr(r, "status_code", r)) for outcome, r in results] == [("ok", 302)] * 5
    assert [response.url for _, response in results] == [done] * 5
    assert len(provider.calls) == 1 and Order.objects.count() == 1
    product.refresh_from_db()
    assert product.stock == 28
