"""Wishlists moments that apps above wishlists act on (analytics counts them), sent after commit.

- `wishlist_added(*, store_id, product_id, variant_id, user_id)`: a user saved a product (or one
  of its variants) to one of their lists. A duplicate add (a double click) sends nothing.
"""

from shomp.core.hooks import Moment

wishlist_added = Moment("wishlists.wishlist_added")
