"""The one door for real-time pushes: topics, who may follow them, and publishing.

A topic is a string "<kind>:<arg>", e.g. "store-orders:42" or "user:7". Each app registers the
kinds it owns in its AppConfig.ready()::

    realtime.register_topic("store-orders", authorize=lambda user, arg: ...)

`authorize(user, arg)` is a sync function that asks the owning app's policy (the user may be an
AnonymousUser). It runs when a socket subscribes. After that a socket keeps its answers, so a
push costs no database round trip per socket, and asks again:
- at once, when told that a user's access changed (`revoke_access`: logout, password change,
  deactivation, a membership removed or lowered, a store moved; the user's sockets re-read
  their session and re-ask every topic before the next push is forwarded), and
- when a push finds its answers older than RECHECK_SECONDS (each socket picks a share of it,
  half to all, so sockets opened together don't all re-ask at once), in the background: that
  push goes out on the answers the socket has. This bounds how long any change nobody
  announced (a session expiring, an admin edit) can go unnoticed: RECHECK_SECONDS plus one
  read. The sockets of one session in a process share one read.
Unknown kinds are refused.

Services publish on commit (through their app's events.py)::

    realtime.publish(f"store-orders:{store.pk}", render_to_string("orders/partials/_row.html", ...))

The HTML is a set of elements carrying `id` (and optionally `hx-swap-oob`); htmx-ext-ws swaps
each one into the page out of band. Pages name their topics with `{% realtime_socket topics %}`.

This module imports no feature app: apps depend on core, never the reverse.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import DEFAULT_DB_ALIAS, transaction

from shomp.core.outage import UNAVAILABLE, Outage

logger = logging.getLogger(__name__)

Authorize = Callable[[Any, str], bool]

#: The WebSocket path served by `shomp.core.consumers.RealtimeConsumer` (see shomp/asgi.py).
WEBSOCKET_PATH = "/ws/"
#: The query-string parameter that carries the topics, repeated once per topic.
TOPIC_PARAM = "topic"
#: The most topics one socket may follow; a page needs a handful.
MAX_TOPICS_PER_SOCKET = 20
#: The longest topic string accepted (kind, colon and argument).
MAX_TOPIC_LENGTH = 200
#: The channel-layer message type; the consumer handles it in `realtime_message`.
MESSAGE_TYPE = "realtime.message"
#: The channel-layer message that tells a user's sockets to re-ask the door (`revoke_access`).
REVOKE_TYPE = "realtime.revoke"
#: A socket's authorization answers are re-asked before a push once they are this old.
RECHECK_SECONDS = 30
#: How many group sends `publish_many` keeps in flight at once.
PUBLISH_MANY_CONCURRENCY = 16
#: How many pushes `publish_many` pipelines per round trip on a layer that can (production's).
PUBLISH_MANY_BATCH = 1000

_KIND_RE = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
# Arguments this tame (ids, UUIDs, slugs) appear as they are in group names, which keeps Redis
# readable; anything else is hashed under a different prefix, so the two never collide.
_PLAIN_ARG_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

_registry: dict[str, Authorize] = {}

#: The channel layer's Redis. While it is down, pushes are dropped (the write they announce has
#: committed; the next page load shows it) and sockets are asked to reconnect later (consumers).
LAYER_OUTAGE = Outage("Redis (channel layer)", meanwhile="live updates pause and sockets reconnect later")


def register_topic(kind: str, authorize: Authorize) -> None:
    """Let pages follow topics "<kind>:<arg>"; `authorize(user, arg)` decides who may.

    Call from AppConfig.ready(). Registering the same function again is harmless (ready() can
    run twice in tests, making a new closure); another function for a taken kind is an error.
    """
    if not _KIND_RE.match(kind):
        raise ValueError(f"Invalid topic kind {kind!r}: use lowercase letters, digits and '-'.")
    if not callable(authorize):
        raise TypeError("authorize must be callable as authorize(user, arg) -> bool.")
    existing = _registry.get(kind)
    if existing is not None and _name(existing) != _name(authorize):
        raise ValueError(f"Topic kind {kind!r} is already registered by {_name(existing)}.")
    _registry[kind] = authorize


def _name(func: Callable) -> str:
    return f"{getattr(func, '__module__', '?')}.{getattr(func, '__qualname__', repr(func))}"


def unregister_topic(kind: str) -> None:
    """Forget a topic kind (for tests that register their own)."""
    _registry.pop(kind, None)


def topic(kind: str, arg: object) -> str:
    """Build a topic string, e.g. topic("store-orders", store.pk) -> "store-orders:42"."""
    return f"{kind}:{arg}"


def parse_topic(value: object) -> tuple[str, str] | None:
    """(kind, arg) for a well-formed topic of a registered kind, None otherwise."""
    if not isinstance(value, str) or not value or len(value) > MAX_TOPIC_LENGTH:
        return None
    kind, sep, arg = value.partition(":")
    if not sep or not arg or kind not in _registry:
        return None
    return kind, arg


def group_name(value: str) -> str:
    """The channel-layer group for a topic: ASCII [A-Za-z0-9._-], under 100 characters."""
    parsed = parse_topic(value)
    if parsed is None:
        raise ValueError(f"Unknown or malformed topic {value!r}.")
    kind, arg = parsed
    if _PLAIN_ARG_RE.match(arg):
        return f"rt.{kind}.{arg}"
    digest = hashlib.sha256(arg.encode()).hexdigest()[:40]
    return f"rth.{kind}.{digest}"


def authorize_topic(user: Any, value: str) -> bool:
    """May `user` (possibly anonymous) follow this topic? Unknown kinds: no.

    Sync and may query the database: from async code call it in database_sync_to_async.
    An authorize function that raises (a malformed id, an Http404 from an access_* function)
    counts as a refusal: the door fails closed.
    """
    parsed = parse_topic(value)
    if parsed is None:
        return False
    kind, arg = parsed
    try:
        return bool(_registry[kind](user, arg))
    except Exception:
        logger.warning("realtime: authorize for %r raised; refusing", kind, exc_info=True)
        return False


def normalize_topics(values: Iterable[object]) -> list[str]:
    """Distinct, well-formed topics of registered kinds, in order (no authorization here)."""
    seen: dict[str, None] = {}
    for value in values:
        if parse_topic(value) is not None:
            seen.setdefault(str(value), None)
    return list(seen)


def user_group(user_pk: int) -> str:
    """The channel-layer group every socket of one logged-in user joins (not a topic: nothing is
    published to it but `revoke_access`'s notices)."""
    return f"rtu.{int(user_pk)}"


def revoke_access(user_ids: Iterable[int | None], *, using: str = DEFAULT_DB_ALIAS) -> None:
    """After the current transaction commits, tell every open socket of these users that their
    access may have changed: each re-reads its session and re-asks each topic's door before it
    forwards anything more, closing (4403) if nothing is left. Call it from every service that
    takes access away; a push published after this commit reaches the socket after the notice."""
    groups = sorted({user_group(pk) for pk in user_ids if pk is not None})
    if groups:
        # The id lets the sockets of one session share the read that answers this very notice
        # (and never one started before it: consumers.RealtimeConsumer._shared_read).
        notice = {"type": REVOKE_TYPE, "notice": uuid.uuid4().hex}
        transaction.on_commit(lambda: [_send(group, notice) for group in groups], using=using, robust=True)


def publish(value: str, html: str, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Send `html` (out-of-band swap elements) to every socket following `value`.

    The send happens after the current transaction on `using` commits (at once outside one)
    and never if it rolls back. Each receiving socket forwards it only while its user may follow
    the topic (see the top: answers kept per socket, re-asked on `revoke_access` and when old).
    A failed send is logged, not raised: the write already committed. While Redis is down the
    push is dropped, with one warning per outage (LAYER_OUTAGE).
    Call from sync code (services, events, tasks); from async code, wrap it in sync_to_async.
    """
    group = group_name(value)  # raises for an unknown kind: a typo must not pass silently
    message = {"type": MESSAGE_TYPE, "topic": value, "html": str(html)}
    transaction.on_commit(lambda: _send(group, message), using=using, robust=True)


def _call_sync(func: Callable[..., Any], *args: Any) -> Any:
    """async_to_sync(func)(*args), also from sync code running in a thread whose event loop is
    busy (a browser test's Playwright thread making a user): there, in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return async_to_sync(func)(*args)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(async_to_sync(func), *args).result()


def _send(group: str, message: dict[str, str]) -> None:
    layer = get_channel_layer()
    if layer is None:
        logger.warning("realtime: no channel layer configured; dropped a push to %s", group)
        return
    if LAYER_OUTAGE.skip():
        return
    try:
        _call_sync(layer.group_send, group, message)
    except UNAVAILABLE as error:
        LAYER_OUTAGE.failed(error)
    except Exception:
        logger.warning("realtime: a push to %s failed", group, exc_info=True)
    else:
        LAYER_OUTAGE.succeeded()


def publish_many(values: Iterable[str], html: str, *, online_only: bool = False, using: str = DEFAULT_DB_ALIAS) -> None:
    """Send the same `html` to many topics (say, each follower's own topic), after commit.

    Like `publish`, but every send runs in one event loop. On production's layer
    (core.layers.ProcessFanoutChannelLayer) the sends are pipelined, PUBLISH_MANY_BATCH per round
    trip to Redis, and `online_only` changes nothing: a PUBLISH to a topic nobody follows costs
    Redis what asking whether anyone does would. On the other layers `online_only` skips the
    topics no socket follows right now (one read of the layer's groups). Failed sends are
    logged, not raised.
    """
    values = list(values)
    for value in values:
        group_name(value)  # raises for an unknown kind: a typo must not pass silently
    if values:
        transaction.on_commit(lambda: _send_many(values, str(html), online_only), using=using, robust=True)


def _send_many(values: list[str], html: str, online_only: bool) -> None:
    layer = get_channel_layer()
    if layer is None:
        logger.warning("realtime: no channel layer configured; dropped %d pushes", len(values))
        return
    if LAYER_OUTAGE.skip():
        return
    groups = {value: group_name(value) for value in values}

    async def send_all() -> tuple[int, list[BaseException]]:
        if hasattr(layer, "group_send_many"):
            # Production's layer: PUBLISH costs Redis the same whether anyone listens or not, so
            # `online_only` is moot; the sends go pipelined, PUBLISH_MANY_BATCH per round trip.
            failures: list[BaseException] = []
            for start in range(0, len(values), PUBLISH_MANY_BATCH):
                batch = values[start : start + PUBLISH_MANY_BATCH]
                try:
                    await layer.group_send_many(
                        [(groups[value], {"type": MESSAGE_TYPE, "topic": value, "html": html}) for value in batch]
                    )
                except Exception as error:
                    failures.append(error)
                    if isinstance(error, UNAVAILABLE):
                        break
            return len(values), failures
        wanted = values
        if online_only:
            sizes = await _group_sizes(layer, list(groups.values()))
            if sizes is not None:
                wanted = [value for value in values if sizes.get(groups[value], 0) > 0]
            elif LAYER_OUTAGE.skip():  # reading the sizes just found Redis down
                return 0, []
        semaphore = asyncio.Semaphore(PUBLISH_MANY_CONCURRENCY)

        async def send(value: str) -> None:
            async with semaphore:
                await layer.group_send(groups[value], {"type": MESSAGE_TYPE, "topic": value, "html": html})

        results = await asyncio.gather(*(send(value) for value in wanted), return_exceptions=True)
        return len(wanted), [result for result in results if isinstance(result, BaseException)]

    sent, failures = async_to_sync(send_all)()
    unavailable = [failure for failure in failures if isinstance(failure, UNAVAILABLE)]
    if unavailable:
        LAYER_OUTAGE.failed(unavailable[0])
    elif sent:
        LAYER_OUTAGE.succeeded()
    if len(failures) > len(unavailable):
        logger.warning("realtime: %d of %d pushes failed: %r", len(failures), sent, failures[0])


def online(values: Iterable[str]) -> list[str]:
    """The topics among `values` that at least one socket follows now (all of them when the
    channel layer can't tell). Sync; from async code use `_group_sizes`."""
    values = list(values)
    layer = get_channel_layer()
    if layer is None or not values:
        return values
    groups = {value: group_name(value) for value in values}
    sizes = async_to_sync(_group_sizes)(layer, list(groups.values()))
    if sizes is None:
        return values
    return [value for value in values if sizes.get(groups[value], 0) > 0]


async def _group_sizes(layer: Any, groups: list[str]) -> dict[str, int] | None:
    """How many channels are in each group, read from the channel layer itself (the truth: a
    socket is in its topics' groups exactly while it follows them). Knows the two layers Shomp
    runs on; None (meaning "unknown: send to all") for any other, or if reading fails. On the
    pub/sub layer a group's count is the processes listening (PUBSUB NUMSUB), not the sockets."""
    try:
        if hasattr(layer, "group_listeners"):  # production's pub/sub layer: processes listening
            return await layer.group_listeners(groups)
        if isinstance(layer, InMemoryChannelLayer):
            return {group: len(layer.groups.get(group, {})) for group in groups}
        if type(layer).__module__.startswith("channels_redis.") and hasattr(layer, "_group_key"):
            by_host: dict[int, list[str]] = {}
            for group in groups:
                by_host.setdefault(layer.consistent_hash(group), []).append(group)
            sizes: dict[str, int] = {}
            for index, host_groups in by_host.items():
                pipe = layer.connection(index).pipeline(transaction=False)
                for group in host_groups:
                    pipe.zcard(layer._group_key(group))  # members may include some about to expire
                sizes.update(zip(host_groups, await pipe.execute(), strict=True))
            return sizes
    except UNAVAILABLE as error:
        LAYER_OUTAGE.failed(error)
    except Exception:
        logger.warning("realtime: could not read group sizes; sending to all", exc_info=True)
    return None
