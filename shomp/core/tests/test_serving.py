"""Production serving (docs/DEPLOYMENT.md): what the WSGI workers load under DEBUG=0, and `make serve`'s split."""

import asyncio
import json
import os
import socket
import subprocess
import sys

import pytest
from django.conf import settings

from shomp.core.management.commands import serve

# Runs in a fresh interpreter: settings and URLs are read once per process, from the environment.
PROBE = """
import json, django
django.setup()
from django.template import engines
from django.test import RequestFactory
from django.urls import Resolver404, resolve
loaders = engines["django"].engine.template_loaders
try:
    match = resolve("/__bench__/control/")
    response = match.func(RequestFactory().get("/__bench__/control/"))
    control = {"status": response.status_code, "bytes": len(response.content)}
except Resolver404:
    control = None
print(json.dumps({
    "debug": __import__("django.conf").conf.settings.DEBUG,
    "loader": f"{type(loaders[0]).__module__}.{type(loaders[0]).__name__}",
    "inner": [f"{type(l).__module__}.{type(l).__name__}" for l in getattr(loaders[0], "loaders", [])],
    "control": control,
}))
"""


def probe(**env) -> dict:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SHOMP_TESTING", "DEBUG", "SHOMP_BENCH_CONTROL", "DJANGO_SETTINGS_MODULE"}
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="shomp.settings",
        DEBUG="0",
        SECRET_KEY="serving-test-" + "k" * 50,
        ALLOWED_HOSTS="testserver",
        **env,
    )
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=environment, cwd=settings.BASE_DIR, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_production_settings_cache_compiled_templates_and_route_no_benchmark_control():
    seen = probe()
    assert seen["debug"] is False
    # The cached loader compiles each template once per process, not on every render.
    assert seen["loader"] == "django.template.loaders.cached.Loader"
    assert seen["inner"] == [
        "django.template.loaders.filesystem.Loader",
        "django.template.loaders.app_directories.Loader",
    ]
    assert seen["control"] is None


def test_benchmark_control_is_routed_only_when_asked_for():
    seen = probe(SHOMP_BENCH_CONTROL="1")
    assert seen["control"] == {"status": 200, "bytes": 1109}


@pytest.mark.asyncio
async def test_serve_split_sends_websockets_to_the_realtime_process_and_the_rest_to_the_pages():
    """`make serve`'s front: the first request line picks the side, then bytes pass unchanged."""
    seen = []

    def backend(name: str):
        async def answer(reader, writer):
            head = await reader.readuntil(b"\r\n\r\n")
            seen.append((name, head.split(b"\r\n")[0].decode()))
            body = name.encode()
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body))
            await writer.drain()
            writer.close()

        return answer

    web = await asyncio.start_server(backend("web"), "127.0.0.1", 0, limit=2**20)
    realtime = await asyncio.start_server(backend("realtime"), "127.0.0.1", 0, limit=2**20)
    front_port = free_port()

    class Child:
        running = True

        def poll(self):
            return None if self.running else 0

    child = Child()
    front = asyncio.create_task(
        serve.split(
            "127.0.0.1",
            front_port,
            web.sockets[0].getsockname()[1],
            realtime.sockets[0].getsockname()[1],
            [child],
        )
    )

    async def get(path: str) -> bytes:
        for _ in range(50):  # until the front listens
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", front_port)
                break
            except OSError:
                await asyncio.sleep(0.05)
        # A head longer than one read: passed on whole.
        writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Long: {'x' * 70000}\r\n\r\n".encode())
        await writer.drain()
        answer = await reader.read()
        writer.close()
        return answer.split(b"\r\n\r\n", 1)[1]

    try:
        assert await get("/ws/?topic=user.1") == b"realtime"
        assert await get("/") == b"web"
        assert await get("/wsx/") == b"web"
        assert await get("/stores/ws/") == b"web"
    finally:
        child.running = False  # a child ending stops the front, as `serve` stops then
        await asyncio.wait_for(front, timeout=5)
        web.close()
        realtime.close()
    assert seen == [
        ("realtime", "GET /ws/?topic=user.1 HTTP/1.1"),
        ("web", "GET / HTTP/1.1"),
        ("web", "GET /wsx/ HTTP/1.1"),
        ("web", "GET /stores/ws/ HTTP/1.1"),
    ]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
