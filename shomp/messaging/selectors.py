"""Reads for the inboxes, threads, header badge and store page, already scoped to the user."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from shomp.core.sql import IDS, Precompiled, PrecompiledIn, set_prefetched
from shomp.organizations.areas import Area
from shomp.stores.models import Store
from shomp.stores.selectors import stores_for, users_for

from .models import Attachment, Block, Conversation, Message, Offer, SavedReply, Side, StoreReplyTime

THREAD_PAGE_SIZE = 50
REPLY_TIME_DAYS = 90
REPLY_TIME_SAMPLE = 1000  # the latest conversations a reply time is computed from

_INBOX_RELATED = ("store", "customer", "product", "order", "assigned_to")
#: What an inbox row shows (messaging/partials/_inbox_row.html): the store's name, the customer's
#: and the assignee's usernames. The product and order (many columns each, compiled and read for
#: every row) are for the thread page, not the list.
_INBOX_ROW_RELATED = ("store", "customer", "assigned_to")

#: The unified inbox's "assigned" filter: to the viewer, to nobody.
ASSIGNED_TO_ME = "me"
UNASSIGNED = "none"


def get_conversations(*, user, side: str = Side.CUSTOMER, store: Store | None = None) -> QuerySet[Conversation]:
    """Conversations `user` may read, newest activity first, with `unread` for their side.

    - side=customer: the ones `user` started with stores.
    - side=store, store=<a store>: that store's, if `user` may manage it (none otherwise).
    - side=store, store=None: those of every store `user` manages.
    """
    conversations = Conversation.objects.select_related(*_INBOX_ROW_RELATED).order_by("-last_message_at", "-pk")
    if not getattr(user, "is_authenticated", False):
        return conversations.none()
    if side == Side.CUSTOMER:
        return conversations.filter(customer=user).annotate(unread=F("customer_unread_count"))
    managed = stores_for(user=user, area=Area.MESSAGES)
    if store is not None:
        managed = managed.filter(pk=store.pk)
    return conversations.filter(store__in=managed.order_by().values("pk")).annotate(unread=F("store_unread_count"))


_CUSTOMER_HEADS: dict[int, Precompiled] = {}


def customer_conversations_head(*, user, count: int) -> list[Conversation]:
    """The first `count` of get_conversations(user=user, side=customer): the customer inbox's
    first page, its SQL (four tables' columns) compiled once per count (core.sql)."""
    if not getattr(user, "is_authenticated", False):
        return []
    if (head := _CUSTOMER_HEADS.get(count)) is None:

        def build(user_id: int) -> QuerySet[Conversation]:
            return get_conversations(user=get_user_model()(pk=user_id), side=Side.CUSTOMER)[:count]

        head = _CUSTOMER_HEADS.setdefault(count, Precompiled(build, user_id=int))
    return head(user_id=user.pk)


def filter_conversations(
    conversations: QuerySet[Conversation],
    *,
    status: str = "",
    type: str = "",
    unread: bool = False,
    query: str = "",
    assigned: str = "",
    user=None,
) -> QuerySet[Conversation]:
    """The store inbox's filters: status, type, unread only, assigned to `user` ("me") or to
    nobody ("none"), and a search of subject and text."""
    if status in Conversation.Status.values:
        conversations = conversations.filter(status=status)
    elif not status:
        conversations = conversations.exclude(status=Conversation.Status.ARCHIVED)
    if type in Conversation.Type.values:
        conversations = conversations.filter(type=type)
    if unread:
        conversations = conversations.filter(unread__gt=0)
    if assigned == ASSIGNED_TO_ME and user is not None:
        conversations = conversations.filter(assigned_to_id=user.pk)
    elif assigned == UNASSIGNED:
        conversations = conversations.filter(assigned_to__isnull=True)
    query = (query or "").strip()[:200]
    if query:
        in_text = Message.objects.filter(conversation=OuterRef("pk"), content__icontains=query)
        conversations = conversations.filter(Q(subject__icontains=query) | Exists(in_text))
    return conversations


def unread_counts(*, user) -> dict[str, int]:
    """{"customer": n, "store": m}: unread messages for `user` on each side, in one query."""
    if not getattr(user, "is_authenticated", False):
        return {Side.CUSTOMER: 0, Side.STORE: 0}
    managed = stores_for(user=user, area=Area.MESSAGES).order_by().values("pk")
    mine = Q(customer_id=user.pk)
    totals = Conversation.objects.filter(
        (mine & Q(customer_unread_count__gt=0)) | Q(store__in=managed, store_unread_count__gt=0)
    ).aggregate(
        customer=Sum(Case(When(mine, then=F("customer_unread_count")), default=0, output_field=IntegerField())),
        store=Sum(Case(When(mine, then=0), default=F("store_unread_count"), output_field=IntegerField())),
    )
    return {Side.CUSTOMER: totals["customer"] or 0, Side.STORE: totals["store"] or 0}


def store_unread_count(*, user) -> int:
    """Unread messages of every store `user` may answer for (the inbox's "Store inbox" link), in
    one query: unread_counts' store half, without its per-side sums."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.pk is None:
        return 0  # stores_for: none
    [(total,)] = _STORE_UNREAD(user_id=user.pk)
    return total or 0


def _store_unread(user_id: int) -> QuerySet:
    managed = stores_for(user=get_user_model()(pk=user_id), area=Area.MESSAGES).order_by().values("pk")
    # .aggregate(), as a queryset (one row: grouped by a constant, which the SQL leaves out) so
    # that it can be compiled once.
    return (
        Conversation.objects.filter(store__in=managed, store_unread_count__gt=0)
        .order_by()
        .annotate(one=Value(1))
        .values("one")
        .annotate(store=Sum("store_unread_count"))
        .values_list("store")
    )


#: The door's condition and the sum, on every inbox page: compiled once (core.sql).
_STORE_UNREAD = Precompiled(_store_unread, user_id=int)


def unread_total(*, user) -> int:
    """The header badge: unread messages as a customer plus those of every store `user` manages."""
    return sum(unread_counts(user=user).values())


@dataclass
class ThreadPage:
    messages: list[Message]
    has_earlier: bool
    earliest_id: int | None


def _thread_messages(conversation_id: int) -> QuerySet[Message]:
    return (
        Message.objects.filter(conversation_id=conversation_id)
        .select_related("sender", "offer", "offer__product__store")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("pk")))
        .order_by("-created_at", "-pk")
    )


#: The page a thread opens on (five tables' columns) and its messages' attachments, as the
#: prefetch would read them: compiled once (core.sql).
_LATEST_MESSAGES = Precompiled(
    lambda conversation_id: _thread_messages(conversation_id).prefetch_related(None)[: THREAD_PAGE_SIZE + 1],
    conversation_id=int,
)
_ATTACHMENTS = PrecompiledIn(
    lambda message_ids: Attachment.objects.filter(message_id__in=message_ids).order_by("pk"), message_ids=IDS
)


def thread_messages(*, conversation: Conversation, before_id: int | None = None) -> ThreadPage:
    """The latest THREAD_PAGE_SIZE messages (or those before `before_id`), oldest first.

    Three queries whatever the size: messages (with their senders), attachments, offers.
    """
    if before_id is None:
        page = _LATEST_MESSAGES(conversation_id=conversation.pk)
        attachments: dict[int, list[Attachment]] = {message.pk: [] for message in page}
        for attachment in _ATTACHMENTS(message_ids=list(attachments)):
            attachments[attachment.message_id].append(attachment)
        for message in page:
            for attachment in attachments[message.pk]:
                attachment.message = message  # as the prefetch would (its URL reads the thread)
            set_prefetched(message, "attachments", attachments[message.pk])
    else:
        page = list(_thread_messages(conversation.pk).filter(pk__lt=before_id)[: THREAD_PAGE_SIZE + 1])
    has_earlier = len(page) > THREAD_PAGE_SIZE
    page = page[:THREAD_PAGE_SIZE]
    page.reverse()
    for message in page:
        message.conversation = conversation  # attachment URLs need its uuid: no query per message
    return ThreadPage(messages=page, has_earlier=has_earlier, earliest_id=page[0].pk if page else None)


def latest_message_ids(*, conversation_id: int) -> list[int]:
    """The ids of the thread's latest page of messages (what an open thread page shows)."""
    return list(
        Message.objects.filter(conversation_id=conversation_id)
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)[:THREAD_PAGE_SIZE]
    )


