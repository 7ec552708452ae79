"""Who looks after a conversation: assigning it to a member of the store's team, or to nobody."""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from shomp.accounts.models import User
from shomp.organizations.areas import Area
from shomp.stores.models import Store
from shomp.stores.policies import can
from shomp.stores.selectors import users_for

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


def release_lost_assignments(*, organization_id: int, store_ids: list[int] | None = None) -> int:
    """Conversations assigned to someone who may no longer handle their store's messages go back
    to nobody (organizations' `access_lost`: a member removed, left or lowered, a store moved
    away). The door is asked per store in one query. Returns how many were released."""
    assigned = Conversation.objects.filter(assigned_to__isnull=False)
    if store_ids is not None:
        assigned = assigned.filter(store_id__in=store_ids)
    else:
        assigned = assigned.filter(store__organization_id=organization_id)
    by_store: dict[int, set[int]] = {}
    for store_id, user_id in assigned.values_list("store_id", "assigned_to_id").distinct():
        by_store.setdefault(store_id, set()).add(user_id)
    released: list[int] = []
    for store in Store.objects.filter(pk__in=by_store):
        allowed = set(
            users_for(store=store, area=Area.MESSAGES).filter(pk__in=by_store[store.pk]).values_list("pk", flat=True)
        )
        lost = by_store[store.pk] - allowed
        if lost:
            with transaction.atomic():
                ids = list(
                    Conversation.objects.select_for_update()
                    .filter(store=store, assigned_to_id__in=lost)
                    .values_list("pk", flat=True)
                )
                Conversation.objects.filter(pk__in=ids).update(
                    assigned_to=None, assigned_at=None, updated_at=timezone.now()
                )
            released += ids
    for conversation_id in released:  # open threads and inboxes show "Nobody"
        events.conversation_assigned(conversation_id=conversation_id)
    return len(released)
