"""The buffer between a page and the database: the request path appends a small record and
returns; `ingest.drain` writes records in batches.

Three kinds, chosen by settings.ANALYTICS_BUFFER ("" picks redis with REDIS_URL, else memory):

- "redis": records gather in this process for ANALYTICS_SHIP_SECONDS (1 s; 0 in tests) and a
  timer thread RPUSHes them onto one list in the cache's Redis (the resilient cache's own client
  and prefix) in one round trip, and, at most once per pending drain, enqueues
  `tasks.drain_buffer`, which any worker runs. The request never waits on the network. While
  Redis is unreachable records are dropped with one warning per outage (shomp.core.outage),
  never an error: the client has 1 s socket timeouts and skips Redis for a while after a failure.
- "memory": a bounded deque in this process, drained by a timer thread a moment after the first
  record (the embedded default: one process, no Redis; no database write per request).
- "immediate": write at once (tests on SQLite).

A record is a dict of plain values (services.track_view / track_conversion build it): no raw IP,
no raw user agent, ever.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connections

from shomp.core.outage import UNAVAILABLE, Outage

logger = logging.getLogger(__name__)

#: Records one drain takes from the buffer at a time (one bulk insert each).
BATCH_SIZE = 1000
#: The in-process buffer's flush delay and cap (beyond it new records are dropped and logged).
MEMORY_FLUSH_SECONDS = 2.0
MEMORY_MAX_RECORDS = 50_000
#: With Redis, records gather in the process this long and go over in one round trip.
SHIP_SECONDS = 1.0
#: How long a "drain is queued" mark lives if its task is lost (the drain clears it when it starts).
DRAIN_PENDING_SECONDS = 60

REDIS_OUTAGE = Outage("Redis (analytics buffer)", meanwhile="page views and conversions are not recorded")

Record = dict[str, Any]


def kind() -> str:
    configured = getattr(settings, "ANALYTICS_BUFFER", "")
    if configured:
        return configured
    return "redis" if _redis_client() is not None else "memory"


def push(record: Record) -> None:
    """Append one record. Never raises and never waits on a dead service."""
    try:
        chosen = kind()
        if chosen == "redis":
            _redis_push(record)
        elif chosen == "immediate":
            from .ingest import write

            write([record])
        else:
            MEMORY.push(record)
    except Exception:  # analytics never costs a page
        logger.exception("Could not buffer an analytics record")


def pop_batch(size: int = BATCH_SIZE) -> list[Record]:
    """Take up to `size` records from the shared buffer (Redis) or this process's (memory)."""
    if kind() == "redis":
        return _redis_pop(size)
    return MEMORY.pop(size)


def pending() -> int:
    if kind() == "redis":
        client = _redis_client()
        try:
            return int(client.llen(_key())) if client is not None else 0
        except UNAVAILABLE:
            return 0
    return len(MEMORY)


# Redis ------------------------------------------------------------------------------------


def _redis_client():
    """The cache's redis-py client when the cache is Redis (settings.redis_settings), else None."""
    backend = getattr(cache, "_cache", None)
    if backend is None or not hasattr(backend, "get_client"):
        return None
    return backend.get_client(write=True)


def _key(name: str = "buffer") -> str:
    return cache.make_key(f"analytics:{name}")


def _redis_push(record: Record) -> None:
    """Hand the record to this process's shipper, which sends what gathered to Redis in one
    round trip a moment later (no network wait in the request); at once when the delay is 0."""
    if getattr(settings, "ANALYTICS_SHIP_SECONDS", SHIP_SECONDS) <= 0:
        ship([record])
    else:
        SHIPPER.push(record)


def ship(records: list[Record]) -> None:
    """RPUSH records onto the shared list (one pipeline) and queue a drain if none is pending.
    While Redis is unreachable they are dropped, with one warning per outage."""
    if not records or REDIS_OUTAGE.skip():
        return
    client = _redis_client()
    if client is None:
        return
    try:
        pipe = client.pipeline(transaction=False)
        for start in range(0, len(records), BATCH_SIZE):
            pipe.rpush(_key(), *(json.dumps(r, separators=(",", ":")) for r in records[start : start + BATCH_SIZE]))
        pipe.set(_key("drain-pending"), 1, nx=True, ex=DRAIN_PENDING_SECONDS)
        first = pipe.execute()[-1]
    except UNAVAILABLE as error:
        REDIS_OUTAGE.failed(error)
        return
    REDIS_OUTAGE.succeeded()
    if first:  # nobody has queued a drain since the last one started
        from .tasks import drain_buffer

        drain_buffer.enqueue()


def ship_gathered() -> None:
    while records := SHIPPER.pop(BATCH_SIZE * 10):
        ship(records)


def _redis_pop(size: int) -> list[Record]:
    client = _redis_client()
    if client is None or REDIS_OUTAGE.skip():
        return []
    try:
        raw = client.lpop(_key(), size) or []
    except UNAVAILABLE as error:
        REDIS_OUTAGE.failed(error)
        return []
    REDIS_OUTAGE.succeeded()
    records = []
    for item in raw:
        try:
            records.append(json.loads(item))
        except ValueError:
            logger.warning("Dropped an unreadable analytics record")
    return records


def drain_started() -> None:
    """A drain is running: the next record queues another (records pushed meanwhile aren't missed)."""
    client = _redis_client()
    if client is None or REDIS_OUTAGE.skip():
        return
    try:
        client.delete(_key("drain-pending"))
    except UNAVAILABLE as error:
        REDIS_OUTAGE.failed(error)


# This process's memory ------------------------------------------------------------------------


class MemoryBuffer:
    """A deque and one timer: the first record after a flush arms it, the timer drains."""

    def __init__(self, *, flush: Callable[[], None] | None = None, delay: float = MEMORY_FLUSH_SECONDS) -> None:
        self._records: deque[Record] = deque()
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._flush = flush
        self.delay = delay
        self.dropped = 0

    def __len__(self) -> int:
        return len(self._records)

    def push(self, record: Record) -> None:
        with self._lock:
            if len(self._records) >= MEMORY_MAX_RECORDS:
                self.dropped += 1
                if self.dropped == 1 or self.dropped % 1000 == 0:
                    logger.warning("Analytics buffer full: %s records dropped", self.dropped)
                return
            self._records.append(record)
            if self._timer is None:
                self._timer = threading.Timer(self.delay, self._run)
                self._timer.daemon = True
                self._timer.start()

    def pop(self, size: int) -> list[Record]:
        with self._lock:
            return [self._records.popleft() for _ in range(min(size, len(self._records)))]

    def _run(self) -> None:
        with self._lock:
            self._timer = None
        started = time.monotonic()
        try:
            (self._flush or _drain_here)()
        except Exception:
            logger.exception("Analytics flush failed")
        finally:
            connections.close_all()  # this thread's connections; the next timer opens its own
        logger.debug("Analytics flush took %.3f s", time.monotonic() - started)


def _drain_here() -> None:
    from .ingest import drain

    drain(source=MEMORY)


MEMORY = MemoryBuffer()
#: With Redis: what this process gathered in the last SHIP_SECONDS, on its way to the shared list.
SHIPPER = MemoryBuffer(flush=ship_gathered, delay=SHIP_SECONDS)
