"""core.realtime and the /ws/ consumer, through the real ASGI stack (origin check, sessions).

Runs with the in-memory channel layer, or channels-redis when REDIS_URL is set. Each test uses
fresh random topic arguments, so parallel runs sharing one Redis never see each other's pushes.
"""

import re
import uuid
from urllib.parse import urlencode

import pytest
import pytest_asyncio
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.template import Context, Template
from django.test import Client

from shomp.core import realtime
from shomp.core.consumers import CLOSE_FORBIDDEN, CLOSE_TOO_MANY_TOPICS

KIND = "test-private"
ORIGIN = (b"origin", b"http://localhost")


@pytest.fixture
def access():
    """Register KIND; `access[arg]` is the set of user ids allowed to follow "test-private:<arg>"."""
    allowed: dict[str, set[int]] = {}

    def authorize(user, arg: str) -> bool:
        return bool(user.is_authenticated and user.pk in allowed.get(arg, ()))

    realtime.register_topic(KIND, authorize)
    yield allowed
    realtime.unregister_topic(KIND)


@pytest_asyncio.fixture
async def application():
    from shomp.asgi import application

    layer = get_channel_layer()
    if hasattr(layer, "flush") and "InMemory" in type(layer).__name__:
        await layer.flush()
    return application


def private_topic(access, *users) -> str:
    arg = uuid.uuid4().hex
    access[arg] = {user.pk for user in users}
    return f"{KIND}:{arg}"


def make_user(name: str):
    suffix = uuid.uuid4().hex[:6]
    return get_user_model().objects.create_user(
        username=f"{name}{suffix}", email=f"{name}{suffix}@example.com", password="x"
    )


def session_cookie(user) -> tuple[bytes, bytes]:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    return (b"cookie", f"{settings.SESSION_COOKIE_NAME}={value}".encode())


async def open_socket(application, *topics, user=None, origin=ORIGIN, cookie=None):
    """A socket on `topics`, logged in as `user` in a session of its own, or in `cookie`'s."""
    headers = [origin] if origin else []
    if cookie is not None:
        headers.append(cookie)
    elif user is not None:
        headers.append(await sync_to_async(session_cookie)(user))
    query = urlencode([(realtime.TOPIC_PARAM, value) for value in topics])
    communicator = WebsocketCommunicator(application, f"/ws/?{query}", headers=headers)
    connected, _ = await communicator.connect()
    return communicator, connected


publish = sync_to_async(realtime.publish)
revoke_access = sync_to_async(realtime.revoke_access)


async def settled(calls: list) -> int:
    """How many authorize calls there were once the background rechecks are done: wait while
    the count still moves (rechecks run after the push that found the answers old)."""
    import asyncio

    seen = -1
    for _ in range(50):
        await asyncio.sleep(0.1)
        if len(calls) == seen:
            break
        seen = len(calls)
    return len(calls)


def counting_topic(access) -> list:
    """Register KIND anew with an authorize function that records each call; returns the calls."""
    calls: list = []
    realtime.unregister_topic(KIND)

    def counting(user, arg: str) -> bool:
        calls.append(arg)
        return bool(user.is_authenticated and user.pk in access.get(arg, ()))

    realtime.register_topic(KIND, counting)
    return calls


# --- the registry, names and the template tag (no sockets) ---


def test_unknown_kinds_and_malformed_topics_are_refused(access):
    user = get_user_model()(pk=1, username="a")
    access["x"] = {1}
    assert realtime.authorize_topic(user, f"{KIND}:x")
    for value in ["nope:x", f"{KIND}:", KIND, "", f"{KIND}:y", None, f"{KIND}:" + "x" * 300]:
        assert not realtime.authorize_topic(user, value)
    with pytest.raises(ValueError):
        realtime.publish("nope:1", "<div></div>")


def test_a_raising_authorize_function_refuses(access):
    realtime.unregister_topic(KIND)
    realtime.register_topic(KIND, lambda user, arg: int(arg) > 0)
    assert not realtime.authorize_topic(None, f"{KIND}:not-a-number")


