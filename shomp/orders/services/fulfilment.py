"""Fulfilment: the seller marks an order shipped or fulfilled."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from shomp.organizations.models import AuditLogEntry
from shomp.organizations.services import record_activity

from ..models import Order


def _record(order: Order, actor, action: str) -> None:
    """The organization's audit log names who moved the order on (the team's shared history)."""
    if actor is not None:
        record_activity(
            organization_id=order.store.organization_id,
            actor=actor,
            action=action,
            object=f"{order.number} ({order.store.name})",
            store=order.store.name,
        )


@transaction.atomic
def mark_order_shipped(*, order: Order, actor=None) -> Order:
    """`actor` (who pressed the button) goes in the organization's audit log; None: the system."""
    order = Order.objects.select_for_update().select_related("store").get(pk=order.pk)
    if order.status != Order.Status.PAID:
        raise ValidationError(f"This order is {order.get_status_display().lower()}; only paid orders can ship.")
    if not order.needs_shipping:
        raise ValidationError("This order has nothing to ship: mark it fulfilled.")
    order.status = Order.Status.SHIPPED
    order.shipped_at = timezone.now()
    order.save(update_fields=["status", "shipped_at"])
    _record(order, actor, AuditLogEntry.Action.ORDER_SHIPPED)
    return order


@transaction.atomic
def mark_order_fulfilled(*, order: Order, actor=None) -> Order:
    order = Order.objects.select_for_update().select_related("store").get(pk=order.pk)
    if order.status not in {Order.Status.PAID, Order.Status.SHIPPED}:
        raise ValidationError(f"This order is {order.get_status_display().lower()} already.")
    order.status = Order.Status.FULFILLED
    order.fulfilled_at = timezone.now()
    order.save(update_fields=["status", "fulfilled_at"])
    _record(order, actor, AuditLogEntry.Action.ORDER_FULFILLED)
    return order
