"""`manage.py run`: what `make run` starts. Migrates, makes the demo data, then runs the
web server (uvicorn, ASGI: pages and WebSockets), a task worker and the periodic-task
scheduler until Ctrl-C or SIGTERM stops them.

Where the worker runs depends on the channel layer:
- In memory (the embedded default, no REDIS_URL): in a thread of the web process. The layer
  lives in that process's memory, so only there do the worker's pushes (follower fan-outs,
  announcements, emails' bells) reach the open sockets; shomp.core.layers takes them from
  the worker's thread to the server's event loop.
- Redis: a worker process beside the web server, as production runs it: `db_worker`, or
  `rqworker` when TASKS_BACKEND=rq (docs/DEPLOYMENT.md, "Task backend").
"""

import os
import signal
import subprocess
import sys
import threading
import time

from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connections
from django.tasks import task_backends
from django.utils.crypto import get_random_string

#: How long a stop waits for the worker to finish its current task.
STOP_TIMEOUT_SECONDS = 10


class Command(BaseCommand):
    help = "Run Shomp: web server and task worker, with demo data on the embedded default."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--no-demo", action="store_true", help="Don't create the demo data.")

    def handle(self, *args, host: str, port: int, no_demo: bool, **options):
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database is up to date.")
        if settings.SHOMP_DEMO_ALLOWED and not no_demo:
            call_command("seed_demo")  # idempotent; refuses to run in production
        if not os.environ.get("SITE_URL"):
            # Links in emails point where this server runs (settings only know PORT, not --port);
            # the environment carries it to the child processes.
            settings.SITE_URL = os.environ["SITE_URL"] = f"http://127.0.0.1:{port}"
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        children = [subprocess.Popen([*manage, "enqueue_periodic_tasks", "--loop", "60"])]  # noqa: S603
        try:
            if isinstance(get_channel_layer(), InMemoryChannelLayer):
                self.run_in_one_process(host, port, verbosity=options["verbosity"])
            else:
                children += self.start_side_by_side(manage, host, port)
                self.wait(children)
        finally:
            stop(children)
        self.stdout.write("Shomp stopped.")

    def running(self, host: str, port: int) -> None:
        self.stdout.write(self.style.SUCCESS(f"Shomp is running at http://{host}:{port}/ (Ctrl-C stops it)."))

    def run_in_one_process(self, host: str, port: int, *, verbosity: int) -> None:
        """uvicorn in this thread, the task worker in another thread of this process."""
        import uvicorn
        from django_tasks_db.backend import DatabaseBackend
        from django_tasks_db.management.commands.db_worker import Command as DbWorker
        from django_tasks_db.management.commands.db_worker import Worker

        connections.close_all()  # migrate's connections; each thread opens its own
        forwarded = forwarded_allow_ips()
        server = uvicorn.Server(
            uvicorn.Config(
                "shomp.asgi:application",
                host=host,
                port=port,
                lifespan="off",
                ws="auto",
                access_log=False,
                proxy_headers=bool(forwarded),
                forwarded_allow_ips=forwarded or None,
            )
        )
        worker = None
        if isinstance(task_backends["default"], DatabaseBackend):  # not when TASKS_BACKEND is immediate
            DbWorker().configure_logging(verbosity)  # the worker's log lines, as `db_worker` prints them
            worker = Worker(
                queue_names=["*"],
                interval=1,
                batch=False,
                backend_name="default",
                startup_delay=False,
                max_tasks=None,
                worker_id=get_random_string(32),
                excluded_queue_names=[],
            )

            def work() -> None:
                try:
                    worker.run()
                finally:
                    connections.close_all()
                    server.should_exit = True  # a dead worker stops the server, as a dead process would

            thread = threading.Thread(target=work, name="shomp-task-worker", daemon=True)
            thread.start()
        # uvicorn handles Ctrl-C and SIGTERM (graceful shutdown), then raises the signal again
        # once it has restored the handlers it found: make those harmless, we stop below.
        signal.signal(signal.SIGINT, lambda signum, frame: None)
        signal.signal(signal.SIGTERM, lambda signum, frame: None)
        self.running(host, port)
        try:
            server.run()
        finally:
            if worker is not None:
                worker.running = False  # finishes the task in hand, then leaves its loop
                thread.join(timeout=STOP_TIMEOUT_SECONDS)

    def start_side_by_side(self, manage: list[str], host: str, port: int) -> list[subprocess.Popen]:
        """uvicorn and the task worker as two child processes (the channel layer joins them)."""
        forwarded = forwarded_allow_ips()
        children = [
            subprocess.Popen(worker_command(manage)),  # noqa: S603
            subprocess.Popen(  # noqa: S603
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "shomp.asgi:application",
                    "--host",
                    host,
                    "--port",
                    str(port),
                    "--lifespan",
                    "off",
                    "--ws",
                    "auto",
                    "--no-access-log",
                    *(["--forwarded-allow-ips", forwarded] if forwarded else ["--no-proxy-headers"]),
                ]
            ),
        ]
        self.running(host, port)
        return children

    def wait(self, children: list[subprocess.Popen]) -> None:
        """Until Ctrl-C, SIGTERM, or a child process ends."""
        stopping = False

        def on_signal(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        while not stopping and all(child.poll() is None for child in children):
            time.sleep(0.3)


def worker_command(manage: list[str]) -> list[str]:
    """The task worker of the configured backend, on every queue."""
    if settings.TASKS["default"]["BACKEND"] == settings.TASK_BACKENDS["rq"]:
        # Only a worker with the scheduler moves deferred tasks (run_after) onto their queue.
        return [*manage, "rqworker", "--with-scheduler", *settings.TASK_QUEUES]
    return [*manage, "db_worker", "--no-reload", "--queue-name", "*"]


def forwarded_allow_ips() -> str:
    """uvicorn believes X-Forwarded-For from 127.0.0.1 by default, so any local script could pick
    its address: only when FORWARDED_ALLOW_IPS names a proxy (docs/DEPLOYMENT.md)."""
    return os.environ.get("FORWARDED_ALLOW_IPS", "")


def stop(children: list[subprocess.Popen]) -> None:
    for child in children:
        if child.poll() is None:
            child.terminate()
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
