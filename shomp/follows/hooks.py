"""Follows moments that apps above follows act on (analytics counts them), sent after commit.

- `store_followed(*, store_id, user_id)`: a user started following a store.
"""

from shomp.core.hooks import Moment

store_followed = Moment("follows.store_followed")
