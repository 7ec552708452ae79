"""Cart, checkout and order writes. Keyword-only, one transaction each.

- cart.py: get_or_create_cart, add_to_cart, update_cart_item, merge_carts (and line_label, the
  quantity caps and the checks they share)
- checkout.py: place_order (ShippingAddress, AlreadyPlaced) and send_order_confirmation
- fulfilment.py: mark_order_shipped, mark_order_fulfilled
"""

from .cart import (
    MAX_QUANTITY,
    VARIANT_UNAVAILABLE,
    add_to_cart,
    get_or_create_cart,
    line_label,
    merge_carts,
    update_cart_item,
)
from .checkout import AlreadyPlaced, ShippingAddress, place_order, send_order_confirmation
from .fulfilment import mark_order_fulfilled, mark_order_shipped

__all__ = [
    "MAX_QUANTITY",
    "VARIANT_UNAVAILABLE",
    "AlreadyPlaced",
    "ShippingAddress",
    "add_to_cart",
    "get_or_create_cart",
    "line_label",
    "mark_order_fulfilled",
    "mark_order_shipped",
    "merge_carts",
    "place_order",
    "send_order_confirmation",
    "update_cart_item",
]
