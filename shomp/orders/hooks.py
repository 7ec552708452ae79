"""Shopping moments that apps above orders act on (analytics counts them), without orders
importing them (shomp.core.hooks). Each is sent after its transaction commits.

- `cart_added(*, store_id, product_id, variant_id, quantity, user_id)`: a line was added to a cart
  (or its quantity raised by `quantity`).
- `checkout_started(*, cart_id, store_ids, user_id)`: the checkout page opened with those
  stores' items in the cart (sent on every opening; listeners count it once per cart).
- `order_placed(*, order_id, store_id, total, currency, buyer_id, country)`: a store's order was
  placed and paid (`country` is what the buyer typed for shipping, or "").
"""

from shomp.core.hooks import Moment

cart_added = Moment("orders.cart_added")
checkout_started = Moment("orders.checkout_started")
order_placed = Moment("orders.order_placed")
