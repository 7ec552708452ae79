"""The one WebSocket consumer, at /ws/: follows topics and forwards pushes as HTML.

Connect: /ws/?topic=<kind>:<arg>&topic=... (rendered by `{% realtime_socket %}`).
- More than MAX_TOPICS_PER_SOCKET distinct topics: accepted, then closed with 4400.
- Each topic is subscribed only if `realtime.authorize_topic(user, topic)` says yes (anonymous
  users are asked about too; the authorize functions decide). Refused and unknown topics are
  silently left out, so a page can name topics for several audiences.
- No topic allowed: accepted, then closed with 4403 at once. Closing after the handshake (not
  refusing it) matters: htmx-ext-ws retries forever after a failed handshake (code 1006), but
  not after an application close code.
- The channel layer (Redis) unreachable: a handshake is refused with 503 and Retry-After (on
  servers without that ASGI extension, a plain refusal), an open socket is closed with 1013
  "try again later". Either way htmx-ext-ws reconnects, and refusing the handshake is what makes
  it back off: its delay (up to a minute) grows with each failed attempt but starts over at every
  opened socket, so accepting and then closing would have every tab knock once a second. One
  warning per outage (realtime.LAYER_OUTAGE), no traceback, no 500.

Push: the socket forwards a message for a topic it was allowed, without a database round trip
(answers are kept per socket, so a push to many sockets costs no query per socket). A logged-in
user's socket also joins the user's own group (`realtime.user_group`); `realtime.revoke_access`
(logout, password change, deactivation, a membership removed or lowered) sends a notice there,
and on it the socket re-reads the user from the session and re-asks every topic's authorize
function at once, before any later push. Answers older than `realtime.RECHECK_SECONDS` (each
socket picks a share between half and all of it, so sockets opened together spread out) are
re-asked then too, but in the background: the push that finds them old is forwarded at once
on the answers the socket has, which stay valid until the new ones arrive (a revocation notice,
by contrast, is answered before any later push). A refusal drops that topic from the socket;
when none is left (or the session no longer names the user) the socket closes with 4403.
Messages from the client are ignored: there are no client-to-server actions.

One read answers every socket of a session in this process (`_shared_read`): the tabs of one
user re-ask together instead of once each. Each socket still re-asks within its own share of
RECHECK_SECONDS (its answers are dated from when the shared read started), and a revocation
notice is answered by a read started after the notice arrived, never by an older one.

A push costs no hop to the database thread either (`dispatch`, below): only rechecks do.

Nothing is lost silently: a socket that falls the layer's capacity behind, or whose process lost
its Redis subscription (pushes in the gap are gone), is closed with 1013 too, and the client
reconnects and refetches (core.layers, "Production's layer").
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from importlib import import_module
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs

from channels.consumer import AsyncConsumer, get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.contrib import auth
from django.contrib.auth.models import AnonymousUser

from shomp.core import realtime
from shomp.core.outage import UNAVAILABLE

logger = logging.getLogger(__name__)

CLOSE_TOO_MANY_TOPICS = 4400
CLOSE_FORBIDDEN = 4403
CLOSE_TRY_AGAIN_LATER = 1013
RETRY_AFTER_SECONDS = 5


class RealtimeConsumer(AsyncWebsocketConsumer):
    groups: list[str] = []  # we manage groups ourselves, one per allowed topic
    accepted = False
    user_group: str | None = None  # the user's own group, for revocation notices
    checked_at = 0.0  # time.monotonic() when the read behind the socket's answers started
    session_key: str | None = None
    recheck_task: asyncio.Task | None = None  # a recheck running in the background
    # This socket re-asks once its answers are this share of RECHECK_SECONDS old: sockets opened
    # together (every tab after a deploy, a benchmark's thousand) then don't all visit the
    # database before the same push, which held deliveries for seconds (bench/README.md).
    recheck_share = 1.0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """Channels' consumer loop, which waits on the channel layer for pushes: when the layer's
        Redis goes away that wait raises, and would end the socket with a traceback (or a 500
        during the handshake). Tell the client to come back later instead."""
        try:
            await super().__call__(scope, receive, send)
        except UNAVAILABLE as error:
            realtime.LAYER_OUTAGE.failed(error)
            if not hasattr(self, "base_send"):  # the layer failed in new_channel (the pub/sub
                self.base_send = send  # layer subscribes there), before Channels keeps `send`
            await self._drop_all()  # the layer's memory of our groups (pub/sub keeps it per process)
            await self._try_again_later()

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Channels' dispatch without its `aclose_old_connections()` before every handler.

        That call is a hop to the process's one database thread (sync_to_async, thread
        sensitive) and back, for every push to every socket: deliveries then queued behind each
        other and behind any socket's recheck or handshake on that thread, and each hop waited
        for the GIL from a busy event loop. At 5,000 deliveries/s it held pushes for seconds
        (bench/README.md, realtime.py, 2026-12-07). Nothing here needs it: every database visit
        of this consumer goes through database_sync_to_async, which closes old connections
        itself, in that thread, before and after; and websocket.disconnect still calls it."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def accept(self, subprotocol: str | None = None, headers: Any = None) -> None:
        await super().accept(subprotocol, headers)
        self.accepted = True

    async def connect(self) -> None:
        self.user = self.scope.get("user") or AnonymousUser()
        self.user_pk = getattr(self.user, "pk", None)
        self.session_key = getattr(self.scope.get("session"), "session_key", None)
        self.topics: dict[str, str] = {}  # topic -> group

        requested = self._requested_topics()
        if len(requested) > realtime.MAX_TOPICS_PER_SOCKET:
            await self.accept()
            await self.close(code=CLOSE_TOO_MANY_TOPICS)
            return
        if realtime.LAYER_OUTAGE.skip():  # Redis failed moments ago: don't wait for it again
            await self._try_again_later()
            return

        allowed = await database_sync_to_async(self._allowed_topics)(requested)
        self.checked_at = time.monotonic()
        self.recheck_share = random.uniform(0.5, 1.0)  # noqa: S311 (spreading load, not a secret)
        try:
            for value in allowed:
                group = realtime.group_name(value)
                await self.channel_layer.group_add(group, self.channel_name)
                self.topics[value] = group
            if allowed and self.user_pk is not None:
                self.user_group = realtime.user_group(self.user_pk)
                await self.channel_layer.group_add(self.user_group, self.channel_name)
        except UNAVAILABLE as error:
            realtime.LAYER_OUTAGE.failed(error)
            await self._try_again_later()
            return
        if allowed:
            realtime.LAYER_OUTAGE.succeeded()
        await self.accept()
        if not self.topics:
            await self.close(code=CLOSE_FORBIDDEN)

    async def disconnect(self, code: int) -> None:
        if self.recheck_task is not None:
            self.recheck_task.cancel()  # this socket's wait only: a shared read goes on for the others
        await self._drop_all()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """Client messages are ignored (htmx-ext-ws would send form data; we take none)."""

    async def realtime_message(self, event: dict[str, Any]) -> None:
        """A push for one of our topics: forward it while the user may see it."""
        value = event.get("topic")
        if not isinstance(value, str) or value not in self.topics:
            return
        if self._answers_are_old() and (self.recheck_task is None or self.recheck_task.done()):
            # Re-ask in the background: awaiting it here held this socket's pushes for the whole
            # database visit (its queue on the database thread included: seconds under load).
            self.recheck_task = asyncio.ensure_future(self._background_recheck())
        await self.send(text_data=event.get("html", ""))

    async def layer_overflow(self, event: dict[str, Any]) -> None:
        """This socket fell `capacity` pushes behind (core.layers): rather than drop pushes, ask
        the client to reconnect, which refetches what it shows (the bell, the inbox)."""
        await self.close(code=CLOSE_TRY_AGAIN_LATER)

    async def realtime_revoke(self, event: dict[str, Any]) -> None:
        """The user's access may have changed (`realtime.revoke_access`): ask again now, and
        forward nothing more until answered. Only a read this very notice started may answer it
        (a notice without an id, from an older server, shares nothing)."""
        if self.topics:
            await self._recheck_all(notice=event.get("notice") or object())

    def _answers_are_old(self) -> bool:
        return time.monotonic() - self.checked_at >= realtime.RECHECK_SECONDS * self.recheck_share

    async def _background_recheck(self) -> None:
        try:
            await self._recheck_all()
        except asyncio.CancelledError:
            raise
        except Exception:
            # Fail closed: the client reconnects, and its handshake asks the door afresh.
            logger.warning("realtime: a socket's recheck failed; closing it", exc_info=True)
            await self._drop_all()
            with contextlib.suppress(Exception):
                await self.close(code=CLOSE_TRY_AGAIN_LATER)

    async def _recheck_all(self, notice: object = None) -> None:
        """Re-read the user from the session and re-ask every topic; drop what is refused, and
        close when nothing is left. One database visit for all the socket's topics, shared with
        the session's other sockets in this process (`_shared_read`)."""
        started_at, user, allowed = await self._shared_read(notice)
        if started_at < self.checked_at:
            return  # an older read answering after a newer one (a revocation's) did: keep that
        self.checked_at = started_at
        if user is None:
            await self._drop_all()
            await self.close(code=CLOSE_FORBIDDEN)
            return
        for value in [value for value in self.topics if value not in allowed]:
            with contextlib.suppress(*UNAVAILABLE):
                await self.channel_layer.group_discard(self.topics.pop(value), self.channel_name)
        if not self.topics:
            await self._drop_all()
            await self.close(code=CLOSE_FORBIDDEN)

    # Helpers. The sync ones run in database_sync_to_async (they may query the database).

    def _requested_topics(self) -> list[str]:
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        return realtime.normalize_topics(query.get(realtime.TOPIC_PARAM, []))

    def _allowed_topics(self, requested: list[str]) -> list[str]:
        return [value for value in requested if realtime.authorize_topic(self.user, value)]

    async def _shared_read(self, notice: object) -> tuple[float, Any, set[str]]:
        """(when the read started, the user the session names now or None if it no longer
        names this socket's user, which of this socket's topics they may follow).

        Joins a read of the same session (or, for anonymous sockets, of anyone anonymous) made
        in this process for at least this socket's topics, if it is young enough to count as a
        recheck for this socket or, for a revocation, if the same notice started it. Otherwise
        starts one. The read runs as a task of its own: a socket that goes away stops waiting
        for it without cancelling it for the others."""
        key = (self.session_key, self.user_pk) if self.user_pk is not None else (None, None)
        topics = frozenset(self.topics)
        now = time.monotonic()
        loop = asyncio.get_running_loop()
        read = _reads.get(key)
        if read is None or not read.answers(loop, topics, notice, now, realtime.RECHECK_SECONDS * self.recheck_share):
            task = loop.create_task(database_sync_to_async(_read_answers)(self.user_pk, self.session_key, topics))
            read = _reads[key] = _SharedRead(loop, topics, notice, now, task)
            _forget_old_reads(now)
        try:
            user, allowed = await asyncio.shield(read.task)
        except asyncio.CancelledError:
            raise
        except Exception:
            if _reads.get(key) is read:
                del _reads[key]  # the next recheck tries afresh
            raise
        return read.started_at, user, {value for value in self.topics if value in allowed}

    async def _drop_all(self) -> None:
        # Redis down: nothing to undo by hand, its memberships expire (group_expiry).
        with contextlib.suppress(*UNAVAILABLE):
            for group in getattr(self, "topics", {}).values():
                await self.channel_layer.group_discard(group, self.channel_name)
            if self.user_group is not None:
                await self.channel_layer.group_discard(self.user_group, self.channel_name)
        self.topics = {}
        self.user_group = None

    async def _try_again_later(self) -> None:
        """Refuse the handshake with 503, or close an open socket with 1013 (see the top)."""
        self.topics = {}
        with contextlib.suppress(Exception):  # the client may be gone already
            if self.accepted:
                await self.close(code=CLOSE_TRY_AGAIN_LATER)
            elif "websocket.http.response" in (self.scope.get("extensions") or {}):
                await AsyncConsumer.send(  # a raw ASGI message, not a text frame
                    self,
                    {
                        "type": "websocket.http.response.start",
                        "status": 503,
                        "headers": [(b"content-type", b"text/plain"), (b"retry-after", b"%d" % RETRY_AFTER_SECONDS)],
                    },
                )
                await AsyncConsumer.send(self, {"type": "websocket.http.response.body", "body": b"Try again later."})
            else:
                await self.close(code=CLOSE_TRY_AGAIN_LATER)  # before accept: a refusal (403)


