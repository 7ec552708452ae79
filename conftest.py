"""Shared pytest set-up: the immediate task backend, test storage, and a few fixtures."""

import os
import shutil
import warnings

import pytest

os.environ.setdefault("SHOMP_TESTING", "1")
# Uploads of the whole test run go to a throwaway folder that settings made (pytest-django
# loads settings before this file is read, so it can't be chosen here).
_TEST_FILES = os.environ.get("SHOMP_TEST_FILES")


@pytest.fixture(autouse=True)
def _shomp_test_settings(settings):
    """Tasks run immediately and passwords hash fast."""
    settings.TASKS = {
        "default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend", "QUEUES": settings.TASK_QUEUES}
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, and at its end: PostgreSQL refuses to drop a database
    someone is connected to, and a thread a test started (an executor's, a server's) can leave its
    connection open: the test database was then left behind with a teardown warning. End those
    connections first, naming their last query, so the next run can find the thread that left them.

    An override rather than an autouse fixture: the database is still made only when the first
    test asks for it, so tests without one don't start with an open connection (closing a response
    outside the test client checks it, and pytest-django forbids that)."""
    yield
    from django.db import connections

    with django_db_blocker.unblock():
        for connection in connections.all():
            if connection.vendor != "postgresql":
                continue
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT left(query, 200), pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
                stray = [row[0] for row in cursor.fetchall()]
            if stray:
                warnings.warn(f"Connections still open at the end of the run, closed: {stray}", stacklevel=1)


def pytest_unconfigure(config):
    if _TEST_FILES:
        shutil.rmtree(_TEST_FILES, ignore_errors=True)


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate limits (allauth's login throttle, messaging) and shared pages live in the caches: start
    every test clean, so no test is answered with a page another test rendered."""
    _clear_this_runs_cache()
    yield
    _clear_this_runs_cache()


def _clear_this_runs_cache():
    from django.conf import settings
    from django.core.cache import cache, caches

    prefix = settings.CACHES["default"].get("KEY_PREFIX")
    if prefix and "redis" in settings.CACHES["default"]["BACKEND"].lower():
        # RedisCache.clear() is FLUSHDB: it would also wipe the channel layer and other runs' keys.
        client = cache._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()
        if "pages" in settings.CACHES:
            caches["pages"].clear()


@pytest.fixture
def responses_closed_outside_a_request():
    """Closing a response sends request_finished, whose close_old_connections() checks the
    database connection; a test without the database (after another test of its process left
    the connection open, as a TestCase-style test does) may not touch it. Django's test client
    disconnects the same receiver while it closes a response: do as it does."""
    from django.core.signals import request_finished
    from django.db import close_old_connections

    request_finished.disconnect(close_old_connections)
    yield
    request_finished.connect(close_old_connections)
