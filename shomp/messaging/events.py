"""What messaging pushes in real time. Called by services on commit; each renders a partial of
out-of-band swaps and publishes it through core.realtime.

Topics (registered in apps.py, authorized in policies.py on join and before every push):
- "conversation:<uuid>"   an open thread, both sides: new messages, "Seen" receipts, status, offers,
                          a message's images once the worker has processed them.
- "conversation-team:<uuid>" an open thread, store side only: who the thread is assigned to.
- "user-messages:<id>"    every page of a signed-in user: the header's unread badge.
- "user-inbox:<id>"       the customer's /messages page: a thread's row moves to the top on a new
                          message, and changes in place when read or its status changes.
- "team-inbox:<id>"       a member's unified /dashboard/messages page (every store they may do
                          "messages" on): a thread's row moves to the top; an assigned thread
                          appears in the assignee's. Who receives a store's rows is asked of the
                          door (users_for messages) at each push, and the socket re-asks that the
                          follower may still do "messages" somewhere before forwarding it.
Frames carry usernames and store names only, never an email address or a full name.
"""

from __future__ import annotations

from django.template.loader import render_to_string

from shomp.core import realtime
from shomp.organizations.areas import Area
from shomp.stores.selectors import users_for

from . import selectors
from .models import Conversation, Side

CONVERSATION_KIND = "conversation"
CONVERSATION_TEAM_KIND = "conversation-team"
USER_MESSAGES_KIND = "user-messages"
USER_INBOX_KIND = "user-inbox"
TEAM_INBOX_KIND = "team-inbox"


def conversation_topic(conversation_uuid) -> str:
    return realtime.topic(CONVERSATION_KIND, conversation_uuid)


def conversation_team_topic(conversation_uuid) -> str:
    return realtime.topic(CONVERSATION_TEAM_KIND, conversation_uuid)


def user_topic(user_id: int) -> str:
    return realtime.topic(USER_MESSAGES_KIND, user_id)


def user_inbox_topic(user_id: int) -> str:
    return realtime.topic(USER_INBOX_KIND, user_id)


def team_inbox_topic(user_id: int) -> str:
    return realtime.topic(TEAM_INBOX_KIND, user_id)


def message_sent(*, message_id: int) -> None:
    """A new message: into both sides' open thread, to the top of both inboxes, badges bumped."""
    message = selectors.message_for_push(message_id=message_id)
    if message is None:
        return
    conversation = message.conversation
    html = render_to_string(
        "messaging/partials/_message_pushed.html", {"message": message, "conversation": conversation}
    )
    realtime.publish(conversation_topic(conversation.uuid), html)
    team = _team(conversation)
    _inbox_rows(conversation, team=team)
    _badges(conversation, team=team)


def attachments_ready(*, message_id: int) -> None:
    """The worker is done with a message's images: its files, ready (or failed), replace the
    "processing" ones in both sides' open thread."""
    message = selectors.message_for_push(message_id=message_id)
    if message is None:
        return
    conversation = message.conversation
    # Only for a message every open page shows (the latest page), so the swap finds its target.
    if message.pk not in selectors.latest_message_ids(conversation_id=conversation.pk):
        return
    html = render_to_string(
        "messaging/partials/_message_files.html", {"message": message, "conversation": conversation, "oob": True}
    )
    realtime.publish(conversation_topic(conversation.uuid), html)


def messages_read(*, conversation_id: int, reader_side: str, message_ids: list[int]) -> None:
    """The reader's side saw these messages: "Seen" for the writers, badge and row for the reader."""
    conversation = selectors.conversation_for_push(conversation_id=conversation_id)
    if conversation is None:
        return
    # Only receipts for messages every open page shows (the latest page of the thread), so no
    # out-of-band swap misses its target; older ones show "Seen" when their page loads.
    shown = set(selectors.latest_message_ids(conversation_id=conversation.pk))
    message_ids = [message_id for message_id in message_ids if message_id in shown]
    if message_ids:
        html = render_to_string("messaging/partials/_receipts.html", {"message_ids": message_ids})
        realtime.publish(conversation_topic(conversation.uuid), html)
    team = _team(conversation) if reader_side == Side.STORE else []
    _inbox_rows(conversation, sides=[reader_side], team=team, move=False)
    _badges(conversation, sides=[reader_side], team=team)


