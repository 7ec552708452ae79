"""Every write to messaging (the spec's Shomp.Messages context). Keyword-only, one transaction each.

Real-time pushes, the unread-message email task and notifications are scheduled on commit,
never inside the transaction. Refusals are ValidationError (or RateLimited) with a message for
the person; views show it next to the form and nothing is changed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import Truncator

from shomp.catalog.models import Product
from shomp.catalog.policies import can_view_product
from shomp.catalog.services import create_reserved_product
from shomp.core.money import MAX_PRICE, quantize
from shomp.core.uploads import ProcessedFile, ProcessedImage
from shomp.orders.models import CartItem, Order
from shomp.orders.services import add_to_cart, get_or_create_cart
from shomp.stores.models import Store
from shomp.stores.policies import can_manage_store
from shomp.stores.selectors import get_store_managers

from . import events, ratelimit, selectors
from .models import (
    MAX_CONTENT_LENGTH,
    MAX_SUBJECT_LENGTH,
    Attachment,
    Block,
    Conversation,
    CustomOrderRequest,
    Message,
    Offer,
    Report,
    SavedReply,
    Side,
    StoreReplyTime,
)
from .policies import can_contact_store, is_blocked, side_for

logger = logging.getLogger(__name__)

MAX_ATTACHMENTS = 5
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
MESSAGES_PER_MINUTE = 20
CONVERSATIONS_PER_HOUR = 5
REPORTS_PER_HOUR = 5
EMAIL_AFTER = timedelta(minutes=15)
EMAIL_AT_MOST_EVERY = timedelta(hours=1)
OFFER_VALID_FOR = timedelta(days=14)

MESSAGE_RATE_TEXT = "You're sending messages too quickly: at most 20 a minute. Wait a minute and try again."
CONVERSATION_RATE_TEXT = "You've started 5 conversations in the last hour. Please wait a while before starting another."
BLOCKED_TEXT = "This store isn't accepting messages from you."
OWN_STORE_TEXT = "You can't send a message to your own store."


@dataclass(frozen=True)
class AttachmentUpload:
    """A checked upload (core.uploads) and the name the sender gave it."""

    processed: ProcessedImage | ProcessedFile
    original_name: str


def _other(side: str) -> str:
    return Side.STORE if side == Side.CUSTOMER else Side.CUSTOMER


def _check_content(content: str, attachments: Sequence[AttachmentUpload]) -> str:
    content = (content or "").strip()
    if len(attachments) > MAX_ATTACHMENTS:
        raise ValidationError({"attachments": f"Attach at most {MAX_ATTACHMENTS} files to one message."})
    if not content and not attachments:
        raise ValidationError({"content": "Write a message or attach a file."})
    if len(content) > MAX_CONTENT_LENGTH:
        raise ValidationError(
            {"content": f"A message can be at most {MAX_CONTENT_LENGTH:,} characters (this one has {len(content):,})."}
        )
    for upload in attachments:
        size = upload.processed.size if isinstance(upload.processed, ProcessedFile) else None
        if size is not None and size > ATTACHMENT_MAX_BYTES:
            raise ValidationError({"attachments": "Each file can be at most 10 MB."})
    return content


def _preview(content: str, attachments: Sequence[AttachmentUpload]) -> str:
    if content:
        return Truncator(" ".join(content.split())).chars(200)
    count = len(attachments)
    return f"Sent {count} file{'s' if count != 1 else ''}"


def _post_message(
    *,
    conversation: Conversation,
    sender,
    side: str,
    content: str,
    attachments: Sequence[AttachmentUpload] = (),
    reopen: bool = True,
) -> Message:
    """Write a message into a locked `conversation` and keep its counters and status; schedule
    the pushes, the email and the notification. The caller holds the transaction and the lock."""
    message = Message.objects.create(conversation=conversation, sender=sender, sender_type=side, content=content)
    for upload in attachments:
        _save_attachment(message, upload)
    recipient = _other(side)
    was_unread = conversation.unread_for(recipient)
    if recipient == Side.CUSTOMER:
        conversation.customer_unread_count = F("customer_unread_count") + 1
    else:
        conversation.store_unread_count = F("store_unread_count") + 1
    if side == Side.CUSTOMER and reopen and conversation.status != Conversation.Status.OPEN:
        conversation.status = Conversation.Status.OPEN  # a customer's message reopens the thread
    elif side == Side.STORE and conversation.status == Conversation.Status.OPEN:
        conversation.status = Conversation.Status.WAITING  # answered: the ball is in the customer's court
    first_reply = side == Side.STORE and conversation.first_reply_at is None
    if first_reply:
        conversation.first_reply_at = message.created_at
    conversation.last_message_at = message.created_at
    conversation.last_message_preview = _preview(content, attachments)
    conversation.last_sender_type = side
    conversation.save(
        update_fields=[
            "customer_unread_count",
            "store_unread_count",
            "status",
            "first_reply_at",
            "last_message_at",
            "last_message_preview",
            "last_sender_type",
            "updated_at",
        ]
    )
    conversation.refresh_from_db(fields=["customer_unread_count", "store_unread_count"])
    if first_reply:
        update_reply_time(store=conversation.store)

    message_id, conversation_id = message.pk, conversation.pk
    transaction.on_commit(lambda: events.message_sent(message_id=message_id), robust=True)
    transaction.on_commit(lambda: _enqueue_email(conversation_id, recipient), robust=True)
    if not was_unread:  # one notification per unread streak, not one per message
        transaction.on_commit(lambda: _notify(message_id=message_id), robust=True)
    return message


def update_reply_time(*, store: Store) -> StoreReplyTime | None:
    """Recompute the store's typical first-reply time (called when it answers a new thread)."""
    computed = selectors.compute_reply_time(store=store)
    if computed is None:
        return None
    seconds, sample = computed
    row, _ = StoreReplyTime.objects.update_or_create(
        store=store, defaults={"typical_seconds": seconds, "sample_size": sample}
    )
    return row


