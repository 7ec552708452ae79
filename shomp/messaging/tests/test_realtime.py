"""WebSocket joins and pushes for messaging, through the real ASGI stack (origin, session, policy).

A socket joins "conversation:<uuid>" only for its customer or the store's staff; a stranger, a
visitor or another store's owner naming the uuid gets nothing (closed with 4403 when that was its
only topic). Staff removed from the store stop receiving at the next push.
"""

import re
from urllib.parse import urlencode

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from shomp.accounts.tests.factories import UserFactory
from shomp.core import realtime
from shomp.core.consumers import CLOSE_FORBIDDEN
from shomp.messaging import events, services
from shomp.messaging.models import Conversation
from shomp.organizations.services import remove_member
from shomp.organizations.tests.factories import add_member
from shomp.stores.tests.factories import StoreFactory

ORIGIN = (b"origin", b"http://localhost")
ws = pytest.mark.django_db(transaction=True)


@pytest_asyncio.fixture
async def application():
    from shomp.asgi import application

    layer = get_channel_layer()
    if hasattr(layer, "flush") and "InMemory" in type(layer).__name__:
        await layer.flush()
    return application


def session_cookie(user) -> tuple[bytes, bytes]:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return (b"cookie", f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode())


async def open_socket(application, *topics, user=None):
    headers = [ORIGIN]
    if user is not None:
        headers.append(await sync_to_async(session_cookie)(user))
    query = urlencode([(realtime.TOPIC_PARAM, value) for value in topics])
    communicator = WebsocketCommunicator(application, f"/ws/?{query}", headers=headers)
    connected, _ = await communicator.connect()
    assert connected
    return communicator


def make_thread():
    seller = UserFactory()
    store = StoreFactory(owner=seller, name="Kiln & Co")
    customer = UserFactory()
    conversation = services.create_conversation(
        store=store, customer=customer, type=Conversation.Type.GENERAL, subject="Glaze", content="Is it food safe?"
    )
    return conversation, seller, customer


async def receive_all(socket, *until: str, timeout: float = 5.0) -> str:
    """Frames received until each regex in `until` has matched (or, without any, a quiet 0.3 s).

    Over Redis the frames of one event may arrive a little apart; waiting for what the test
    expects keeps it from racing the channel layer.
    """
    frames = [await socket.receive_from(timeout=timeout)]
    while True:
        text = "\n".join(frames)
        if until and all(re.search(pattern, text) for pattern in until):
            return text
        if not until and await socket.receive_nothing(timeout=0.3):
            return text
        frames.append(await socket.receive_from(timeout=timeout))


@pytest.mark.asyncio
@ws
async def test_both_sides_join_and_receive_a_new_message(application):
    conversation, seller, customer = await sync_to_async(make_thread)()
    topic = events.conversation_topic(conversation.uuid)
    customer_socket = await open_socket(application, topic, user=customer)
    seller_socket = await open_socket(application, topic, user=seller)

    await sync_to_async(services.send_message)(conversation=conversation, sender=seller, content="Yes, lead-free.")

    for socket in (customer_socket, seller_socket):
        frame = await receive_all(socket, "Yes, lead-free.")
        assert "Yes, lead-free." in frame and 'hx-swap-oob="beforeend:#thread-messages"' in frame
        assert "Kiln &amp; Co" in frame
        for private in (seller.email, customer.email, "Private Person"):
            assert private not in frame
        await socket.disconnect()


@pytest.mark.asyncio
@ws
@pytest.mark.parametrize("who", ["stranger", "other_owner", "visitor"])
async def test_someone_elses_thread_uuid_cannot_be_joined(application, who):
    conversation, seller, _customer = await sync_to_async(make_thread)()
    outsider = None
    if who == "stranger":
        outsider = await sync_to_async(UserFactory)()
    elif who == "other_owner":
        outsider = (await sync_to_async(StoreFactory)()).owner
    socket = await open_socket(application, events.conversation_topic(conversation.uuid), user=outsider)
    assert await socket.receive_output() == {"type": "websocket.close", "code": CLOSE_FORBIDDEN}
    await sync_to_async(services.send_message)(conversation=conversation, sender=seller, content="private")
    assert await socket.receive_nothing(timeout=0.2)


