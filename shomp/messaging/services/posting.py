"""How a message goes into a thread: limits, checks, attachments, counters, on-commit work."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import Truncator

from shomp.core.uploads import ProcessedFile
from shomp.organizations.areas import Area
from shomp.stores.models import Store
from shomp.stores.selectors import users_for

from .. import events, selectors
from ..models import MAX_CONTENT_LENGTH, Conversation, Message, Side, StoreReplyTime
from .attachments import ATTACHMENT_MAX_BYTES, AttachmentUpload, save_attachments

MAX_ATTACHMENTS = 5
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
    # After the message's own push: its images appear as "processing" first, then ready.
    save_attachments(message, attachments)
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


def _enqueue_email(conversation_id: int, side: str) -> None:
    """Queue the "unread message" email check for 15 minutes from now.

    django-tasks-db supports `run_after`; a backend that doesn't (the immediate one in tests)
    runs the check now, which finds the message too recent and sends nothing.
    """
    from ..tasks import send_unread_email_task

    task = send_unread_email_task
    if task.get_backend().supports_defer:
        task = task.using(run_after=timezone.now() + EMAIL_AFTER)
    task.enqueue(conversation_id=conversation_id, side=side)


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
        sender_name = message.sender.username if message.sender else "A customer"
        if not conversation.messages.filter(pk__lt=message.pk).exists():
            # The first message: the team hears of a new conversation (email per their choice).
            from shomp.notifications.notices import new_conversation

            new_conversation(
                conversation_id=conversation.pk,
                store=conversation.store,
                url=conversation.get_absolute_url(),
                sender=sender_name,
                subject=conversation.subject,
                excerpt=message.content,
                customer_id=conversation.customer_id,
            )
            return
        recipients = list(users_for(store=conversation.store, area=Area.MESSAGES))
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