def _save_attachment(message: Message, upload: AttachmentUpload) -> Attachment:
    processed = upload.processed
    attachment = Attachment(message=message, original_name=upload.original_name[:200] or "file")
    if isinstance(processed, ProcessedImage):
        attachment.kind = Attachment.Kind.IMAGE
        attachment.content_type = processed.content_type
        attachment.size = processed.content.size
        attachment.width, attachment.height = processed.width, processed.height
        attachment.file.save(processed.content.name, processed.content, save=False)
        attachment.thumbnail.save(processed.thumbnail.name, processed.thumbnail, save=False)
    else:
        attachment.kind = Attachment.Kind.PDF
        attachment.content_type = processed.content_type
        attachment.size = processed.size
        attachment.file.save(processed.content.name, processed.content, save=False)
    attachment.save()
    return attachment


# Conversations and messages --------------------------------------------------------------


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
    ratelimit.hit(key=f"messages:{sender.pk}", limit=MESSAGES_PER_MINUTE, window_seconds=60, message=MESSAGE_RATE_TEXT)
    locked = Conversation.objects.select_for_update(of=("self",)).select_related("store").get(pk=conversation.pk)
    message = _post_message(conversation=locked, sender=sender, side=side, content=content, attachments=attachments)
    _copy_state(locked, conversation)
    return message


def _copy_state(source: Conversation, target: Conversation) -> None:
    if source is target:
        return
    for field in (
        "status",
        "customer_unread_count",
        "store_unread_count",
        "last_message_at",
        "last_message_preview",
        "last_sender_type",
        "first_reply_at",
    ):
        setattr(target, field, getattr(source, field))


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


# Custom orders ---------------------------------------------------------------------------


@transaction.atomic
def send_offer(
    *, conversation: Conversation, sender, title: str, price: Decimal, delivery_date: date | None = None
) -> Offer:
    """The store offers to make the custom order for `price`. An earlier open offer is withdrawn."""
    if side_for(sender, conversation) != Side.STORE:
        raise ValidationError("Only the store can send an offer.")
    if conversation.type != Conversation.Type.CUSTOM_ORDER:
        raise ValidationError("Offers are sent in custom order requests.")
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": "Give the offer a title."})
    if len(title) > 140:
        raise ValidationError({"title": "Keep the title under 140 characters."})
    if price is None:
        raise ValidationError({"price": "Enter a price."})
    price = quantize(price)
    if price <= 0 or price > MAX_PRICE:
        raise ValidationError({"price": "Enter a price between 0.01 and 1,000,000."})
    if delivery_date is not None and delivery_date < timezone.localdate():
        raise ValidationError({"delivery_date": "Choose a delivery date that hasn't passed."})
    ratelimit.hit(key=f"messages:{sender.pk}", limit=MESSAGES_PER_MINUTE, window_seconds=60, message=MESSAGE_RATE_TEXT)
    locked = Conversation.objects.select_for_update(of=("self",)).select_related("store").get(pk=conversation.pk)
    superseded = list(
        Offer.objects.select_for_update()
        .filter(conversation=locked, status=Offer.Status.SENT)
        .values_list("pk", flat=True)
    )
    now = timezone.now()
    Offer.objects.filter(pk__in=superseded).update(status=Offer.Status.WITHDRAWN, withdrawn_at=now)
    message = _post_message(
        conversation=locked, sender=sender, side=Side.STORE, content=f"Sent an offer: {title}", reopen=False
    )
    offer = Offer.objects.create(
        conversation=locked,
        message=message,
        title=title,
        price=price,
        delivery_date=delivery_date,
        expires_at=now + OFFER_VALID_FOR,
        created_by=sender,
    )
    for offer_id in superseded:
        transaction.on_commit(lambda offer_id=offer_id: events.offer_changed(offer_id=offer_id), robust=True)
    _copy_state(locked, conversation)
    return offer


