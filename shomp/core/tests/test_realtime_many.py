"""core.realtime.publish_many: one frame to many topics, after commit, one event loop; and
`online`, which lets a fan-out skip topics no socket follows (read from the channel layer)."""

import uuid
from urllib.parse import urlencode

import pytest
from asgiref.sync import async_to_sync, sync_to_async
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


@pytest.mark.django_db(transaction=True)
def test_publish_many_reaches_every_group_after_commit(kind):
    layer = get_channel_layer()
    topics = [f"{kind}:{uuid.uuid4().hex}" for _ in range(3)]
    channels = [async_to_sync(layer.new_channel)() for _ in topics]
    for topic, channel in zip(topics, channels, strict=True):
        async_to_sync(layer.group_add)(realtime.group_name(topic), channel)

    with transaction.atomic():
        realtime.publish_many(topics, "<b id='x'>hi</b>")
        realtime.publish_many([], "nothing")  # no topics: nothing at all

    for topic, channel in zip(topics, channels, strict=True):
        message = async_to_sync(layer.receive)(channel)
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


def join(topic: str) -> str:
    """A channel in the topic's group, as a socket following it would be; returns the channel."""
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(realtime.group_name(topic), channel)
    return channel


def leave(topic: str, channel: str) -> None:
    layer = get_channel_layer()
    async_to_sync(layer.group_discard)(realtime.group_name(topic), channel)


def test_online_reads_the_channel_layers_groups(kind):
    here, away = f"{kind}:h{uuid.uuid4().hex}", f"{kind}:a{uuid.uuid4().hex}"
    assert realtime.online([here, away]) == []
    first, second = join(here), join(here)  # two tabs
    assert realtime.online([here, away]) == [here]
    leave(here, first)
    assert realtime.online([here]) == [here]
    leave(here, second)
    assert realtime.online([here]) == []


@pytest.mark.django_db(transaction=True)
def test_online_only_skips_topics_nobody_follows(kind, monkeypatch):
    layer = get_channel_layer()
    sent = []
    original = layer.group_send

    async def group_send(group, message):
        sent.append(message["topic"])
        await original(group, message)

    here, away = f"{kind}:h{uuid.uuid4().hex}", f"{kind}:a{uuid.uuid4().hex}"
    channel = join(here)
    monkeypatch.setattr(layer, "group_send", group_send)
    realtime.publish_many([here, away], "<b id='x'>hi</b>", online_only=True)
    assert sent == [here]
    assert async_to_sync(layer.receive)(channel)["html"] == "<b id='x'>hi</b>"
    realtime.publish_many([here, away], "<b id='x'>again</b>")
    assert sent == [here, here, away]


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_connected_socket_is_online_until_it_leaves(kind):
    from shomp.asgi import application

    topic = f"{kind}:{uuid.uuid4().hex}"
    path = "/ws/?" + urlencode([(realtime.TOPIC_PARAM, topic)])
    socket = WebsocketCommunicator(application, path, headers=[(b"origin", b"http://localhost")])
    connected, _ = await socket.connect()
    assert connected
    assert await sync_to_async(realtime.online)([topic]) == [topic]
    await socket.disconnect()
    assert await sync_to_async(realtime.online)([topic]) == []
