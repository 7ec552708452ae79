"""Fixed-window rate limits kept in the cache (Redis in production, so shared by every process).

A window is a cache key holding a counter that expires with the window; `hit` adds one and
refuses once the limit is reached. Good enough for abuse limits (a burst at a window's edge can
reach twice the limit over two windows); not a billing meter.
"""

from __future__ import annotations

import contextlib
import time

from django.core.cache import cache

from shomp.core.exceptions import RateLimited


def _now() -> float:
    return time.time()


def hit(*, key: str, limit: int, window_seconds: int, message: str, cost: int = 1) -> None:
    """Count one action (or `cost` of them, e.g. files in one upload) under `key`; raise
    RateLimited(message) when that would go past `limit` in this window."""
    window = int(_now() // window_seconds)
    cache_key = f"shomp:rl:{key}:{window}"
    # add() creates the counter only if it is missing; incr() is atomic on Redis and locmem.
    cache.add(cache_key, 0, timeout=window_seconds + 5)
    try:
        count = cache.incr(cache_key, cost)
    except ValueError:  # evicted between add and incr: start again
        cache.set(cache_key, cost, timeout=window_seconds + 5)
        count = cost
    if count > limit:
        # A refused action takes nothing: six photos refused still leave room for two.
        with contextlib.suppress(ValueError):  # evicted meanwhile: nothing to give back
            cache.decr(cache_key, cost)
        raise RateLimited(message)


def peek(*, key: str, window_seconds: int) -> int:
    """How many actions the current window holds (for tests and diagnostics)."""
    window = int(_now() // window_seconds)
    return int(cache.get(f"shomp:rl:{key}:{window}", 0))
