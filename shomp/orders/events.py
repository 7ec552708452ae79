"""What the orders app pushes in real time. Called on commit by services.

Each frame is one kind of fragment (table rows, or the cards): the HTML parser keeps a <tr> a
row only when the frame starts with it, so rows and cards never share a frame."""

from django.template.loader import render_to_string

from shomp.core import realtime

from . import selectors
from .models import Order


def store_orders_topic(store_id: int) -> str:
    return f"store-orders:{store_id}"


def _order(order_id: int) -> Order | None:
    return Order.objects.select_related("buyer", "store").prefetch_related("items").filter(pk=order_id).first()


def overview_changed(*, store) -> None:
    """The dashboard home's cards (to ship, orders, revenue), counted again."""
    html = render_to_string(
        "orders/partials/_overview_cards.html",
        {"overview": selectors.store_overview(store=store), "store": store, "pushed": True},
    )
    realtime.publish(store_orders_topic(store.pk), html)


def order_placed(*, order: Order) -> None:
    """A new order appears at the top of the store's open dashboard pages; the cards count it."""
    order = _order(order.pk)
    html = render_to_string("orders/partials/_order_pushed.html", {"order": order})
    realtime.publish(store_orders_topic(order.store_id), html)
    overview_changed(store=order.store)


def order_changed(*, order_id: int) -> None:
    """An order shipped, was delivered, cancelled or refunded: its row and the cards change."""
    order = _order(order_id)
    if order is None:
        return
    html = render_to_string("orders/partials/_order_changed.html", {"order": order})
    realtime.publish(store_orders_topic(order.store_id), html)
    overview_changed(store=order.store)
