"""Cart, checkout and order writes. Keyword-only, one transaction each.

- cart.py: get_or_create_cart, add_to_cart, update_cart_item, merge_carts (and line_label, the
  quantity caps and the checks they share)
- checkout.py: place_order (AlreadyPlaced) and send_order_confirmation
- shipping.py: quote_shipping (the one answer to "what does shipping cost?"), update_shipping_settings
- addresses.py: ShippingAddress, the buyer's saved addresses (remember_address, add_address, delete_address)
- fulfilment.py: mark_order_shipped, mark_order_fulfilled
"""

from .addresses import ShippingAddress, add_address, delete_address, remember_address
from .cart import (
    MAX_QUANTITY,
    VARIANT_UNAVAILABLE,
    add_to_cart,
    get_or_create_cart,
    line_label,
    merge_carts,
    update_cart_item,
)
from .checkout import AlreadyPlaced, place_order, send_order_confirmation
from .fulfilment import mark_order_fulfilled, mark_order_shipped
from .shipping import ShippingQuote, cart_lines, order_lines, quote_shipping, update_shipping_settings

__all__ = [
    "MAX_QUANTITY",
    "VARIANT_UNAVAILABLE",
    "AlreadyPlaced",
    "ShippingAddress",
    "ShippingQuote",
    "add_address",
    "add_to_cart",
    "cart_lines",
    "delete_address",
    "get_or_create_cart",
    "line_label",
    "mark_order_fulfilled",
    "mark_order_shipped",
    "merge_carts",
    "order_lines",
    "place_order",
    "quote_shipping",
    "remember_address",
    "send_order_confirmation",
    "update_cart_item",
    "update_shipping_settings",
]
