"""The distributed task backend (TASKS_BACKEND=rq, docs/DEPLOYMENT.md "Task backend"): a smoke
run through a real RQ worker process (issue 17, "Scale-out on existing engines").

This test process enqueues through django-tasks-rq as the web processes would; `manage.py
rqworker --with-scheduler`, the command `manage.py run` starts for that backend, runs the work
in another process against this test's database. Checked: a follower fan-out (an announcement
reaches every follower), a deferred task (a promotion scheduled to start in a few seconds starts
then, and its sale announcement fans out in turn), a periodic task enqueued by the scheduler
(the stalled bulk-job sweep), and a large bulk edit applied by the worker with its progress saved.

RQ's keys have fixed names, so the queues live on a Redis server of the test's own (RQ_REDIS_URL)
when redis-server is installed: no other worker on the machine can take these jobs. The channel
layer and cache stay on REDIS_URL.

Needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL): the embedded run has neither, so it skips
this module with that reason; CI's PostgreSQL + Redis run always runs it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from shomp.accounts.tests.factories import UserFactory
from shomp.bulk import selectors as bulk_selectors
from shomp.bulk import services as bulk_services
from shomp.bulk.models import BulkJob
from shomp.catalog.models import Product
from shomp.catalog.services import promotions
from shomp.catalog.tests.factories import ProductFactory
from shomp.core.management.commands.run import worker_command
from shomp.core.models import PeriodicTaskRun
from shomp.core.periodic import enqueue_due_periodic_tasks
from shomp.follows.models import StoreAnnouncement
from shomp.follows.services import follow_store, send_announcement
from shomp.follows.tasks import deliver_announcement_task
from shomp.notifications.models import Notification
from shomp.stores.tests.factories import StoreFactory

DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")

pytestmark = [
    pytest.mark.skipif(
        not (DATABASE_URL.startswith("postgres") and REDIS_URL),
        reason="needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL): an RQ worker process shares them with the test",
    ),
    pytest.mark.django_db(transaction=True),  # the worker process reads what the test commits
]

WAIT_SECONDS = 180  # a bound on a loaded machine, not a timing assertion


@pytest.fixture
def rq_redis_url(tmp_path: Path) -> Iterator[str]:
    """A Redis server of this test's own for RQ's queues (REDIS_URL's when none is installed)."""
    server = shutil.which("redis-server")
    if server is None:
        yield REDIS_URL
        return
    import redis

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        client = redis.Redis.from_url(url)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)
        client.close()
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def rq_backend(settings, rq_redis_url: str) -> str:
    """This process enqueues through django-tasks-rq, as settings do for TASKS_BACKEND=rq."""
    settings.TASKS = {"default": {"BACKEND": settings.TASK_BACKENDS["rq"], "QUEUES": settings.TASK_QUEUES}}
    settings.RQ_QUEUES = {name: {"URL": rq_redis_url, "DEFAULT_TIMEOUT": 600} for name in settings.TASK_QUEUES}
    settings.RQ = {"JOB_CLASS": "django_tasks_rq.Job"}
    return rq_redis_url


def _test_database_url() -> str:
    """DATABASE_URL, naming the test database (test_<name>) that this test writes to."""
    return urlparse(DATABASE_URL)._replace(path=f"/{connection.settings_dict['NAME']}").geturl()


def _start_worker(rq_redis_url: str, tmp_path: Path, log: Path) -> subprocess.Popen:
    manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
    env = {
        **{key: value for key, value in os.environ.items() if key not in {"SHOMP_TESTING", "TASKS_BACKEND"}},
        "TASKS_BACKEND": "rq",
        "RQ_REDIS_URL": rq_redis_url,
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": REDIS_URL,
        # The channel layer's prefix of this test run: the worker's pushes reach no dev server.
        "REDIS_PREFIX": settings.CACHES["default"]["KEY_PREFIX"],
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "private"),
        "PYTHONUNBUFFERED": "1",
    }
    with log.open("wb") as out:
        return subprocess.Popen(
            worker_command(manage), env=env, stdout=out, stderr=subprocess.STDOUT, cwd=settings.BASE_DIR
        )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()  # RQ's warm shutdown: the job in hand finishes first
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _notified(announcement: StoreAnnouncement) -> set[int]:
    return set(Notification.objects.filter(data__announcement=str(announcement.uuid)).values_list("user_id", flat=True))


