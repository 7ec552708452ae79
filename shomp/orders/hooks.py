"""Shopping moments that apps above orders act on (analytics counts them), without orders
importing them (shomp.core.hooks). Each is sent after its transaction commits.

- `cart_added(*, store_id, product_id, variant_id, quantity, user_id)`: a line was added to a cart
  (or its quantity raised by `quantity`).
- `checkout_started(*, cart_id, store_ids, user_id)`: the checkout page opened with those
  stores' items in the cart (sent on every opening; listeners count it once per cart).
- `order_placed(*, order_id, store_id, total, currency, buyer_id, country)`: a store's order was
  placed and paid (`country` is the shipping country's ISO code, or "" when nothing ships).
"""

from shomp.core.hooks import Moment

cart_added = Moment("orders.cart_added")
checkout_started = Moment("orders.checkout_started")
order_placed = Moment("orders.order_placed")
order_shipped = Moment("orders.order_shipped")
order_delivered = Moment("orders.order_delivered")
order_cancelled = Moment("orders.order_cancelled")
order_refunded = Moment("orders.order_refunded")


# Links beside a buyer's order lines that apps above add ("Write a review"), without orders
# importing them. A provider registers in its AppConfig.ready():
#     orders_hooks.register_item_links(review_links)   # (*, user, order) -> {item_id: [(label, url, icon)]}
# It reads the order's prefetched items and answers for all of them in a few queries.

_item_link_providers: dict[str, object] = {}


def register_item_links(provider) -> None:
    _item_link_providers[f"{provider.__module__}.{provider.__qualname__}"] = provider


def item_links(*, user, order) -> dict[int, list[tuple[str, str, str]]]:
    links: dict[int, list[tuple[str, str, str]]] = {}
    for provider in list(_item_link_providers.values()):
        for item_id, item_links_ in provider(user=user, order=order).items():
            links.setdefault(item_id, []).extend(item_links_)
    return links
