"""Privacy by construction: no raw IP or user agent anywhere, unlinkable hashes, opt-outs, proxies."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.test import RequestFactory
from django.utils import timezone

from shomp.analytics import exports, privacy, tasks
from shomp.analytics.models import DailySalt, DailySummary, PageView, ReportExport
from shomp.analytics.ranges import DateRange, RangeKey
from shomp.analytics.rollups import roll_up_day
from shomp.catalog.tests.factories import ProductFactory
from shomp.stores.tests.factories import StoreFactory

from .recording import FIREFOX, IPHONE, browser, every_analytics_text, recorded_at, spy_on_buffer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_salts():
    privacy.forget_salts()
    yield
    privacy.forget_salts()


def test_no_raw_ip_or_user_agent_reaches_any_analytics_row(client, django_capture_on_commit_callbacks):
    from shomp.accounts.tests.factories import UserFactory
    from shomp.follows.services import follow_store

    product = ProductFactory()
    ips = ["203.0.113.77", "2001:db8:abcd:12:1:2:3:4", "::ffff:198.51.100.23"]
    user = UserFactory()
    with spy_on_buffer() as buffered:
        for ip, ua in zip(ips, [FIREFOX, IPHONE, FIREFOX], strict=True):
            client.get(product.get_absolute_url(), **browser(ip=ip, ua=ua, HTTP_REFERER="https://www.google.com/"))
        client.force_login(user)
        client.get(product.store.get_absolute_url(), **browser(ip=ips[0]))
        with django_capture_on_commit_callbacks(execute=True):
            follow_store(user=user, store=product.store)
    # Today's numbers rolled up and summarized as for a finished day, and exported to files.
    today = timezone.now().astimezone(product.store.tzinfo).date()
    roll_up_day(store_id=product.store_id, day=today)
    period = DateRange(today, today, product.store.tzinfo, RangeKey.CUSTOM)
    for report in ("sources", "browsers", "os", "devices", "countries"):
        export = exports.request_export(user=product.store.owner, store=product.store, report=report, period=period)
        exports.build_export(export_id=export.pk)
    assert DailySummary.objects.filter(store=product.store).exists()
    assert ReportExport.objects.filter(status=ReportExport.Status.READY).count() == 5
    assert len(buffered) == 5  # four views and the follow
    texts = every_analytics_text(buffered=buffered)
    assert PageView.objects.count() == 4 and texts
    assert any("Firefox 133" in text for text in texts)  # the scan reads the files: families are there
    for raw in [*ips, "198.51.100.23", FIREFOX, IPHONE, "Gecko/20100101", "AppleWebKit"]:
        assert not [text for text in texts if raw in text], raw
    assert set(PageView.objects.values_list("ip_address", flat=True)) == {
        "203.0.113.0/24",
        "2001:db8:abcd::/48",
        "198.51.100.0/24",
    }


@pytest.mark.parametrize(
    ("ip", "network"),
    [
        ("203.0.113.77", "203.0.113.0/24"),
        ("2001:db8:abcd:12::1", "2001:db8:abcd::/48"),
        ("::ffff:198.51.100.23", "198.51.100.0/24"),  # IPv4-mapped: the IPv4 network
        ("[2001:db8::1]:443", "2001:db8::/48"),
        ("fe80::1%eth0", "fe80::/48"),
        ("not an ip", ""),
        ("", ""),
        ("999.1.1.1", ""),
    ],
)
def test_addresses_are_reduced_to_their_network(ip, network):
    assert privacy.anonymise(ip) == network


@pytest.mark.parametrize(
    ("proxies", "forwarded", "remote", "expected"),
    [
        (0, "1.2.3.4", "203.0.113.5", "203.0.113.5"),  # no proxy of ours: the header is anyone's
        (1, "9.9.9.9, 198.51.100.7", "10.0.0.1", "198.51.100.7"),  # what our proxy saw, not what was typed
        (2, "9.9.9.9, 198.51.100.7, 10.0.0.2", "10.0.0.1", "198.51.100.7"),
        (1, "2001:db8::9", "10.0.0.1", "2001:db8::9"),
        (1, "garbage", "10.0.0.1", ""),  # malformed: unknown, not an error
        (1, "1.2.3.4,,,", "10.0.0.1", "1.2.3.4"),
        (2, "1.2.3.4", "10.0.0.1", ""),  # fewer entries than proxies: unknown
        (1, "", "10.0.0.1", ""),
        (1, "<script>, ", "10.0.0.1", ""),
    ],
)
def test_x_forwarded_for_is_believed_only_from_trusted_proxies(settings, proxies, forwarded, remote, expected):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert privacy.client_ip(request) == expected


def test_malformed_forwarded_for_still_counts_the_view_without_a_network(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    product = ProductFactory()
    response = client.get(product.get_absolute_url(), **browser(HTTP_X_FORWARDED_FOR="[::1, nonsense"))
    assert response.status_code == 200
    assert PageView.objects.get().ip_address == ""


@pytest.mark.parametrize("header", [{"HTTP_SEC_GPC": "1"}, {"HTTP_DNT": "1"}])
def test_opted_out_visitors_are_counted_without_a_hash_or_session(client, header):
    product = ProductFactory()
    client.get(product.get_absolute_url(), **browser(HTTP_REFERER="https://www.google.com/", **header))
    client.get(product.get_absolute_url(), **browser(HTTP_REFERER=f"http://testserver/{product.store.slug}/", **header))
    first, second = PageView.objects.order_by("pk")
    assert first.visitor_hash == second.visitor_hash == "" and first.session_id == second.session_id == ""
    assert first.is_entry and not second.is_entry  # a visit when it came from elsewhere
    assert first.medium == "search"


def test_the_same_visitor_hashes_differently_on_two_days_and_two_stores():
    one, two = StoreFactory(), StoreFactory()
    monday, tuesday = dt.date(2026, 5, 4), dt.date(2026, 5, 5)
    with mock.patch("shomp.analytics.privacy.timezone.now", return_value=dt.datetime(2026, 5, 4, tzinfo=dt.UTC)):
        same = {"network": "203.0.113.0/24", "agent": privacy.agent_digest(FIREFOX)}
        hashes = {
            privacy.visitor_hash(salt=privacy.salt_for(day), store_id=store.pk, **same)
            for day in (monday, tuesday)
            for store in (one, two)
        }
        again = privacy.visitor_hash(salt=privacy.salt_for(monday), store_id=one.pk, **same)
    assert len(hashes) == 4 and again in hashes and all(len(h) == 32 for h in hashes)


def test_salts_rotate_daily_and_the_old_ones_are_deleted():
    DailySalt.objects.create(day=dt.date(2020, 1, 1), salt="old")
    DailySalt.objects.create(day=dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1), salt="yesterday")
    tasks.rotate_salts.call()
    assert list(DailySalt.objects.values_list("day", flat=True)) == [dt.datetime.now(dt.UTC).date()]
    assert not DailySalt.objects.filter(salt__in=["old", "yesterday"]).exists()


def test_a_new_salt_each_day_gives_a_returning_visitor_a_new_hash(client):
    product = ProductFactory()
    day_one = dt.datetime(2026, 5, 4, 12, tzinfo=dt.UTC)
    for at in (day_one, day_one + dt.timedelta(days=1)):
        # Each view is drained on its own day: the salt of the day is made then.
        with recorded_at(at):
            client.get(product.get_absolute_url(), **browser())
    first, second = PageView.objects.order_by("created_at")
    assert first.visitor_hash and second.visitor_hash and first.visitor_hash != second.visitor_hash


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"HTTP_CF_IPCOUNTRY": "de"}, "DE"),
        ({"HTTP_CF_IPCOUNTRY": "XX"}, ""),  # unknown
        ({"HTTP_CF_IPCOUNTRY": "T1"}, ""),  # Tor
        ({"HTTP_CF_IPCOUNTRY": "<script>"}, ""),
        ({}, ""),
    ],
)
def test_country_comes_from_the_configured_proxy_header(settings, headers, expected):
    settings.ANALYTICS_COUNTRY_HEADER = "CF-IPCountry"
    request = RequestFactory().get("/", **headers)
    assert privacy.country(request, "203.0.113.7") == expected


def test_without_a_header_or_database_the_country_is_unknown(settings):
    settings.ANALYTICS_COUNTRY_HEADER = ""
    settings.ANALYTICS_GEOIP_PATH = ""
    privacy._geoip_reader.cache_clear()
    request = RequestFactory().get("/", HTTP_CF_IPCOUNTRY="DE")
    assert privacy.country(request, "203.0.113.7") == ""


def test_a_missing_geoip_file_leaves_the_country_unknown(settings, tmp_path):
    settings.ANALYTICS_COUNTRY_HEADER = ""
    settings.ANALYTICS_GEOIP_PATH = str(tmp_path / "missing.mmdb")
    privacy._geoip_reader.cache_clear()
    try:
        assert privacy.country(RequestFactory().get("/"), "203.0.113.7") == ""
    finally:
        privacy._geoip_reader.cache_clear()


def test_the_country_header_is_stored_on_the_view(client, settings):
    settings.ANALYTICS_COUNTRY_HEADER = "CF-IPCountry"
    product = ProductFactory()
    client.get(product.get_absolute_url(), **browser(HTTP_CF_IPCOUNTRY="NZ"))
    assert PageView.objects.get().country == "NZ"


def test_the_admin_shows_rows_read_only_without_users_or_salts(admin_client):
    product = ProductFactory()
    admin_client.get(product.get_absolute_url(), **browser())
    view = PageView.objects.get()
    assert view.user_id is not None  # the admin looked at the page logged in
    listing = admin_client.get("/admin/analytics/pageview/")
    assert listing.status_code == 200 and product.store.name in listing.content.decode()
    detail = admin_client.get(f"/admin/analytics/pageview/{view.pk}/change/").content.decode()
    assert "203.0.113.0/24" in detail and 'name="user"' not in detail and '<input type="submit"' not in detail
    assert admin_client.get("/admin/analytics/pageview/add/").status_code == 403
    assert admin_client.get("/admin/analytics/dailysalt/").status_code == 404


@pytest.mark.parametrize("header", [{"HTTP_SEC_GPC": "1"}, {"HTTP_DNT": "1"}])
def test_an_opted_out_signed_in_visitor_is_kept_with_no_user_and_no_hash(client, header):
    from shomp.accounts.tests.factories import UserFactory

    product = ProductFactory()
    client.force_login(UserFactory())
    client.get(product.get_absolute_url(), **browser(**header))
    view = PageView.objects.get()
    assert view.user_id is None and view.visitor_hash == "" and view.session_id == ""


def test_rolling_up_a_finished_day_unlinks_its_views_from_the_user(client):
    """Raw views keep a signed-in visitor's user only until their local day is rolled up."""
    from shomp.accounts.tests.factories import UserFactory
    from shomp.analytics.rollups import roll_up_day

    product = ProductFactory()
    user = UserFactory()
    client.force_login(user)
    now = dt.datetime.now(dt.UTC)
    for at in (now - dt.timedelta(days=2), now - dt.timedelta(days=1), now):
        with mock.patch("shomp.analytics.services.time.time", return_value=at.timestamp()):
            client.get(product.get_absolute_url(), **browser())
    tz = product.store.tzinfo
    for day in {view.created_at.astimezone(tz).date() for view in PageView.objects.all()}:
        roll_up_day(store_id=product.store_id, day=day)
    today = now.astimezone(tz).date()
    linked = {view.created_at.astimezone(tz).date(): view.user_id for view in PageView.objects.all()}
    assert linked[today] == user.pk  # today: still open (a purchase may join its session)
    assert [user_id for day, user_id in linked.items() if day < today] == [None, None]


