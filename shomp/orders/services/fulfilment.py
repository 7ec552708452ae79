"""Fulfilment: the seller marks an order shipped (with its tracking), delivered or fulfilled.

Each step locks the order row, refuses a step that does not follow with a message the seller
can act on, and does nothing the second time (a double click, two teammates at once). On commit
the store's open dashboards are updated and apps above are told (the buyer's notification).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from shomp.organizations.models import AuditLogEntry
from shomp.organizations.services import record_activity

from .. import carriers, events, hooks
from ..models import Order


def record(order: Order, actor, action: str, **details) -> None:
    """The organization's audit log names who moved the order on (the team's shared history)."""
    if actor is not None:
        record_activity(
            organization_id=order.store.organization_id,
            actor=actor,
            action=action,
            object=f"{order.number} ({order.store.name})",
            store=order.store.name,
            **details,
        )


def lock_order(order: Order) -> Order:
    return Order.objects.select_for_update(of=("self",)).select_related("store", "checkout").get(pk=order.pk)


def changed_on_commit(order: Order, moment=None) -> None:
    """After commit: the store's open dashboards show the new state; `moment` tells apps above."""
    transaction.on_commit(lambda: events.order_changed(order_id=order.pk), robust=True)
    if moment is not None:
        moment.send_on_commit(order_id=order.pk, store_id=order.store_id, buyer_id=order.buyer_id)


def clean_tracking(*, carrier: str, tracking_number: str) -> tuple[str, str]:
    """(carrier code, tracking number without spaces or dashes), or a ValidationError per field."""
    carrier = (carrier or "").strip()
    number = " ".join((tracking_number or "").split())
    if carrier and carrier not in carriers.CARRIERS:
        raise ValidationError({"carrier": "Choose a carrier from the list (or “Another carrier”)."})
    if number and not carriers.NUMBER_PATTERN.match(number):
        raise ValidationError(
            {"tracking_number": "A tracking number is 4 to 60 letters and digits (spaces and dashes are fine)."}
        )
    if number and not carrier:
        raise ValidationError({"carrier": "Choose the carrier this tracking number belongs to."})
    return carrier, number.replace(" ", "").replace("-", "").upper()


@transaction.atomic
def mark_order_shipped(*, order: Order, actor=None, carrier: str = "", tracking_number: str = "") -> Order:
    """PAID -> SHIPPED, with the carrier and tracking number the buyer will see (both optional:
    not every parcel has tracking). Shipping an order shipped already with the same tracking
    changes nothing; with another number it corrects the tracking (and tells the buyer again).

    `actor` (who pressed the button) goes in the organization's audit log; None: the system."""
    carrier, number = clean_tracking(carrier=carrier, tracking_number=tracking_number)
    order = lock_order(order)
    if order.status == Order.Status.SHIPPED:
        if (order.carrier, order.tracking_number) == (carrier, number):
            return order
        order.carrier, order.tracking_number = carrier, number
        order.save(update_fields=["carrier", "tracking_number"])
        record(order, actor, AuditLogEntry.Action.ORDER_SHIPPED, tracking=number)
        changed_on_commit(order, hooks.order_shipped)
        return order
    if order.status != Order.Status.PAID:
        raise ValidationError(f"This order is {order.get_status_display().lower()}; only paid orders can ship.")
    if not order.needs_shipping:
        raise ValidationError("This order has nothing to ship: mark it fulfilled.")
    order.status = Order.Status.SHIPPED
    order.shipped_at = timezone.now()
    order.carrier, order.tracking_number = carrier, number
    order.save(update_fields=["status", "shipped_at", "carrier", "tracking_number"])
    record(order, actor, AuditLogEntry.Action.ORDER_SHIPPED, tracking=number)
    changed_on_commit(order, hooks.order_shipped)
    return order


@transaction.atomic
def mark_order_delivered(*, order: Order, actor=None) -> Order:
    """SHIPPED -> DELIVERED (the parcel arrived); again is a no-op."""
    order = lock_order(order)
    if order.status == Order.Status.DELIVERED:
        return order
    if order.status != Order.Status.SHIPPED:
        raise ValidationError(
            f"This order is {order.get_status_display().lower()}; only a shipped order can be marked delivered."
        )
    order.status = Order.Status.DELIVERED
    order.delivered_at = timezone.now()
    order.save(update_fields=["status", "delivered_at"])
    record(order, actor, AuditLogEntry.Action.ORDER_DELIVERED)
    changed_on_commit(order, hooks.order_delivered)
    return order


@transaction.atomic
def mark_order_fulfilled(*, order: Order, actor=None) -> Order:
    order = lock_order(order)
    if order.status not in {Order.Status.PAID, Order.Status.SHIPPED, Order.Status.DELIVERED}:
        raise ValidationError(f"This order is {order.get_status_display().lower()} already.")
    order.status = Order.Status.FULFILLED
    order.fulfilled_at = timezone.now()
    order.save(update_fields=["status", "fulfilled_at"])
    record(order, actor, AuditLogEntry.Action.ORDER_FULFILLED)
    changed_on_commit(order)
    return order
