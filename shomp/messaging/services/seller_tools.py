"""Seller tools: saved replies, blocking and unblocking a customer; and reports to platform staff."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, Value
from django.db.models.functions import Lower

from shomp.accounts.models import User
from shomp.core import ratelimit
from shomp.organizations.areas import MEMBER, Area
from shomp.organizations.policies import can_in_organization
from shomp.stores.models import Store
from shomp.stores.policies import can

from ..models import MAX_CONTENT_LENGTH, Block, Conversation, Report, SavedReply
from ..policies import side_for
from .posting import REPORTS_PER_HOUR


def _require_manager(actor, store: Store) -> None:
    if not can(actor, store, Area.MESSAGES):
        raise ValidationError("You can't manage this store's messages.")


SHARE_REFUSED_TEXT = "Only members who handle messages for every store of the organization can share replies with it."


def may_share_replies(user, store: Store) -> bool:
    """Whether `user` may add or delete replies shared with `store`'s whole organization: they
    handle messages for all of its stores (the owner, and members not limited to some stores)."""
    return can(user, store, Area.MESSAGES) and (
        store.owner_id == user.pk or can_in_organization(user, store.organization_id, Area.MESSAGES)
    )


def title_taken(*, title: str, store: Store | None = None, organization_id: int | None = None) -> bool:
    """Is `title` taken in the scope, compared as the unique constraint compares (the database's
    lower(), on both sides)?"""
    scope = Q(store=store) if store is not None else Q(organization_id=organization_id)
    return SavedReply.objects.filter(scope).annotate(folded=Lower("title")).filter(folded=Lower(Value(title))).exists()


@transaction.atomic
def create_saved_reply(*, store: Store, actor: User, title: str, content: str, shared: bool = False) -> SavedReply:
    """A saved reply for `store`, or (`shared`) for every store of its organization."""
    _require_manager(actor, store)
    if shared and not may_share_replies(actor, store):
        raise ValidationError({"shared": SHARE_REFUSED_TEXT})
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
    scope = {"organization_id": store.organization_id} if shared else {"store": store}
    taken = ValidationError(
        {
            "title": "Your organization has a shared reply with this name already."
            if shared
            else "This store has a saved reply with this name already."
        }
    )
    if title_taken(title=title, **scope):
        raise taken
    try:
        with transaction.atomic():  # a savepoint: a double submit racing this one inserted it first
            return SavedReply.objects.create(title=title, content=content, created_by=actor, **scope)
    except IntegrityError:
        raise taken from None


@transaction.atomic
def delete_saved_reply(*, reply: SavedReply, actor: User, store: Store | None = None) -> None:
    """Delete a reply seen from `store` (by default its own store): the store's own, or one
    shared with the store's organization."""
    store = store or reply.store
    if store is None:
        raise ValidationError(SHARE_REFUSED_TEXT)
    _require_manager(actor, store)
    if reply.is_shared:
        if reply.organization_id != store.organization_id or not may_share_replies(actor, store):
            raise ValidationError(SHARE_REFUSED_TEXT)
    elif reply.store_id != store.pk:
        raise ValidationError("That reply belongs to another store.")
    reply.delete()


@transaction.atomic
def block_user(*, store: Store, user, actor) -> Block:
    """The store stops accepting messages from `user` (their threads stay readable)."""
    _require_manager(actor, store)
    if can(user, store, MEMBER):
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
