"""Shared pytest set-up: the immediate task backend, test storage, and a few fixtures."""

import os
import shutil
import tempfile

import pytest

os.environ.setdefault("SHOMP_TESTING", "1")
# Uploads of the whole test run go to a throwaway folder (read when settings load).
_TEST_FILES = tempfile.mkdtemp(prefix="shomp-test-files-")
os.environ["MEDIA_ROOT"] = os.path.join(_TEST_FILES, "media")
os.environ["PRIVATE_MEDIA_ROOT"] = os.path.join(_TEST_FILES, "private")


@pytest.fixture(autouse=True)
def _shomp_test_settings(settings):
    """Tasks run immediately and passwords hash fast."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_unconfigure(config):
    shutil.rmtree(_TEST_FILES, ignore_errors=True)


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate limits (allauth's login throttle) live in the cache: start every test clean."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