def message_for_push(*, message_id: int) -> Message | None:
    return (
        Message.objects.select_related(
            "sender", "conversation__store", "conversation__customer", "offer", "offer__product__store"
        )
        .prefetch_related("attachments")
        .filter(pk=message_id)
        .first()
    )


def message_files(*, conversation: Conversation, message_id: int) -> Message | None:
    """A message of this (already accessed) conversation with its attachments, for the files
    fragment an open thread checks back on while images are processing; None if not in it."""
    message = (
        Message.objects.filter(pk=message_id, conversation=conversation)
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("pk")))
        .first()
    )
    if message is not None:
        message.conversation = conversation
    return message


def conversation_for_push(*, conversation_id: int) -> Conversation | None:
    return Conversation.objects.select_related(*_INBOX_RELATED).filter(pk=conversation_id).first()


def offer_for_push(*, offer_id: int) -> Offer | None:
    return (
        Offer.objects.select_related("conversation__store", "conversation__customer", "product__store")
        .filter(pk=offer_id)
        .first()
    )


def saved_replies(*, store: Store) -> QuerySet[SavedReply]:
    """The replies the composer of `store` offers: its own and those shared with its organization."""
    return SavedReply.objects.filter(Q(store=store) | Q(organization_id=store.organization_id)).order_by("title", "pk")


