from django.tasks import task

from . import services


@task
def send_order_confirmation_task(*, checkout_id: int) -> bool:
    return services.send_order_confirmation(checkout_id=checkout_id)
