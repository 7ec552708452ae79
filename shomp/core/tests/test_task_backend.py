"""TASKS_BACKEND picks the task backend (docs/DEPLOYMENT.md, "Task backend"), and `manage.py run`
starts that backend's worker. The real RQ worker runs in test_task_backend_rq.py."""

import os
import subprocess
import sys

from django.conf import settings

from shomp.core.management.commands.run import worker_command

MANAGE = [sys.executable, "manage.py"]


def test_the_database_backend_runs_db_worker_on_every_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASK_QUEUES}}
    assert worker_command(MANAGE) == [*MANAGE, "db_worker", "--no-reload", "--queue-name", "*"]


def test_the_rq_backend_runs_rqworker_with_its_scheduler_on_every_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": settings.TASK_QUEUES}}
    assert worker_command(MANAGE) == [*MANAGE, "rqworker", "--with-scheduler", "default", "media"]


def _settings_with(**env) -> subprocess.CompletedProcess:
    """Import the settings in a fresh process with this environment (no REDIS_URL unless given)."""
    base = {key: value for key, value in os.environ.items() if key not in {"TASKS_BACKEND", "REDIS_URL"}}
    code = "import shomp.settings as s; print(s.TASKS['default']['BACKEND'], getattr(s, 'RQ_QUEUES', {}))"
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**base, **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_embedded_default_is_the_database_backend():
    done = _settings_with()
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[0] == "django_tasks_db.DatabaseBackend"


def test_rq_takes_its_queues_from_redis_and_refuses_to_start_without_it():
    done = _settings_with(TASKS_BACKEND="rq", REDIS_URL="redis://127.0.0.1:6379/3")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("django_tasks_rq.RQBackend")
    assert "'media': {'URL': 'redis://127.0.0.1:6379/3'" in done.stdout
    refused = _settings_with(TASKS_BACKEND="rq")
    assert refused.returncode != 0
    assert "TASKS_BACKEND=rq needs REDIS_URL" in refused.stderr
