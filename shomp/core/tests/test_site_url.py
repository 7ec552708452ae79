"""SITE_URL (links in emails) follows PORT when it isn't set: `PORT=9000 make run` links to 9000."""

import os
import subprocess
import sys

import pytest
from django.conf import settings


def site_url(**env: str) -> str:
    clean = {key: value for key, value in os.environ.items() if key not in {"SITE_URL", "PORT"}}
    code = "import shomp.settings as s; print(s.SITE_URL)"
    # A fresh interpreter: settings read the environment once, at import.
    result = subprocess.run(
        [sys.executable, "-c", code], env={**clean, **env}, cwd=settings.BASE_DIR, capture_output=True, check=True
    )
    return result.stdout.decode().strip()


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "http://127.0.0.1:8000"),
        ({"PORT": "9000"}, "http://127.0.0.1:9000"),
        ({"PORT": "9000", "SITE_URL": "https://shomp.example/"}, "https://shomp.example"),
    ],
)
def test_site_url_follows_port_unless_set(env, expected):
    assert site_url(**env) == expected
