"""The unread-message email, sent by its task at most once an hour (posting.py queues the check)."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from shomp.organizations.areas import Area
from shomp.stores.selectors import users_for

from ..models import Conversation, Message, Side
from .posting import EMAIL_AFTER, EMAIL_AT_MOST_EVERY, _other


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
            recipients = list(users_for(store=conversation.store, area=Area.MESSAGES))
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
