"""The embedded default's channel layer: in memory, and safe to publish to from any thread.

Channels' InMemoryChannelLayer keeps one asyncio queue per socket, and a queue belongs to the
event loop whose consumer waits on it: the web server's. `manage.py run` without Redis runs the
task worker in a thread of the web process (so the worker's pushes reach the same memory), and
the worker publishes through async_to_sync, that is from an event loop of its own. Putting a
message into the server loop's queue from there does not wake that loop: the push would sit in
the queue until something else woke the server (another request, a ping), which may be never.

So every call made from another loop is handed to the server's loop with
run_coroutine_threadsafe and awaited from where it was made. Calls on the server's own loop
(consumers, sync views through asgiref) run directly, as before.

Production runs ProcessFanoutChannelLayer (below, on Redis), which has no such limit; this
layer is one process only.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from channels.layers import BaseChannelLayer, InMemoryChannelLayer

#: How long a hand-off to the server's loop may take before the caller gives up (the server is
#: shutting down, say). Far above what a push into a queue needs.
HANDOFF_TIMEOUT_SECONDS = 10


class ThreadSafeInMemoryChannelLayer(InMemoryChannelLayer):
    """InMemoryChannelLayer whose writes always run on the loop the consumers receive on."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._home: asyncio.AbstractEventLoop | None = None  # the loop consumers wait on

    async def _at_home(self, method: Callable[..., Awaitable[Any]], *args: Any) -> Any:
        home = self._home
        if home is None or home is asyncio.get_running_loop() or home.is_closed() or not home.is_running():
            # No consumer has waited yet, or we are on its loop, or that loop is gone (a test's):
            # nothing to wake elsewhere.
            return await method(self, *args)
        future = asyncio.run_coroutine_threadsafe(method(self, *args), home)
        return await asyncio.wait_for(asyncio.wrap_future(future), HANDOFF_TIMEOUT_SECONDS)

    async def receive(self, channel: str) -> dict[str, Any]:
        self._home = asyncio.get_running_loop()
        return await super().receive(channel)

    async def send(self, channel: str, message: dict[str, Any]) -> None:
        await self._at_home(InMemoryChannelLayer.send, channel, message)

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        await self._at_home(InMemoryChannelLayer.group_send, group, message)

    async def group_add(self, group: str, channel: str) -> None:
        await self._at_home(InMemoryChannelLayer.group_add, group, channel)

    async def group_discard(self, group: str, channel: str) -> None:
        await self._at_home(InMemoryChannelLayer.group_discard, group, channel)


# Production's layer (REDIS_URL set) ---------------------------------------------------------
#
# channels-redis' RedisChannelLayer gives every socket a list in Redis: a push to a group of N
# sockets is N writes to Redis and N reads by the socket's process, one message at a time
# (bench/README.md, realtime.py: 1,154 deliveries/s at a 5,000 target, half the pushes lost).
# Its RedisPubSubChannelLayer sends a group message once (one PUBLISH); each process subscribed
# to the group hands it to its own sockets in memory. Shomp only ever sends to groups (topics
# and users' groups), never to one socket's channel from another process, so nothing is lost
# by that design. What this subclass adds, so that a push is never lost silently:
#
# - A socket's queue in this process holds at most `capacity` pushes. Past that, the queue is
#   emptied and the socket gets OVERFLOW_TYPE, on which the consumer closes it with 1013: the
#   client reconnects and refetches (the bell, the inbox), instead of pushes being dropped.
# - When the subscription connection to Redis breaks (Redis restarted, a network blip), pushes
#   published until it is back are gone: every socket of this process is told (its `receive`
#   raises ConnectionError, which the consumer answers with 1013 like any Redis outage), and
#   the next subscription opens a fresh connection. redis-py, with retries, would reconnect and
#   resubscribe by itself, silently skipping the gap: its retries stay off, and a reconnect it
#   makes anyway (a subscribe finding the connection broken first) is treated the same.
# - A Redis that stops answering without closing the connection (the server hung or paused, a
#   network partition that sends no reset) would leave the subscription waiting forever while
#   sockets silently get nothing. So the subscription is health-checked: after
#   `health_check_interval` seconds without a word from Redis on it (no push, no reply), the
#   process sends one PING there; no answer within as long again counts as a broken
#   subscription (the same 1013 for its sockets, and a fresh connection next time). One PING
#   every few seconds per process and event loop, only when idle: never per socket. Commands
#   (publish, subscribe, connecting) have a socket timeout in settings, so none of them hangs.
# - publish_many sends many group messages as one pipeline (`group_send_many`).