def assignable_members(*, store: Store) -> QuerySet:
    """Who a conversation of `store` may be assigned to: whoever may do "messages" on it now."""
    return users_for(store=store, area=Area.MESSAGES).order_by("username", "pk")


def blocked_users(*, store: Store) -> QuerySet[Block]:
    return Block.objects.filter(store=store).select_related("user").order_by("-created_at", "-pk")


def store_reply_time(*, store: Store) -> timedelta | None:
    """The store's typical (median) time to a first reply over the last 90 days; None without
    recent data. One query: the services keep the figure up to date (services.update_reply_time)."""
    since = timezone.now() - timedelta(days=REPLY_TIME_DAYS)
    rows = _REPLY_TIME(store_id=store.pk, since=since)
    return timedelta(seconds=rows[0]) if rows else None


#: On every store page: compiled once (core.sql).
_REPLY_TIME = Precompiled(
    lambda store_id, since: (
        StoreReplyTime.objects.filter(store_id=store_id, updated_at__gte=since)
        .order_by("pk")
        .values_list("typical_seconds", flat=True)[:1]
    ),
    store_id=int,
    since=datetime,
)


def compute_reply_time(*, store: Store) -> tuple[int, int] | None:
    """(median seconds, sample size) of first replies to conversations of the last 90 days."""
    since = timezone.now() - timedelta(days=REPLY_TIME_DAYS)
    pairs = list(
        Conversation.objects.filter(store=store, created_at__gte=since, first_reply_at__isnull=False)
        .order_by("-created_at")
        .values_list("created_at", "first_reply_at")[:REPLY_TIME_SAMPLE]
    )
    if not pairs:
        return None
    seconds = statistics.median(max(0.0, (reply - created).total_seconds()) for created, reply in pairs)
    return int(seconds), len(pairs)
