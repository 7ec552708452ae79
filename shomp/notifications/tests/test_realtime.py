"""The bell's topic, "user-notifications:<user_id>": its owner's sockets only, through the real ASGI stack."""

import uuid
from urllib.parse import urlencode

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from shomp.core import realtime
from shomp.core.consumers import CLOSE_FORBIDDEN
from shomp.notifications import services
from shomp.notifications.events import user_topic
from shomp.notifications.models import NotificationType

ORIGIN = (b"origin", b"http://localhost")


def make_user(name: str, **fields):
    suffix = uuid.uuid4().hex[:6]
    return get_user_model().objects.create_user(
        username=f"{name}{suffix}", email=f"{name}{suffix}@example.com", password="x", **fields
    )


def session_cookie(user) -> tuple[bytes, bytes]:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return (b"cookie", f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode())


@pytest_asyncio.fixture
async def application():
    from shomp.asgi import application

    layer = get_channel_layer()
    if hasattr(layer, "flush") and "InMemory" in type(layer).__name__:
        await layer.flush()
    return application


async def open_socket(application, *topics, user=None):
    headers = [ORIGIN]
    if user is not None:
        headers.append(await sync_to_async(session_cookie)(user))
    query = urlencode([(realtime.TOPIC_PARAM, value) for value in topics])
    communicator = WebsocketCommunicator(application, f"/ws/?{query}", headers=headers)
    connected, _ = await communicator.connect()
    return communicator, connected


@pytest.mark.django_db
def test_only_the_user_may_follow_their_topic():
    alice, bob = make_user("alice"), make_user("bob")
    inactive = make_user("gone", is_active=False)
    assert realtime.authorize_topic(alice, user_topic(alice.pk))
    assert not realtime.authorize_topic(bob, user_topic(alice.pk))
    assert not realtime.authorize_topic(AnonymousUser(), user_topic(alice.pk))
    assert not realtime.authorize_topic(inactive, user_topic(inactive.pk))
    assert not realtime.authorize_topic(alice, "user-notifications:not-an-id")


ws = pytest.mark.django_db(transaction=True)


@pytest.mark.asyncio
@ws
async def test_a_socket_cannot_join_another_users_topic(application):
    alice, bob = await sync_to_async(make_user)("alice"), await sync_to_async(make_user)("bob")
    socket, connected = await open_socket(application, user_topic(alice.pk), user=bob)
    assert connected
    assert await socket.receive_output() == {"type": "websocket.close", "code": CLOSE_FORBIDDEN}

    await sync_to_async(services.create_notification)(
        user=alice, type=NotificationType.SALE, key="sale:1", title="For Alice only", data={"url": "/x/"}
    )
    assert await socket.receive_nothing(timeout=0.2)


@pytest.mark.asyncio
@ws
async def test_every_tab_of_the_user_gets_the_new_bell(application):
    alice, bob = await sync_to_async(make_user)("alice"), await sync_to_async(make_user)("bob")
    tabs = [(await open_socket(application, user_topic(alice.pk), user=alice))[0] for _ in range(2)]
    bobs, _ = await open_socket(application, user_topic(bob.pk), user=bob)

    await sync_to_async(services.create_notification)(
        user=alice, type=NotificationType.SALE, key="sale:1", title="Half off <today>", data={"url": "/x/"}
    )
    for tab in tabs:
        html = await tab.receive_from()
        assert 'id="notifications-badge" hx-swap-oob="true"' in html
        assert ">1<span" in html and "Half off &lt;today&gt;" in html
        assert alice.email not in html
    assert await bobs.receive_nothing(timeout=0.2)

    # A fan-out sends each reached user a small frame that makes the tab fetch its own bell.
    event = await sync_to_async(services.create_event)(key="announcement:z", type=NotificationType.SALE)
    await sync_to_async(services.deliver_event)(event=event, user_ids=[alice.pk], title="Another")
    for tab in tabs:
        html = await tab.receive_from()
        assert 'id="notifications-sync"' in html and 'hx-trigger="load' in html
    assert await bobs.receive_nothing(timeout=0.2)
    for socket in (*tabs, bobs):
        await socket.disconnect()
