"""Conversations and messages: start one, send, mark read, set its status."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from shomp.catalog.models import Product
from shomp.catalog.policies import can_view_product
from shomp.core import ratelimit
from shomp.core.money import MAX_PRICE, quantize
from shomp.orders.models import Order
from shomp.stores.models import Store

from .. import events, hooks
from ..models import MAX_SUBJECT_LENGTH, Conversation, CustomOrderRequest, Message, Side
from ..policies import can_contact_store, is_blocked, side_for
from .attachments import check_image_rate
from .posting import (
    BLOCKED_TEXT,
    CONVERSATION_RATE_TEXT,
    CONVERSATIONS_PER_HOUR,
    MESSAGE_RATE_TEXT,
    MESSAGES_PER_MINUTE,
    OWN_STORE_TEXT,
    AttachmentUpload,
    _check_content,
    _copy_state,
    _other,
    _post_message,
)


def default_subject(*, type: str, product: Product | None, order: Order | None) -> str:
    if product is not None:
        return f"Question about {product.title}"
    if order is not None:
        return f"Help with order {order.number}"
    if type == Conversation.Type.CUSTOM_ORDER:
        return "Custom order request"
    return "A question"


def _check_budget(budget: Decimal | None) -> Decimal | None:
    if budget is None:
        return None
    budget = quantize(budget)
    if budget < 0 or budget > MAX_PRICE:
        raise ValidationError({"budget": "Enter a budget between 0 and 1,000,000."})
    return budget


@transaction.atomic
def create_conversation(
    *,
    store: Store,
    customer,
    type: str,
    subject: str,
    content: str,
    attachments: Sequence[AttachmentUpload] = (),
    product: Product | None = None,
    order: Order | None = None,
    budget: Decimal | None = None,
    wanted_by: date | None = None,
) -> Conversation:
    """Start a conversation between `customer` and `store` with its first message."""
    if not can_contact_store(customer, store):
        raise ValidationError(OWN_STORE_TEXT)
    if is_blocked(store=store, user=customer):
        raise ValidationError(BLOCKED_TEXT)
    if type not in Conversation.Type.values:
        raise ValidationError({"type": "Choose what your message is about."})
    if product is not None and (product.store_id != store.pk or not can_view_product(customer, product)):
        raise ValidationError({"product": "That product isn't sold by this store."})
    if order is not None and (order.buyer_id != customer.pk or order.store_id != store.pk):
        raise ValidationError({"order": "That order isn't one of yours from this store."})
    content = _check_content(content, attachments)
    subject = " ".join((subject or "").split())[:MAX_SUBJECT_LENGTH] or default_subject(
        type=type, product=product, order=order
    )
    custom = type == Conversation.Type.CUSTOM_ORDER
    if custom:
        budget = _check_budget(budget)
        if wanted_by is not None and wanted_by < timezone.localdate():
            raise ValidationError({"wanted_by": "Choose a date that hasn't passed."})
        if not content:
            raise ValidationError({"content": "Describe what you'd like made."})
    check_image_rate(user=customer, attachments=attachments)
    ratelimit.hit(
        key=f"conversations:{customer.pk}",
        limit=CONVERSATIONS_PER_HOUR,
        window_seconds=3600,
        message=CONVERSATION_RATE_TEXT,
    )
    ratelimit.hit(
        key=f"messages:{customer.pk}", limit=MESSAGES_PER_MINUTE, window_seconds=60, message=MESSAGE_RATE_TEXT
    )

    conversation = Conversation.objects.create(
        store=store,
        customer=customer,
        subject=subject,
        type=type,
        product=product,
        order=order,
        last_message_at=timezone.now(),
    )
    if custom:
        CustomOrderRequest.objects.create(
            conversation=conversation, description=content, budget=budget, wanted_by=wanted_by
        )
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    _post_message(
        conversation=conversation, sender=customer, side=Side.CUSTOMER, content=content, attachments=attachments
    )
    hooks.conversation_started.send_on_commit(
        store_id=store.pk, user_id=customer.pk, product_id=product.pk if product is not None else None
    )
    return conversation


@transaction.atomic
def send_message(
    *, conversation: Conversation, sender, content: str, attachments: Sequence[AttachmentUpload] = ()
) -> Message:
    """Add `sender`'s message to `conversation` (either side), with up to five attachments."""
    side = side_for(sender, conversation)
    if side is None:
        raise ValidationError("You can't write in this conversation.")
    if side == Side.CUSTOMER and is_blocked(store=conversation.store, user=sender):
        raise ValidationError(BLOCKED_TEXT)
    content = _check_content(content, attachments)
    check_image_rate(user=sender, attachments=attachments)
    ratelimit.hit(key=f"messages:{sender.pk}", limit=MESSAGES_PER_MINUTE, window_seconds=60, message=MESSAGE_RATE_TEXT)
    locked = Conversation.objects.select_for_update(of=("self",)).select_related("store").get(pk=conversation.pk)
    message = _post_message(conversation=locked, sender=sender, side=side, content=content, attachments=attachments)
    _copy_state(locked, conversation)
    return message


def mark_as_read(*, conversation: Conversation, reader) -> int:
    """Mark the other side's messages read for `reader`'s side; return how many were unread.

    The other side sees "Seen" at once; the reader's badge and inbox drop the count. Opening a
    thread with nothing unread writes nothing (not even a transaction).
    """
    side = side_for(reader, conversation)
    if side is None:
        raise ValidationError("You can't read this conversation.")
    if conversation.unread_for(side) == 0:
        return 0
    with transaction.atomic():
        locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
        unread = Message.objects.filter(conversation=locked, sender_type=_other(side), read_at__isnull=True)
        ids = list(unread.order_by("pk").values_list("pk", flat=True))
        Message.objects.filter(pk__in=ids).update(read_at=timezone.now())
        counter = "customer_unread_count" if side == Side.CUSTOMER else "store_unread_count"
        Conversation.objects.filter(pk=locked.pk).update(**{counter: 0})
        setattr(conversation, counter, 0)
        conversation_id = locked.pk
        recent = ids[-100:]  # a page shows the latest 50; older receipts show when their page loads
        transaction.on_commit(
            lambda: events.messages_read(conversation_id=conversation_id, reader_side=side, message_ids=recent),
            robust=True,
        )
    return len(ids)


@transaction.atomic
def set_status(*, conversation: Conversation, actor, status: str) -> Conversation:
    """The store side marks a thread open, waiting, resolved or archived."""
    if side_for(actor, conversation) != Side.STORE:
        raise ValidationError("Only the store can change a conversation's status.")
    if status not in Conversation.Status.values:
        raise ValidationError("Unknown status.")
    Conversation.objects.filter(pk=conversation.pk).update(status=status, updated_at=timezone.now())
    conversation.status = status
    conversation_id = conversation.pk
    transaction.on_commit(lambda: events.conversation_changed(conversation_id=conversation_id), robust=True)
    return conversation
