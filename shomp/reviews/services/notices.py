"""Telling the reviewer: a store's response and a moderation decision become notifications
(in the app, and by email unless the reviewer turned that off), from tasks queued on commit."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from shomp.notifications import services as notifications

from ..models import ReviewModeration, ReviewResponse

#: The notification types (shomp.notifications.models.NotificationType) the reviewer receives.
REVIEW_RESPONSE = "review_response"
REVIEW_MODERATION = "review_moderation"


def enqueue(task_name: str, **kwargs) -> None:
    """Queue one of tasks.py's tasks (imported here: the tasks module imports these services)."""
    from .. import tasks

    getattr(tasks, task_name).enqueue(**kwargs)


def send_response_notice(*, response_id: int) -> bool:
    """Tell the reviewer that the store responded: an in-app notification, emailed too unless they
    turned that off (the notifications app decides). Idempotent: one per response, ever."""
    with transaction.atomic():
        response = (
            ReviewResponse.objects.select_for_update(of=("self",))
            .select_related("review__user", "review__product", "review__store", "store")
            .filter(pk=response_id)
            .first()
        )
        if response is None:
            return False
        review = response.review
        notifications.create_notification(
            user=review.user,
            type=REVIEW_RESPONSE,
            key=f"review-response:{response.pk}",
            context={
                "store_name": response.store.name,
                "product_title": review.subject_name,
                "excerpt": response.content,
            },
            data={"url": review.get_absolute_url(), "review_id": review.pk},
        )
        if response.author_notified_at is None:
            response.author_notified_at = timezone.now()
            response.save(update_fields=["author_notified_at"])
    return True


def send_moderation_notice(*, moderation_id: int) -> bool:
    """Tell the reviewer what the moderators decided (restored or removed, with their note), in
    the app and by email unless they turned that off. Idempotent: one per decision, ever."""
    with transaction.atomic():
        moderation = (
            ReviewModeration.objects.select_for_update(of=("self",))
            .select_related("review__user", "review__product", "review__store")
            .filter(pk=moderation_id)
            .first()
        )
        if moderation is None or moderation.action == ReviewModeration.Action.HIDDEN:
            return False  # a review hidden after flags waits for a decision; only decisions are news
        review = moderation.review
        restored = moderation.action == ReviewModeration.Action.RESTORED
        notifications.create_notification(
            user=review.user,
            type=REVIEW_MODERATION,
            key=f"review-moderation:{moderation.pk}",
            context={"restored": restored, "subject": review.subject_name, "note": moderation.note},
            data={"url": review.get_absolute_url(), "review_id": review.pk},
        )
        if moderation.author_notified_at is None:
            moderation.author_notified_at = timezone.now()
            moderation.save(update_fields=["author_notified_at"])
    return True
