"""Catalog moments that apps above the catalog act on, without the catalog importing them.

An explicit list of callbacks, not a signal: who listens is visible in one place (each
listener registers in its AppConfig.ready()), and the catalog calls them only after commit.

    from shomp.catalog import hooks
    hooks.on_first_publish(callback)   # callback(*, product_id: int) -> None

`publish_product` calls the callbacks after its transaction commits, the first time a product
is ever published (unpublishing and publishing again calls nothing). Follows uses it to queue
the new-product fan-out to the store's followers.

Two moments (shomp.core.hooks), sent on commit by every service that changes what a buyer pays
or whether they can buy (wishlists' price-drop and back-in-stock alerts listen):

- `price_changed(*, product_id, variant_id, old_price, new_price)`: a product's base price
  (variant_id None) or one variant's price changed. An option value's modifier changes many
  variants at once: then variant_id, old_price and new_price are None ("look again at them all").
- `restocked(*, product_id, variant_id, restock_id)`: a sold-out product (variant_id None) or
  variant has stock again. `restock_id` names that transition ("adjustment-<id>" for a variant's
  history row, else a random token made at the change), so a listener's retried work can tell
  one restock from the next (wishlists keys its back-in-stock event by it).
- `out_of_stock(*, product_id, variant_id, adjustment_id)`: a sale (that history row) took a
  variant's last unit (its stock is now 0); the store's team is told (notifications listen).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from shomp.core.hooks import Moment

logger = logging.getLogger(__name__)

price_changed = Moment("catalog.price_changed")
restocked = Moment("catalog.restocked")
out_of_stock = Moment("catalog.out_of_stock")
# `promotion_started(*, promotion_id)`: a promotion that tells followers began (once, by the
# worker): follows tells the covered stores' followers, wishlists the savers of covered items.
promotion_started = Moment("catalog.promotion_started")
# `promotion_prices_changed(*, promotion_id)`: what buyers pay for the promotion's items changed:
# it started (whatever `notify_followers` says) or a running one was edited (a deeper or smaller
# discount, other targets). Wishlists re-checks the saved items it covers for price drops.
promotion_prices_changed = Moment("catalog.promotion_prices_changed")

FirstPublishCallback = Callable[..., None]

_first_publish: dict[str, FirstPublishCallback] = {}


def restock_id() -> str:
    """A name for one restock without a history row (a product's own count)."""
    return f"restock-{uuid.uuid4().hex}"


def _name(func: Callable) -> str:
    return f"{getattr(func, '__module__', '?')}.{getattr(func, '__qualname__', repr(func))}"


def on_first_publish(callback: FirstPublishCallback) -> None:
    """Call `callback(product_id=...)` after a product's first publish commits.

    Registering the same function again (ready() can run twice in tests) replaces it.
    """
    _first_publish[_name(callback)] = callback


def remove_first_publish(callback: FirstPublishCallback) -> None:
    _first_publish.pop(_name(callback), None)


def product_first_published(*, product_id: int) -> None:
    """Run every callback; one failing is logged and does not stop the others."""
    for callback in list(_first_publish.values()):
        try:
            callback(product_id=product_id)
        except Exception:
            logger.exception("catalog hook %s failed for product %s", _name(callback), product_id)
