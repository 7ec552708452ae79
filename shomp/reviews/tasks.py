"""Telling reviewers what happened to their review. Thin, take ids, idempotent (a retry sends nothing more)."""

from django.tasks import task

from . import services


@task
def send_response_notice_task(*, response_id: int) -> bool:
    return services.send_response_notice(response_id=response_id)


@task
def send_moderation_notice_task(*, moderation_id: int) -> bool:
    return services.send_moderation_notice(moderation_id=moderation_id)
