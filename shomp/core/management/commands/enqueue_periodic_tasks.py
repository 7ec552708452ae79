"""`manage.py enqueue_periodic_tasks [--loop SECONDS]`: enqueue the periodic tasks that are due
(core.periodic), once, or every SECONDS until stopped. The task worker runs them."""

import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from shomp.core.periodic import enqueue_due_periodic_tasks


class Command(BaseCommand):
    help = "Enqueue the periodic tasks that are due (once, or every --loop seconds)."

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=float, default=0, help="Check again every this many seconds.")

    def handle(self, *args, loop: float, **options):
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        if loop:
            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
        while True:
            due = enqueue_due_periodic_tasks()
            if options["verbosity"] > 1 or (due and not loop):
                self.stdout.write(f"Enqueued: {', '.join(due) or 'nothing due'}")
            if not loop:
                return
            deadline = time.monotonic() + loop
            while not stopping and time.monotonic() < deadline:
                time.sleep(min(0.5, loop))
            if stopping:
                return
            close_old_connections()  # a long-running loop must not keep a dead connection
