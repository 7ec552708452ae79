"""The catalog's background work: decoding the images sellers upload, starting promotions.
Thin, take ids, idempotent."""

from datetime import timedelta

from django.tasks import task

from shomp.core.periodic import register_periodic
from shomp.core.uploads import MEDIA_TASK_QUEUE

from . import services
from .services import promotions


@task(queue_name=MEDIA_TASK_QUEUE)
def process_product_images_task(*, product_id: int) -> int:
    """Decode the product's waiting images (the "media" queue: one worker, one at a time)."""
    return services.process_product_images(product_id=product_id)


@task()
def start_promotion_task(*, promotion_id: int) -> bool:
    """At a promotion's start (run_after): mark it started and announce it, once. Run early
    (a queue's scheduler rounding the time), it asks to run again at the start."""
    started = promotions.start_promotion(promotion_id=promotion_id)
    if not started:
        promotions.schedule_start_again_if_early(promotion_id=promotion_id)
    return started


@task()
def start_due_promotions_task() -> int:
    """Start every running promotion not announced yet (a safety net; idempotent)."""
    return promotions.start_due_promotions()


# The scheduled start (run_after) is the rule; this catches a start whose task was lost.
register_periodic(start_due_promotions_task, every=timedelta(minutes=1))
