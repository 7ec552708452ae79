"""Production serving: what the WSGI workers load under DEBUG=0 (docs/DEPLOYMENT.md)."""

import json
import os
import subprocess
import sys

from django.conf import settings

# Runs in a fresh interpreter: settings and URLs are read once per process, from the environment.
PROBE = """
import json, django
django.setup()
from django.template import engines
from django.test import RequestFactory
from django.urls import Resolver404, resolve
loaders = engines["django"].engine.template_loaders
try:
    match = resolve("/__bench__/control/")
    response = match.func(RequestFactory().get("/__bench__/control/"))
    control = {"status": response.status_code, "bytes": len(response.content)}
except Resolver404:
    control = None
print(json.dumps({
    "debug": __import__("django.conf").conf.settings.DEBUG,
    "loader": f"{type(loaders[0]).__module__}.{type(loaders[0]).__name__}",
    "inner": [f"{type(l).__module__}.{type(l).__name__}" for l in getattr(loaders[0], "loaders", [])],
    "control": control,
}))
"""


def probe(**env) -> dict:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SHOMP_TESTING", "DEBUG", "SHOMP_BENCH_CONTROL", "DJANGO_SETTINGS_MODULE"}
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="shomp.settings",
        DEBUG="0",
        SECRET_KEY="serving-test-" + "k" * 50,
        ALLOWED_HOSTS="testserver",
        **env,
    )
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=environment, cwd=settings.BASE_DIR, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_production_settings_cache_compiled_templates_and_route_no_benchmark_control():
    seen = probe()
    assert seen["debug"] is False
    # The cached loader compiles each template once per process, not on every render.
    assert seen["loader"] == "django.template.loaders.cached.Loader"
    assert seen["inner"] == [
        "django.template.loaders.filesystem.Loader",
        "django.template.loaders.app_directories.Loader",
    ]
    assert seen["control"] is None


def test_benchmark_control_is_routed_only_when_asked_for():
    seen = probe(SHOMP_BENCH_CONTROL="1")
    assert seen["control"] == {"status": 200, "bytes": 1109}