@transaction.atomic
def withdraw_offer(*, offer: Offer, actor) -> Offer:
    offer = Offer.objects.select_for_update(of=("self",)).select_related("conversation__store").get(pk=offer.pk)
    if side_for(actor, offer.conversation) != Side.STORE:
        raise ValidationError("Only the store can withdraw its offer.")
    if offer.current_status() != Offer.Status.SENT:
        raise ValidationError(f"This offer is {offer.current_status()} already.")
    offer.status = Offer.Status.WITHDRAWN
    offer.withdrawn_at = timezone.now()
    offer.save(update_fields=["status", "withdrawn_at"])
    offer_id = offer.pk
    transaction.on_commit(lambda: events.offer_changed(offer_id=offer_id), robust=True)
    return offer


@transaction.atomic
def accept_offer(*, offer: Offer, buyer) -> CartItem:
    """The customer accepts: a product reserved for them alone is made and put in their cart."""
    offer = (
        Offer.objects.select_for_update(of=("self",))
        .select_related("conversation__store", "conversation__custom_request")
        .get(pk=offer.pk)
    )
    conversation = offer.conversation
    if side_for(buyer, conversation) != Side.CUSTOMER:
        raise ValidationError("Only the customer who asked can accept this offer.")
    status = offer.current_status()
    if status == Offer.Status.EXPIRED:
        raise ValidationError("This offer has expired. Ask the store for a new one.")
    if status != Offer.Status.SENT:
        raise ValidationError(f"This offer was {offer.get_status_display().lower()}; it can't be accepted.")
    if is_blocked(store=conversation.store, user=buyer):
        raise ValidationError(BLOCKED_TEXT)
    request = getattr(conversation, "custom_request", None)
    product = create_reserved_product(
        store=conversation.store,
        buyer=buyer,
        title=offer.title,
        price=offer.price,
        description=request.description if request else "",
    )
    item = add_to_cart(cart=get_or_create_cart(user=buyer, session=None), product=product, quantity=1)
    offer.status = Offer.Status.ACCEPTED
    offer.accepted_at = timezone.now()
    offer.product = product
    offer.save(update_fields=["status", "accepted_at", "product"])
    locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
    _post_message(conversation=locked, sender=buyer, side=Side.CUSTOMER, content=f"Accepted the offer: {offer.title}")
    offer_id = offer.pk
    transaction.on_commit(lambda: events.offer_changed(offer_id=offer_id), robust=True)
    return item


# Seller tools ----------------------------------------------------------------------------


def _require_manager(actor, store: Store) -> None:
    if not can_manage_store(actor, store):
        raise ValidationError("You can't manage this store.")


@transaction.atomic
def create_saved_reply(*, store: Store, actor, title: str, content: str) -> SavedReply:
    _require_manager(actor, store)
    title = " ".join((title or "").split())
    content = (content or "").strip()
    if not title:
        raise ValidationError({"title": "Give the reply a short name."})
    if len(title) > 80:
        raise ValidationError({"title": "Keep the name under 80 characters."})
    if not content:
        raise ValidationError({"content": "Write the reply."})
    if len(content) > MAX_CONTENT_LENGTH:
        raise ValidationError({"content": f"A reply can be at most {MAX_CONTENT_LENGTH:,} characters."})
    if SavedReply.objects.filter(store=store, title__iexact=title).exists():
        raise ValidationError({"title": "You have a saved reply with this name already."})
    return SavedReply.objects.create(store=store, title=title, content=content, created_by=actor)


@transaction.atomic
def delete_saved_reply(*, reply: SavedReply, actor) -> None:
    _require_manager(actor, reply.store)
    reply.delete()


@transaction.atomic
def block_user(*, store: Store, user, actor) -> Block:
    """The store stops accepting messages from `user` (their threads stay readable)."""
    _require_manager(actor, store)
    if can_manage_store(user, store):
        raise ValidationError("You can't block someone who manages this store.")
    block, _ = Block.objects.get_or_create(store=store, user=user, defaults={"created_by": actor})
    return block


@transaction.atomic
def unblock_user(*, store: Store, user, actor) -> None:
    _require_manager(actor, store)
    Block.objects.filter(store=store, user=user).delete()


