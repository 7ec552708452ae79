"""A Redis of a test's own, to stop and start: for tests of what happens while Redis is down.

Never the shared Redis (other test runs and dev servers use it). The server has no persistence,
so a restart comes back empty, as a real restart without a dump would. Needs the redis-server
binary (CI machines have one); tests mark themselves with `needs_redis_server`.

    @needs_redis_server
    def test_x(tmp_path, monkeypatch):
        with redis_of_our_own(tmp_path) as redis_server:   # CACHES and CHANNEL_LAYERS on it
            redis_server.stop()
            ...
            redis_server.start()
            move_outage_clock(monkeypatch)(outage.RETRY_SECONDS + 1)   # try Redis again now
            redis_server.hang()      # SIGSTOP: open connections hear nothing, and no reset
            redis_server.resume()
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from django.test.utils import override_settings

from shomp.core import outage

#: Key prefix of the cache and channel layer in these tests.
PREFIX = "shomp-outage-test"

needs_redis_server = pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="no redis-server binary (CI machines have one)"
)


class RedisServer:
    def __init__(self, directory: Path) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.directory = directory
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],  # noqa: S607
            cwd=self.directory,
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if self.process.poll() is not None:
                    raise RuntimeError("redis-server exited") from None
                if time.monotonic() > deadline:
                    raise RuntimeError("redis-server did not answer") from None
                time.sleep(0.02)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.resume()  # a stopped process would not act on SIGTERM
            self.process.terminate()
            self.process.wait(timeout=20)

    def hang(self) -> None:
        """Freeze the server (SIGSTOP): connections stay open, nothing is answered, no reset is
        sent, as with a hung server or a network partition. New connections still complete the
        TCP handshake (the kernel's listen backlog) and then hear nothing."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        """Undo `hang` (SIGCONT): the server answers again, connections intact."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)

    def command_calls(self, command: str) -> int:
        """How many times the server ran `command` so far (INFO commandstats)."""
        stats = redis.Redis(port=self.port).info("commandstats")
        return stats.get(f"cmdstat_{command.lower()}", {}).get("calls", 0)

    def keys(self, pattern: str = "*") -> list[bytes]:
        return redis.Redis(port=self.port).keys(pattern)


@contextmanager
def redis_of_our_own(directory: Path) -> Iterator[RedisServer]:
    """A running RedisServer, with the production settings (`redis_settings`) pointed at it.

    The settings are restored before the server stops for good, so the test run's own cache
    clean-up (conftest) never talks to a stopped server.
    """
    from shomp.settings import redis_settings

    server = RedisServer(directory)
    server.start()
    outage.reset_all()
    try:
        with override_settings(**redis_settings(server.url, prefix=PREFIX)):
            yield server
    finally:
        outage.reset_all()
        server.stop()


def move_outage_clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[float], None]:
    """advance(seconds) moves the clock of core.outage (the pause before Redis is tried again)."""
    offset = {"seconds": 0.0}
    monkeypatch.setattr(outage, "_now", lambda: time.monotonic() + offset["seconds"])

    def advance(seconds: float) -> None:
        offset["seconds"] += seconds

    return advance