def test_register_topic_rejects_bad_kinds_and_conflicts(access):
    with pytest.raises(ValueError):
        realtime.register_topic("Bad Kind", lambda user, arg: True)
    with pytest.raises(ValueError):
        realtime.register_topic(KIND, lambda user, arg: True)


@pytest.mark.parametrize("arg", ["42", "3f2b-uuid-like", "a b", "ünï/cødé", "x" * 180, "..", "a.b"])
def test_group_names_are_valid_for_channels(access, arg):
    name = realtime.group_name(f"{KIND}:{arg}")
    assert re.fullmatch(r"[A-Za-z0-9._-]+", name) and len(name) < 100
    assert get_channel_layer().require_valid_group_name(name)


def test_group_names_do_not_collide(access):
    names = {realtime.group_name(f"{KIND}:{arg}") for arg in ["a", "a.", "a b", "A", "a_b", "a-b"]}
    assert len(names) == 6


def test_realtime_socket_tag_renders_encoded_topics(access):
    template = Template("{% load realtime %}{% realtime_socket topics %}")
    html = template.render(Context({"topics": [f"{KIND}:a b&c", "unknown:1", f"{KIND}:a b&c", f"{KIND}:7"]}))
    assert 'hx-ext="ws"' in html and 'id="realtime"' in html
    assert 'ws-connect="/ws/?topic=test-private%3Aa+b%26c&amp;topic=test-private%3A7"' in html
    assert template.render(Context({"topics": []})) == ""
    assert template.render(Context({})) == ""
    assert template.render(Context({"topics": ["unknown:1"]})) == ""


def test_realtime_socket_tag_caps_topics(access):
    topics = [f"{KIND}:{n}" for n in range(realtime.MAX_TOPICS_PER_SOCKET + 5)]
    html = Template("{% load realtime %}{% realtime_socket topics %}").render(Context({"topics": topics}))
    assert html.count("topic=") == realtime.MAX_TOPICS_PER_SOCKET


# --- the consumer ---

# WebSocket tests go through AuthMiddlewareStack, which reads the database from another thread:
# they need committed data, hence transaction=True.
ws = pytest.mark.django_db(transaction=True)


@pytest.mark.asyncio
@ws
async def test_authorized_user_receives_and_others_do_not(application, access):
    alice, bob = await sync_to_async(make_user)("alice"), await sync_to_async(make_user)("bob")
    alices = private_topic(access, alice)
    bobs = private_topic(access, bob)

    alice_socket, alice_ok = await open_socket(application, alices, user=alice)
    # Bob asks for Alice's topic too: it is silently left out, his own still works.
    bob_socket, bob_ok = await open_socket(application, alices, bobs, user=bob)
    anon_socket, anon_ok = await open_socket(application, alices)
    assert alice_ok and bob_ok and anon_ok  # accepted, then...
    assert await anon_socket.receive_output() == {"type": "websocket.close", "code": CLOSE_FORBIDDEN}

    fragment = '<span id="order-count" hx-swap-oob="true">3</span>'
    await publish(alices, fragment)
    await publish(bobs, "<span id='mine'>for bob</span>")

    assert await alice_socket.receive_from() == fragment
    # Bob's socket is FIFO: had Alice's push reached him, it would come before his own.
    assert await bob_socket.receive_from() == "<span id='mine'>for bob</span>"
    assert await bob_socket.receive_nothing(timeout=0.2)
    assert await alice_socket.receive_nothing(timeout=0.1)
    assert await anon_socket.receive_nothing(timeout=0.1)
    for socket in (alice_socket, bob_socket, anon_socket):
        await socket.disconnect()


@pytest.mark.asyncio
@ws
async def test_user_with_no_allowed_topic_is_closed(application, access):
    alice, bob = await sync_to_async(make_user)("alice"), await sync_to_async(make_user)("bob")
    alices = private_topic(access, alice)
    socket, connected = await open_socket(application, alices, "unknown-kind:1", user=bob)
    assert connected
    assert await socket.receive_output() == {"type": "websocket.close", "code": CLOSE_FORBIDDEN}
    await publish(alices, "<b id='x'>secret</b>")
    assert await socket.receive_nothing(timeout=0.2)


