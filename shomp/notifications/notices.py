"""Notifications about orders and stores: buyers hear what happened to their orders, a store's
team hears of new orders, reviews, conversations and sold-out variants.

The order and catalog functions are listeners of those apps' moments (connected in apps.py),
called after the announcing transaction committed; reviews and messaging, above this app, call
`new_review` and `new_conversation` themselves on commit. Each is idempotent (one notification
per user and event key) and tells only the people whose door allows the store area it is about.
"""

from __future__ import annotations

from django.urls import reverse

from shomp.catalog.models import Variant
from shomp.core.money import format_money
from shomp.orders import carriers
from shomp.orders.models import Order, Refund
from shomp.organizations.areas import Area
from shomp.stores.models import Store
from shomp.stores.selectors import users_for

from .models import NotificationType
from .services import create_notification


def _team(store: Store, area: str, *, exclude_id: int | None = None) -> list:
    return [user for user in users_for(store=store, area=area) if user.is_active and user.pk != exclude_id]


def _order(order_id: int) -> Order | None:
    return Order.objects.select_related("store", "buyer").filter(pk=order_id).first()


def _buyer_context(order: Order) -> dict:
    return {"number": order.number, "store_name": order.store.name}


# Buyers -----------------------------------------------------------------------------------


def order_shipped(*, order_id: int, **_) -> None:
    order = _order(order_id)
    if order is None or order.status != Order.Status.SHIPPED:
        return
    create_notification(
        user=order.buyer,
        type=NotificationType.ORDER_SHIPPED,
        key=f"order-shipped:{order.pk}:{order.tracking_number}"[:100],
        context=_buyer_context(order)
        | {
            "carrier": carriers.carrier_name(order.carrier) if order.carrier else "",
            "tracking_number": order.tracking_number,
            "tracking_url": carriers.tracking_url(order.carrier, order.tracking_number),
        },
        data={"url": order.get_absolute_url(), "order_id": order.pk},
    )


def order_delivered(*, order_id: int, **_) -> None:
    order = _order(order_id)
    if order is None:
        return
    create_notification(
        user=order.buyer,
        type=NotificationType.ORDER_DELIVERED,
        key=f"order-delivered:{order.pk}",
        context=_buyer_context(order),
        data={"url": order.get_absolute_url(), "order_id": order.pk},
    )


def order_cancelled(*, order_id: int, **_) -> None:
    order = _order(order_id)
    if order is None:
        return
    create_notification(
        user=order.buyer,
        type=NotificationType.ORDER_CANCELLED,
        key=f"order-cancelled:{order.pk}",
        context=_buyer_context(order)
        | {"reason": order.cancel_reason, "refunded": format_money(order.refunded_total, order.currency)},
        data={"url": order.get_absolute_url(), "order_id": order.pk},
    )


def order_refunded(*, refund_id: int, **_) -> None:
    refund = Refund.objects.select_related("order__store", "order__buyer", "item").filter(pk=refund_id).first()
    if refund is None:
        return
    order = refund.order
    create_notification(
        user=order.buyer,
        type=NotificationType.ORDER_REFUNDED,
        key=f"order-refund:{refund.pk}",
        context=_buyer_context(order)
        | {
            "amount": format_money(refund.amount, order.currency),
            "quantity": refund.quantity,
            "item": refund.item.title if refund.item else "the order",
            "reason": refund.reason,
        },
        data={"url": order.get_absolute_url(), "order_id": order.pk},
    )


# Store teams ------------------------------------------------------------------------------


def new_order(*, order_id: int, **_) -> None:
    order = _order(order_id)
    if order is None:
        return
    items = list(order.items.order_by("pk").values_list("title", "quantity"))
    summary = ", ".join(f"{quantity} × {title}" for title, quantity in items[:3])
    if len(items) > 3:
        summary += f" and {len(items) - 3} more"
    url = reverse("orders:dashboard_order_detail", kwargs={"order_uuid": order.uuid})
    for user in _team(order.store, Area.ORDERS, exclude_id=order.buyer_id):
        create_notification(
            user=user,
            type=NotificationType.NEW_ORDER,
            key=f"new-order:{order.pk}",
            context={
                "number": order.number,
                "store_name": order.store.name,
                "total": format_money(order.total, order.currency),
                "buyer": order.buyer.username,
                "summary": summary,
                "ships": order.needs_shipping,
            },
            data={"url": url, "order_id": order.pk, "store_id": order.store_id},
        )


def out_of_stock(*, product_id: int, variant_id: int, adjustment_id: int | None = None, **_) -> None:
    variant = Variant.objects.select_related("product__store").filter(pk=variant_id).first()
    if variant is None or variant.inventory_count > 0:
        return  # restocked meanwhile: no news
    product = variant.product
    url = reverse("catalog:dashboard_variants", kwargs={"product_id": product.pk})
    for user in _team(product.store, Area.PRODUCTS):
        create_notification(
            user=user,
            type=NotificationType.OUT_OF_STOCK,
            key=f"out-of-stock:{variant.pk}:{adjustment_id or 0}",
            context={"label": f"{product.title} ({variant.name})", "store_name": product.store.name},
            data={"url": url, "store_id": product.store_id},
        )


def new_review(
    *, review_id: int, store: Store, author: str, rating: int, subject: str, title: str, excerpt: str
) -> None:
    """Called by reviews on commit: the team members who may answer reviews hear of a new one."""
    url = reverse("reviews:dashboard")
    for user in _team(store, Area.REVIEWS):
        create_notification(
            user=user,
            type=NotificationType.NEW_REVIEW,
            key=f"new-review:{review_id}",
            context={"rating": rating, "subject": subject, "author": author, "title": title, "excerpt": excerpt},
            data={"url": url, "store_id": store.pk},
        )


def new_conversation(
    *, conversation_id: int, store: Store, url: str, sender: str, subject: str, excerpt: str, customer_id: int
) -> None:
    """Called by messaging on commit: the team members who may answer messages hear of a new
    customer conversation (instead of the usual "reply" notice for its first message)."""
    for user in _team(store, Area.MESSAGES, exclude_id=customer_id):
        create_notification(
            user=user,
            type=NotificationType.NEW_CONVERSATION,
            key=f"new-conversation:{conversation_id}",
            context={"store_name": store.name, "subject": subject, "sender": sender, "excerpt": excerpt},
            data={"url": url, "store_id": store.pk},
        )