import logging  # noqa: E402

from channels_redis.pubsub import RedisPubSubChannelLayer, RedisPubSubLoopLayer, RedisSingleShardConnection  # noqa: E402
from channels_redis.utils import _close_redis, _wrap_close, create_pool, decode_hosts  # noqa: E402
from redis import asyncio as aioredis  # noqa: E402
from redis.asyncio.retry import Retry  # noqa: E402
from redis.backoff import NoBackoff  # noqa: E402

logger = logging.getLogger(__name__)

#: The message a socket receives when it fell `capacity` pushes behind (its consumer closes it
#: with 1013 so the client reconnects and resynchronises).
OVERFLOW_TYPE = "layer.overflow"
#: Pushes waiting for one socket in this process before it is told to resynchronise.
DEFAULT_CAPACITY = 2000
#: Seconds without a word from Redis on the subscription before it is PINGed; no answer within
#: as long again and the subscription counts as broken (0: no health check).
DEFAULT_HEALTH_CHECK_INTERVAL = 5.0
#: The subscription's read loop waits this long for a message before looking at the time.
POLL_SECONDS = 0.1
HEALTH_CHECK_MESSAGE = "shomp-layer-health"

_LOST = object()  # queued for every local socket when the Redis subscription broke


class LayerConnectionLost(ConnectionError):
    """This process's subscription to Redis broke: pushes may have been missed."""


