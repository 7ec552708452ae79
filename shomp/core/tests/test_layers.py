"""core.layers: the embedded default's in-memory layer takes pushes from any thread.

The task worker runs in a thread of the web process under `manage.py run` (no Redis); its
pushes come from an event loop of its own, while the sockets wait on the server's loop.
"""

import asyncio
import threading

from asgiref.sync import async_to_sync

from shomp.core.layers import ThreadSafeInMemoryChannelLayer


def test_a_group_send_from_another_thread_reaches_a_consumer_waiting_on_the_server_loop():
    layer = ThreadSafeInMemoryChannelLayer()
    server_loop = asyncio.new_event_loop()
    threading.Thread(target=server_loop.run_forever, name="server-loop", daemon=True).start()
    try:

        async def consumer() -> dict:
            channel = await layer.new_channel()
            await layer.group_add("rt.test.1", channel)
            subscribed.set()
            return await layer.receive(channel)

        subscribed = threading.Event()
        received = asyncio.run_coroutine_threadsafe(consumer(), server_loop)
        assert subscribed.wait(timeout=10)

        # The worker thread's way of publishing (core.realtime): async_to_sync, no loop of its own.
        async_to_sync(layer.group_send)("rt.test.1", {"type": "realtime.message", "html": "<p>hi</p>"})

        # The idle server loop is woken: the message arrives (a bound for safety, not a timing).
        assert received.result(timeout=10) == {"type": "realtime.message", "html": "<p>hi</p>"}
    finally:
        server_loop.call_soon_threadsafe(server_loop.stop)
