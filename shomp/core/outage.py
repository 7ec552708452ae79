"""When a backing service (Redis) goes away: one warning per outage, and a pause before retrying.

Code that can carry on without the service (the cache falls back to local memory, real-time
pushes are dropped, sockets are told to come back later) asks its `Outage`:

    if not REDIS.skip():                  # inside the pause after a failure: don't even try
        try:
            ...use the service...
        except UNAVAILABLE as error:      # connection refused, reset, timed out
            REDIS.failed(error)           # logs a warning once per outage
        else:
            REDIS.succeeded()             # logs "back" once, if it was down
    ...fall back...

The pause (RETRY_SECONDS) means that during an outage requests don't each wait for a connect
timeout, and the log gets one line, not a traceback per request; the first call after the
pause tries the service again, so recovery takes at most that long.
"""

from __future__ import annotations

import logging
import threading
import time

logger = logging.getLogger(__name__)

#: How long after a failure callers skip the service before trying it again.
RETRY_SECONDS = 5.0


def _now() -> float:
    return time.monotonic()  # a function, so tests can move the clock


def _unavailable_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [ConnectionError, TimeoutError]  # refused, reset, timed out
    try:
        from redis import exceptions as redis_errors
    except ImportError:  # pragma: no cover - redis comes with channels-redis
        pass
    else:
        errors += [redis_errors.ConnectionError, redis_errors.TimeoutError]
    return tuple(errors)


#: The errors that mean "the service is not there right now" (not "we sent it nonsense").
UNAVAILABLE = _unavailable_errors()


_every: list[Outage] = []


def reset_all() -> None:
    """Forget every outage (for tests)."""
    for outage in _every:
        outage.reset()


class Outage:
    """The up/down state of one service, shared by every thread and event loop of the process."""

    def __init__(self, service: str, *, meanwhile: str) -> None:
        self.service = service  # "Redis (cache)"
        self.meanwhile = meanwhile  # what happens while it is down, for the warning
        self._lock = threading.Lock()
        self._down_since: float | None = None
        self._retry_at = 0.0
        _every.append(self)

    @property
    def down(self) -> bool:
        return self._down_since is not None

    def skip(self) -> bool:
        """True during the pause after a failure: fall back without trying the service."""
        return self._down_since is not None and _now() < self._retry_at

    def failed(self, error: BaseException) -> None:
        with self._lock:
            first = self._down_since is None
            if first:
                self._down_since = _now()
            self._retry_at = _now() + RETRY_SECONDS
        if first:  # one line per outage, no traceback: the cause is the service, not our code
            logger.warning(
                "%s is unavailable (%s: %s); %s. Trying again every %.0f s.",
                self.service,
                type(error).__name__,
                error,
                self.meanwhile,
                RETRY_SECONDS,
            )

    def succeeded(self) -> None:
        if self._down_since is None:  # the usual case: no lock taken
            return
        with self._lock:
            since, self._down_since = self._down_since, None
        if since is not None:
            logger.info("%s is back after %.0f s.", self.service, _now() - since)

    def reset(self) -> None:
        """Forget any outage (for tests)."""
        with self._lock:
            self._down_since = None
            self._retry_at = 0.0
