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

Production runs channels-redis, which has no such limit; this layer is one process only.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from channels.layers import InMemoryChannelLayer

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