@pytest.mark.asyncio
@ws
async def test_missing_or_foreign_origin_is_rejected(application, access):
    alice = await sync_to_async(make_user)("alice")
    alices = private_topic(access, alice)
    for origin in (None, (b"origin", b"https://evil.example")):
        socket, connected = await open_socket(application, alices, user=alice, origin=origin)
        assert not connected
        await socket.disconnect()


@pytest.mark.asyncio
@ws
async def test_too_many_topics_are_refused(application, access):
    alice = await sync_to_async(make_user)("alice")
    topics = [private_topic(access, alice) for _ in range(realtime.MAX_TOPICS_PER_SOCKET + 1)]
    socket, connected = await open_socket(application, *topics, user=alice)
    assert connected
    assert await socket.receive_output() == {"type": "websocket.close", "code": CLOSE_TOO_MANY_TOPICS}


@pytest.mark.asyncio
@ws
async def test_publish_waits_for_commit_and_drops_on_rollback(application, access):
    alice = await sync_to_async(make_user)("alice")
    alices = private_topic(access, alice)
    socket, _ = await open_socket(application, alices, user=alice)

    @sync_to_async
    def rolled_back():
        with pytest.raises(RuntimeError), transaction.atomic():
            realtime.publish(alices, "<i id='a'>rolled back</i>")
            raise RuntimeError

    @sync_to_async
    def committed():
        with transaction.atomic():
            realtime.publish(alices, "<i id='a'>committed</i>")
            # Still inside the transaction: nothing may have been sent yet.
            assert async_to_sync(socket.receive_nothing)(timeout=0.2)

    await rolled_back()
    assert await socket.receive_nothing(timeout=0.2)
    await committed()
    assert await socket.receive_from() == "<i id='a'>committed</i>"
    await socket.disconnect()


@pytest.mark.asyncio
@ws
async def test_revoked_access_closes_the_socket_at_once(application, access):
    alice = await sync_to_async(make_user)("alice")
    alices = private_topic(access, alice)
    socket, _ = await open_socket(application, alices, user=alice)
    await publish(alices, "<p id='p'>one</p>")
    assert await socket.receive_from() == "<p id='p'>one</p>"

    access[alices.partition(":")[2]].discard(alice.pk)
    await revoke_access([alice.pk])
    # Told, the socket re-asks at once: nothing is left, so it closes before any other push.
    assert await socket.receive_output() == {"type": "websocket.close", "code": CLOSE_FORBIDDEN}
    await publish(alices, "<p id='p'>two</p>")
    assert await socket.receive_nothing(timeout=0.2)


@pytest.mark.asyncio
@ws
async def test_a_push_after_the_revocation_is_not_forwarded(application, access):
    """The notice and the push travel in order: a push published after the revoking commit
    never reaches the socket, even when both are already queued."""
    alice = await sync_to_async(make_user)("alice")
    alices = private_topic(access, alice)
    socket, _ = await open_socket(application, alices, user=alice)

    def revoke_then_push():
        with transaction.atomic():
            access[alices.partition(":")[2]].discard(alice.pk)
            realtime.revoke_access([alice.pk])
        realtime.publish(alices, "<p id='p'>after</p>")

    await sync_to_async(revoke_then_push)()
    assert await socket.receive_output() == {"type": "websocket.close", "code": CLOSE_FORBIDDEN}


@pytest.mark.asyncio
@ws
async def test_revoking_one_topic_keeps_the_others(application, access):
    alice = await sync_to_async(make_user)("alice")
    first, second = private_topic(access, alice), private_topic(access, alice)
    socket, _ = await open_socket(application, first, second, user=alice)
    access[first.partition(":")[2]].clear()
    await revoke_access([alice.pk])
    await publish(first, "<p id='p'>gone</p>")
    await publish(second, "<p id='q'>still here</p>")
    assert await socket.receive_from() == "<p id='q'>still here</p>"
    await socket.disconnect()


@pytest.mark.asyncio
@ws
async def test_another_users_revocation_changes_nothing(application, access):
    alice, bob = await sync_to_async(make_user)("alice"), await sync_to_async(make_user)("bob")
    alices = private_topic(access, alice)
    socket, _ = await open_socket(application, alices, user=alice)
    await revoke_access([bob.pk])
    await publish(alices, "<p id='p'>still mine</p>")
    assert await socket.receive_from() == "<p id='p'>still mine</p>"
    await socket.disconnect()


