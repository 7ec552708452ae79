"""The catalog's background work: decoding the images sellers upload. Thin, take ids, idempotent."""

from django.tasks import task

from shomp.core.uploads import MEDIA_TASK_QUEUE

from . import services


@task(queue_name=MEDIA_TASK_QUEUE)
def process_product_images_task(*, product_id: int) -> int:
    """Decode the product's waiting images (the "media" queue: one worker, one at a time)."""
    return services.process_product_images(product_id=product_id)
