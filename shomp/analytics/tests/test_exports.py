"""Exports: every report as CSV; small ones at once, big ones in the worker with progress and a
door-checked private download; another store's export is a 404; formulas are defused."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from shomp.analytics import exports
from shomp.analytics.models import Medium, ReportExport
from shomp.analytics.tests.factories import daily_stat
from shomp.catalog.tests.factories import ProductFactory
from shomp.organizations.tests.factories import add_member
from shomp.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


def _rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode())))


@pytest.fixture
def store():
    store = StoreFactory(slug="fern")
    day = timezone.now().astimezone(store.tzinfo).date() - dt.timedelta(days=1)
    mug = ProductFactory(store=store, title='=HYPERLINK("http://evil")')
    daily_stat(store, day, visits=12, pageviews=20, purchases=2, revenue="30")
    daily_stat(store, day, product=mug, product_views=9, pageviews=9, purchases=1, revenue="15")
    daily_stat(store, day, medium=Medium.SOCIAL, source="instagram", utm_campaign="@SUM(A1)", visits=3)
    return store


@pytest.mark.parametrize("report", list(exports.REPORTS))
def test_every_report_downloads_as_csv_at_once(client, store, report):
    client.force_login(store.owner)
    response = client.post(reverse("analytics:export"), {"report": report, "range": "7d"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f'filename="fern-{report}-' in response["Content-Disposition"]
    rows = _rows(response)
    assert rows[0] == list(exports.REPORTS[report].header)


def test_csv_holds_the_numbers_and_defuses_formulas(client, store):
    client.force_login(store.owner)
    products = _rows(client.post(reverse("analytics:export"), {"report": "products", "range": "7d"}))
    assert products[1][1] == '\'=HYPERLINK("http://evil")'
    assert products[1][2:5] == ["9", "0", "1"] and products[1][-1] == "15.00"
    campaigns = _rows(client.post(reverse("analytics:export"), {"report": "campaigns", "range": "7d"}))
    assert campaigns[1][:2] == ["'@SUM(A1)", "3"]
    overview = _rows(client.post(reverse("analytics:export"), {"report": "overview", "range": "7d"}))
    assert len(overview) == 1 + 7 and sum(int(r[1]) for r in overview[1:]) == 15


def test_big_export_runs_in_the_worker_with_progress_and_a_private_download(
    client, store, settings, django_capture_on_commit_callbacks
):
    settings.ANALYTICS_EXPORT_INLINE_ROWS = 1
    client.force_login(store.owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("analytics:export"), {"report": "sources", "range": "30d"})
    assert response.status_code == 302 and response["Location"].endswith("?range=30d#exports")
    export = ReportExport.objects.get(store=store)
    assert export.status == ReportExport.Status.READY and export.progress == 100 and export.rows == 2
    page = client.get(response["Location"]).content.decode()
    assert "being built" in page and reverse("analytics:export_download", args=[export.uuid]) in page
    download = client.get(reverse("analytics:export_download", args=[export.uuid]))
    assert download.status_code == 200 and download["Cache-Control"] == "private, no-store"
    assert [row[1] for row in _rows(download)[1:]] == ["", "instagram"]


def test_a_queued_export_shows_a_progress_bar_that_polls(client, store):
    export = ReportExport.objects.create(
        uuid="12345678-1234-5678-1234-567812345678",
        store=store,
        report="products",
        start="2026-01-01",
        end="2026-02-01",
        progress=40,
    )
    client.force_login(store.owner)
    fragment = client.get(reverse("analytics:export_status", args=[export.uuid])).content.decode()
    assert 'hx-trigger="every 2s"' in fragment and 'value="40"' in fragment and "<progress" in fragment
    assert client.get(reverse("analytics:export_download", args=[export.uuid])).status_code == 404


def test_another_stores_export_an_analyst_or_a_bad_id_is_a_404(
    client, store, settings, django_capture_on_commit_callbacks
):
    settings.ANALYTICS_EXPORT_INLINE_ROWS = 0
    client.force_login(store.owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("analytics:export"), {"report": "overview", "range": "7d"})
    export = ReportExport.objects.get(store=store)
    other = StoreFactory()
    client.force_login(other.owner)
    for name in ("analytics:export_download", "analytics:export_status"):
        assert client.get(reverse(name, args=[export.uuid])).status_code == 404
        assert client.get(reverse(name, args=["not-a-uuid"])).status_code == 404
    analyst = add_member(store, role="analyst").user
    client.force_login(analyst)
    assert client.get(reverse("analytics:export_download", args=[export.uuid])).status_code == 404
    assert client.post(reverse("analytics:export"), {"report": "overview"}).status_code == 404
    client.logout()
    response = client.get(reverse("analytics:export_download", args=[export.uuid]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_bad_export_requests_change_nothing(client, store):
    client.force_login(store.owner)
    response = client.post(reverse("analytics:export"), {"report": "everything", "range": "7d"}, follow=True)
    assert "Choose a report to export" in response.content.decode()
    response = client.post(
        reverse("analytics:export"),
        {"report": "overview", "range": "custom", "start": "2026-02-01", "end": "2025-01-01"},
        follow=True,
    )
    assert "Fix the date range first" in response.content.decode()
    assert not ReportExport.objects.exists()
