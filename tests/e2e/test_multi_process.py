"""Two web processes and a worker, joined by Redis (issue 17, "Scale-out"): what production runs.

Each server is a separate uvicorn process on the same PostgreSQL database and Redis; the task
worker is a third process (`manage.py db_worker`). Checks that:
- an event published by a request to one process reaches a socket held by the other (a buyer's
  message, sent through server A, appears in the seller's thread open on server B), and
- a notification fanned out by the worker reaches an open tab (the bell, on server B).

Needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL): the embedded run has neither, so it skips
this module with that reason; CI's PostgreSQL + Redis run always runs it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings

from .conftest import SOCKET_PROBE
from .helpers import DESKTOP, accept_dialogs, expect, label, login, wait_for_socket
from .test_embedded_run import free_port

DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")

pytestmark = pytest.mark.skipif(
    not (DATABASE_URL.startswith("postgres") and REDIS_URL),
    reason="needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL): several processes share them",
)

PASSWORD = "correct-horse-battery-staple"
SEED = """
from shomp.accounts.tests.factories import UserFactory
from shomp.follows.services import follow_store
from shomp.messaging.models import Conversation
from shomp.messaging.services import create_conversation
from shomp.notifications.models import NotificationType
from shomp.notifications.services import set_preferences
from shomp.stores.tests.factories import StoreFactory

shop = StoreFactory(name="Night Kiln", slug="night-kiln", owner=UserFactory(username="kilnkeeper"))
fan = UserFactory(username="nightowl")
follow_store(user=fan, store=shop)
set_preferences(user=fan, preferences={NotificationType.STORE_ANNOUNCEMENT: (True, False)})
conversation = create_conversation(
    store=shop, customer=fan, type=Conversation.Type.GENERAL, subject="Firing times", content="When is the next one?"
)
print(conversation.uuid)
"""


def _database(base_url: str, name: str) -> str:
    parts = urlparse(base_url)
    return parts._replace(path=f"/{name}").geturl()


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(_database(DATABASE_URL, "postgres"), autocommit=True) as connection:
        connection.execute(sql)


def _wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, f"{url} exited:\n{log.read_text()}"
        try:
            with urllib.request.urlopen(f"{url}/", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            pass
        assert time.monotonic() < deadline, f"{url} did not answer:\n{log.read_text()}"
        time.sleep(0.2)


@pytest.fixture
def two_servers_and_a_worker(tmp_path: Path) -> Iterator[tuple[str, str, str]]:
    """A fresh database, migrated and seeded; servers A and B and a worker on it and on one
    Redis (a prefix of its own). Yields (url A, url B, the seeded conversation's uuid)."""
    name = f"shomp_multi_{uuid.uuid4().hex[:10]}"
    _admin(f'CREATE DATABASE "{name}"')
    manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
    env = {
        **{key: value for key, value in os.environ.items() if key not in {"SHOMP_TESTING", "TASKS_BACKEND"}},
        "DATABASE_URL": _database(DATABASE_URL, name),
        "REDIS_URL": REDIS_URL,
        "REDIS_PREFIX": f"multi-{uuid.uuid4().hex[:8]}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "private"),
        "PYTHONUNBUFFERED": "1",
    }
    processes: list[tuple[subprocess.Popen, Path]] = []
    try:
        subprocess.run([*manage, "migrate", "--verbosity", "0"], env=env, check=True, timeout=600)
        seeded = subprocess.run(
            [*manage, "shell", "--command", SEED], env=env, check=True, timeout=120, capture_output=True, text=True
        )
        conversation = seeded.stdout.strip().splitlines()[-1]
        urls = []
        for server in ("a", "b"):
            port = free_port()
            log = tmp_path / f"server-{server}.log"
            with log.open("wb") as out:
                command = [sys.executable, "-m", "uvicorn", "shomp.asgi:application", "--host", "127.0.0.1"]
                process = subprocess.Popen(
                    [*command, "--port", str(port), "--no-proxy-headers"],
                    env={**env, "SITE_URL": f"http://127.0.0.1:{port}"},
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    cwd=settings.BASE_DIR,
                )
            processes.append((process, log))
            urls.append(f"http://127.0.0.1:{port}")
        log = tmp_path / "worker.log"
        with log.open("wb") as out:
            worker = subprocess.Popen(
                [*manage, "db_worker", "--no-reload", "--queue-name", "*", "--interval", "0.2"],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        processes.append((worker, log))
        for url, (process, server_log) in zip(urls, processes, strict=False):
            _wait_until_up(url, process, server_log)
        yield urls[0], urls[1], conversation
    finally:
        for process, _ in processes:
            process.terminate()
        for process, _ in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_pushes_cross_processes_and_the_workers_fan_out_reaches_an_open_tab(browser, two_servers_and_a_worker):
    url_a, url_b, conversation = two_servers_and_a_worker
    contexts = []

    def new_page(base_url: str):
        context = browser.new_context(viewport=DESKTOP, base_url=base_url)
        context.set_default_timeout(15_000)
        context.add_init_script(SOCKET_PROBE)
        contexts.append(context)
        return context.new_page()

    try:
        # The seller has the thread open on server B.
        seller = login(new_page(url_b), url_b, "kilnkeeper", PASSWORD)
        accept_dialogs(seller)
        seller.goto(f"/messages/{conversation}/")
        wait_for_socket(seller)
        expect(seller.locator(".msg")).to_have_count(1)

        # The buyer answers through server A; server B's socket shows it, no reload.
        fan = login(new_page(url_a), url_a, "nightowl", PASSWORD)
        fan.goto(f"/messages/{conversation}/")
        wait_for_socket(fan)
        box = fan.get_by_label("Message", exact=True)
        box.fill("Friday works for me.")
        box.press("Enter")
        expect(fan.locator(".msg")).to_have_count(2)
        expect(seller.locator(".msg").last).to_contain_text("Friday works for me.")

        # The fan's tab on server B; the seller announces through server A; the worker fans out.
        fan_b = login(new_page(url_b), url_b, "nightowl", PASSWORD)
        fan_b.goto("/night-kiln/")
        wait_for_socket(fan_b)
        badge = fan_b.locator("#notifications-badge")
        expect(badge).to_be_hidden()
        seller_a = login(new_page(url_a), url_a, "kilnkeeper", PASSWORD)
        accept_dialogs(seller_a)
        seller_a.goto("/dashboard/announcements/")
        seller_a.get_by_label(label("Title")).fill("Night firing")
        seller_a.get_by_label(label("Text")).fill("The kiln opens at midnight.")
        seller_a.get_by_role("button", name="Send to 1 follower").click()
        expect(seller_a.get_by_text("“Night firing” is on its way to your followers.")).to_be_visible()
        expect(badge).to_have_text(re.compile(r"^1"), timeout=30_000)
        assert fan_b.evaluate("() => window.__shompWsOpen") == 1  # the same socket all along
    finally:
        for context in contexts:
            context.close()
