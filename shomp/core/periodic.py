"""Periodic tasks: work the task worker does every so often (sweeps, rotations, expiries).

An app's tasks.py registers a task with `register_periodic(task, every=...)`;
`enqueue_due_periodic_tasks` enqueues each one whose interval has passed since it was last
enqueued. The PeriodicTaskRun row lock makes that once across every process that calls it, so
any number of schedulers may run. `manage.py enqueue_periodic_tasks --loop 60` is the scheduler
(`manage.py run` starts one; production runs one as a process, or calls the command from cron).
Periodic tasks must be idempotent: a worker may run one late, or twice after a crash.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.tasks import Task
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from .models import PeriodicTaskRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicTask:
    task: Task
    every: timedelta


_registry: dict[str, PeriodicTask] = {}


def register_periodic(task: Task, *, every: timedelta) -> Task:
    """Run `task` (no arguments) about every `every`; returns the task, so this can wrap it."""
    _registry[task.module_path] = PeriodicTask(task=task, every=every)
    return task


def periodic_tasks() -> dict[str, PeriodicTask]:
    autodiscover_modules("tasks")  # the apps register theirs when their tasks module is imported
    return dict(_registry)


def enqueue_due_periodic_tasks(*, now: datetime | None = None) -> list[str]:
    """Enqueue every registered task that is due; returns their names."""
    now = now or timezone.now()
    registry = periodic_tasks()
    due = []
    with transaction.atomic():
        PeriodicTaskRun.objects.bulk_create(
            # A task seen for the first time runs one interval from now, not at once: starting
            # Shomp (make run included) should not set off every sweep at the same moment.
            [PeriodicTaskRun(name=name, last_enqueued_at=now) for name in registry],
            ignore_conflicts=True,
        )
        # skip_locked: a scheduler deciding right now owns those rows; the others move on.
        for run in PeriodicTaskRun.objects.select_for_update(skip_locked=True).filter(name__in=registry):
            entry = registry[run.name]
            if run.last_enqueued_at + entry.every > now:
                continue
            run.last_enqueued_at = now
            run.save(update_fields=["last_enqueued_at"])
            transaction.on_commit(entry.task.enqueue)
            due.append(run.name)
    if due:
        logger.info("Enqueued periodic tasks: %s", ", ".join(due))
    return due