class _SharedRead:
    """One recheck's database visit (`RealtimeConsumer._shared_read`), kept while it may still
    answer another socket's recheck."""

    __slots__ = ("loop", "notice", "started_at", "task", "topics")

    def __init__(self, loop: Any, topics: frozenset[str], notice: object, started_at: float, task: Any) -> None:
        self.loop, self.topics, self.notice, self.started_at, self.task = loop, topics, notice, started_at, task

    def answers(self, loop: Any, topics: frozenset[str], notice: object, now: float, max_age: float) -> bool:
        if loop is not self.loop or not topics <= self.topics:
            return False
        if notice is not None:  # a revocation: only a read started by this notice came after it
            return notice == self.notice
        return now - self.started_at < max_age


#: (session key, user id), or (None, None) for anonymous sockets -> the latest read. One event
#: loop per process serves every socket, so no lock: the loop itself orders the lookups.
_reads: dict[tuple[str | None, int | None], _SharedRead] = {}
_swept_at = [0.0]


def _forget_old_reads(now: float) -> None:
    """Drop reads too old to answer anyone (RECHECK_SECONDS), at most once per that period."""
    if now - _swept_at[0] < realtime.RECHECK_SECONDS:
        return
    _swept_at[0] = now
    for key in [key for key, read in _reads.items() if now - read.started_at >= realtime.RECHECK_SECONDS]:
        if _reads[key].task.done():
            del _reads[key]


def _read_answers(user_pk: int | None, session_key: str | None, topics: frozenset[str]) -> tuple[Any, frozenset[str]]:
    """In the database thread: (the user the session names now, or None when that is no longer
    `user_pk`; the topics they may follow). Anonymous sockets have no session to re-read."""
    if user_pk is None:
        user: Any = AnonymousUser()
    else:
        user = _user_from_session(session_key)
        if getattr(user, "pk", None) != user_pk:
            return None, frozenset()
    return user, frozenset(value for value in topics if realtime.authorize_topic(user, value))


def _user_from_session(session_key: str | None) -> Any:
    """The user the session names now, read afresh with Django's own `get_user`.

    None when logged out, deactivated, or the password changed (the session hash no longer
    matches): Django's checks, not ours.
    """
    if not session_key:
        return None
    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    user = auth.get_user(SimpleNamespace(session=session))
    return user if user.is_authenticated else None


class NotFoundConsumer(AsyncWebsocketConsumer):
    """Every WebSocket path but /ws/ is routed here (shomp/asgi.py) and refused: Channels' router
    would raise instead, a traceback in the log and a 500 for the handshake."""

    async def connect(self) -> None:
        await self.close()  # before accept: the server refuses the handshake (403)
