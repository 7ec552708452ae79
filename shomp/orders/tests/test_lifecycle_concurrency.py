"""Refunds racing each other (two teammates, a double click), with real threads and real
transactions: the order row's lock keeps what is refunded at or under what was paid.

PostgreSQL only: on SQLite every write transaction takes the whole database (IMMEDIATE mode),
so there are no row locks to get wrong. The CI's PostgreSQL run executes all of these."""

import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum

from shomp.catalog.tests.factories import ProductFactory
from shomp.core.testing.threads import run_together
from shomp.orders.models import Order, Refund
from shomp.orders.payments import TestPaymentProvider
from shomp.orders.services import refunds

from .factories import OrderFactory, OrderItemFactory
from .helpers import card

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks only exist on PostgreSQL; SQLite serialises write transactions",
    ),
    pytest.mark.django_db(transaction=True),
]

ADDRESS = {"ship_name": "Robin", "ship_line1": "1 Quay Street", "ship_city": "Bristol", "ship_country": "GB"}


def paid_order(quantity: int) -> Order:
    total = Decimal("10.00") * quantity + Decimal("4.00")
    charge = TestPaymentProvider().charge(
        amount=total, currency="USD", card=card(), idempotency_key=str(uuid.uuid4()), description="t"
    )
    order = OrderFactory(
        **ADDRESS, total=total, shipping_total=Decimal("4.00"), checkout__payment_reference=charge.reference
    )
    OrderItemFactory(
        order=order, product=ProductFactory(store=order.store, stock=0), unit_price="10.00", quantity=quantity
    )
    return order


def test_ten_refunds_of_one_race_for_a_line_of_three():
    order = paid_order(3)
    item = order.items.get()

    results = run_together(10, lambda i: refunds.refund_order_item(order=order, item=item, quantity=1))

    assert [outcome for outcome, _ in results].count("ok") == 3
    order.refresh_from_db()
    item.refresh_from_db()
    assert item.refunded_quantity == 3
    assert order.refunded_total == order.total == Decimal("34.00")  # the last took the shipping
    assert Refund.objects.aggregate(s=Sum("amount"))["s"] == order.total
    assert sum(TestPaymentProvider.refunds_of(order.checkout.payment_reference)) == order.total
    assert order.status == Order.Status.REFUNDED


def test_cancels_and_refunds_racing_never_refund_more_than_paid():
    order = paid_order(2)
    item = order.items.get()

    def act(i):
        if i % 2:
            return refunds.cancel_order(order=order, reason="Sold out")
        return refunds.refund_order_item(order=order, item=item, quantity=1)

    run_together(10, act)

    order.refresh_from_db()
    refunded = Refund.objects.aggregate(s=Sum("amount"))["s"]
    assert refunded == order.refunded_total == order.total
    assert sum(TestPaymentProvider.refunds_of(order.checkout.payment_reference)) == order.total
    assert order.status in {Order.Status.CANCELLED, Order.Status.REFUNDED}
