"""The order lifecycle after checkout: shipping with tracking, delivery, cancelling (refund all,
stock back) and line refunds through the payment provider; refused steps say why and change
nothing; the audit log names who did it."""

import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from shomp.catalog.models import InventoryAdjustment, Variant
from shomp.catalog.tests.factories import DigitalProductFactory, ProductFactory
from shomp.orders import carriers
from shomp.orders.models import Order, Refund
from shomp.orders.payments import TestPaymentProvider
from shomp.orders.services import fulfilment, place_order, refunds
from shomp.organizations.models import AuditLogEntry

from .factories import CartFactory, CartItemFactory, OrderFactory, OrderItemFactory, product_with_variants, variant_of
from .helpers import SHIPPING, card

pytestmark = pytest.mark.django_db

ADDRESS = {"ship_name": "Robin", "ship_line1": "1 Quay Street", "ship_city": "Bristol", "ship_country": "GB"}


def paid_order(*, lines=((Decimal("12.50"), 2),), shipping=Decimal("4.00"), **fields):
    """A physical order with `lines` (price, quantity) and shipping, paid through the test
    provider (so refunds are checked against a real charge)."""
    order = OrderFactory(**(ADDRESS | fields), total=0, shipping_total=shipping)
    total = shipping
    for price, quantity in lines:
        OrderItemFactory(
            order=order, product=ProductFactory(store=order.store, stock=5), unit_price=price, quantity=quantity
        )
        total += price * quantity
    charge = TestPaymentProvider().charge(
        amount=total, currency="USD", card=card(), idempotency_key=str(uuid.uuid4()), description="t"
    )
    order.total = total
    order.save(update_fields=["total"])
    order.checkout.payment_reference = charge.reference
    order.checkout.amount = total
    order.checkout.save()
    return order


# Shipping ---------------------------------------------------------------------------------


def test_shipping_with_tracking_gives_the_buyer_a_carrier_link():
    order = paid_order()
    fulfilment.mark_order_shipped(
        order=order, actor=order.store.owner, carrier="usps", tracking_number="9400 1000-0000"
    )
    order.refresh_from_db()
    assert order.status == Order.Status.SHIPPED and order.shipped_at is not None
    assert (order.carrier, order.tracking_number) == ("usps", "940010000000")
    assert carriers.tracking_url(order.carrier, order.tracking_number) == (
        "https://tools.usps.com/go/TrackConfirmAction?tLabels=940010000000"
    )
    entry = AuditLogEntry.objects.get(action=AuditLogEntry.Action.ORDER_SHIPPED)
    assert entry.actor == order.store.owner and order.number in entry.object


def test_an_unknown_carrier_gets_the_number_only():
    assert carriers.tracking_url("other", "ABC123") == ""
    assert carriers.tracking_url("royal_mail", "AB 123/x") == (
        "https://www.royalmail.com/track-your-item#/tracking-results/AB%20123%2Fx"
    )


def test_bad_tracking_is_refused_next_to_its_field_and_changes_nothing():
    order = paid_order()
    with pytest.raises(ValidationError) as refused:
        fulfilment.mark_order_shipped(order=order, carrier="usps", tracking_number="<script>")
    assert "tracking_number" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        fulfilment.mark_order_shipped(order=order, carrier="", tracking_number="1Z999")
    assert refused.value.message_dict == {"carrier": ["Choose the carrier this tracking number belongs to."]}
    with pytest.raises(ValidationError) as refused:
        fulfilment.mark_order_shipped(order=order, carrier="pigeon", tracking_number="1Z999")
    assert "carrier" in refused.value.message_dict
    order.refresh_from_db()
    assert order.status == Order.Status.PAID and order.tracking_number == ""


def test_shipping_twice_is_a_no_op_and_a_new_number_corrects_the_tracking(django_capture_on_commit_callbacks):
    order = paid_order()
    with django_capture_on_commit_callbacks() as first:
        fulfilment.mark_order_shipped(order=order, carrier="ups", tracking_number="1Z999AA1")
    with django_capture_on_commit_callbacks() as again:
        fulfilment.mark_order_shipped(order=order, carrier="ups", tracking_number="1Z999AA1")
    assert first and not again  # nothing to tell anyone the second time
    fulfilment.mark_order_shipped(order=order, carrier="ups", tracking_number="1Z999AA2")
    order.refresh_from_db()
    assert order.tracking_number == "1Z999AA2" and order.status == Order.Status.SHIPPED


