"""Browser tests against a live server: uvicorn in a thread of this process, Chromium via Playwright.

Run them in their own pytest process (`pytest tests/e2e`): sync Playwright keeps an event loop
in the main thread, which pytest-asyncio tests must not share. Nothing here needs asyncio mode.

Fixtures
- live_server_app (session): the running server; `.url`, and `.call(func, *args)` which runs a
  sync function inside the server the way a sync view runs (use it to publish real-time events
  from a test: `live_server_app.call(realtime.publish, topic, html)`), and `.wait_until_quiet()`,
  which make_page calls after closing its pages, before the test's database flush.
- live_url (session): "http://127.0.0.1:<port>".
- browser (session): headless Chromium from /usr/bin/chromium.
- make_page (function; alias new_page): make_page(mobile=False, viewport=None, **context_options)
  returns a page in a fresh browser context (its own cookies: a separate person), with
  base_url=live_url. Contexts close at teardown; on a failure every open page is screenshotted
  to var/screenshots/<test>-<n>.png.
- page (function): make_page().

Every test here gets django_db(transaction=True) unless it sets its own django_db mark: the
server thread reads the database through its own connections, so data must be committed.
The server is in-process, so mail.outbox (locmem) and the in-memory channel layer are shared
with the test.

On PostgreSQL the run gets its own test database (test_<name>_e2e_<pid>), so other test runs
on the same machine cannot pull it from under a browser test; with Redis, the channel layer's
pub/sub channels carry the run's own prefix.

Starting data: builders.py (factories and services; place_order runs inside the server).
Browser helpers: helpers.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

# Sync Playwright runs an event loop in the main thread; the ORM calls the tests make there are
# still plain sync calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
# Count htmx WebSocket opens/closes so tests can wait for the socket instead of sleeping.
# Init scripts are injected by the browser, so the page's strict CSP does not apply to them.
SOCKET_PROBE = """
window.__shompWsOpen = 0; window.__shompWsClose = [];
document.addEventListener("htmx:wsOpen", function () { window.__shompWsOpen += 1; });
document.addEventListener("htmx:wsClose", function (e) {
  window.__shompWsClose.push(e.detail && e.detail.event ? e.detail.event.code : null);
});
"""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = os.path.dirname(__file__)
    ours = [item for item in items if str(item.path).startswith(here)]
    if ours and any(item.get_closest_marker("asyncio") for item in items if item not in ours):
        # Sync Playwright's loop in the main thread breaks pytest-asyncio tests run after it.
        raise pytest.UsageError("Run the browser tests in their own process: pytest tests/e2e (make test does).")
    for item in ours:
        if item.get_closest_marker("django_db") is None:
            item.add_marker(pytest.mark.django_db(transaction=True))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    report = yield
    if report.when == "call":
        item.stash[_FAILED] = report.failed
    return report


_FAILED = pytest.StashKey[bool]()


class _InFlight:
    """The app, counting the requests and sockets it is still answering."""

    def __init__(self, app: Callable[..., Any]) -> None:
        self.app = app
        self.count = 0  # changed on the server's loop only

    async def __call__(self, scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        self.count += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.count -= 1


@dataclass
class LiveServer:
    url: str
    loop: asyncio.AbstractEventLoop
    in_flight: _InFlight

    def wait_until_quiet(self, timeout: float = 10.0) -> None:
        """Wait until the server answers nothing and, on PostgreSQL, no other connection to the
        test database is busy. Closing a page cancels its requests, but a sync view's thread runs
        on (a thread can't be stopped), and a query it makes while the test's flush truncates
        every table can deadlock with the flush (seen in CI: DeadlockDetected at teardown)."""
        from django.db import connection

        deadline = time.monotonic() + timeout
        while self.in_flight.count and time.monotonic() < deadline:
            time.sleep(0.02)
        if connection.vendor != "postgresql":
            return  # SQLite: the flush waits for a writer's lock
        while time.monotonic() < deadline:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND coalesce(state, 'idle') <> 'idle'"
                )
                if cursor.fetchone()[0] == 0:
                    return
            time.sleep(0.02)

    def call(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run sync `func` in the server, as a sync view would (thread-sensitive, on its loop).

        Needed to publish from a test: the main thread has Playwright's loop, where
        async_to_sync refuses to run, and the in-memory channel layer must be driven from
        the loop its consumers wait on.
        """
        from channels.db import database_sync_to_async

        coroutine = database_sync_to_async(func)(*args, **kwargs)
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=30)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """On PostgreSQL, a test database of this process's own (test_<name>_e2e_<pid>).

    Every other test run on the machine uses test_<name>; a second process creating or dropping
    that database in the middle of this (slower) run would break it. SQLite already gets one
    file per process from settings.
    """
    from django.conf import settings

    for db_settings in settings.DATABASES.values():
        if db_settings["ENGINE"] == "django.db.backends.sqlite3":
            continue
        test = db_settings.setdefault("TEST", {})
        test["NAME"] = f"{test.get('NAME') or 'test_' + db_settings['NAME']}_e2e_{os.getpid()}"


