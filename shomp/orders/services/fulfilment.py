"""Fulfilment: the seller marks an order shipped or fulfilled."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..models import Order


@transaction.atomic
def mark_order_shipped(*, order: Order) -> Order:
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status != Order.Status.PAID:
        raise ValidationError(f"This order is {order.get_status_display().lower()}; only paid orders can ship.")
    if not order.needs_shipping:
        raise ValidationError("This order has nothing to ship: mark it fulfilled.")
    order.status = Order.Status.SHIPPED
    order.shipped_at = timezone.now()
    order.save(update_fields=["status", "shipped_at"])
    return order


@transaction.atomic
def mark_order_fulfilled(*, order: Order) -> Order:
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status not in {Order.Status.PAID, Order.Status.SHIPPED}:
        raise ValidationError(f"This order is {order.get_status_display().lower()} already.")
    order.status = Order.Status.FULFILLED
    order.fulfilled_at = timezone.now()
    order.save(update_fields=["status", "fulfilled_at"])
    return order