@transaction.atomic
def report_conversation(*, conversation: Conversation, reporter, reason: str, details: str = "") -> Report:
    """Tell platform staff about a conversation (they review reports in the admin)."""
    if side_for(reporter, conversation) is None:
        raise ValidationError("You can't report this conversation.")
    if reason not in Report.Reason.values:
        raise ValidationError({"reason": "Choose a reason."})
    details = (details or "").strip()
    if len(details) > 2000:
        raise ValidationError({"details": "Keep the details under 2,000 characters."})
    ratelimit.hit(
        key=f"reports:{reporter.pk}",
        limit=REPORTS_PER_HOUR,
        window_seconds=3600,
        message="You've sent several reports in the last hour; our team is looking at them.",
    )
    return Report.objects.create(conversation=conversation, reporter=reporter, reason=reason, details=details)


# Email -----------------------------------------------------------------------------------


def _enqueue_email(conversation_id: int, side: str) -> None:
    """Queue the "unread message" email check for 15 minutes from now.

    django-tasks-db supports `run_after`; a backend that doesn't (the immediate one in tests)
    runs the check now, which finds the message too recent and sends nothing.
    """
    from .tasks import send_unread_email_task

    task = send_unread_email_task
    if task.get_backend().supports_defer:
        task = task.using(run_after=timezone.now() + EMAIL_AFTER)
    task.enqueue(conversation_id=conversation_id, side=side)


def send_unread_email(*, conversation_id: int, side: str, now=None) -> bool:
    """Email `side` of the conversation about messages unread for 15 minutes, at most once an hour.

    Idempotent: a retried or duplicate task finds the email sent (or nothing unread) and stops.
    The email carries the messages' text and a link, never the sender's address.
    """
    now = now or timezone.now()
    if side not in Side.values:
        return False
    with transaction.atomic():
        conversation = (
            Conversation.objects.select_for_update(of=("self",))
            .select_related("store", "customer")
            .filter(pk=conversation_id)
            .first()
        )
        if conversation is None or conversation.unread_for(side) == 0:
            return False
        emailed_field = "customer_emailed_at" if side == Side.CUSTOMER else "store_emailed_at"
        last_email = getattr(conversation, emailed_field)
        if last_email is not None and now - last_email < EMAIL_AT_MOST_EVERY:
            return False
        unread = list(
            Message.objects.filter(conversation=conversation, sender_type=_other(side), read_at__isnull=True)
            .select_related("sender")
            .order_by("created_at", "pk")
        )
        if not unread or now - unread[0].created_at < EMAIL_AFTER:
            return False
        if side == Side.CUSTOMER:
            recipients = [conversation.customer] if conversation.customer.is_active else []
        else:
            recipients = list(get_store_managers(store=conversation.store))
        if apps.is_installed("shomp.notifications"):
            from shomp.notifications.services import wants_email

            # "Message replies" email preference (on by default) governs this email.
            recipients = [user for user in recipients if wants_email(user=user, type="message_reply")]
        addresses = [user.email for user in recipients if user.email]
        if not addresses:
            return False
        context = {
            "conversation": conversation,
            "side": side,
            "messages": unread[-5:],
            "more": max(0, len(unread) - 5),
            "from_name": conversation.store.name if side == Side.CUSTOMER else conversation.customer.username,
            "url": f"{settings.SITE_URL}{conversation.get_absolute_url()}",
        }
        send_mail(
            subject=f"New message from {context['from_name']}: {conversation.subject}",
            message=render_to_string("messaging/email/unread.txt", context),
            from_email=None,
            recipient_list=addresses,
        )
        Conversation.objects.filter(pk=conversation.pk).update(**{emailed_field: now})
    return True


# Notifications ---------------------------------------------------------------------------


def _notify(*, message_id: int) -> None:
    """A "message reply" notification for the other side (after commit; failures are logged)."""
    if not apps.is_installed("shomp.notifications"):
        return
    from shomp.notifications.services import create_notification

    message = (
        Message.objects.select_related("conversation__store", "conversation__customer", "sender")
        .filter(pk=message_id)
        .first()
    )
    if message is None:
        return
    conversation = message.conversation
    if message.sender_type == Side.STORE:
        recipients = [conversation.customer]
        sender_name = conversation.store.name
    else:
        recipients = list(get_store_managers(store=conversation.store))
        sender_name = message.sender.username if message.sender else "A customer"
    for user in recipients:
        if not user.is_active:
            continue
        create_notification(
            user=user,
            type="message_reply",
            key=f"message:{message.pk}",
            context={"sender": sender_name, "subject": conversation.subject, "excerpt": message.content},
            data={"url": conversation.get_absolute_url()},
            # The thread's own email (15 unread minutes, at most one an hour) is the email.
            send_email=False,
        )
