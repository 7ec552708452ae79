"""Checkouts of variants racing each other (and a seller restocking), with real threads and
real transactions. PostgreSQL only, like test_concurrency.py, whose harness this reuses."""

import threading
import time
import uuid

import pytest
from django.core import mail
from django.db import connection
from django.db.models import QuerySet

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog import services as catalog_services
from shomp.catalog.models import InventoryAdjustment, Product, Variant
from shomp.core.exceptions import OutOfStock
from shomp.orders import services
from shomp.orders.models import CartItem, Checkout, Order, OrderItem
from shomp.stores.tests.factories import StoreFactory

from .factories import CartFactory, product_with_variants, variant_of
from .helpers import SHIPPING, card
from .test_concurrency import run_together

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks and deadlocks only exist on PostgreSQL; SQLite serialises write transactions",
    ),
    pytest.mark.django_db(transaction=True),
]


def checkout(buyer, cart):
    return services.place_order(buyer=buyer, cart=cart, token=uuid.uuid4(), card=card(), shipping=SHIPPING)


def test_twenty_buyers_race_for_the_last_five_of_a_variant(published):
    tee = product_with_variants(title="Tee", inventory=0, stock=None)
    red = catalog_services.manage_inventory(variant=variant_of(tee, "M / Red"), action="set", quantity=5)
    carts = []
    for _ in range(20):
        cart = CartFactory()
        services.add_to_cart(cart=cart, product=tee, variant=red, quantity=1)
        carts.append(cart)

    results = run_together(20, lambda i: checkout(carts[i].user, carts[i]))

    placed = [value for outcome, value in results if outcome == "ok"]
    refused = [value for outcome, value in results if outcome == "error"]
    assert len(placed) == 5 and len(refused) == 15
    assert all(isinstance(error, OutOfStock) for error in refused), refused
    assert {error.message for error in refused} == {"“Tee — M / Red” sold out. Remove it from your cart."}
    red.refresh_from_db()
    assert red.inventory_count == 0
    assert Order.objects.count() == 5 and Checkout.objects.count() == 5
    assert OrderItem.objects.filter(variant=red).count() == 5
    sales = InventoryAdjustment.objects.filter(variant=red, kind=InventoryAdjustment.Kind.SALE)
    assert sorted(sales.values_list("resulting_count", flat=True)) == [0, 1, 2, 3, 4]
    assert {a.reason for a in sales} == {f"Order {o.number}" for o in Order.objects.all()}
    assert CartItem.objects.count() == 15  # the refused buyers keep their carts
    assert sum(stock for _, stock in Variant.objects.filter(product=tee).values_list("name", "inventory_count")) == 0
    rows = [html for topic, html in published if topic.startswith("store-orders:") and "orders-body" in html]
    confirmations = [email for email in mail.outbox if email.subject.startswith("Your Shomp order")]
    assert len(rows) == 5 and len(confirmations) == 5  # (and the store's cards, its owner's new-order notices)


@pytest.fixture
def slow_variant_stock_updates(monkeypatch):
    """Pause after each variant stock decrement, so two checkouts that locked variants one at a
    time, in their carts' order, would reliably hold one each and wait for the other."""
    update = QuerySet.update

    def slow_update(self, **kwargs):
        rows = update(self, **kwargs)
        if self.model is Variant and "inventory_count" in kwargs:
            time.sleep(0.02)
        return rows

    monkeypatch.setattr(QuerySet, "update", slow_update)


@pytest.mark.parametrize("where", ["one product", "two stores"])
def test_two_carts_with_the_same_variants_in_opposite_order_never_deadlock(
    published, slow_variant_stock_updates, where
):
    tee = product_with_variants(title="Tee", inventory=500)
    if where == "one product":
        first, second = variant_of(tee, "M / Red"), variant_of(tee, "S / Blue")
    else:
        cap = product_with_variants(title="Cap", store=StoreFactory(), options={"Size": ["One"]}, inventory=500)
        first, second = variant_of(cap, "One"), variant_of(tee, "S / Blue")  # the cap's variant has the higher pk
    buyers = [UserFactory(), UserFactory()]
    carts = [CartFactory(user=buyer) for buyer in buyers]
    rounds = 15
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def shop(index: int) -> int:
        placed = 0
        variants = [first, second] if index == 0 else [second, first]
        for _ in range(rounds):
            for variant in variants:  # the two carts list them in opposite order
                fresh = Variant.objects.select_related("product").get(pk=variant.pk)
                services.add_to_cart(cart=carts[index], product=fresh.product, variant=fresh)
            barrier.wait(timeout=20)
            try:
                checkout(buyers[index], carts[index])
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
    assert (first.inventory_count, second.inventory_count) == (500 - 2 * rounds, 500 - 2 * rounds)
    assert Checkout.objects.count() == 2 * rounds
    assert InventoryAdjustment.objects.filter(kind="sale").count() == 4 * rounds
    assert Product.objects.get(pk=tee.pk).stock is None


def test_a_seller_restocking_during_checkouts_keeps_the_count(published):
    tee = product_with_variants(title="Tee", inventory=10)
    red = variant_of(tee, "M / Red")
    carts = []
    for _ in range(10):
        cart = CartFactory()
        services.add_to_cart(cart=cart, product=tee, variant=red, quantity=1)
        carts.append(cart)

    def work(i: int):
        if i < 10:
            return checkout(carts[i].user, carts[i])
        return catalog_services.manage_inventory(variant=red, action="restock", quantity=3, reason="Delivery")

    results = run_together(14, work)

    assert [outcome for outcome, _ in results] == ["ok"] * 14, results
    red.refresh_from_db()
    assert red.inventory_count == 10 - 10 + 4 * 3
    history = list(InventoryAdjustment.objects.filter(variant=red).order_by("pk"))
    # The factory set the opening 10 directly; the history holds 4 restocks of 3 and 10 sales of 1.
    assert sorted((a.kind, a.delta) for a in history) == [("restock", 3)] * 4 + [("sale", -1)] * 10
    assert 10 + sum(a.delta for a in history) == red.inventory_count
    assert max(history, key=lambda a: a.pk).resulting_count == red.inventory_count
