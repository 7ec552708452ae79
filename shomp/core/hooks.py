"""Moments one app announces and apps above it act on, without the announcer importing them.

The explicit-callback pattern of `shomp.catalog.hooks`, made reusable: an app declares its
moments in its own hooks.py, calls them after its transaction commits, and a listener higher up
connects in its AppConfig.ready(). Who listens is visible in one place (the listeners'
ready()), and a listener that fails is logged and never breaks the announcer.

    # shomp/orders/hooks.py
    order_placed = Moment("orders.order_placed")        # callback(*, order_id, store_id, ...)

    # shomp/orders/services/checkout.py, inside its transaction
    hooks.order_placed.send_on_commit(order_id=order.pk, ...)

    # shomp/analytics/apps.py, in ready()
    orders_hooks.order_placed.connect(track_order_placed)
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)

Callback = Callable[..., None]


def _name(func: Callable) -> str:
    return f"{getattr(func, '__module__', '?')}.{getattr(func, '__qualname__', repr(func))}"


class Moment:
    """A named moment and its callbacks (keyword arguments only, documented where it is declared)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._callbacks: dict[str, Callback] = {}

    def connect(self, callback: Callback) -> Callback:
        """Call `callback(**kwargs)` at every send. Connecting the same function again (ready()
        can run twice in tests) replaces it. Returns the callback, so this can decorate."""
        self._callbacks[_name(callback)] = callback
        return callback

    def disconnect(self, callback: Callback) -> None:
        self._callbacks.pop(_name(callback), None)

    def send(self, **kwargs: Any) -> None:
        """Run every callback now; one failing is logged and does not stop the others."""
        for callback in list(self._callbacks.values()):
            try:
                callback(**kwargs)
            except Exception:
                logger.exception("%s: callback %s failed", self.name, _name(callback))

    def send_on_commit(self, **kwargs: Any) -> None:
        """`send` once the current transaction commits (at once outside one), in the context of
        now: callbacks see the context variables of the code that sent the moment (analytics
        reads the request being served), even if the commit runs them later."""
        context = contextvars.copy_context()
        transaction.on_commit(lambda: context.run(self.send, **kwargs), robust=True)

    def __repr__(self) -> str:
        return f"<Moment {self.name}>"
