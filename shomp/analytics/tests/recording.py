"""Helpers for the recording pipeline's tests (tracking, privacy, conversions, rollups)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from unittest import mock

from django.db import models

from shomp.analytics import models as analytics_models

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.0 Mobile/15E148 Safari/604.1"
)
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def browser(ip: str = "203.0.113.77", ua: str = FIREFOX, **headers) -> dict:
    """Request META of a real browser at `ip` (the test client sends no user agent by default)."""
    return {"REMOTE_ADDR": ip, "HTTP_USER_AGENT": ua, **headers}


def every_analytics_text(*, buffered: list | None = None) -> list[str]:
    """Every text value of every analytics row (raw rows, rollups, summaries, export records and
    their files; salts aside), plus the buffered records in `buffered` (see `spy_on_buffer`)."""
    texts = []
    for model in (
        analytics_models.PageView,
        analytics_models.Conversion,
        analytics_models.DailyStat,
        analytics_models.DailyVisitors,
        analytics_models.DailySummary,
        analytics_models.ReportExport,
    ):
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField | models.FileField)
        ]
        for row in model.objects.values_list(*fields):
            texts.extend(str(value) for value in row)
    for export in analytics_models.ReportExport.objects.exclude(file=""):
        with export.file.open("rb") as handle:
            texts.append(handle.read().decode())
    texts.extend(json.dumps(record) for record in buffered or [])
    return texts


@contextlib.contextmanager
def spy_on_buffer():
    """Yield a list that receives every record pushed to the analytics buffer (as it goes in)."""
    from shomp.analytics import buffer

    seen: list[dict] = []
    real = buffer.push

    def push(record):
        seen.append(json.loads(json.dumps(record)))  # what Redis would hold
        real(record)

    with mock.patch.object(buffer, "push", push):
        yield seen


@contextlib.contextmanager
def recorded_at(at: dt.datetime):
    """Record (and, on SQLite's immediate buffer, drain) as if it were `at`: the request's time
    and the drain's "today" (only today's salt is ever made)."""
    with (
        mock.patch("shomp.analytics.services.time.time", return_value=at.timestamp()),
        mock.patch("shomp.analytics.privacy.timezone.now", return_value=at),
    ):
        yield
