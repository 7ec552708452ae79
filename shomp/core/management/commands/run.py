"""`manage.py run`: what `make run` starts. Migrates, makes the demo data, then runs the
web server (uvicorn, ASGI: pages and WebSockets), a task worker and the periodic-task
scheduler side by side until Ctrl-C or SIGTERM stops them."""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


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
        python = sys.executable
        forwarded = os.environ.get("FORWARDED_ALLOW_IPS", "")
        manage = [python, str(settings.BASE_DIR / "manage.py")]
        children = [
            subprocess.Popen([*manage, "db_worker", "--no-reload", "--queue-name", "*"]),  # noqa: S603
            subprocess.Popen([*manage, "enqueue_periodic_tasks", "--loop", "60"]),  # noqa: S603
            subprocess.Popen(  # noqa: S603
                [
                    python,
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
                    # uvicorn believes X-Forwarded-For from 127.0.0.1 by default, so any local
                    # script could pick its address: only when FORWARDED_ALLOW_IPS names a proxy.
                    *(["--forwarded-allow-ips", forwarded] if forwarded else ["--no-proxy-headers"]),
                ]
            ),
        ]
        self.stdout.write(self.style.SUCCESS(f"Shomp is running at http://{host}:{port}/ (Ctrl-C stops it)."))

        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while not stopping and all(child.poll() is None for child in children):
                time.sleep(0.3)
        finally:
            for child in children:
                if child.poll() is None:
                    child.terminate()
            deadline = time.monotonic() + 10
            for child in children:
                try:
                    child.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.kill()
        self.stdout.write("Shomp stopped.")
