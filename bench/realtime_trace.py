"""The ASGI app bench/realtime.py --trace runs: Shomp's, plus measurements inside the server.

`uvicorn realtime_trace:application --app-dir bench` serves shomp.asgi.application unchanged and
records, with wall-clock times, into the JSON file BENCH_TRACE_FILE names when it shuts down:
- "forward": for every push a socket forwards, the seconds from its publishing (the bench's
  data-at) to the moment the consumer handed the frame to the server (after `send` returned):
  the server side of the latency, without the client's lag;
- "lag": how late the server's event loop ran a 10 ms timer, when more than 5 ms;
- "gc": garbage collection pauses over 1 ms (generation, seconds of wall time, seconds of the
  main thread's CPU: on a busy machine the wall time is mostly waiting for a core);
- "recheck": each socket's re-asking of its authorization (seconds, queueing on Channels'
  database thread included; since the rechecks run in the background, no push waits for it);
- "read": each database read behind the rechecks (one answers the session's sockets in the
  process), when it ran;
With BENCH_CHANNELS_DISPATCH=1 the consumer uses Channels' dispatch (the "before" of 692cf24).
- "profile", with BENCH_TRACE_PROFILE=1: where the server's main thread spends its time, sampled.
Bench-only: nothing here is imported by Shomp.
"""

from __future__ import annotations

import asyncio
import collections
import gc
import json
import os
import re
import sys
import threading
import time

from shomp.asgi import application as shomp_application
from shomp.core import consumers
from shomp.core.consumers import RealtimeConsumer

TRACE: dict[str, list] = {"forward": [], "lag": [], "gc": [], "recheck": [], "read": [], "profile": []}
_AT = re.compile(r'data-at="([\d.]+)"')
_monitor: asyncio.Task | None = None


_inclusive: collections.Counter = collections.Counter()
_own: collections.Counter = collections.Counter()
_samples = 0


def _sample(main: int) -> None:
    """A poor man's sampling profiler: every 5 ms, which functions the main thread is in (each
    counted once per sample: inclusive) and which one it is running (own). Samples land when
    the main thread lets go of the GIL, so read the shares as rough."""
    global _samples
    while True:
        time.sleep(0.005)
        frame = sys._current_frames().get(main)
        if frame is None:
            continue
        _samples += 1
        _own[_name(frame)] += 1
        seen = set()
        while frame is not None:
            seen.add(_name(frame))
            frame = frame.f_back
        _inclusive.update(seen)


def _name(frame) -> str:
    code = frame.f_code
    return f"{code.co_qualname} ({code.co_filename.rsplit('site-packages/', 1)[-1]}:{code.co_firstlineno})"


def _dump() -> None:
    if _samples:
        TRACE["profile"] = {
            "samples": _samples,
            "inclusive": [(name, count / _samples) for name, count in _inclusive.most_common(80)],
            "own": [(name, count / _samples) for name, count in _own.most_common(40)],
        }
    with open(os.environ["BENCH_TRACE_FILE"], "w") as out:
        json.dump(TRACE, out)


if os.environ.get("BENCH_TRACE_PROFILE"):
    threading.Thread(target=_sample, args=(threading.get_ident(),), daemon=True).start()


_gc_started = (0.0, 0.0)


def _gc_callback(phase: str, info: dict) -> None:
    global _gc_started
    if phase == "start":
        _gc_started = (time.perf_counter(), time.thread_time())
    else:
        seconds = time.perf_counter() - _gc_started[0]
        if seconds > 0.001:
            TRACE["gc"].append((time.time(), info["generation"], seconds, time.thread_time() - _gc_started[1]))


gc.callbacks.append(_gc_callback)

_forward = RealtimeConsumer.realtime_message
_recheck_all = RealtimeConsumer._recheck_all


async def realtime_message(self, event):
    await _forward(self, event)
    match = _AT.search(event.get("html", ""))
    if match:
        now = time.time()
        TRACE["forward"].append((now, now - float(match[1])))


async def recheck_all(self, *args, **kwargs):
    started = time.perf_counter()
    await _recheck_all(self, *args, **kwargs)
    TRACE["recheck"].append((time.time(), time.perf_counter() - started))


_read_answers = getattr(consumers, "_read_answers", None)  # None before the shared reads


def read_answers(*args):
    TRACE["read"].append((time.time(),))
    return _read_answers(*args)


if _read_answers is not None:
    consumers._read_answers = read_answers


RealtimeConsumer.realtime_message = realtime_message
RealtimeConsumer._recheck_all = recheck_all
if os.environ.get("BENCH_CHANNELS_DISPATCH"):  # for comparison: Channels' own dispatch, which
    del RealtimeConsumer.dispatch  # hops to the database thread before every push


async def _watch_loop() -> None:
    while True:
        before = time.perf_counter()
        await asyncio.sleep(0.01)
        late = time.perf_counter() - before - 0.01
        if late > 0.005:
            TRACE["lag"].append((time.time(), late))


async def application(scope, receive, send):
    global _monitor
    if _monitor is None:
        _monitor = asyncio.get_running_loop().create_task(_watch_loop())
    if scope["type"] == "lifespan":  # uvicorn ends on SIGTERM by re-raising it: no atexit
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                _dump()
                await send({"type": "lifespan.shutdown.complete"})
                return
    return await shomp_application(scope, receive, send)