class _Shard(RedisSingleShardConnection):
    """One Redis: publishes, and one subscription connection read by a background task."""

    def _ensure_redis(self) -> None:
        if self._redis is None:
            # No silent reconnect-and-resubscribe inside redis-py: a broken connection must
            # reach _do_receiving, which tells the sockets (see the top of this section). No
            # retries is redis-py's default for a pool made from a URL; said here so it stays.
            pool = create_pool({**self.host, "retry": Retry(NoBackoff(), 0)})
            self._redis = aioredis.Redis(connection_pool=pool)
            self._pubsub = self._redis.pubsub()

    _watched: Any = None  # the subscription connection whose reconnects we listen for

    async def subscribe(self, channel: str) -> None:
        await super().subscribe(channel)
        connection = self._pubsub.connection if self._pubsub is not None else None
        if connection is not None and connection is not self._watched:
            self._watched = connection
            connection.register_connect_callback(self._reconnected)

    async def _reconnected(self, connection: Any) -> None:
        """redis-py reconnected the subscription connection and resubscribed on its own (a
        subscribe found it broken before _do_receiving did): pushes in between are gone."""
        if connection is self._watched:
            told = self.channel_layer._connection_lost()
            logger.info("channel layer: the Redis subscription reconnected; %d sockets told to reconnect", told)

    def _receive_message(self, message: Any) -> None:
        if message is None or message["type"] != "message":  # a PONG, say
            return
        name = message["channel"]
        if isinstance(name, bytes):
            name = name.decode()
        layer = self.channel_layer
        if name in layer.channels:
            layer._deliver(name, message["data"])
        else:
            for channel in list(layer.groups.get(name, ())):
                layer._deliver(channel, message["data"])

    async def _do_receiving(self) -> None:
        interval = self.channel_layer.health_check_interval
        loop = asyncio.get_running_loop()
        heard = loop.time()  # when the subscription connection last gave us anything
        pinged = False
        overdue = False  # the previous poll found the PING unanswered too (see below)
        while True:
            try:
                pubsub = self._pubsub
                if pubsub is None or not pubsub.subscribed:
                    await asyncio.sleep(POLL_SECONDS)
                    heard, pinged, overdue = loop.time(), False, False
                    continue
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=POLL_SECONDS)
                now = loop.time()
                if message is not None:  # a push or a PONG: Redis is there
                    heard, pinged, overdue = now, False, False
                    self._receive_message(message)
                elif not interval or now - heard < interval:
                    pass
                elif not pinged:
                    await asyncio.wait_for(pubsub.ping(HEALTH_CHECK_MESSAGE), interval)
                    pinged = True
                elif now - heard >= 2 * interval:
                    # Twice in a row: a poll cut short by a stalled event loop (the answer waiting
                    # in the buffer, the poll's timer first) must not pass for a silent Redis.
                    if overdue:
                        raise LayerConnectionLost(f"no answer to a PING on the subscription in {interval:g} s")
                    overdue = True
            except (asyncio.CancelledError, GeneratorExit):
                raise
            except Exception as error:  # the connection broke (or redis-py failed reading it)
                await self._lost(error)
                return

    async def _lost(self, error: BaseException) -> None:
        async with self._lock:
            redis, pubsub = self._redis, self._pubsub
            self._redis = self._pubsub = None
            self._receive_task = None  # this task; the next subscribe starts another
            self._subscribed_to = set()
            self._watched = None
        told = self.channel_layer._connection_lost()
        logger.info("channel layer: the Redis subscription broke (%s); %d sockets told to reconnect", error, told)
        for closing in (pubsub, redis):
            if closing is not None:
                with contextlib.suppress(Exception):  # bounded: the peer may be hung
                    await asyncio.wait_for(closing.aclose() if closing is pubsub else _close_redis(closing), 5)

    async def publish_many(self, messages: list[tuple[str, bytes]]) -> None:
        async with self._lock:
            self._ensure_redis()
            pipe = self._redis.pipeline(transaction=False)
            for channel, data in messages:
                pipe.publish(channel, data)
            await pipe.execute()

    async def listeners(self, channels: list[str]) -> list[int]:
        async with self._lock:
            self._ensure_redis()
            redis = self._redis
        return [int(count) for _, count in await redis.pubsub_numsub(*channels)]