def test_a_real_rq_worker_runs_the_fan_out_deferred_periodic_and_bulk_work(rq_backend, tmp_path, monkeypatch):
    import django_rq
    from rq.registry import ScheduledJobRegistry

    owner = UserFactory()
    store = StoreFactory(owner=owner)
    fans = [UserFactory() for _ in range(3)]
    for fan in fans:
        follow_store(user=fan, store=store)

    # A follower fan-out, queued on commit by the seller's request.
    update = send_announcement(store=store, author=owner, kind=StoreAnnouncement.Kind.UPDATE, title="Kiln day")

    # A deferred task: the promotion's start, a few seconds from now (RQ's scheduler moves it).
    starts_at = timezone.now() + timedelta(seconds=3)
    promotion = promotions.save_promotion(
        user=owner,
        organization_id=store.organization_id,
        data=promotions.PromotionData(
            name="Night sale",
            kind="percent",
            amount=Decimal("10"),
            starts_at=starts_at,
            ends_at=starts_at + timedelta(days=1),
            store_ids=frozenset({store.pk}),
        ),
    )

    # A periodic task, enqueued by the scheduler (`enqueue_periodic_tasks`) into RQ.
    stalled = BulkJob.objects.create(
        uuid=uuid.uuid4(),
        user=owner,
        kind=BulkJob.Kind.OPERATION,
        action="price_percent",
        summary="A worker died applying this",
        status=BulkJob.Status.RUNNING,
        heartbeat_at=timezone.now() - timedelta(hours=1),
    )
    enqueue_due_periodic_tasks()  # first sight of each periodic task: none is due yet
    sweep = "shomp.bulk.tasks.fail_stalled_jobs"
    PeriodicTaskRun.objects.filter(name=sweep).update(last_enqueued_at=timezone.now() - timedelta(days=1))
    assert enqueue_due_periodic_tasks() == [sweep]

    # A bulk edit above the threshold: the worker applies it and saves its progress.
    for n in range(5):
        ProductFactory(store=store, title=f"Bowl {n}", price=Decimal("10.00"))
    monkeypatch.setattr(bulk_services, "WORKER_THRESHOLD", 3)
    job = bulk_services.prepare_operation(
        user=owner,
        target="products",
        action="price_percent",
        value="10",
        filters=bulk_selectors.Filters(store_ids=(store.pk,)),
        ids=None,
    )
    job = bulk_services.apply_job(user=owner, job=job)
    assert job.status == BulkJob.Status.QUEUED

    # Everything waits in Redis: nothing ran in this process.
    queue = django_rq.get_queue("default")
    queued = {job.func_name.rsplit(".", 1)[-1]: job.id for job in queue.get_jobs()}
    assert {"deliver_announcement_task", "fail_stalled_jobs", "apply_job_task"} <= set(queued)  # (and analytics')
    assert len(ScheduledJobRegistry(queue=queue)) == 1  # the promotion's start
    assert not Notification.objects.exists()

    log = tmp_path / "rqworker.log"
    worker = _start_worker(rq_backend, tmp_path, log)
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            assert worker.poll() is None, f"the RQ worker exited:\n{log.read_text()}"
            sale = StoreAnnouncement.objects.filter(store=store, kind=StoreAnnouncement.Kind.SALE).first()
            stalled.refresh_from_db()
            job.refresh_from_db()
            if (
                len(_notified(update)) == 3
                and sale is not None
                and len(_notified(sale)) == 3
                and stalled.status == BulkJob.Status.FAILED
                and job.status == BulkJob.Status.DONE
            ):
                break
            assert time.monotonic() < deadline, f"the worker did not finish in time:\n{log.read_text()}"
            time.sleep(0.3)
    finally:
        _stop(worker)

    fan_ids = {fan.pk for fan in fans}
    assert _notified(update) == fan_ids and _notified(sale) == fan_ids
    # The deferred start ran at its time, not before.
    promotion.refresh_from_db()
    assert promotion.started_at is not None and promotion.started_at >= starts_at
    assert stalled.message == bulk_services.STALLED
    assert (job.processed, job.percent) == (5, 100)
    assert set(Product.objects.filter(store=store).values_list("price", flat=True)) == {Decimal("11.00")}
    # The task's result reads back through Django's API, from Redis.
    result = deliver_announcement_task.get_result(queued["deliver_announcement_task"])
    assert (result.status, result.return_value) == ("SUCCESSFUL", 3)
