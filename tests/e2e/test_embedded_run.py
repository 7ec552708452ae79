"""`manage.py run` on the embedded default delivers the worker's pushes live (issue 10, item 8).

The server here is not the in-process test server: it is `manage.py run` itself, in a child
process with the embedded settings (SQLite file, in-memory channel layer, no Redis) and the
database task backend, exactly as `make run` starts it. A seller sends an announcement; the
fan-out runs in the task worker, and the follower's open tab shows the bell's new count
without a reload. The follower asked for email too: the email, sent by the worker, links to
the port the server really runs on (not the default 8000).
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from .conftest import SOCKET_PROBE
from .helpers import DESKTOP, accept_dialogs, expect, label, login, wait_for_socket

SEED = """
from shomp.accounts.tests.factories import UserFactory
from shomp.follows.services import follow_store
from shomp.notifications.models import NotificationType
from shomp.notifications.services import set_preferences
from shomp.stores.tests.factories import StoreFactory

shop = StoreFactory(name="Night Kiln", slug="night-kiln", owner=UserFactory(username="kilnkeeper"))
fan = UserFactory(username="nightowl")
follow_store(user=fan, store=shop)
set_preferences(user=fan, preferences={NotificationType.STORE_ANNOUNCEMENT: (True, True)})
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def embedded_env(tmp_path: Path) -> dict[str, str]:
    """`make run`'s environment: nothing set but a throwaway SQLite file and media folders."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "SITE_URL", "PORT", "HOST", "SHOMP_TESTING", "TASKS_BACKEND"}
        and not key.startswith("DJANGO_")
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
        PRIVATE_MEDIA_ROOT=str(tmp_path / "private"),
        PYTHONUNBUFFERED="1",
    )
    return env


@pytest.fixture
def embedded_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """`manage.py run --no-demo` on a free port (via PORT, as `PORT=9000 make run` does);
    yields its URL and the file its output (the console emails) goes to."""
    manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
    env = embedded_env(tmp_path)
    subprocess.run([*manage, "migrate", "--verbosity", "0"], env=env, check=True, timeout=300)
    subprocess.run([*manage, "shell", "--command", SEED], env=env, check=True, timeout=120)
    port = free_port()
    output = tmp_path / "run.log"
    with output.open("wb") as log:
        server = subprocess.Popen(
            [*manage, "run", "--no-demo"], env={**env, "PORT": str(port)}, stdout=log, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, f"manage.py run exited:\n{output.read_text()}"
            try:
                with urllib.request.urlopen(f"{url}/", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, f"manage.py run did not answer:\n{output.read_text()}"
            time.sleep(0.2)
        yield url, output
    finally:
        server.terminate()  # what Ctrl-C or a process manager does: both stop, cleanly
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    assert server.returncode == 0, output.read_text()
    assert "Shomp stopped." in output.read_text()


def test_a_fan_out_by_the_worker_reaches_an_open_tab_and_its_email_links_to_the_real_port(browser, embedded_server):
    url, output = embedded_server
    contexts = []

    def new_page():
        context = browser.new_context(viewport=DESKTOP, base_url=url)
        context.set_default_timeout(15_000)
        context.add_init_script(SOCKET_PROBE)
        contexts.append(context)
        return context.new_page()

    try:
        fan = login(new_page(), url, "nightowl", "correct-horse-battery-staple")
        fan.goto("/night-kiln/")
        wait_for_socket(fan)
        badge = fan.locator("#notifications-badge")
        expect(badge).to_be_hidden()  # nothing unread yet

        seller = login(new_page(), url, "kilnkeeper", "correct-horse-battery-staple")
        accept_dialogs(seller)
        seller.goto("/dashboard/announcements/")
        seller.get_by_label(label("Title")).fill("Night firing")
        seller.get_by_label(label("Text")).fill("The kiln opens at midnight.")
        seller.get_by_role("button", name="Send to 1 follower").click()
        expect(seller.get_by_text("“Night firing” is on its way to your followers.")).to_be_visible()

        # The worker ran the fan-out; its push reached the follower's open tab, no reload.
        expect(badge).to_have_text(re.compile(r"^1"), timeout=20_000)
        assert fan.evaluate("() => window.__shompWsOpen") == 1  # the same socket all along

        # The worker's email links to where the server runs.
        deadline = time.monotonic() + 20
        while "Night firing" not in output.read_text() and time.monotonic() < deadline:
            time.sleep(0.2)
        log = output.read_text()
        assert "Subject: Night Kiln: Night firing" in log
        assert f"\n{url}/announcements/" in log, log
        assert "127.0.0.1:8000" not in log
    finally:
        for context in contexts:
            context.close()


def test_a_client_cannot_pick_its_address_with_x_forwarded_for(embedded_server):
    """uvicorn believes X-Forwarded-For from 127.0.0.1 unless told otherwise: `make run` tells it
    otherwise, so a local script rotating the header still hits the per-address login limit."""
    url, _ = embedded_server
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    with opener.open(f"{url}/accounts/login/", timeout=10) as response:  # the CSRF cookie and token
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.read().decode())[1]

    def failed_login(n: int) -> str:
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "login": f"nobody-{n}", "password": "x"})
        request = urllib.request.Request(  # noqa: S310
            f"{url}/accounts/login/",
            data=data.encode(),
            headers={"X-Forwarded-For": f"198.51.100.{n}", "Referer": f"{url}/accounts/login/"},
        )
        try:
            with opener.open(request, timeout=10) as response:
                return f"{response.status} {response.read().decode()}"
        except urllib.error.HTTPError as error:
            return f"{error.code} {error.read().decode()}"

    answers = [failed_login(n) for n in range(11)]
    assert answers[0].startswith("200") and "Too many failed login attempts" not in answers[0]
    assert answers[10].startswith("429") or "Too many failed login attempts" in answers[10]
