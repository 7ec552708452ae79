"""Money back: cancelling an unshipped order (stock returns, everything is refunded) and
refunding one line.

Both lock the order row first, so two teammates (or a double click) take turns and the second
sees what the first did: refunds never add up to more than the buyer paid. The payment provider
is asked inside the transaction with an idempotency key made from the order's state before the
refund, so a retry after a failure gets the same provider refund, never a second one.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from shomp.catalog.services import return_stock
from shomp.organizations.models import AuditLogEntry

from .. import hooks
from ..models import Order, OrderItem, Refund
from ..payments import PaymentProvider, get_payment_provider
from .fulfilment import changed_on_commit, lock_order, record

REASON_MAX = Refund._meta.get_field("reason").max_length
CANCELLABLE = {Order.Status.PAID}
REFUNDABLE = {Order.Status.PAID, Order.Status.SHIPPED, Order.Status.DELIVERED, Order.Status.FULFILLED}


def _clean_reason(reason: str, *, required: bool) -> str:
    reason = " ".join((reason or "").split())
    if required and not reason:
        raise ValidationError(
            {"reason": "Say why, for the buyer (out of stock, can't ship there, asked by the buyer…)."}
        )
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": f"Keep the reason under {REASON_MAX} characters."})
    return reason


def _pay_back(
    *,
    order: Order,
    amount: Decimal,
    key: str,
    provider: PaymentProvider | None,
    item: OrderItem | None = None,
    quantity: int = 0,
    reason: str,
    actor,
) -> Refund:
    provider = provider or get_payment_provider()
    result = provider.refund(
        reference=order.checkout.payment_reference, amount=amount, currency=order.currency, idempotency_key=key
    )
    if not result.succeeded:
        raise ValidationError(result.message or "The payment provider refused the refund.")
    order.refunded_total += amount
    return Refund.objects.create(
        order=order,
        item=item,
        amount=amount,
        quantity=quantity,
        reason=reason,
        reference=result.reference,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )


@transaction.atomic
def cancel_order(*, order: Order, actor=None, reason: str, provider: PaymentProvider | None = None) -> Order:
    """Cancel an order that has not shipped: what is left of its payment (lines and shipping) is
    refunded, its stock goes back, and the buyer is told why. Cancelling it again is a no-op."""
    reason = _clean_reason(reason, required=True)
    order = lock_order(order)
    if order.status == Order.Status.CANCELLED:
        return order
    if order.status not in CANCELLABLE:
        raise ValidationError(
            f"This order is {order.get_status_display().lower()}: only an order that has not shipped can be "
            "cancelled. Refund its lines instead."
        )
    items = list(order.items.order_by("product_id", "variant_id", "pk"))  # the checkout's lock order
    left = order.total - order.refunded_total
    if left > 0:
        _pay_back(
            order=order, amount=left, key=f"order-{order.uuid}-cancel", provider=provider, reason=reason, actor=actor
        )
    for item in items:
        if item.product_id is not None:
            return_stock(
                product_id=item.product_id,
                variant_id=item.variant_id,
                quantity=item.quantity,
                reason=f"Order {order.number} cancelled",
                actor=actor if getattr(actor, "is_authenticated", False) else None,
            )
    order.status = Order.Status.CANCELLED
    order.cancelled_at = timezone.now()
    order.cancel_reason = reason
    order.save(update_fields=["status", "cancelled_at", "cancel_reason", "refunded_total"])
    record(order, actor, AuditLogEntry.Action.ORDER_CANCELLED, reason=reason)
    changed_on_commit(order, hooks.order_cancelled)
    return order


@transaction.atomic
def refund_order_item(
    *,
    order: Order,
    item: OrderItem,
    quantity: int,
    actor=None,
    reason: str = "",
    seen_refunded: int | None = None,
    provider: PaymentProvider | None = None,
) -> Refund:
    """Refund `quantity` of one line at the price paid. When every line is refunded, what is left
    (the shipping) is refunded with it and the order reads Refunded.

    `seen_refunded`: how many of the line the seller saw refunded when they asked; if that changed
    meanwhile (a double click, a teammate), nothing happens and they are told to look again."""
    reason = _clean_reason(reason, required=False)
    order = lock_order(order)
    item = OrderItem.objects.filter(pk=item.pk, order=order).first()
    if item is None:
        raise ValidationError("That line is not part of this order.")
    if order.status not in REFUNDABLE:
        raise ValidationError(f"This order is {order.get_status_display().lower()}: there is nothing left to refund.")
    if seen_refunded is not None and seen_refunded != item.refunded_quantity:
        raise ValidationError(
            f"“{item.title}” was refunded meanwhile ({item.refunded_quantity} of {item.quantity} now): look again."
        )
    remaining = item.quantity - item.refunded_quantity
    try:
        quantity = int(quantity)
    except (TypeError, ValueError):
        raise ValidationError({"quantity": "Enter a whole number."}) from None
    if remaining <= 0:
        raise ValidationError(f"“{item.title}” is refunded in full already.")
    if quantity < 1 or quantity > remaining:
        raise ValidationError({"quantity": f"Refund between 1 and {remaining} of “{item.title}”."})
    if item.unit_price <= 0:
        raise ValidationError(f"“{item.title}” was free: there is nothing to refund.")
    before = item.refunded_quantity
    item.refunded_quantity += quantity
    lines = list(order.items.exclude(pk=item.pk).values_list("quantity", "refunded_quantity", "unit_price"))
    everything = all(q == r or price <= 0 for q, r, price in lines) and item.refunded_quantity == item.quantity
    amount = item.unit_price * quantity
    left = order.total - order.refunded_total
    if everything:
        amount = left  # the last line takes the rest with it: the shipping
    amount = min(amount, left)
    if amount <= 0:
        raise ValidationError("Everything the buyer paid for this order is refunded already.")
    refund = _pay_back(
        order=order,
        amount=amount,
        key=f"order-{order.uuid}-item-{item.pk}-{before}-{quantity}",
        provider=provider,
        item=item,
        quantity=quantity,
        reason=reason,
        actor=actor,
    )
    item.save(update_fields=["refunded_quantity"])
    fields = ["refunded_total"]
    if order.refunded_total >= order.total:
        order.status = Order.Status.REFUNDED
        fields.append("status")
    order.save(update_fields=fields)
    record(order, actor, AuditLogEntry.Action.ORDER_REFUNDED, line=item.title, quantity=quantity, amount=str(amount))
    changed_on_commit(order)
    hooks.order_refunded.send_on_commit(
        order_id=order.pk, store_id=order.store_id, buyer_id=order.buyer_id, refund_id=refund.pk
    )
    return refund