def test_two_raw_user_agents_of_one_browser_version_are_two_visitors_and_neither_is_kept(client):
    """The hash is keyed by the whole header: two builds of Firefox 133 on Windows behind one
    network are two visitors, though their kept families are the same."""
    product = ProductFactory()
    other_build = FIREFOX.replace("Win64; x64", "WOW64")
    client.get(product.get_absolute_url(), **browser(ua=FIREFOX))
    client.get(product.get_absolute_url(), **browser(ua=other_build))
    first, second = PageView.objects.order_by("pk")
    assert first.user_agent == second.user_agent == "Firefox 133 / Windows / desktop"
    assert first.ip_address == second.ip_address
    assert first.visitor_hash and second.visitor_hash and first.visitor_hash != second.visitor_hash
    assert first.is_entry and second.is_entry  # two sessions
    texts = every_analytics_text()
    for raw in (FIREFOX, other_build, "WOW64", "Win64", privacy.agent_digest(FIREFOX)):
        assert not [text for text in texts if raw in text], raw


def test_a_past_day_salt_is_used_while_it_exists_and_never_made_again():
    today = dt.datetime.now(dt.UTC).date()
    yesterday = today - dt.timedelta(days=1)
    DailySalt.objects.create(day=yesterday, salt="y" * 64)
    assert privacy.salt_for(yesterday) == "y" * 64  # a drain just after midnight
    DailySalt.objects.filter(day=yesterday).delete()
    privacy.forget_salts()
    assert privacy.salt_for(yesterday) == ""
    assert privacy.salt_for(today - dt.timedelta(days=30)) == ""
    assert list(DailySalt.objects.values_list("day", flat=True)) == []
    assert privacy.visitor_hash(salt="", store_id=1, network="203.0.113.0/24", agent="x") == ""
    assert privacy.salt_for(today) and list(DailySalt.objects.values_list("day", flat=True)) == [today]


def test_a_late_drain_of_yesterdays_records_after_its_salt_is_gone_keeps_them_without_a_hash(client):
    from shomp.analytics import ingest

    product = ProductFactory()
    yesterday = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    with (
        mock.patch("shomp.analytics.buffer.push") as push,
        mock.patch("shomp.analytics.services.time.time", return_value=yesterday.timestamp()),
    ):
        client.get(product.get_absolute_url(), **browser())
    (record,), _ = push.call_args
    ingest.ingest([record])
    view = PageView.objects.get()
    assert view.visitor_hash == "" and view.session_id == ""
    assert not DailySalt.objects.filter(day=yesterday.date()).exists()