def test_delivered_follows_shipped_only():
    order = paid_order()
    with pytest.raises(ValidationError, match="only a shipped order can be marked delivered"):
        fulfilment.mark_order_delivered(order=order)
    fulfilment.mark_order_shipped(order=order, carrier="dhl", tracking_number="12345678")
    fulfilment.mark_order_delivered(order=order, actor=order.store.owner)
    fulfilment.mark_order_delivered(order=order)  # again: nothing
    order.refresh_from_db()
    assert order.status == Order.Status.DELIVERED and order.delivered_at is not None
    assert AuditLogEntry.objects.filter(action=AuditLogEntry.Action.ORDER_DELIVERED).count() == 1
    with pytest.raises(ValidationError, match="only paid orders can ship"):
        fulfilment.mark_order_shipped(order=order, carrier="dhl", tracking_number="999999")


# Cancelling -------------------------------------------------------------------------------


def test_cancelling_refunds_everything_with_shipping_through_the_provider():
    order = paid_order(lines=((Decimal("12.50"), 2), (Decimal("3.00"), 1)), shipping=Decimal("4.00"))
    fulfilment_owner = order.store.owner
    refunds.cancel_order(order=order, actor=fulfilment_owner, reason="  Sold out   at the market ")
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED and order.cancelled_at is not None
    assert order.cancel_reason == "Sold out at the market"
    assert order.refunded_total == order.total == Decimal("32.00")
    refund = Refund.objects.get(order=order)
    assert refund.amount == Decimal("32.00") and refund.item is None and refund.reference.startswith("test_re_")
    assert TestPaymentProvider.refunds_of(order.checkout.payment_reference) == [Decimal("32.00")]
    assert AuditLogEntry.objects.get(action=AuditLogEntry.Action.ORDER_CANCELLED).actor == fulfilment_owner


def test_cancelling_twice_refunds_once():
    order = paid_order()
    refunds.cancel_order(order=order, reason="Can't ship there")
    refunds.cancel_order(order=order, reason="Again")
    order.refresh_from_db()
    assert order.cancel_reason == "Can't ship there"
    assert Refund.objects.filter(order=order).count() == 1
    assert len(TestPaymentProvider.refunds_of(order.checkout.payment_reference)) == 1


def test_a_shipped_order_cannot_be_cancelled_and_a_reason_is_needed():
    order = paid_order()
    with pytest.raises(ValidationError) as refused:
        refunds.cancel_order(order=order, reason="   ")
    assert "reason" in refused.value.message_dict
    fulfilment.mark_order_shipped(order=order)
    with pytest.raises(ValidationError, match="only an order that has not shipped can be cancelled"):
        refunds.cancel_order(order=order, reason="Changed my mind")
    order.refresh_from_db()
    assert order.status == Order.Status.SHIPPED and order.refunded_total == 0
    assert not Refund.objects.exists()


def test_cancelling_puts_product_and_variant_stock_back_with_history(buyer):
    plain = ProductFactory(stock=3)
    tee = product_with_variants(inventory=1, store=plain.store)
    cart = CartFactory(user=buyer)
    CartItemFactory(cart=cart, product=plain, quantity=2)
    CartItemFactory(cart=cart, product=tee, variant=variant_of(tee, "M / Red"), quantity=1)
    checkout = place_order(buyer=buyer, cart=cart, token=uuid.uuid4(), card=card(), shipping=SHIPPING)
    order = checkout.orders.get()
    plain.refresh_from_db()
    assert plain.stock == 1 and variant_of(tee, "M / Red").inventory_count == 0

    refunds.cancel_order(order=order, actor=plain.store.owner, reason="Damaged in the workshop")

    plain.refresh_from_db()
    variant = Variant.objects.get(product=tee, name="M / Red")
    assert plain.stock == 3 and variant.inventory_count == 1
    back = InventoryAdjustment.objects.filter(variant=variant).order_by("pk").last()
    assert back.kind == InventoryAdjustment.Kind.RESTOCK and back.delta == 1
    assert back.reason == f"Order {order.number} cancelled" and back.actor == plain.store.owner
    assert TestPaymentProvider.refunds_of(checkout.payment_reference) == [order.total]


def test_a_digital_order_cancels_without_stock():
    order = OrderFactory(total=Decimal("5.00"))
    OrderItemFactory(order=order, product=DigitalProductFactory(store=order.store), unit_price=Decimal("5.00"))
    refunds.cancel_order(order=order, reason="Wrong file")
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED and order.refunded_total == Decimal("5.00")


# Line refunds -----------------------------------------------------------------------------


