"""Exports: every report as CSV; small ones at once, big ones in the worker with progress and a
door-checked private download; another store's export is a 404; formulas are defused."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from shomp.accounts.tests.factories import UserFactory
from shomp.analytics import exports
from shomp.analytics.models import Medium, ReportExport
from shomp.analytics.tests.factories import daily_stat, daily_visitors
from shomp.catalog.tests.factories import ProductFactory
from shomp.orders.models import Order
from shomp.orders.tests.factories import OrderFactory, product_with_variants, variant_of
from shomp.organizations.models import Membership
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
    data = {"report": report, "range": "7d"}
    if exports.REPORTS[report].per_product:
        data["product"] = ProductFactory(store=store).pk
    response = client.post(reverse("analytics:export"), data)
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


def _yesterday(store) -> dt.date:
    return timezone.now().astimezone(store.tzinfo).date() - dt.timedelta(days=1)


def test_operating_systems_export_counts_unique_visitors(client, store):
    daily_visitors(store, _yesterday(store), visitors=4, os="Windows")
    daily_visitors(store, _yesterday(store), visitors=2, os="iOS", browser="Mobile Safari")
    client.force_login(store.owner)
    rows = _rows(client.post(reverse("analytics:export"), {"report": "os", "range": "7d"}))
    assert rows == [["Operating system", "Unique visitors"], ["Windows", "4"], ["iOS", "2"]]


def test_headlines_export_holds_every_headline_with_its_comparison(client, store):
    # The day before the 7-day range: the previous period's only day with numbers.
    before = _yesterday(store) - dt.timedelta(days=7)
    daily_stat(store, before, visits=6, pageviews=8, purchases=1, revenue="10")
    client.force_login(store.owner)
    rows = _rows(client.post(reverse("analytics:export"), {"report": "headlines", "range": "7d"}))
    assert rows[0] == ["Metric", "This range", "Compared range", "Change %"]
    assert rows[1][0] == "Range" and " to " in rows[1][1] and " to " in rows[1][2]
    by_label = {row[0]: row[1:] for row in rows[2:]}
    assert list(by_label) == [
        "Visits",
        "Unique visitors",
        "Page views",
        "Product views",
        "Conversion rate %",
        "Revenue",
        "Orders",
        "Average order value",
    ]
    assert by_label["Visits"] == ["15", "6", "150.00"]
    assert by_label["Revenue"] == ["30.00", "10.00", "200.00"]
    assert by_label["Orders"] == ["2", "1", "100.00"]
    assert by_label["Average order value"] == ["15.00", "10.00", "50.00"]
    assert by_label["Conversion rate %"][0] == "13.33"
    # No comparison: the compared column is empty.
    rows = _rows(client.post(reverse("analytics:export"), {"report": "headlines", "range": "7d", "compare": "none"}))
    assert rows[1][2] == "" and {row[0]: row[1:] for row in rows[2:]}["Visits"] == ["15", "", ""]


def test_buyer_summary_export_new_returning_and_repeat_rate(client, store):
    now = timezone.now()
    regular, newcomer = UserFactory(), UserFactory()
    for buyer, days_ago in ((regular, 40), (regular, 2), (newcomer, 1), (newcomer, 1)):
        order = OrderFactory(store=store, buyer=buyer)
        Order.objects.filter(pk=order.pk).update(created_at=now - dt.timedelta(days=days_ago))
    cancelled = OrderFactory(store=store, status=Order.Status.CANCELLED)
    Order.objects.filter(pk=cancelled.pk).update(created_at=now - dt.timedelta(days=1))
    client.force_login(store.owner)
    rows = _rows(client.post(reverse("analytics:export"), {"report": "buyer_summary", "range": "7d"}))
    assert rows == [
        ["Metric", "Value"],
        ["Buyers", "2"],
        ["New buyers", "1"],
        ["Returning buyers", "1"],
        ["Repeat purchase rate %", "100.00"],
    ]


def test_variant_funnel_exports_from_its_product_page(client, store):
    shirt = product_with_variants(store=store, options={"Size": ["S", "M"]})
    small = variant_of(shirt, "S")
    daily_stat(store, _yesterday(store), product=shirt, variant=small, variant_views=10, add_to_carts=4)
    daily_stat(
        store,
        _yesterday(store),
        product=shirt,
        variant=small,
        device="mobile",
        sold_out_views=3,
        purchases=2,
        revenue="24",
    )
    client.force_login(store.owner)
    page = client.get(reverse("analytics:product", args=[shirt.pk]), {"range": "7d"}).content.decode()
    assert 'id="variant-export-form"' in page and f'name="product" value="{shirt.pk}"' in page
    assert 'name="range" value="7d"' in page
    response = client.post(reverse("analytics:export"), {"report": "variants", "product": shirt.pk, "range": "7d"})
    assert f'filename="fern-variants-{shirt.pk}-' in response["Content-Disposition"]
    rows = _rows(response)
    assert rows[0][:4] == ["Variant id", "Variant", "Archived", "Chosen"]
    by_name = {row[1]: row for row in rows[1:]}
    assert by_name["S"][3:] == ["10", "4", "40.00", "2", "3", "24.00"]
    assert by_name["M"][3:] == ["0", "0", "", "0", "0", "0.00"]
    # The reports page doesn't offer it (it is one product's).
    reports = client.get(reverse("analytics:reports")).content.decode()
    assert 'value="variants"' not in reports and 'value="os"' in reports and 'value="headlines"' in reports


def test_a_variant_funnel_export_of_another_stores_product_or_none_is_a_404(client, store):
    other = product_with_variants(store=StoreFactory(), options={"Size": ["S"]})
    client.force_login(store.owner)
    for product in (other.pk, "", "abc", 10**12):
        data = {"report": "variants", "range": "7d", "product": product}
        assert client.post(reverse("analytics:export"), data).status_code == 404
    # Its owner can't export this store's product through their own store either.
    mine = product_with_variants(store=store, options={"Size": ["S"]})
    client.force_login(other.store.owner)
    assert client.post(reverse("analytics:export"), {"report": "variants", "product": mine.pk}).status_code == 404
    # An analyst sees the funnel but not the export button, and can't export.
    analyst = add_member(store, role="analyst").user
    client.force_login(analyst)
    page = client.get(reverse("analytics:product", args=[mine.pk])).content.decode()
    assert 'id="variant-funnel"' in page and "variant-export-form" not in page
    assert client.post(reverse("analytics:export"), {"report": "variants", "product": mine.pk}).status_code == 404
    client.logout()
    response = client.post(reverse("analytics:export"), {"report": "variants", "product": mine.pk})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not ReportExport.objects.exists()


def test_a_big_variant_funnel_export_keeps_its_product_in_the_worker(
    client, store, settings, django_capture_on_commit_callbacks
):
    settings.ANALYTICS_EXPORT_INLINE_ROWS = 0
    shirt = product_with_variants(store=store, options={"Size": ["S"]})
    daily_stat(store, _yesterday(store), product=shirt, variant=variant_of(shirt, "S"), variant_views=5)
    client.force_login(store.owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("analytics:export"), {"report": "variants", "product": shirt.pk, "range": "7d"})
    export = ReportExport.objects.get(store=store)
    assert export.options == {"compare": "previous", "product_id": shirt.pk} and export.rows == 1
    download = _rows(client.get(reverse("analytics:export_download", args=[export.uuid])))
    assert download[1][1:4] == ["S", "", "5"]


@pytest.mark.parametrize("change", ["lowered to analyst", "removed", "limited to another store"])
def test_the_export_task_asks_the_door_again_when_it_runs(client, store, settings, change):
    settings.ANALYTICS_EXPORT_INLINE_ROWS = 0
    other = StoreFactory(owner=store.owner, organization=store.organization)
    membership = add_member(store, role="manager")
    client.force_login(membership.user)
    client.post(reverse("stores:switch"), {"store": store.pk})
    response = client.post(reverse("analytics:export"), {"report": "overview", "range": "7d"})  # queued, not run
    assert response.status_code == 302
    export = ReportExport.objects.get(store=store)
    assert export.status == ReportExport.Status.QUEUED

    if change == "lowered to analyst":  # analytics read only: no exports
        Membership.objects.filter(pk=membership.pk).update(role="analyst")
    elif change == "removed":
        membership.delete()
    else:
        Membership.objects.filter(pk=membership.pk).update(all_stores=False)
        membership.stores.set([other])

    exports.build_export(export_id=export.pk)

    export.refresh_from_db()
    assert export.status == ReportExport.Status.FAILED and export.rows == 0 and not export.file


def test_the_export_task_builds_for_a_requester_who_still_may(client, store, settings):
    settings.ANALYTICS_EXPORT_INLINE_ROWS = 0
    membership = add_member(store, role="manager")
    client.force_login(membership.user)
    client.post(reverse("analytics:export"), {"report": "overview", "range": "7d"})
    export = ReportExport.objects.get(store=store)

    exports.build_export(export_id=export.pk)

    export.refresh_from_db()
    assert export.status == ReportExport.Status.READY and export.file