@pytest.mark.asyncio
@ws
async def test_pushes_reuse_the_answers_and_re_ask_once_they_are_old(application, access, monkeypatch):
    """No database round trip per push: the authorize function runs at connect, then again
    only when the answers are RECHECK_SECONDS old, which also catches an unannounced change.
    The push that finds them old still goes out on them: they hold until the new ones arrive."""
    calls = counting_topic(access)
    alice = await sync_to_async(make_user)("alice")
    alices = private_topic(access, alice)
    socket, _ = await open_socket(application, alices, user=alice)
    for n in range(5):
        await publish(alices, f"<p id='p'>{n}</p>")
        assert await socket.receive_from() == f"<p id='p'>{n}</p>"
    assert len(calls) == 1  # at connect only

    access[alices.partition(":")[2]].clear()  # nobody announces it
    monkeypatch.setattr(realtime, "RECHECK_SECONDS", 0)
    await publish(alices, "<p id='p'>stale</p>")
    assert await socket.receive_from() == "<p id='p'>stale</p>"
    assert await socket.receive_output() == {"type": "websocket.close", "code": CLOSE_FORBIDDEN}
    assert len(calls) == 2
    await publish(alices, "<p id='p'>after</p>")
    assert await socket.receive_nothing(timeout=0.2)


@pytest.mark.asyncio
@ws
async def test_a_push_is_forwarded_while_the_database_thread_is_busy(application, access):
    """A push with fresh answers needs no database, so it doesn't wait for the process's one
    database thread (Channels' consumers hop there before every message by default): another
    socket's slow recheck or handshake must not hold every socket's pushes."""
    import asyncio
    import threading

    alice = await sync_to_async(make_user)("alice")
    alices = private_topic(access, alice)
    socket, connected = await open_socket(application, alices, user=alice)
    assert connected

    release = threading.Event()
    busy = asyncio.ensure_future(sync_to_async(release.wait)(10))  # the database thread, held
    try:
        await asyncio.sleep(0.1)
        await sync_to_async(realtime.publish, thread_sensitive=False)(alices, "<p id='p'>now</p>")
        assert await socket.receive_from(timeout=3) == "<p id='p'>now</p>"
        assert not busy.done()  # it arrived while the thread was still held
    finally:
        release.set()
        await busy
    await socket.disconnect()


@pytest.mark.asyncio
@ws
async def test_sockets_opened_together_re_ask_at_different_times(application, access, monkeypatch):
    """Each socket re-asks once its answers are its own share (half to all) of RECHECK_SECONDS
    old, so a thousand tabs opened together don't all visit the database before one push."""
    from types import SimpleNamespace

    from shomp.core import consumers

    calls = counting_topic(access)
    now = [1000.0]
    monkeypatch.setattr(consumers, "time", SimpleNamespace(monotonic=lambda: now[0]))
    shares = iter([0.5, 1.0])
    monkeypatch.setattr(consumers.random, "uniform", lambda low, high: next(shares))
    alice = await sync_to_async(make_user)("alice")
    alices = private_topic(access, alice)
    early, _ = await open_socket(application, alices, user=alice)  # re-asks after half
    late, _ = await open_socket(application, alices, user=alice)  # after all of it
    assert len(calls) == 2

    for seconds, asked in [(0.4, 2), (0.6, 3), (0.9, 3), (1.0, 4)]:
        now[0] = 1000.0 + seconds * realtime.RECHECK_SECONDS
        await publish(alices, f"<p id='p'>{seconds}</p>")
        assert await early.receive_from() == f"<p id='p'>{seconds}</p>"
        assert await late.receive_from() == f"<p id='p'>{seconds}</p>"
        assert await settled(calls) == asked, seconds


