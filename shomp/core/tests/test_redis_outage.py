"""Redis goes away and comes back (issue 10, item 4): core's side.

Each test runs a redis-server of its own (shomp.core.testing.redis) and stops and starts it,
with the settings production uses. While Redis is down:
- rate limits keep counting in this process's memory, and still refuse past the limit;
- real-time pushes are dropped, and whoever published carries on;
- a WebSocket handshake is refused (503 and Retry-After on uvicorn), which htmx-ext-ws answers
  by reconnecting with a growing delay; an open socket is closed with 1013 "try again later";
- the log gets one warning per outage and service, never a traceback.
When Redis is back (and the pause after the last failure is over), everything uses it again.
Logins and messages during an outage: accounts/ and messaging/tests/test_redis_outage.py.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import time
import uuid

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

# Imported now, not in a test: building the ASGI app runs django.setup(), whose logging config
# would replace the handler caplog puts on the root logger.
from shomp.asgi import application
from shomp.core import outage, ratelimit, realtime
from shomp.core.consumers import CLOSE_TRY_AGAIN_LATER
from shomp.core.exceptions import RateLimited
from shomp.core.layers import OVERFLOW_TYPE, LayerConnectionLost
from shomp.core.testing.redis import PREFIX, move_outage_clock, needs_redis_server, redis_of_our_own

pytestmark = needs_redis_server

KIND = "test-outage"
ORIGIN = (b"origin", b"http://localhost")


@pytest.fixture
def own_redis(tmp_path):
    with redis_of_our_own(tmp_path) as server:
        yield server


@pytest.fixture
def clock(monkeypatch):
    return move_outage_clock(monkeypatch)


@pytest.fixture
def anyone_topic():
    realtime.register_topic(KIND, lambda user, arg: True)
    yield f"{KIND}:{uuid.uuid4().hex}"
    realtime.unregister_topic(KIND)


def errors(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.levelno >= logging.ERROR]


def outage_warnings(caplog) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelno == logging.WARNING and "unavailable" in record.getMessage()
    ]


# Rate limits -----------------------------------------------------------------------------


def test_rate_limits_keep_counting_in_memory_while_redis_is_down_and_return_to_it(own_redis, clock, caplog):
    def hit():
        ratelimit.hit(key="outage:1", limit=3, window_seconds=60, message="Slow down.")

    hit()
    assert own_redis.keys(f"{PREFIX}:*shomp:rl:outage:1:*")  # counted in Redis

    own_redis.stop()
    with caplog.at_level(logging.INFO):
        for _ in range(3):
            hit()  # counted again from zero, in this process's memory
        with pytest.raises(RateLimited):
            hit()  # the limit still holds
    assert len(outage_warnings(caplog)) == 1, outage_warnings(caplog)
    assert all(record.exc_info is None for record in caplog.records)  # one line, no traceback

    own_redis.start()  # empty: no persistence
    clock(outage.RETRY_SECONDS + 1)
    hit()
    assert own_redis.keys(f"{PREFIX}:*shomp:rl:outage:1:*")  # Redis again
    assert any("is back" in record.getMessage() for record in caplog.records)


# Real-time pushes ------------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)  # on_commit runs at once, as in production
async def test_a_push_during_an_outage_is_dropped_with_one_warning_and_pushes_resume_after(
    own_redis, clock, caplog, anyone_topic
):
    """A channel subscribed when Redis went away is told it may have missed pushes (its socket
    closes with 1013 and the client refetches: the next test); one subscribed after gets them."""
    layer = get_channel_layer()
    group = realtime.group_name(anyone_topic)
    before = await layer.new_channel()
    await layer.group_add(group, before)

    with caplog.at_level(logging.INFO):
        await sync_to_async(own_redis.stop)()
        for n in range(3):
            await sync_to_async(realtime.publish)(anyone_topic, f"<p id='x'>{n}</p>")  # sent at once
            await sync_to_async(realtime.publish_many)([anyone_topic], "<p id='y'>many</p>", online_only=True)
        with pytest.raises(LayerConnectionLost):
            await asyncio.wait_for(layer.receive(before), 10)
    assert not errors(caplog)
    assert len(outage_warnings(caplog)) == 1, outage_warnings(caplog)

    await sync_to_async(own_redis.start)()  # empty, as after any Redis restart
    clock(outage.RETRY_SECONDS + 1)
    after = await layer.new_channel()
    await layer.group_add(group, after)
    await sync_to_async(realtime.publish)(anyone_topic, "<p id='x'>back</p>")
    message = await asyncio.wait_for(layer.receive(after), 10)
    assert message["html"] == "<p id='x'>back</p>"


# WebSockets ------------------------------------------------------------------------------


def socket_to(topic: str, *, denial_responses: bool = False) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application, f"/ws/?topic={topic}", headers=[ORIGIN])
    if denial_responses:  # what uvicorn offers: refusing a handshake with an HTTP response
        communicator.scope["extensions"] = {"websocket.http.response": {}}
    return communicator


async def open_socket(topic: str) -> tuple[WebsocketCommunicator, bool]:
    communicator = socket_to(topic)
    connected, _ = await communicator.connect(timeout=10)
    return communicator, connected


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_handshake_during_an_outage_is_refused_for_now_and_works_once_redis_is_back(
    own_redis, clock, caplog, anyone_topic
):
    """Refused, not accepted and closed: htmx-ext-ws backs off only after failed handshakes
    (its delay starts over at every opened socket)."""
    await sync_to_async(own_redis.stop)()
    with caplog.at_level(logging.INFO):
        for _ in range(2):
            communicator = socket_to(anyone_topic)
            assert await communicator.connect(timeout=10) == (False, CLOSE_TRY_AGAIN_LATER)  # not a 500
            await communicator.wait()

            # On uvicorn: 503 Service Unavailable, and when to come back.
            communicator = socket_to(anyone_topic, denial_responses=True)
            await communicator.send_input({"type": "websocket.connect"})
            start = await communicator.receive_output(timeout=10)
            assert start["type"] == "websocket.http.response.start"
            assert start["status"] == 503
            assert (b"retry-after", b"5") in start["headers"]
            body = await communicator.receive_output(timeout=10)
            assert body["type"] == "websocket.http.response.body"
            await communicator.send_input({"type": "websocket.disconnect", "code": 1006})
            await communicator.wait()
    assert not errors(caplog)
    assert len(outage_warnings(caplog)) == 1, outage_warnings(caplog)

    await sync_to_async(own_redis.start)()
    clock(outage.RETRY_SECONDS + 1)
    communicator, connected = await open_socket(anyone_topic)
    assert connected
    await sync_to_async(realtime.publish)(anyone_topic, "<p id='x'>live</p>")
    assert await communicator.receive_from(timeout=10) == "<p id='x'>live</p>"
    await communicator.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_an_open_socket_is_told_to_try_again_later_when_redis_goes_away(own_redis, caplog, anyone_topic):
    communicator, connected = await open_socket(anyone_topic)
    assert connected
    with caplog.at_level(logging.INFO):
        await sync_to_async(own_redis.stop)()
        closed = await communicator.receive_output(timeout=10)
        assert closed == {"type": "websocket.close", "code": CLOSE_TRY_AGAIN_LATER}
        await communicator.wait()
    assert not errors(caplog)
    assert len(outage_warnings(caplog)) == 1, outage_warnings(caplog)


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_broken_subscription_with_redis_still_up_closes_the_sockets_and_new_ones_get_pushes(
    own_redis, clock, caplog, anyone_topic
):
    """A network blip on the process's subscription connection: pub/sub keeps no backlog, so
    what was published meanwhile is gone. The sockets are told (1013: reconnect and refetch)
    instead of carrying on as if nothing was missed; a socket opened after gets pushes again."""
    from redis import asyncio as aioredis

    communicator, connected = await open_socket(anyone_topic)
    assert connected
    redis = aioredis.Redis.from_url(own_redis.url)
    try:
        with caplog.at_level(logging.INFO):
            assert await redis.client_kill_filter(_type="pubsub") >= 1
            closed = await communicator.receive_output(timeout=10)
            assert closed == {"type": "websocket.close", "code": CLOSE_TRY_AGAIN_LATER}
            await communicator.wait()
    finally:
        await redis.aclose()
    assert not errors(caplog)

    clock(outage.RETRY_SECONDS + 1)
    communicator, connected = await open_socket(anyone_topic)
    assert connected
    await sync_to_async(realtime.publish)(anyone_topic, "<p id='x'>again</p>")
    assert await communicator.receive_from(timeout=10) == "<p id='x'>again</p>"
    await communicator.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_socket_that_falls_capacity_behind_is_told_to_resync_not_dropped_pushes(own_redis, anyone_topic):
    """Past `capacity` waiting pushes, a socket's queue is emptied and the socket closed with 1013
    (the client reconnects and refetches); below it, every push arrives in order."""
    layer = get_channel_layer()
    group = realtime.group_name(anyone_topic)
    slow = await layer.new_channel()
    await layer.group_add(group, slow)
    capacity = layer._get_layer().capacity
    probe = await layer.new_channel()
    await layer.group_add("probe", probe)
    for n in range(capacity + 1):  # nobody reads `slow` meanwhile
        await layer.group_send(group, {"type": realtime.MESSAGE_TYPE, "topic": anyone_topic, "html": str(n)})
    await layer.group_send("probe", {"type": "probe"})  # arrives after all the others
    assert await asyncio.wait_for(layer.receive(probe), 10) == {"type": "probe"}
    assert await asyncio.wait_for(layer.receive(slow), 10) == {"type": OVERFLOW_TYPE}

    communicator, connected = await open_socket(anyone_topic)
    assert connected
    await layer.group_send(group, {"type": realtime.MESSAGE_TYPE, "topic": anyone_topic, "html": "<p>1</p>"})
    assert await communicator.receive_from(timeout=10) == "<p>1</p>"
    await layer.group_send(group, {"type": OVERFLOW_TYPE})  # as the layer queues it for a slow socket
    assert await communicator.receive_output(timeout=10) == {"type": "websocket.close", "code": CLOSE_TRY_AGAIN_LATER}


# A Redis that hangs without closing the connection ------------------------------------------

#: The health check's interval in these tests (production's is 5 s) and the commands' timeout.
HEALTH_SECONDS = 0.5
COMMAND_TIMEOUT_SECONDS = 1


@pytest.fixture
def quick_health_check(own_redis):
    """The production layer on our own Redis, with a short health check and command timeout."""
    from django.conf import settings
    from django.test.utils import override_settings

    layers = copy.deepcopy(settings.CHANNEL_LAYERS)
    layers["default"]["CONFIG"]["health_check_interval"] = HEALTH_SECONDS
    layers["default"]["CONFIG"]["hosts"][0]["socket_timeout"] = COMMAND_TIMEOUT_SECONDS
    with override_settings(CHANNEL_LAYERS=layers):
        yield own_redis
    own_redis.resume()  # if a failing test left it frozen


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_hung_redis_closes_the_open_sockets_within_the_health_check_and_pushes_resume_after(
    quick_health_check, clock, caplog, anyone_topic
):
    """Redis frozen (SIGSTOP: no answer, no reset, as a hung server or a partition): without a
    health check the subscription waits forever and the socket silently gets nothing. With it,
    the sockets are closed with 1013 within two intervals, a publish or a handshake meanwhile
    gives up within the command timeout (not left hanging), and once Redis answers again
    pushes flow."""
    redis_server = quick_health_check
    sockets = [await open_socket(anyone_topic) for _ in range(2)]
    assert all(connected for _, connected in sockets)

    with caplog.at_level(logging.INFO):
        await sync_to_async(redis_server.hang)()
        hung_at = time.monotonic()
        for communicator, _ in sockets:
            closed = await communicator.receive_output(timeout=2 * HEALTH_SECONDS + 10)
            assert closed == {"type": "websocket.close", "code": CLOSE_TRY_AGAIN_LATER}
            await communicator.wait()
        assert time.monotonic() - hung_at < 2 * HEALTH_SECONDS + 8  # a bound (a busy machine), not a benchmark

        clock(outage.RETRY_SECONDS + 1)  # past the outage pause: a publish tries Redis again
        started = time.monotonic()
        await sync_to_async(realtime.publish)(anyone_topic, "<p id='x'>into the void</p>")  # dropped
        assert time.monotonic() - started < COMMAND_TIMEOUT_SECONDS + 8

        clock(outage.RETRY_SECONDS + 1)  # and so does a handshake
        started = time.monotonic()
        communicator = socket_to(anyone_topic)
        assert await communicator.connect(timeout=COMMAND_TIMEOUT_SECONDS + 10) == (False, CLOSE_TRY_AGAIN_LATER)
        await communicator.wait()
        assert time.monotonic() - started < COMMAND_TIMEOUT_SECONDS + 8
    assert not errors(caplog)
    assert len(outage_warnings(caplog)) == 1, outage_warnings(caplog)

    await sync_to_async(redis_server.resume)()
    clock(outage.RETRY_SECONDS + 1)
    communicator, connected = await open_socket(anyone_topic)
    assert connected
    await sync_to_async(realtime.publish)(anyone_topic, "<p id='x'>resumed</p>")
    assert await communicator.receive_from(timeout=10) == "<p id='x'>resumed</p>"
    await communicator.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_an_idle_subscription_to_a_healthy_redis_stays_open_with_one_ping_per_interval_per_process(
    quick_health_check, anyone_topic
):
    """The health check costs a PING per interval of silence for the whole process, not one per
    socket, and a quiet but healthy Redis never closes a socket."""
    redis_server = quick_health_check
    sockets = [await open_socket(anyone_topic) for _ in range(5)]
    assert all(connected for _, connected in sockets)
    pings_before = await sync_to_async(redis_server.command_calls)("ping")
    idle_seconds = 8 * HEALTH_SECONDS
    await asyncio.sleep(idle_seconds)
    pings = await sync_to_async(redis_server.command_calls)("ping") - pings_before
    assert 1 <= pings <= idle_seconds / HEALTH_SECONDS + 1  # five sockets would be five times that

    await sync_to_async(realtime.publish)(anyone_topic, "<p id='x'>still here</p>")
    for communicator, _ in sockets:
        assert await communicator.receive_from(timeout=10) == "<p id='x'>still here</p>"
        await communicator.disconnect()
