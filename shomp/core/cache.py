"""The Redis cache, made to survive Redis going away.

The cache holds rate limits (allauth's login throttle, core.ratelimit), and Django's RedisCache
raises when Redis is unreachable: a login or a message answered 500 for as long as Redis was
down. The direction we chose instead: limits keep working, per process. While Redis is down
every call goes to a local-memory cache of this process, so a throttle keeps counting (five
wrong passwords still lock an account), but each web process counts on its own and starts from
zero (with N processes an attacker gets at most N times the tries during the outage). Never
"no limit", never a 500. README.md (Security) says so.

- Short socket timeouts (settings: OPTIONS) bound how long a dead or hung Redis can hold a
  request; after a failure, calls skip Redis for `outage.RETRY_SECONDS`, then try it again.
- One warning per outage (shomp.core.outage), none per request.
- When Redis answers again it is used again at once; what was counted in memory meanwhile is
  not copied back (the windows are short).
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

from shomp.core.outage import UNAVAILABLE, Outage

# One state per Redis location, shared by the cache objects of every thread (Django makes one
# per thread) and by the local-memory fallback's storage (LocMemCache shares by name).
_outages: dict[str, Outage] = {}


class ResilientRedisCache(RedisCache):
    """RedisCache that falls back to this process's memory while Redis is unreachable."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        location = server if isinstance(server, str) else ",".join(server)
        self._outage = _outages.setdefault(
            location,
            Outage("Redis (cache)", meanwhile="rate limits and the cache count in each process's memory"),
        )
        self._fallback = LocMemCache(
            f"shomp-redis-fallback:{location}",
            {
                "TIMEOUT": params.get("TIMEOUT", 300),
                "KEY_PREFIX": params.get("KEY_PREFIX", ""),
                "VERSION": params.get("VERSION", 1),
                "KEY_FUNCTION": params.get("KEY_FUNCTION"),
                "OPTIONS": {"MAX_ENTRIES": 10_000},
            },
        )

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if not self._outage.skip():
            try:
                result = getattr(super(), name)(*args, **kwargs)
            except UNAVAILABLE as error:
                self._outage.failed(error)
            else:
                self._outage.succeeded()
                return result
        return getattr(self._fallback, name)(*args, **kwargs)

    # Every method RedisCache implements; BaseCache builds the rest (decr, get_or_set, the
    # async twins, ...) on these.

    def add(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("add", *args, **kwargs)

    def get(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("get", *args, **kwargs)

    def set(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("set", *args, **kwargs)

    def touch(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("touch", *args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("delete", *args, **kwargs)

    def get_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("get_many", *args, **kwargs)

    def has_key(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("has_key", *args, **kwargs)

    def incr(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("incr", *args, **kwargs)

    def set_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("set_many", *args, **kwargs)

    def delete_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("delete_many", *args, **kwargs)

    def clear(self) -> Any:
        return self._call("clear")