@pytest.mark.asyncio
@ws
async def test_the_sockets_of_one_session_share_one_read_per_recheck(application, access, monkeypatch):
    """A user's tabs in one process re-ask together: one read of the session and the doors
    answers all of them, each at its own time. Another session's socket reads for itself."""
    from types import SimpleNamespace

    from shomp.core import consumers

    calls = counting_topic(access)
    now = [1000.0]
    monkeypatch.setattr(consumers, "time", SimpleNamespace(monotonic=lambda: now[0]))
    shares = iter([0.5, 0.8, 0.6])
    monkeypatch.setattr(consumers.random, "uniform", lambda low, high: next(shares))
    alice = await sync_to_async(make_user)("alice")
    alices = private_topic(access, alice)
    cookie = await sync_to_async(session_cookie)(alice)
    tabs = [(await open_socket(application, alices, cookie=cookie))[0] for _ in range(2)]
    other, _ = await open_socket(application, alices, user=alice)  # another browser: its own session
    assert len(calls) == 3  # the handshakes

    # Every answer is old: the two tabs share one read, the other session has its own.
    now[0] = 1000.0 + 0.9 * realtime.RECHECK_SECONDS
    await publish(alices, "<p id='p'>one</p>")
    for socket in (*tabs, other):
        assert await socket.receive_from() == "<p id='p'>one</p>"
    assert await settled(calls) == 5

    # Half a period on, only the first tab's answers (share 0.5) are old again: one more read,
    # which the second tab (share 0.8) joins when its own turn comes, from that read's start.
    now[0] += 0.5 * realtime.RECHECK_SECONDS
    await publish(alices, "<p id='p'>two</p>")
    assert await settled(calls) == 6
    now[0] += 0.35 * realtime.RECHECK_SECONDS
    await publish(alices, "<p id='p'>three</p>")
    for socket in (*tabs, other):
        assert await socket.receive_from() == "<p id='p'>two</p>"
        assert await socket.receive_from() == "<p id='p'>three</p>"
    assert await settled(calls) == 7  # the other session's second read; the tabs' was shared
    for socket in (*tabs, other):
        await socket.disconnect()


@pytest.mark.asyncio
@ws
async def test_a_push_does_not_wait_for_its_sockets_recheck(application, access, monkeypatch):
    """A push that finds the answers old is forwarded at once on them; the recheck, queued on
    the database thread, answers later (and closes the socket if access went away)."""
    import asyncio
    import threading

    alice = await sync_to_async(make_user)("alice")
    alices = private_topic(access, alice)
    socket, connected = await open_socket(application, alices, user=alice)
    assert connected
    access[alices.partition(":")[2]].clear()  # nobody announces it
    monkeypatch.setattr(realtime, "RECHECK_SECONDS", 0)

    release = threading.Event()
    busy = asyncio.ensure_future(sync_to_async(release.wait)(10))  # the database thread, held
    try:
        await asyncio.sleep(0.1)
        await sync_to_async(realtime.publish, thread_sensitive=False)(alices, "<p id='p'>now</p>")
        assert await socket.receive_from(timeout=3) == "<p id='p'>now</p>"
        assert not busy.done()  # it arrived while the recheck still waited for the thread
    finally:
        release.set()
        await busy
    assert await socket.receive_output() == {"type": "websocket.close", "code": CLOSE_FORBIDDEN}


@pytest.mark.asyncio
@ws
async def test_a_revocation_is_not_answered_by_an_earlier_shared_read(application, access, monkeypatch):
    """Right after the tabs shared a read that allowed them, a revocation still closes both
    at once: only a read started by the notice answers it (and one does, for both tabs)."""
    calls = counting_topic(access)
    alice = await sync_to_async(make_user)("alice")
    alices = private_topic(access, alice)
    cookie = await sync_to_async(session_cookie)(alice)
    tabs = [(await open_socket(application, alices, cookie=cookie))[0] for _ in range(2)]
    monkeypatch.setattr(realtime, "RECHECK_SECONDS", 0.5)
    import asyncio

    await asyncio.sleep(0.5)  # both tabs' answers are old: the next push re-asks, in one read
    await publish(alices, "<p id='p'>one</p>")
    for socket in tabs:
        assert await socket.receive_from() == "<p id='p'>one</p>"
    assert await settled(calls) == 3
    monkeypatch.setattr(realtime, "RECHECK_SECONDS", 30)  # that read stays young enough to share

    access[alices.partition(":")[2]].clear()
    await revoke_access([alice.pk])
    for socket in tabs:
        assert await socket.receive_output() == {"type": "websocket.close", "code": CLOSE_FORBIDDEN}
    assert await settled(calls) == 4
    await publish(alices, "<p id='p'>two</p>")
    for socket in tabs:
        assert await socket.receive_nothing(timeout=0.1)