def test_refunding_lines_adds_up_and_the_last_takes_the_shipping():
    order = paid_order(lines=((Decimal("12.50"), 2), (Decimal("3.00"), 1)), shipping=Decimal("4.00"))
    fulfilment.mark_order_shipped(order=order)
    mug, card_item = order.items.order_by("pk")

    first = refunds.refund_order_item(order=order, item=mug, quantity=1, actor=order.store.owner, reason="Chipped")
    order.refresh_from_db()
    mug.refresh_from_db()
    assert first.amount == Decimal("12.50") and first.quantity == 1 and first.reason == "Chipped"
    assert order.refunded_total == Decimal("12.50") and mug.refunded_quantity == 1
    assert order.status == Order.Status.SHIPPED

    refunds.refund_order_item(order=order, item=card_item, quantity=1)
    last = refunds.refund_order_item(order=order, item=mug, quantity=1)
    order.refresh_from_db()
    assert last.amount == Decimal("16.50")  # the mug and the shipping with it
    assert order.refunded_total == order.total == Decimal("32.00")
    assert order.status == Order.Status.REFUNDED
    assert sum(TestPaymentProvider.refunds_of(order.checkout.payment_reference)) == order.total
    assert AuditLogEntry.objects.filter(action=AuditLogEntry.Action.ORDER_REFUNDED).count() == 1  # the owner's


def test_refunds_never_exceed_the_line_and_say_why():
    order = paid_order(lines=((Decimal("12.50"), 2),))
    mug = order.items.get()
    with pytest.raises(ValidationError) as refused:
        refunds.refund_order_item(order=order, item=mug, quantity=3)
    assert refused.value.message_dict == {"quantity": ["Refund between 1 and 2 of “" + mug.title + "”."]}
    with pytest.raises(ValidationError):
        refunds.refund_order_item(order=order, item=mug, quantity=0)
    refunds.refund_order_item(order=order, item=mug, quantity=2)
    with pytest.raises(ValidationError, match="nothing left to refund"):
        refunds.refund_order_item(order=order, item=mug, quantity=1)
    order.refresh_from_db()
    assert order.refunded_total == order.total


def test_a_refund_seen_stale_changes_nothing():
    order = paid_order(lines=((Decimal("12.50"), 2),))
    mug = order.items.get()
    refunds.refund_order_item(order=order, item=mug, quantity=1, seen_refunded=0)
    with pytest.raises(ValidationError, match="was refunded meanwhile"):
        refunds.refund_order_item(order=order, item=mug, quantity=1, seen_refunded=0)  # a double click
    assert Refund.objects.filter(order=order).count() == 1


def test_another_orders_line_and_free_lines_are_refused():
    order = paid_order()
    other = OrderItemFactory()
    with pytest.raises(ValidationError, match="not part of this order"):
        refunds.refund_order_item(order=order, item=other, quantity=1)
    free = OrderItemFactory(order=order, unit_price=Decimal("0.00"))
    with pytest.raises(ValidationError, match="was free"):
        refunds.refund_order_item(order=order, item=free, quantity=1)


def test_a_provider_refusal_rolls_everything_back():
    order = paid_order(lines=((Decimal("10.00"), 1),), shipping=Decimal("0.00"))
    provider = TestPaymentProvider()
    # Someone refunded the charge outside Shomp already: the provider refuses a second.
    provider.refund(
        reference=order.checkout.payment_reference, amount=Decimal("10.00"), currency="USD", idempotency_key="x"
    )
    with pytest.raises(ValidationError, match="more than is left to refund"):
        refunds.cancel_order(order=order, reason="Sold out")
    order.refresh_from_db()
    assert order.status == Order.Status.PAID and order.refunded_total == 0 and not Refund.objects.exists()


# The provider -----------------------------------------------------------------------------


def test_the_test_provider_never_refunds_more_than_charged_and_repeats_by_key():
    provider = TestPaymentProvider()
    charge = provider.charge(
        amount=Decimal("20.00"), currency="USD", card=card(), idempotency_key=str(uuid.uuid4()), description="t"
    )
    first = provider.refund(reference=charge.reference, amount=Decimal("15.00"), currency="USD", idempotency_key="k1")
    again = provider.refund(reference=charge.reference, amount=Decimal("15.00"), currency="USD", idempotency_key="k1")
    too_much = provider.refund(reference=charge.reference, amount=Decimal("5.01"), currency="USD", idempotency_key="k2")
    rest = provider.refund(reference=charge.reference, amount=Decimal("5.00"), currency="USD", idempotency_key="k3")
    assert first.succeeded and again == first
    assert not too_much.succeeded and "more than is left" in too_much.message
    assert rest.succeeded
    assert TestPaymentProvider.refunds_of(charge.reference) == [Decimal("15.00"), Decimal("5.00")]
