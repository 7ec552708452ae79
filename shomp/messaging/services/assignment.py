"""Who looks after a conversation: assigning it to a member of the store's team, or to nobody."""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from shomp.accounts.models import User
from shomp.organizations.areas import Area
from shomp.stores.policies import can

from .. import events
from ..models import Conversation

CANT_ASSIGN_TEXT = "You can't assign this store's conversations."


@transaction.atomic
def assign_conversation(*, conversation: Conversation, assignee: User | None, actor: User) -> Conversation:
    """Give `conversation` to `assignee` (None: to nobody). Both must be allowed to do "messages"
    on its store, now. The assignee is notified (unless they assigned it to themselves), the
    open thread shows the new assignee, and the row moves into the assignee's open inbox."""
    store = conversation.store
    if not can(actor, store, Area.MESSAGES):
        raise ValidationError(CANT_ASSIGN_TEXT)
    if assignee is not None and not can(assignee, store, Area.MESSAGES):
        raise ValidationError({"assignee": f"{assignee.username} can't handle messages for {store.name}."})
    locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
    assignee_id = assignee.pk if assignee is not None else None
    if locked.assigned_to_id == assignee_id:  # nothing changes: no notification, no push
        conversation.assigned_to, conversation.assigned_at = assignee, locked.assigned_at
        return conversation
    now = timezone.now()
    assigned_at = now if assignee is not None else None
    Conversation.objects.filter(pk=locked.pk).update(assigned_to=assignee, assigned_at=assigned_at, updated_at=now)
    conversation.assigned_to, conversation.assigned_at = assignee, assigned_at
    conversation_id = conversation.pk
    transaction.on_commit(lambda: events.conversation_assigned(conversation_id=conversation_id), robust=True)
    if assignee is not None and assignee.pk != actor.pk:
        actor_name, stamp = actor.username, now.timestamp()
        transaction.on_commit(
            lambda: _notify(
                conversation_id=conversation_id, assignee_id=assignee_id, actor_name=actor_name, stamp=stamp
            ),
            robust=True,
        )
    return conversation


def _notify(*, conversation_id: int, assignee_id: int, actor_name: str, stamp: float) -> None:
    """A notification for the assignee, linking to the thread (after commit): in the app by
    default, by email if they chose so in their preferences. Asked again: someone unassigned (or
    lowered) in the meantime is not told."""
    if not apps.is_installed("shomp.notifications"):
        return
    from shomp.notifications.services import create_notification

    conversation = (
        Conversation.objects.select_related("store", "customer", "assigned_to").filter(pk=conversation_id).first()
    )
    if conversation is None or conversation.assigned_to_id != assignee_id:
        return
    assignee = conversation.assigned_to
    if not assignee.is_active or not can(assignee, conversation.store, Area.MESSAGES):
        return
    create_notification(
        user=assignee,
        type="conversation_assigned",
        key=f"conversation-assigned:{conversation.pk}:{assignee.pk}:{stamp}",
        context={
            "actor": actor_name,
            "subject": conversation.subject,
            "store": conversation.store.name,
            "customer": conversation.customer.username,
        },
        data={"url": conversation.get_absolute_url()},  # emailed too if they turned that on
    )
