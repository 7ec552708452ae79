"""Seller tools: saved replies, blocking and unblocking a customer; and reports to platform staff."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from shomp.core import ratelimit
from shomp.organizations.areas import MEMBER, Area
from shomp.stores.models import Store
from shomp.stores.policies import can

from ..models import MAX_CONTENT_LENGTH, Block, Conversation, Report, SavedReply
from ..policies import side_for
from .posting import REPORTS_PER_HOUR


def _require_manager(actor, store: Store) -> None:
    if not can(actor, store, Area.MESSAGES):
        raise ValidationError("You can't manage this store's messages.")


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
    taken = ValidationError({"title": "You have a saved reply with this name already."})
    if SavedReply.objects.filter(store=store, title__iexact=title).exists():
        raise taken
    try:
        with transaction.atomic():  # a savepoint: a double submit racing this one inserted it first
            return SavedReply.objects.create(store=store, title=title, content=content, created_by=actor)
    except IntegrityError:
        raise taken from None


@transaction.atomic
def delete_saved_reply(*, reply: SavedReply, actor) -> None:
    _require_manager(actor, reply.store)
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
