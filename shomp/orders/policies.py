"""Who may see an order: its buyer, and the staff of the store it was placed with.

The store's side asks the permission door for its own areas: "orders.view" to list and read
orders (support has it, read only), "orders" to change them (ship, fulfil).
"""

import rules
from django.http import Http404

from shomp.organizations.areas import Area
from shomp.stores.policies import can

from .models import Address, Order


@rules.predicate
def is_order_buyer(user, order: Order | None) -> bool:
    return order is not None and getattr(user, "is_authenticated", False) and order.buyer_id == user.pk


@rules.predicate
def can_view_store_order(user, order: Order | None) -> bool:
    return order is not None and can(user, order.store, Area.ORDERS_VIEW)


@rules.predicate
def can_manage_order(user, order: Order | None) -> bool:
    return order is not None and can(user, order.store, Area.ORDERS)


rules.add_perm("orders.view_order", is_order_buyer | can_view_store_order)
rules.add_perm("orders.manage_order", can_manage_order)


def access_order_for_buyer(*, user, order_uuid) -> Order:
    order = Order.objects.select_related("store").filter(uuid=order_uuid).first()
    if not is_order_buyer(user, order):
        raise Http404("No such order.")
    return order


def access_order_for_store(*, user, store, order_uuid, area: str = Area.ORDERS_VIEW) -> Order:
    """An order of the active `store` if `user` may do `area` on it (read by default, pass
    Area.ORDERS to change it); another store's order uuid, or too little right, is a 404."""
    order = Order.objects.select_related("store", "buyer").filter(uuid=order_uuid, store=store).first()
    if order is None or not can(user, order.store, area):
        raise Http404("No such order.")
    return order


def can_download_item(user, order: Order, item) -> bool:
    """Only the buyer downloads what they paid for, and only while the order stands."""
    return (
        is_order_buyer(user, order)
        and order.status != Order.Status.CANCELLED
        and item.order_id == order.pk
        and item.is_digital
        and item.product is not None
        and bool(item.product.digital_file)
    )


def access_address(*, user, address_id) -> Address:
    """One of the user's own saved addresses; anyone else's (or none) is a 404."""
    address = Address.objects.filter(pk=address_id, user_id=getattr(user, "pk", None)).first()
    if address is None or not getattr(user, "is_authenticated", False):
        raise Http404("No such address.")
    return address


def store_of_order(*, order_uuid, **_) -> int | None:
    """The store a dashboard URL's order belongs to, for the door's store switch (no access
    check: the door switches only to a store the user may work on)."""
    return Order.objects.filter(uuid=order_uuid).values_list("store_id", flat=True).first()
