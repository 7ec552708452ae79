"""Flags, helpful votes and the moderators' decisions."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from shomp.core import pagecache
from shomp.organizations.areas import MEMBER
from shomp.stores.policies import can

from ..models import HelpfulVote, Review, ReviewFlag, ReviewModeration
from .notices import enqueue
from .ratings import contribution, shift_ratings
from .reviews import lock_review

#: Open flags from this many different users hide a review until a moderator decides.
FLAGS_TO_HIDE = 3


# Flags and helpful votes -----------------------------------------------------------------


@transaction.atomic
def flag_review(*, review: Review, user, reason: str, note: str = "") -> ReviewFlag:
    """Report a review, once per user. The third open flag hides it until a moderator decides."""
    review = lock_review(review)
    if review.user_id == user.pk:
        raise ValidationError("You can't flag your own review.", code="own_review")
    if review.status != Review.Status.PUBLISHED:
        raise ValidationError("This review is already with our moderators.", code="not_published")
    if reason not in ReviewFlag.Reason.values:
        raise ValidationError({"reason": "Choose why you are flagging this review."})
    note = (note or "").strip()
    if len(note) > 500:
        raise ValidationError({"note": "Keep the note under 500 characters."})
    if ReviewFlag.objects.filter(review=review, user=user).exists():
        raise ValidationError("You have already flagged this review.", code="duplicate")
    try:
        with transaction.atomic():
            flag = ReviewFlag.objects.create(review=review, user=user, reason=reason, note=note)
    except IntegrityError:
        raise ValidationError("You have already flagged this review.", code="duplicate") from None
    if ReviewFlag.objects.filter(review=review, resolved_at__isnull=True).count() >= FLAGS_TO_HIDE:
        review.status = Review.Status.HIDDEN
        review.save(update_fields=["status", "updated_at"])
        shift_ratings(review, remove=review.rating)
        ReviewModeration.objects.create(
            review=review,
            action=ReviewModeration.Action.HIDDEN,
            note=f"Hidden automatically after {FLAGS_TO_HIDE} flags from different people.",
        )
    return flag


@transaction.atomic
def vote_helpful(*, review: Review, user) -> Review:
    """Say a review helped; once per user, never on your own (nor, for a store, on its own reviews)."""
    review = lock_review(review)
    _check_can_vote(review, user)
    try:
        with transaction.atomic():
            HelpfulVote.objects.create(review=review, user=user)
    except IntegrityError:
        raise ValidationError("You have already marked this review helpful.", code="duplicate") from None
    Review.objects.filter(pk=review.pk).update(helpful_count=F("helpful_count") + 1)
    pagecache.bump(store_ids=[review.store_id])  # the count shows on review pages
    review.refresh_from_db(fields=["helpful_count"])
    return review


@transaction.atomic
def remove_helpful_vote(*, review: Review, user) -> Review:
    review = lock_review(review)
    deleted, _ = HelpfulVote.objects.filter(review=review, user=user).delete()
    if deleted:
        Review.objects.filter(pk=review.pk).update(helpful_count=F("helpful_count") - 1)
        pagecache.bump(store_ids=[review.store_id])
        review.refresh_from_db(fields=["helpful_count"])
    return review


def _check_can_vote(review: Review, user) -> None:
    if review.user_id == user.pk:
        raise ValidationError("You can't vote on your own review.", code="own_review")
    if can(user, review.store, MEMBER):  # its whole team, as for writing reviews
        raise ValidationError("A store can't vote on its own reviews.", code="own_store")
    if review.status != Review.Status.PUBLISHED:
        raise ValidationError("This review is not published.", code="not_published")


# Moderation ------------------------------------------------------------------------------


@transaction.atomic
def moderate_review(*, review: Review, moderator, decision: str, note: str = "") -> ReviewModeration:
    """A staff decision: "restore" (published again, flags settled) or "remove" (for good).

    The author is told the outcome, with the note, after commit."""
    if not (getattr(moderator, "is_active", False) and getattr(moderator, "is_staff", False)):
        raise ValidationError("Only Shomp staff can moderate reviews.", code="not_staff")
    actions = {"restore": ReviewModeration.Action.RESTORED, "remove": ReviewModeration.Action.REMOVED}
    if decision not in actions:
        raise ValidationError("Choose to restore or to remove the review.", code="decision")
    review = lock_review(review)
    new_status = Review.Status.PUBLISHED if decision == "restore" else Review.Status.REMOVED
    if review.status == new_status and not review.flags.filter(resolved_at__isnull=True).exists():
        raise ValidationError(f"This review is {review.get_status_display().lower()} already.", code="unchanged")
    before = contribution(review)
    review.status = new_status
    review.save(update_fields=["status", "updated_at"])
    shift_ratings(review, remove=before, add=contribution(review))
    review.flags.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())
    moderation = ReviewModeration.objects.create(
        review=review, action=actions[decision], note=(note or "").strip()[:2000], moderator=moderator
    )
    transaction.on_commit(lambda: enqueue("send_moderation_notice_task", moderation_id=moderation.pk))
    return moderation