@pytest.fixture(scope="session")
def live_server_app(django_db_setup: None) -> Iterator[LiveServer]:
    import uvicorn
    from django.test.utils import override_settings

    # Tests run with DEBUG off; let WhiteNoise serve static files from the app directories
    # (no collectstatic), or htmx would 404 and silently do nothing. (The channel layer is left
    # as configured: production's pub/sub layer keeps no keys a cache.clear() could flush, and
    # its channels carry the run's own prefix.)
    static_override = override_settings(WHITENOISE_USE_FINDERS=True)
    static_override.enable()
    from shomp.asgi import application, django_asgi_app

    # WhiteNoise reads its settings when the middleware chain is built; rebuild it in case
    # shomp.asgi was imported before the override.
    django_asgi_app.load_middleware(is_async=True)

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    in_flight = _InFlight(application)
    config = uvicorn.Config(
        in_flight,
        host="127.0.0.1",
        port=port,
        ws="auto",
        lifespan="off",
        loop="asyncio",
        log_level=os.environ.get("E2E_SERVER_LOG_LEVEL", "warning"),
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    loops: list[asyncio.AbstractEventLoop] = []

    async def serve() -> None:
        loops.append(asyncio.get_running_loop())
        await server.serve(sockets=[sock])

    thread = threading.Thread(target=asyncio.run, args=(serve(),), name="e2e-uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("The e2e server did not start (see the log above).")
        time.sleep(0.02)
    try:
        yield LiveServer(url=f"http://127.0.0.1:{port}", loop=loops[0], in_flight=in_flight)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        static_override.disable()


@pytest.fixture(scope="session")
def live_url(live_server_app: LiveServer) -> str:
    return live_server_app.url


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium; never `playwright install`)")
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    try:
        yield browser
    finally:
        browser.close()
        playwright.stop()


@pytest.fixture
def make_page(
    browser: Any, live_server_app: LiveServer, live_url: str, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Any]]:
    from .helpers import DESKTOP, MOBILE, screenshot

    contexts: list[Any] = []
    pages: list[Any] = []

    def make(*, mobile: bool = False, viewport: dict[str, int] | None = None, **context_options: Any) -> Any:
        context = browser.new_context(
            viewport=viewport or (MOBILE if mobile else DESKTOP), base_url=live_url, **context_options
        )
        context.set_default_timeout(10_000)
        context.add_init_script(SOCKET_PROBE)
        contexts.append(context)
        page = context.new_page()
        _watch_errors(page)
        pages.append(page)
        return page

    yield make
    if request.node.stash.get(_FAILED, False):
        for number, page in enumerate(pages, 1):
            if not page.is_closed():
                with contextlib.suppress(Exception):  # a screenshot must not hide the real failure
                    screenshot(page, f"{request.node.name}-{number}")
    for context in contexts:
        context.close()
    live_server_app.wait_until_quiet()  # before the test's flush (its teardown runs after this one)


def _watch_errors(page: Any) -> None:
    """Keep console errors and uncaught exceptions on page.shomp_errors (see helpers.page_errors)."""
    errors: list[str] = []
    page.shomp_errors = errors

    def on_console(message: Any) -> None:
        url = (message.location or {}).get("url", "")
        if message.type == "error" and not url.endswith("/favicon.ico"):  # browsers ask unprompted
            errors.append(f"{message.text} ({url})" if url else message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))


@pytest.fixture
def new_page(make_page: Callable[..., Any]) -> Callable[..., Any]:
    return make_page


@pytest.fixture
def page(make_page: Callable[..., Any]) -> Any:
    return make_page()
