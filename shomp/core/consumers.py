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
re-asked before the next push, too. A refusal drops that topic from the socket; when none is
left (or the session no longer names the user) the socket closes with 4403. Messages from the
client are ignored: there are no client-to-server actions.

A push costs no hop to the database thread either (`dispatch`, below): only rechecks do.

Nothing is lost silently: a socket that falls the layer's capacity behind, or whose process lost
its Redis subscription (pushes in the gap are gone), is closed with 1013 too, and the client
reconnects and refetches (core.layers, "Production's layer").
"""

from __future__ import annotations

import contextlib
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

CLOSE_TOO_MANY_TOPICS = 4400
CLOSE_FORBIDDEN = 4403
CLOSE_TRY_AGAIN_LATER = 1013
RETRY_AFTER_SECONDS = 5


class RealtimeConsumer(AsyncWebsocketConsumer):
    groups: list[str] = []  # we manage groups ourselves, one per allowed topic
    accepted = False
    user_group: str | None = None  # the user's own group, for revocation notices
    checked_at = 0.0  # time.monotonic() of the last authorization answers
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
        await self._drop_all()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """Client messages are ignored (htmx-ext-ws would send form data; we take none)."""

    async def realtime_message(self, event: dict[str, Any]) -> None:
        """A push for one of our topics: forward it while the user may see it."""
        value = event.get("topic")
        if not isinstance(value, str) or value not in self.topics:
            return
        if time.monotonic() - self.checked_at >= realtime.RECHECK_SECONDS * self.recheck_share:
            await self._recheck_all()
        if value in self.topics:
            await self.send(text_data=event.get("html", ""))

    async def layer_overflow(self, event: dict[str, Any]) -> None:
        """This socket fell `capacity` pushes behind (core.layers): rather than drop pushes, ask
        the client to reconnect, which refetches what it shows (the bell, the inbox)."""
        await self.close(code=CLOSE_TRY_AGAIN_LATER)

    async def realtime_revoke(self, event: dict[str, Any]) -> None:
        """The user's access may have changed (`realtime.revoke_access`): ask again now."""
        if self.topics:
            await self._recheck_all()

    async def _recheck_all(self) -> None:
        """Re-read the user from the session and re-ask every topic; drop what is refused, and
        close when nothing is left. One database visit for all the socket's topics."""
        user_still_valid, allowed = await database_sync_to_async(self._recheck)(list(self.topics))
        self.checked_at = time.monotonic()
        if not user_still_valid:
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

    def _recheck(self, values: list[str]) -> tuple[bool, set[str]]:
        """(the session still belongs to the connected user, the topics they may still follow)."""
        if self.user_pk is not None:
            current = self._user_from_session()
            if getattr(current, "pk", None) != self.user_pk:
                return False, set()
            self.user = current
        return True, {value for value in values if realtime.authorize_topic(self.user, value)}

    def _user_from_session(self) -> Any:
        """The user the session names now, read afresh with Django's own `get_user`.

        None when logged out, deactivated, or the password changed (the session hash no
        longer matches): Django's checks, not ours.
        """
        session_key = getattr(self.scope.get("session"), "session_key", None)
        if not session_key:
            return None
        session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
        user = auth.get_user(SimpleNamespace(session=session))
        return user if user.is_authenticated else None

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


class NotFoundConsumer(AsyncWebsocketConsumer):
    """Every WebSocket path but /ws/ is routed here (shomp/asgi.py) and refused: Channels' router
    would raise instead, a traceback in the log and a 500 for the handshake."""

    async def connect(self) -> None:
        await self.close()  # before accept: the server refuses the handshake (403)
