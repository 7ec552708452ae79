from datetime import timedelta

import pytest
from django.tasks import task
from django.utils import timezone

from shomp.core import periodic, tasks  # noqa: F401  (core's periodic tasks registered first)
from shomp.core.models import PeriodicTaskRun

pytestmark = pytest.mark.django_db

runs = []


@task
def count_a_run() -> None:
    runs.append(1)


@pytest.fixture
def registered(monkeypatch):
    # The apps' tasks modules register on first import: import them into the real registry now,
    # or the autodiscovery below would put them in this test's registry only, and later tests
    # (the RQ smoke test's periodic sweep) would find them missing.
    periodic.periodic_tasks()
    monkeypatch.setattr(periodic, "_registry", {})
    runs.clear()
    periodic.register_periodic(count_a_run, every=timedelta(hours=1))
    return count_a_run.module_path


def test_a_periodic_task_is_enqueued_once_per_interval(registered, django_capture_on_commit_callbacks):
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert registered not in periodic.enqueue_due_periodic_tasks(now=start)  # not at start-up
    assert runs == []

    now = start + timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert registered in periodic.enqueue_due_periodic_tasks(now=now)
    assert len(runs) == 1

    with django_capture_on_commit_callbacks(execute=True):
        assert registered not in periodic.enqueue_due_periodic_tasks(now=now + timedelta(minutes=59))
    assert len(runs) == 1

    with django_capture_on_commit_callbacks(execute=True):
        assert registered in periodic.enqueue_due_periodic_tasks(now=now + timedelta(minutes=61))
    assert len(runs) == 2
    assert PeriodicTaskRun.objects.get(name=registered).last_enqueued_at == now + timedelta(minutes=61)


def test_the_apps_periodic_tasks_are_found_without_importing_them_first():
    assert "shomp.core.tasks.delete_unreferenced_files_task" in periodic.periodic_tasks()


def test_the_command_enqueues_what_is_due(registered, django_capture_on_commit_callbacks):
    from django.core.management import call_command

    periodic.enqueue_due_periodic_tasks(now=timezone.now() - timedelta(hours=2))  # first seen then
    with django_capture_on_commit_callbacks(execute=True):
        call_command("enqueue_periodic_tasks", verbosity=0)
    assert len(runs) == 1
