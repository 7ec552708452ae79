from django.tasks import task

from . import services


@task
def notify_followers_of_new_product_task(*, product_id: int) -> int:
    return services.notify_followers_of_new_product(product_id=product_id)


@task
def deliver_announcement_task(*, announcement_id: int) -> int:
    return services.deliver_announcement(announcement_id=announcement_id)
