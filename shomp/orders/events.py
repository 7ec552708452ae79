"""What the orders app pushes in real time. Called on commit by services."""

from django.template.loader import render_to_string

from shomp.core import realtime

from .models import Order


def store_orders_topic(store_id: int) -> str:
    return f"store-orders:{store_id}"


def order_placed(*, order: Order) -> None:
    """A new order appears at the top of the store's open dashboard pages."""
    order = Order.objects.select_related("buyer", "store").prefetch_related("items").get(pk=order.pk)
    html = render_to_string("orders/partials/_order_pushed.html", {"order": order})
    realtime.publish(store_orders_topic(order.store_id), html)
