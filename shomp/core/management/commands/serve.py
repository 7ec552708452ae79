"""`manage.py serve`: what `make serve` starts. The recommended production set-up, on one machine
(docs/DEPLOYMENT.md, measured by bench/pages.py):

- WSGI workers for the pages (granian, one per core: a page is CPU-bound in Django),
- uvicorn (ASGI) for /ws/ only,
- a task worker for each queue ("default", "media") and the periodic-task scheduler,
- in front, on --port, a path split: /ws/ to uvicorn, everything else to the WSGI workers.

Production puts a real proxy there (nginx: docs/DEPLOYMENT.md has the configuration). The split
here is for running the set-up locally without one: it reads each connection's first request
line and then only copies bytes both ways, so it adds a hop but changes nothing in the answers.
Browsers open a new connection for each WebSocket, so a connection never needs to change sides.
Benchmarks measure the WSGI port directly, as they would behind nginx.

Needs the production environment (DEBUG=0, SECRET_KEY, DATABASE_URL, REDIS_URL...): `make serve`
sets one for 127.0.0.1.
"""

import asyncio
import contextlib
import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from .run import stop

#: The WSGI server the pages are measured fastest on (bench/pages.py; docs/DEPLOYMENT.md).
DEFAULT_WEB_SERVER = "granian"


def web_command(server: str, *, host: str, port: int, workers: int) -> list[str]:
    """The WSGI server's command line: `workers` processes of one request at a time each."""
    if server == "granian":
        return [
            *[sys.executable, "-m", "granian", "--interface", "wsgi", "--host", host, "--port", str(port)],
            *["--workers", str(workers), "--blocking-threads", "1", "--no-ws", "--log-level", "warning"],
            "shomp.wsgi:application",
        ]
    return [
        *[sys.executable, "-m", "gunicorn", "shomp.wsgi:application", "--bind", f"{host}:{port}"],
        *["--workers", str(workers), "--worker-class", "sync", "--log-level", "warning"],
    ]


def realtime_command(*, host: str, port: int) -> list[str]:
    return [
        *[sys.executable, "-m", "uvicorn", "shomp.asgi:application", "--host", host, "--port", str(port)],
        *["--lifespan", "off", "--ws", "auto", "--no-access-log", "--no-proxy-headers"],
    ]


class Command(BaseCommand):
    help = "Run the production set-up locally: WSGI workers, uvicorn for /ws/, task workers, scheduler."

    def add_arguments(self, parser):
        cores = os.cpu_count() or 1
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--server", choices=["gunicorn", "granian"], default=DEFAULT_WEB_SERVER)
        parser.add_argument("--web-workers", type=int, default=cores, help="WSGI processes (default: one per core)")

    def handle(self, *args, host: str, port: int, server: str, web_workers: int, **options):
        if settings.DEBUG:
            raise CommandError("serve runs the production set-up: set DEBUG=0 (make serve does).")
        if not os.environ.get("REDIS_URL"):
            raise CommandError("Set REDIS_URL: the processes are joined by Redis.")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        web_port, realtime_port = port + 1, port + 2
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        commands = [
            web_command(server, host="127.0.0.1", port=web_port, workers=web_workers),
            realtime_command(host="127.0.0.1", port=realtime_port),
            [*manage, "db_worker", "--no-reload", "--queue-name", "default"],
            [*manage, "db_worker", "--no-reload", "--queue-name", "media"],
            [*manage, "enqueue_periodic_tasks", "--loop", "60"],
        ]
        env = {**os.environ, "SITE_URL": os.environ.get("SITE_URL") or f"http://{host}:{port}"}
        children = [subprocess.Popen(command, env=env) for command in commands]  # noqa: S603
        self.stdout.write(
            self.style.SUCCESS(
                f"Shomp is serving at http://{host}:{port}/ ({web_workers} {server} workers on {web_port}, "
                f"uvicorn for /ws/ on {realtime_port}, two task workers, the scheduler). Ctrl-C stops it."
            )
        )
        try:
            asyncio.run(split(host, port, web_port, realtime_port, children))
        finally:
            stop(children)
        self.stdout.write("Shomp stopped.")


async def split(host: str, port: int, web_port: int, realtime_port: int, children) -> None:
    """Serve the path split on `port` until a signal, or until one of the children ends."""

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            line = await reader.readuntil(b"\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            writer.close()
            return
        parts = line.split(b" ")
        to_realtime = len(parts) > 1 and parts[1].startswith(b"/ws/")
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(
                "127.0.0.1", realtime_port if to_realtime else web_port
            )
        except OSError:
            writer.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            writer.close()
            return
        upstream_writer.write(line)
        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))

    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)
    server = await asyncio.start_server(connection, host, port)
    async with server:
        while not stopping.is_set() and all(child.poll() is None for child in children):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), timeout=0.5)
