"""A buyer asks the store to cancel an order: a support conversation about that order, which
the store answers (and cancels from its order page). Only an order that has not shipped."""

from django.core.exceptions import ValidationError

from shomp.orders.models import Order

from ..models import Conversation
from .conversations import create_conversation

REASON_MAX = 2000


def request_cancellation(*, order: Order, customer, reason: str) -> Conversation:
    """Open a support conversation with `order`'s store asking to cancel it, with the buyer's
    reason. Refused for someone else's order and for an order that shipped or ended already."""
    if order.buyer_id != customer.pk:
        raise ValidationError("That order is not yours.")
    if order.status != Order.Status.PAID:
        raise ValidationError(
            f"This order is {order.get_status_display().lower()}: only an order that has not shipped can be "
            "cancelled. Ask the store for help instead."
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Tell the store why you want to cancel."})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": f"Keep it under {REASON_MAX:,} characters."})
    return create_conversation(
        store=order.store,
        customer=customer,
        type=Conversation.Type.SUPPORT,
        subject=f"Cancellation request for order {order.number}",
        content=f"Please cancel my order {order.number}.\n\n{reason}",
        order=order,
    )
