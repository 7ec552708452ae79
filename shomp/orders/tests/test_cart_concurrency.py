"""Cart writes racing each other, with real threads and real transactions.

PostgreSQL only, like test_concurrency.py: on SQLite every write transaction takes the whole
database (IMMEDIATE mode), so there are no row locks to get wrong.
"""

import time
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import QuerySet
from django.test import Client
from django.urls import reverse

from shomp.catalog.models import Product
from shomp.catalog.tests.factories import ProductFactory
from shomp.core.testing.threads import outcomes, run_together
from shomp.orders import services
from shomp.orders.models import Cart, CartItem, Checkout

from .factories import CartFactory, CartItemFactory, product_with_variants, variant_of
from .helpers import SHIPPING, card

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks only exist on PostgreSQL; SQLite serialises write transactions",
    ),
    pytest.mark.django_db(transaction=True),
]


def add(buyer, product, variant=None):
    cart = services.get_or_create_cart(user=buyer, session={})
    return services.add_to_cart(cart=cart, product=Product.objects.get(pk=product.pk), variant=variant)


def test_ten_parallel_adds_to_an_empty_cart_make_one_line_of_ten(buyer):
    product = ProductFactory(title="Mug", stock=50)

    results = run_together(10, lambda i: add(buyer, product))

    assert outcomes(results) == ["ok"] * 10
    assert list(CartItem.objects.values_list("cart__user", "product", "quantity")) == [(buyer.pk, product.pk, 10)]
    assert Cart.objects.count() == 1


def test_ten_parallel_adds_of_a_variant_make_one_line(buyer):
    tee = product_with_variants(title="Tee", inventory=50)
    red = variant_of(tee, "M / Red")

    results = run_together(10, lambda i: add(buyer, tee, red))

    assert outcomes(results) == ["ok"] * 10
    assert list(CartItem.objects.values_list("variant", "quantity")) == [(red.pk, 10)]


def test_parallel_adds_beyond_the_stock_are_refused_like_one_after_the_other(buyer):
    product = ProductFactory(title="Vase", stock=6)

    results = run_together(10, lambda i: add(buyer, product))

    assert sorted(outcomes(results)) == ["ValidationError"] * 4 + ["ok"] * 6
    refusals = {" ".join(error.messages) for outcome, error in results if outcome == "error"}
    assert refusals == {"Only 6 of “Vase” left in stock."}
    assert CartItem.objects.get().quantity == 6


def test_ten_parallel_add_to_cart_requests_all_succeed(buyer):
    """The issue's report: ten "add to cart" requests of one browser at once, none a 500."""
    product = ProductFactory(title="Mug", stock=50)
    tabs = [Client() for _ in range(10)]
    tabs[0].force_login(buyer)
    for tab in tabs[1:]:
        tab.cookies = tabs[0].cookies

    data = {"product": product.pk, "quantity": 1}

    results = run_together(10, lambda i: tabs[i].post(reverse("orders:cart_add"), data))

    assert [(outcome, getattr(r, "status_code", r)) for outcome, r in results] == [("ok", 302)] * 10
    # Each goes back to the product page (add to cart stays on the page), none to an error.
    assert {response.url for _, response in results} == {product.get_absolute_url()}
    assert CartItem.objects.get(cart__user=buyer).quantity == 10


@pytest.fixture
def slow_cart_reads(monkeypatch):
    """Pause after reading a cart's lines, so a second writer of the same cart reliably reads
    them before the first one commits, as two requests arriving together would."""
    iterate = QuerySet._fetch_all

    def slow_fetch_all(self):
        fresh = self._result_cache is None
        iterate(self)
        if fresh and self.model is CartItem:
            time.sleep(0.05)

    monkeypatch.setattr(QuerySet, "_fetch_all", slow_fetch_all)


def test_logging_in_twice_at_once_merges_the_anonymous_cart_once(buyer, slow_cart_reads):
    """Two tabs logging in together carry the same anonymous cart: its lines count once."""
    product = ProductFactory(title="Mug", stock=50)
    anonymous = CartItemFactory(cart=CartFactory(user=None), product=product, quantity=2).cart
    CartItemFactory(cart=CartFactory(user=buyer), product=product, quantity=1)

    def log_in(index: int):
        time.sleep(0.12 * index)  # the second reads the anonymous cart while the first is merging it
        return services.merge_carts(user=buyer, anonymous_cart_id=anonymous.pk)

    results = run_together(2, log_in)

    assert outcomes(results) == ["ok", "ok"]
    assert list(CartItem.objects.values_list("cart__user", "quantity")) == [(buyer.pk, 3)]
    assert not Cart.objects.filter(pk=anonymous.pk).exists()


def test_a_line_changed_during_checkout_is_paid_as_changed_or_refused(buyer, provider, published, slow_cart_reads):
    """A quantity changed in one tab while another tab pays: either the payment includes the
    change, or the change is refused because the line was paid for; never a line of 4 deleted
    after a payment for 1."""
    product = ProductFactory(title="Mug", stock=50)
    line = CartItemFactory(cart=CartFactory(user=buyer), product=product, quantity=1)

    def work(index: int):
        if index == 0:
            return services.place_order(buyer=buyer, cart=line.cart, token=uuid.uuid4(), card=card(), shipping=SHIPPING)
        time.sleep(0.01)  # the checkout has read the lines
        return services.update_cart_item(cart=line.cart, item_id=line.pk, quantity=4)

    results = run_together(2, work)

    assert results[0][0] == "ok", results
    paid_for = Checkout.objects.get().orders.get().items.get().quantity
    if results[1][0] == "ok":  # the change went in first: the payment includes it
        assert paid_for == 4
    else:  # the checkout went first: the change is refused, the line is paid for and gone
        assert isinstance(results[1][1], ValidationError) and paid_for == 1
    assert not CartItem.objects.exists()
    product.refresh_from_db()
    assert product.stock == 50 - paid_for
