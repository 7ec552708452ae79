from django.tasks import task

from . import services


@task
def send_unread_email_task(*, conversation_id: int, side: str) -> bool:
    """Email one side about messages unread for 15 minutes (enqueued with run_after; idempotent)."""
    return services.send_unread_email(conversation_id=conversation_id, side=side)
