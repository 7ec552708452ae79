from django.tasks import task

from . import alerts


@task
def check_product_alerts_task(
    *, product_id: int, restocked: int | None = None, restock_id: str = "", restocked_at: str = ""
) -> int:
    return alerts.check_product_alerts(
        product_id=product_id, restocked=restocked, restock_id=restock_id, restocked_at=restocked_at
    )


@task
def deliver_sale_notice_task(*, product_id: int, message: str, stamp: str) -> int:
    return alerts.deliver_sale_notice(product_id=product_id, message=message, stamp=stamp)


@task
def check_promotion_alerts_task(*, promotion_id: int) -> int:
    return alerts.check_promotion_alerts(promotion_id=promotion_id)
