"""Messaging moments that apps above messaging act on (analytics counts them), sent after commit.

- `conversation_started(*, store_id, user_id, product_id)`: a customer wrote to a store for the
  first time in a new conversation (`product_id` is the product it is about, or None).
"""

from shomp.core.hooks import Moment

conversation_started = Moment("messaging.conversation_started")
