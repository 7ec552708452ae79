"""core.realtime.publish_many: one frame to many topics, after commit, one event loop; and
`online`, which lets a fan-out skip topics no socket follows (read from the channel layer)."""

import asyncio
import uuid
from urllib.parse import urlencode

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.db import transaction

from shomp.core import realtime

KIND = "test-many"


def anyone(user, arg: str) -> bool:
    return True


@pytest.fixture
def kind():
    realtime.register_topic(KIND, anyone)
    yield KIND
    realtime.unregister_topic(KIND)


# The channel-layer calls run in the test's event loop, as a server's consumers do: production's
# pub/sub layer keeps a process's sockets per event loop (core.layers).


async def join(topic: str) -> str:
    """A channel in the topic's group, as a socket following it would be; returns the channel."""
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(realtime.group_name(topic), channel)
    return channel


async def leave(topic: str, channel: str) -> None:
    await get_channel_layer().group_discard(realtime.group_name(topic), channel)


async def online(topics: list[str], expected: list[str]) -> list[str]:
    """realtime.online, asked again for up to 5 s until it says `expected`: on the pub/sub layer
    a (un)subscription reaches Redis on a connection of its own, a moment after it is made."""
    for _ in range(50):
        answer = await sync_to_async(realtime.online)(topics)
        if answer == expected:
            break
        await asyncio.sleep(0.1)
    return answer


async def received(channel: str) -> dict:
    return await asyncio.wait_for(get_channel_layer().receive(channel), 10)


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_publish_many_reaches_every_group_after_commit(kind):
    topics = [f"{kind}:{uuid.uuid4().hex}" for _ in range(3)]
    channels = [await join(topic) for topic in topics]

    def publish() -> None:
        with transaction.atomic():
            realtime.publish_many(topics, "<b id='x'>hi</b>")
            realtime.publish_many([], "nothing")  # no topics: nothing at all

    await sync_to_async(publish)()
    for topic, channel in zip(topics, channels, strict=True):
        message = await received(channel)
        assert message == {"type": realtime.MESSAGE_TYPE, "topic": topic, "html": "<b id='x'>hi</b>"}


@pytest.mark.django_db(transaction=True)
def test_publish_many_sends_nothing_on_rollback(kind, monkeypatch):
    sent = []
    monkeypatch.setattr(realtime, "_send_many", lambda *args: sent.append(args))
    with pytest.raises(RuntimeError), transaction.atomic():
        realtime.publish_many([f"{kind}:1"], "x")
        raise RuntimeError
    assert sent == []


def test_publish_many_refuses_unknown_kinds():
    with pytest.raises(ValueError):
        realtime.publish_many(["no-such-kind:1"], "x")


@pytest.mark.asyncio
async def test_online_reads_the_channel_layers_groups(kind):
    here, away = f"{kind}:h{uuid.uuid4().hex}", f"{kind}:a{uuid.uuid4().hex}"
    assert await online([here, away], []) == []
    first, second = await join(here), await join(here)  # two tabs
    assert await online([here, away], [here]) == [here]
    await leave(here, first)
    assert await online([here], [here]) == [here]
    await leave(here, second)
    assert await online([here], []) == []


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_online_only_skips_topics_nobody_follows(kind, monkeypatch, settings):
    """The embedded layer (`make run`, no Redis) asks its group table; on both runs, so the
    PostgreSQL + Redis run checks it too (production's layer: test_publish_many_pipelines...)."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "shomp.core.layers.ThreadSafeInMemoryChannelLayer"}}
    layer = get_channel_layer()
    assert not hasattr(layer, "group_send_many")
    sent = []
    original = layer.group_send

    async def group_send(group, message):
        sent.append(message["topic"])
        await original(group, message)

    here, away = f"{kind}:h{uuid.uuid4().hex}", f"{kind}:a{uuid.uuid4().hex}"
    channel = await join(here)
    monkeypatch.setattr(layer, "group_send", group_send)
    await sync_to_async(realtime.publish_many)([here, away], "<b id='x'>hi</b>", online_only=True)
    assert sent == [here]
    assert (await received(channel))["html"] == "<b id='x'>hi</b>"
    await sync_to_async(realtime.publish_many)([here, away], "<b id='x'>again</b>")
    assert sent == [here, here, away]


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_publish_many_pipelines_on_the_pubsub_layer(kind, monkeypatch):
    """Production's layer: every topic gets its PUBLISH (online_only or not: one to nobody costs
    Redis what asking would), PUBLISH_MANY_BATCH to a round trip."""
    layer = get_channel_layer()
    if not hasattr(layer, "group_send_many"):
        pytest.skip("the pub/sub layer runs with REDIS_URL set")
    batches = []
    original = layer.group_send_many

    async def group_send_many(messages):
        batches.append([message["topic"] for _, message in messages])
        await original(messages)

    topics = [f"{kind}:{n}{uuid.uuid4().hex}" for n in range(5)]
    channels = {topic: await join(topic) for topic in topics[::2]}  # three of five online
    monkeypatch.setattr(layer, "group_send_many", group_send_many)
    monkeypatch.setattr(realtime, "PUBLISH_MANY_BATCH", 2)
    await sync_to_async(realtime.publish_many)(topics, "<b id='x'>hi</b>", online_only=True)
    assert batches == [topics[0:2], topics[2:4], topics[4:5]]
    for topic, channel in channels.items():
        assert await received(channel) == {"type": realtime.MESSAGE_TYPE, "topic": topic, "html": "<b id='x'>hi</b>"}


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_connected_socket_is_online_until_it_leaves(kind):
    from shomp.asgi import application

    topic = f"{kind}:{uuid.uuid4().hex}"
    path = "/ws/?" + urlencode([(realtime.TOPIC_PARAM, topic)])
    socket = WebsocketCommunicator(application, path, headers=[(b"origin", b"http://localhost")])
    connected, _ = await socket.connect()
    assert connected
    assert await online([topic], [topic]) == [topic]
    await socket.disconnect()
    assert await online([topic], []) == []
