"""{% static_url %} (core.urls.cached_static) answers what Django's {% static %} answers, with
the manifest storage's hashed names too, and follows a change of STATIC_URL or storage."""

from django.template import Context, Template
from django.test import override_settings

PATHS = ["core/shomp.css", "vendor/htmx/htmx.min.js", "core/favicon.svg", "a file/it's & more.js"]


def both(path: str) -> tuple[str, str]:
    django = Template("{% load static %}{% static path %}").render(Context({"path": path}))
    ours = Template("{% load shomp %}{% static_url path %}").render(Context({"path": path}))
    return django, ours


def test_static_url_is_the_static_tag():
    for path in PATHS:
        django, ours = both(path)
        assert ours == django
    assert both("a file/it's & more.js")[1] == "/static/a%20file/it&#x27;s%20%26%20more.js"  # quoted, then escaped


def test_static_url_follows_static_url_and_the_manifest_storage(tmp_path):
    with override_settings(STATIC_URL="https://cdn.example.com/s/"):
        django, ours = both("core/shomp.css")
        assert ours == django == "https://cdn.example.com/s/core/shomp.css"
    (tmp_path / "core").mkdir()
    (tmp_path / "core" / "shomp.css").write_text("body {}")
    (tmp_path / "staticfiles.json").write_text(
        '{"paths": {"core/shomp.css": "core/shomp.0123456789ab.css"}, "version": "1.1", "hash": "x"}'
    )
    manifest = {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}
    with override_settings(STATIC_ROOT=str(tmp_path), STORAGES={"staticfiles": manifest}, DEBUG=False):
        django, ours = both("core/shomp.css")
        assert ours == django == "/static/core/shomp.0123456789ab.css"
    assert both("core/shomp.css") == ("/static/core/shomp.css", "/static/core/shomp.css")
