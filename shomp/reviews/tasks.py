"""Telling reviewers what happened to their review, and processing their photos and videos.
Thin, take ids, idempotent (a retry sends or changes nothing more)."""

from django.tasks import task

from shomp.core.uploads import MEDIA_TASK_QUEUE

from . import services


@task
def send_response_notice_task(*, response_id: int) -> bool:
    return services.send_response_notice(response_id=response_id)


@task
def send_moderation_notice_task(*, moderation_id: int) -> bool:
    return services.send_moderation_notice(moderation_id=moderation_id)


@task(queue_name=MEDIA_TASK_QUEUE)
def process_review_media_task(*, review_id: int) -> int:
    """Decode the review's waiting photos and video (the "media" queue: one worker, one at a time)."""
    return services.process_review_media(review_id=review_id)