@pytest.mark.asyncio
@ws
async def test_staff_removed_from_the_store_stop_receiving_at_once(application):
    conversation, seller, customer = await sync_to_async(make_thread)()
    membership = await sync_to_async(lambda: add_member(conversation.store, role="support"))()
    topic = events.conversation_topic(conversation.uuid)
    socket = await open_socket(application, topic, user=membership.user)
    await sync_to_async(services.send_message)(conversation=conversation, sender=customer, content="First")
    assert "First" in await receive_all(socket, "First")

    await sync_to_async(remove_member)(membership=membership, actor=seller)
    await sync_to_async(services.send_message)(conversation=conversation, sender=customer, content="Second")
    assert await socket.receive_output(timeout=1) == {"type": "websocket.close", "code": CLOSE_FORBIDDEN}


@pytest.mark.asyncio
@ws
async def test_inbox_and_badge_topics_are_personal(application):
    conversation, seller, customer = await sync_to_async(make_thread)()
    stranger = await sync_to_async(UserFactory)()
    # The stranger names the seller's and the customer's topics: none is allowed.
    snoop = await open_socket(
        application,
        events.user_topic(seller.pk),
        events.user_inbox_topic(customer.pk),
        events.team_inbox_topic(seller.pk),
        user=stranger,
    )
    assert await snoop.receive_output() == {"type": "websocket.close", "code": CLOSE_FORBIDDEN}

    seller_socket = await open_socket(
        application, events.user_topic(seller.pk), events.team_inbox_topic(seller.pk), user=seller
    )
    customer_socket = await open_socket(
        application, events.user_topic(customer.pk), events.user_inbox_topic(customer.pk), user=customer
    )
    await sync_to_async(services.send_message)(conversation=conversation, sender=customer, content="Ping")

    seller_frames = await receive_all(seller_socket, "inbox-row-", r'id="messages-badge"[^>]*>2<')
    assert f'id="inbox-row-{conversation.uuid}"' in seller_frames and "afterbegin:#inbox-list" in seller_frames
    assert re.search(r'id="messages-badge"[^>]*>2<', seller_frames)  # two unread customer messages
    customer_frames = await receive_all(customer_socket, "inbox-row-", r'id="messages-badge"[^>]*>0<')
    assert f'id="inbox-row-{conversation.uuid}"' in customer_frames
    assert re.search(r'id="messages-badge"[^>]*>0<', customer_frames)
    for frame in (seller_frames, customer_frames):
        assert seller.email not in frame and customer.email not in frame
    for socket in (seller_socket, customer_socket):
        await socket.disconnect()


@pytest.mark.asyncio
@ws
async def test_reading_sends_seen_to_the_writer(application):
    conversation, seller, customer = await sync_to_async(make_thread)()
    topic = events.conversation_topic(conversation.uuid)
    message = await sync_to_async(services.send_message)(conversation=conversation, sender=seller, content="Hi")
    customer_socket = await open_socket(application, topic, user=customer)
    await sync_to_async(services.mark_as_read)(conversation=conversation, reader=customer)
    frame = await receive_all(customer_socket, f'id="receipt-{message.pk}"')
    assert f'id="receipt-{message.pk}"' in frame and "Seen" in frame
    await customer_socket.disconnect()


@pytest.mark.asyncio
@ws
async def test_an_image_shows_processing_then_ready_live_on_both_sides(application):
    from shomp.messaging.forms import prepare_attachment

    from .conftest import png_upload

    conversation, seller, customer = await sync_to_async(make_thread)()
    topic = events.conversation_topic(conversation.uuid)
    customer_socket = await open_socket(application, topic, user=customer)
    seller_socket = await open_socket(application, topic, user=seller)

    # On commit: the message's push (its image processing), then the worker (the immediate
    # backend here) decodes it and pushes its files, ready.
    message = await sync_to_async(services.send_message)(
        conversation=conversation,
        sender=customer,
        content="This one",
        attachments=[await sync_to_async(prepare_attachment)(png_upload("shelf.png", size=(300, 200)))],
    )
    attachment = await sync_to_async(message.attachments.get)()
    assert attachment.status == "ready"
    ready = rf'<ul id="message-files-{message.pk}"[^>]*hx-swap-oob="true"'
    for socket in (customer_socket, seller_socket):
        frames = await receive_all(socket, "This one", ready)
        assert frames.index("Processing…") < re.search(ready, frames).start()
        assert f"/files/{attachment.pk}/thumbnail/" in frames[re.search(ready, frames).start() :]
        await socket.disconnect()
