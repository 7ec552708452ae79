"""Who may read and act in a conversation: its customer, and whoever may do "messages" on its store.

The store side is asked through the permission door (`can(user, store, Area.MESSAGES)`) every
time (HTTP and each WebSocket push), so someone removed from a store's team, or whose role
loses messages, loses its threads at once. What a user
may not see is a 404, never a 403: knowing a thread's uuid grants nothing.
"""

from __future__ import annotations

import uuid

import rules
from django.db.models import Q, QuerySet
from django.http import Http404

from shomp.core.sql import Precompiled
from shomp.organizations.areas import MEMBER, Area
from shomp.stores.models import Store
from shomp.stores.policies import can
from shomp.stores.selectors import stores_for

from .models import Attachment, Block, Conversation, Offer, SavedReply, Side


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


@rules.predicate
def is_conversation_customer(user, conversation: Conversation | None) -> bool:
    return conversation is not None and _active(user) and conversation.customer_id == user.pk


@rules.predicate
def can_answer_for_store(user, conversation: Conversation | None) -> bool:
    return conversation is not None and can(user, conversation.store, Area.MESSAGES)


can_view_conversation = is_conversation_customer | can_answer_for_store

rules.add_perm("messaging.view_conversation", can_view_conversation)
rules.add_perm("messaging.answer_for_store", can_answer_for_store)


def side_for(user, conversation: Conversation) -> str | None:
    """Which side `user` is on in `conversation` (Side.CUSTOMER / Side.STORE), None if neither."""
    if is_conversation_customer(user, conversation):
        return Side.CUSTOMER
    if can_answer_for_store(user, conversation):
        return Side.STORE
    return None


def can_contact_store(user, store: Store) -> bool:
    """Anyone signed in may write to a store, except its own team (one's own store)."""
    return _active(user) and not can(user, store, MEMBER)


def is_blocked(*, store: Store, user) -> bool:
    if user.pk is None:
        return False
    return bool(_BLOCK(store_id=store.pk, user_id=user.pk))


#: Asked on every thread page: compiled once (core.sql).
_BLOCK = Precompiled(
    lambda store_id, user_id: Block.objects.filter(store_id=store_id, user_id=user_id).order_by().values_list("pk")[:1],
    store_id=int,
    user_id=int,
)


def _parse_uuid(value) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _conversation_by_uuid(conversation_uuid: uuid.UUID) -> QuerySet[Conversation]:
    related = ("store", "customer", "product__store", "order", "assigned_to")
    return Conversation.objects.select_related(*related).filter(uuid=conversation_uuid).order_by("pk")[:1]


#: Six tables' columns, on every thread page and message post: compiled once (core.sql).
_CONVERSATION_BY_UUID = Precompiled(_conversation_by_uuid, conversation_uuid=uuid.UUID)


def access_conversation(*, user, conversation_uuid) -> Conversation:
    """The conversation if `user` is on either side of it; Http404 otherwise."""
    parsed = _parse_uuid(conversation_uuid)
    found = _CONVERSATION_BY_UUID(conversation_uuid=parsed) if parsed else []
    conversation = found[0] if found else None
    if not can_view_conversation(user, conversation):
        raise Http404("No such conversation.")
    return conversation


def access_conversation_for_store(*, user, conversation_uuid) -> Conversation:
    """The conversation if `user` may answer for its store (status, offers, blocking); else 404."""
    conversation = access_conversation(user=user, conversation_uuid=conversation_uuid)
    if not can_answer_for_store(user, conversation):
        raise Http404("No such conversation.")
    return conversation


def access_conversation_for_customer(*, user, conversation_uuid) -> Conversation:
    conversation = access_conversation(user=user, conversation_uuid=conversation_uuid)
    if not is_conversation_customer(user, conversation):
        raise Http404("No such conversation.")
    return conversation


def access_attachment(*, user, conversation_uuid, attachment_id: int) -> Attachment:
    """An attachment of a conversation `user` may read; another thread's attachment id is a 404."""
    conversation = access_conversation(user=user, conversation_uuid=conversation_uuid)
    attachment = Attachment.objects.filter(pk=attachment_id, message__conversation=conversation).first()
    if attachment is None:
        raise Http404("No such file.")
    return attachment


def access_offer(*, conversation: Conversation, offer_id: int) -> Offer:
    """An offer of this (already accessed) conversation; another thread's offer id is a 404."""
    offer = Offer.objects.filter(pk=offer_id, conversation=conversation).first()
    if offer is None:
        raise Http404("No such offer.")
    return offer


def access_saved_reply(*, user, store: Store, reply_id: int) -> SavedReply:
    """A reply the composer of `store` offers (its own, or shared with its organization), for a
    user who may do "messages" on it; another store's or organization's reply id is a 404."""
    if not can(user, store, Area.MESSAGES):
        raise Http404("No such saved reply.")
    reply = (
        SavedReply.objects.filter(pk=reply_id)
        .filter(Q(store=store) | Q(organization_id=store.organization_id))
        .select_related("store")
        .first()
    )
    if reply is None:
        raise Http404("No such saved reply.")
    return reply


# WebSocket topics (registered in apps.py). Each runs on join and before every push.


def authorize_conversation_topic(user, arg: str) -> bool:
    """ "conversation:<uuid>": both sides of the thread."""
    parsed = _parse_uuid(arg)
    if parsed is None or not _active(user):
        return False
    conversation = Conversation.objects.select_related("store").filter(uuid=parsed).first()
    return bool(can_view_conversation(user, conversation))


def authorize_conversation_team_topic(user, arg: str) -> bool:
    """ "conversation-team:<uuid>": the store side of the thread only (who has it, and such)."""
    parsed = _parse_uuid(arg)
    if parsed is None or not _active(user):
        return False
    conversation = Conversation.objects.select_related("store").filter(uuid=parsed).first()
    return bool(can_answer_for_store(user, conversation))


def authorize_user_topic(user, arg: str) -> bool:
    """ "user-messages:<id>" and "user-inbox:<id>": that user only."""
    return _active(user) and str(user.pk) == arg


def authorize_team_inbox_topic(user, arg: str) -> bool:
    """ "team-inbox:<user_id>": that user, while they may do "messages" on at least one store.

    Which store's rows reach them is decided at each push by the door (users_for messages), so
    a member who loses one store stops getting its rows at once, and one who loses messages
    everywhere is dropped from the topic at the next push."""
    return _active(user) and str(user.pk) == arg and stores_for(user=user, area=Area.MESSAGES).exists()
