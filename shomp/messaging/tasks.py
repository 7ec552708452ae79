from django.tasks import task

from shomp.core.uploads import MEDIA_TASK_QUEUE

from . import services


@task
def send_unread_email_task(*, conversation_id: int, side: str) -> bool:
    """Email one side about messages unread for 15 minutes (enqueued with run_after; idempotent)."""
    return services.send_unread_email(conversation_id=conversation_id, side=side)


@task(queue_name=MEDIA_TASK_QUEUE)
def process_attachments_task(*, message_id: int) -> int:
    """Decode the message's waiting images (the "media" queue: one worker, one at a time)."""
    return services.process_attachments(message_id=message_id)