@pytest.mark.asyncio
@ws
async def test_logging_out_elsewhere_stops_the_stream(application, access):
    """Logging out in another tab (Django's logout, as allauth's view calls it) closes the socket."""
    alice = await sync_to_async(make_user)("alice")
    alices = private_topic(access, alice)
    client = Client()
    await sync_to_async(client.force_login)(alice, backend="django.contrib.auth.backends.ModelBackend")
    cookie = (
        b"cookie",
        f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode(),
    )
    communicator = WebsocketCommunicator(application, f"/ws/?topic={alices}", headers=[ORIGIN, cookie])
    assert (await communicator.connect())[0]

    await sync_to_async(client.logout)()
    assert await communicator.receive_output() == {"type": "websocket.close", "code": CLOSE_FORBIDDEN}


@pytest.mark.asyncio
@ws
async def test_an_expired_session_stops_the_stream_once_the_answers_are_old(application, access, monkeypatch):
    from importlib import import_module

    alice = await sync_to_async(make_user)("alice")
    alices = private_topic(access, alice)
    cookie = await sync_to_async(session_cookie)(alice)
    communicator = WebsocketCommunicator(application, f"/ws/?topic={alices}", headers=[ORIGIN, cookie])
    assert (await communicator.connect())[0]

    session_key = cookie[1].decode().partition("=")[2]
    store = import_module(settings.SESSION_ENGINE).SessionStore
    await sync_to_async(store(session_key).delete)()  # gone without a logout: nobody announces it
    monkeypatch.setattr(realtime, "RECHECK_SECONDS", 0)
    await publish(alices, "<p id='p'>after expiry</p>")  # forwarded on the old answers, then:
    assert await communicator.receive_from() == "<p id='p'>after expiry</p>"
    assert await communicator.receive_output() == {"type": "websocket.close", "code": CLOSE_FORBIDDEN}


@pytest.mark.asyncio
@ws
@pytest.mark.parametrize("change", ["password", "deactivate", "delete"])
async def test_a_new_password_deactivation_or_deletion_closes_the_socket_at_once(application, access, change):
    alice = await sync_to_async(make_user)("alice")
    alices = private_topic(access, alice)
    socket, _ = await open_socket(application, alices, user=alice)

    def act():
        user = get_user_model().objects.get(pk=alice.pk)
        if change == "password":
            user.set_password("a whole new secret")
            user.save()
        elif change == "deactivate":
            user.is_active = False
            user.save(update_fields=["is_active"])
        else:
            user.delete()

    await sync_to_async(act)()
    assert await socket.receive_output() == {"type": "websocket.close", "code": CLOSE_FORBIDDEN}


@pytest.mark.asyncio
@ws
async def test_client_messages_are_ignored(application, access):
    alice = await sync_to_async(make_user)("alice")
    alices = private_topic(access, alice)
    socket, _ = await open_socket(application, alices, user=alice)
    await socket.send_to(text_data='{"HEADERS": {}, "anything": "at all"}')
    assert await socket.receive_nothing(timeout=0.1)
    await publish(alices, "<p id='p'>ok</p>")
    assert await socket.receive_from() == "<p id='p'>ok</p>"
    await socket.disconnect()


def test_a_push_from_sync_code_in_a_thread_with_a_running_event_loop_is_sent(access):
    """Sync code called where an event loop runs (a browser test's thread making a user) still
    publishes, instead of failing in async_to_sync."""
    import asyncio

    sent = []

    class Layer:
        async def group_send(self, group, message):
            sent.append((group, message["type"]))

    async def inside_a_loop():
        realtime._call_sync(Layer().group_send, "rtu.1", {"type": realtime.REVOKE_TYPE})

    asyncio.run(inside_a_loop())
    assert sent == [("rtu.1", realtime.REVOKE_TYPE)]