class _LoopLayer(RedisPubSubLoopLayer):
    def __init__(
        self,
        *args: Any,
        capacity: int = DEFAULT_CAPACITY,
        health_check_interval: float = DEFAULT_HEALTH_CHECK_INTERVAL,
        **kwargs: Any,
    ) -> None:
        hosts = kwargs.get("hosts", args[0] if args else None)
        super().__init__(*args, **kwargs)
        self.capacity = capacity
        self.health_check_interval = health_check_interval
        self._shards = [_Shard(host, self) for host in decode_hosts(hosts)]

    async def _subscribe_to_channel(self, channel: str) -> None:
        self.channels[channel] = asyncio.Queue()
        try:
            await self._get_shard(channel).subscribe(channel)
        except BaseException:
            self.channels.pop(channel, None)  # Redis down: no half-made channel left behind
            raise

    def _deliver(self, channel: str, data: Any) -> None:
        queue = self.channels.get(channel)
        if queue is None:
            return
        if queue.qsize() >= self.capacity:
            while not queue.empty():
                queue.get_nowait()
            queue.put_nowait(self.channel_layer.serialize({"type": OVERFLOW_TYPE}))
            logger.warning("channel layer: a socket fell %d pushes behind; told it to resynchronise", self.capacity)
            return
        queue.put_nowait(data)

    def _connection_lost(self) -> int:
        """Every local socket's next receive raises LayerConnectionLost (see the top)."""
        for queue in self.channels.values():
            while not queue.empty():
                queue.get_nowait()
            queue.put_nowait(_LOST)
        return len(self.channels)

    async def receive(self, channel: str) -> dict[str, Any]:
        if channel not in self.channels:
            await self._subscribe_to_channel(channel)
        queue = self.channels[channel]
        try:
            data = await queue.get()
        except (asyncio.CancelledError, TimeoutError, GeneratorExit):
            # The consumer is leaving (channels-redis' own clean-up, as in its receive).
            if self.channels.pop(channel, None) is not None:
                with contextlib.suppress(Exception):
                    await self._get_shard(channel).unsubscribe(channel)
            raise
        if data is _LOST:
            if self.channels.pop(channel, None) is not None:
                with contextlib.suppress(Exception):  # a no-op when the connection went with it
                    await self._get_shard(channel).unsubscribe(channel)
            raise LayerConnectionLost("the channel layer's Redis subscription broke; pushes may be lost")
        return self.channel_layer.deserialize(data)

    async def group_send_many(self, messages: list[tuple[str, dict[str, Any]]]) -> None:
        by_shard: dict[int, list[tuple[str, bytes]]] = {}
        for group, message in messages:
            name = self._get_group_channel_name(group)
            by_shard.setdefault(self._shards.index(self._get_shard(name)), []).append(
                (name, self.channel_layer.serialize(message))
            )
        for index, shard_messages in by_shard.items():
            await self._shards[index].publish_many(shard_messages)

    async def group_listeners(self, groups: list[str]) -> dict[str, int]:
        """How many processes listen to each group now (PUBSUB NUMSUB, one round trip per Redis)."""
        by_shard: dict[int, list[str]] = {}
        for group in groups:
            index = self._shards.index(self._get_shard(self._get_group_channel_name(group)))
            by_shard.setdefault(index, []).append(group)
        counts: dict[str, int] = {}
        for index, shard_groups in by_shard.items():
            names = [self._get_group_channel_name(group) for group in shard_groups]
            counts.update(zip(shard_groups, await self._shards[index].listeners(names), strict=True))
        return counts


class ProcessFanoutChannelLayer(RedisPubSubChannelLayer):
    """channels-redis' pub/sub layer: a group message is published once and fanned out to the
    process's own sockets in memory, with bounded queues and no silent gaps (see above).

    CONFIG: hosts, prefix (as channels-redis), capacity (pushes waiting per socket),
    health_check_interval (seconds of silence on the subscription before a PING; 0: none)."""

    # Channels' name checks, which channels-redis' pub/sub layer lacks (callers may ask for them).
    MAX_NAME_LENGTH = BaseChannelLayer.MAX_NAME_LENGTH
    channel_name_regex = BaseChannelLayer.channel_name_regex
    group_name_regex = BaseChannelLayer.group_name_regex
    invalid_name_error = BaseChannelLayer.invalid_name_error
    match_type_and_length = BaseChannelLayer.match_type_and_length
    require_valid_channel_name = BaseChannelLayer.require_valid_channel_name
    require_valid_group_name = BaseChannelLayer.require_valid_group_name

    def _get_layer(self) -> _LoopLayer:
        loop = asyncio.get_running_loop()
        layer = self._layers.get(loop)
        if layer is None:
            layer = self._layers[loop] = _LoopLayer(*self._args, **self._kwargs, channel_layer=self)
            _wrap_close(self, loop)
        return layer

    async def group_send_many(self, messages: list[tuple[str, dict[str, Any]]]) -> None:
        """group_send for each (group, message), pipelined: one round trip per Redis."""
        await self._get_layer().group_send_many(messages)

    async def group_listeners(self, groups: list[str]) -> dict[str, int]:
        """How many processes follow each group now: 0 means no socket anywhere does."""
        return await self._get_layer().group_listeners(groups)