def conversation_changed(*, conversation_id: int) -> None:
    """Status changed: the thread header and both inbox rows follow."""
    conversation = selectors.conversation_for_push(conversation_id=conversation_id)
    if conversation is None:
        return
    html = render_to_string("messaging/partials/_status.html", {"conversation": conversation, "oob": True})
    realtime.publish(conversation_topic(conversation.uuid), html)
    _inbox_rows(conversation, team=_team(conversation), move=False)


def conversation_assigned(*, conversation_id: int) -> None:
    """Assigned (or unassigned): the open thread shows who has it; the row appears at the top of
    the assignee's open inbox and changes in place in every other team member's."""
    conversation = selectors.conversation_for_push(conversation_id=conversation_id)
    if conversation is None:
        return
    team = _team(conversation)
    html = render_to_string(
        "messaging/partials/_assignment_pushed.html", {"conversation": conversation, "members": team}
    )
    realtime.publish(conversation_team_topic(conversation.uuid), html)
    conversation.unread = conversation.store_unread_count
    context = {"conversation": conversation, "viewer_side": Side.STORE}
    assignee = [user.pk for user in team if user.pk == conversation.assigned_to_id]
    others = [user.pk for user in team if user.pk != conversation.assigned_to_id]
    if assignee:
        realtime.publish(
            team_inbox_topic(assignee[0]), render_to_string("messaging/partials/_inbox_row_pushed.html", context)
        )
    if others:
        realtime.publish_many(
            [team_inbox_topic(pk) for pk in others],
            render_to_string("messaging/partials/_inbox_row_updated.html", context),
            online_only=True,
        )


def offer_changed(*, offer_id: int) -> None:
    """An offer was accepted, withdrawn or expired: its card changes in the open thread."""
    offer = selectors.offer_for_push(offer_id=offer_id)
    if offer is None:
        return
    html = render_to_string(
        "messaging/partials/_offer_card.html", {"offer": offer, "conversation": offer.conversation, "oob": True}
    )
    realtime.publish(conversation_topic(offer.conversation.uuid), html)


def _team(conversation: Conversation) -> list:
    """Who may do "messages" on the conversation's store now (the door, in one query)."""
    return list(users_for(store=conversation.store, area=Area.MESSAGES).order_by("username", "pk"))


def _inbox_rows(conversation: Conversation, *, team: list, sides: list[str] | None = None, move: bool = True) -> None:
    """The conversation's row in open inboxes: moved to the top (new activity), or changed where
    it is (read, status), and then only on pages that show it (#inbox-updates, messaging.js)."""
    sides = sides or [Side.CUSTOMER, Side.STORE]
    template = "messaging/partials/_inbox_row_pushed.html" if move else "messaging/partials/_inbox_row_updated.html"
    for side in sides:
        conversation.unread = conversation.unread_for(side)
        html = render_to_string(template, {"conversation": conversation, "viewer_side": side})
        if side == Side.CUSTOMER:
            realtime.publish(user_inbox_topic(conversation.customer_id), html)
        elif team:
            realtime.publish_many([team_inbox_topic(user.pk) for user in team], html, online_only=True)


def _badges(conversation: Conversation, *, team: list, sides: list[str] | None = None) -> None:
    """Each affected user's own total (a user's badge sums every side and store they act for)."""
    sides = sides or [Side.CUSTOMER, Side.STORE]
    users = []
    if Side.CUSTOMER in sides:
        users.append(conversation.customer)
    if Side.STORE in sides:
        users.extend(team)
    for user in users:
        badge_changed(user=user)


def badge_changed(*, user) -> None:
    html = render_to_string(
        "messaging/partials/_badge.html", {"messages_unread_count": selectors.unread_total(user=user), "oob": True}
    )
    realtime.publish(user_topic(user.pk), html)
