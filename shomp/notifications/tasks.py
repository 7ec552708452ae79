from django.tasks import task

from . import services


@task
def send_notification_emails_task(*, notification_ids: list[int]) -> int:
    return services.send_notification_emails(notification_ids=notification_ids)
