"""Recording page views: which pages count, sources, sessions, variants, and never a cost to the page."""

from __future__ import annotations

import datetime as dt
import logging
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shomp.analytics import buffer, ingest, services
from shomp.analytics.models import Device, Medium, PageKind, PageView
from shomp.analytics.sources import classify
from shomp.catalog.tests.factories import ProductFactory
from shomp.follows.tests.factories import AnnouncementFactory
from shomp.orders.tests.factories import product_with_variants, variant_of
from shomp.stores.tests.factories import StoreFactory

from .recording import GOOGLEBOT, IPHONE, browser, recorded_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def store():
    return StoreFactory(slug="fern")


@pytest.fixture
def product(store):
    return ProductFactory(store=store, slug="mug", title="Mug")


def test_storefront_pages_are_counted_with_their_kind_and_ids(client, store, product):
    announcement = AnnouncementFactory(store=store)
    pages = [
        (reverse("catalog:store", args=[store.slug]), PageKind.STORE, None),
        (product.get_absolute_url(), PageKind.PRODUCT, product.pk),
        (reverse("reviews:store", args=[store.slug]), PageKind.REVIEWS, None),
        (reverse("reviews:product", args=[store.slug, product.slug]), PageKind.REVIEWS, product.pk),
        (reverse("follows:announcement", args=[announcement.uuid]), PageKind.ANNOUNCEMENT, None),
    ]
    for url, _, _ in pages:
        assert client.get(url, **browser()).status_code == 200
    views = list(PageView.objects.order_by("pk"))
    assert [(v.path, v.kind, v.product_id, v.store_id) for v in views] == [
        (url, kind, product_id, store.pk) for url, kind, product_id in pages
    ]
    assert views[0].is_entry and not any(v.is_entry for v in views[1:])  # one visit
    assert len({v.session_id for v in views}) == 1 and views[0].session_id
    assert views[0].device == Device.DESKTOP and views[0].browser == "Firefox 133" and views[0].os == "Windows"


def test_storefront_pages_set_no_analytics_cookie(client, store, product):
    """An anonymous visitor's store, product, reviews and announcement pages: the tracking path
    adds no Set-Cookie (what the page sets is the same with tracking switched off), no session
    is started for them, and the views are still counted."""
    from django.test import Client

    announcement = AnnouncementFactory(store=store)
    urls = [
        reverse("catalog:store", args=[store.slug]),
        product.get_absolute_url(),
        reverse("reviews:store", args=[store.slug]),
        reverse("reviews:product", args=[store.slug, product.slug]),
        reverse("follows:announcement", args=[announcement.uuid]),
    ]
    for url in urls:
        tracked = client.get(url, **browser(HTTP_REFERER="https://www.google.com/"))
        with mock.patch("shomp.analytics.middleware.track_view", return_value=False):
            untracked = Client().get(url, **browser(HTTP_REFERER="https://www.google.com/"))
        assert tracked.status_code == untracked.status_code == 200
        assert set(tracked.cookies) == set(untracked.cookies), url
        assert not set(tracked.cookies) - {"csrftoken"}, (url, set(tracked.cookies))
        assert "sessionid" not in tracked.cookies
    assert PageView.objects.count() == len(urls)  # counted (the untracked requests were not)


def test_only_successful_gets_of_real_pages_count(client, store, product):
    client.get("/no-such-store/", **browser())  # 404
    client.get(reverse("catalog:product", args=[store.slug, "nope"]), **browser())  # 404
    client.get(reverse("catalog:product", args=[store.slug, product.pk]), **browser())  # 302 to the slug
    client.head(product.get_absolute_url(), **browser())
    client.post(product.get_absolute_url(), **browser())
    client.get(reverse("catalog:home"), **browser())  # not a store's page
    client.get(reverse("stores:list"), **browser())
    client.get(product.get_absolute_url(), **browser(HTTP_SEC_PURPOSE="prefetch"))
    client.get(reverse("reviews:store", args=[store.slug]), **browser(HTTP_HX_REQUEST="true"))  # a fragment
    assert PageView.objects.count() == 0


def test_bots_and_empty_or_garbage_user_agents_are_not_counted(client, product):
    for ua in (GOOGLEBOT, "curl/8.5.0", "python-requests/2.32", "", "\x01garbage"):
        client.get(product.get_absolute_url(), **browser(ua=ua))
    assert PageView.objects.count() == 0


def test_a_10_kb_user_agent_is_parsed_from_its_start_and_stored_as_families(client, product):
    response = client.get(product.get_absolute_url(), **browser(ua=IPHONE + "x" * 10_000))
    assert response.status_code == 200
    view = PageView.objects.get()
    assert view.device == Device.MOBILE and view.os == "iOS" and len(view.user_agent) <= 150
    assert "AppleWebKit" not in view.user_agent


def test_the_variant_picker_settling_counts_a_variant_view_with_missed_demand(client, store):
    shirt = product_with_variants(store=store, slug="shirt", inventory=3)
    red, blue = variant_of(shirt, "S / Red"), variant_of(shirt, "S / Blue")
    blue.inventory_count = 0
    blue.save()
    url = shirt.get_absolute_url()
    client.get(url, **browser())
    client.get(url, {"variant": red.pk}, **browser(HTTP_HX_REQUEST="true"))
    client.get(url, {"variant": blue.pk}, **browser(HTTP_HX_REQUEST="true"))
    client.get(url, {"o": red.options.first().value_id}, **browser(HTTP_HX_REQUEST="true"))  # not settled
    other = product_with_variants(store=store, slug="other")
    client.get(url, {"variant": variant_of(other, "S / Red").pk}, **browser(HTTP_HX_REQUEST="true"))  # not its own
    views = list(PageView.objects.order_by("pk").values_list("kind", "variant_id", "sold_out"))
    assert views == [
        (PageKind.PRODUCT, None, False),
        (PageKind.VARIANT, red.pk, False),
        (PageKind.VARIANT, blue.pk, True),
    ]


def test_a_sold_out_product_page_counts_as_missed_demand(client, store):
    sold_out = ProductFactory(store=store, stock=0)
    client.get(sold_out.get_absolute_url(), **browser())
    assert PageView.objects.get().sold_out


@pytest.mark.parametrize(
    ("referrer", "query", "expected"),
    [
        ("", {}, (Medium.DIRECT, "", "")),
        ("https://www.google.co.uk/search?q=mugs", {}, (Medium.SEARCH, "google", "google.co.uk")),
        ("https://duckduckgo.com/", {}, (Medium.SEARCH, "duckduckgo", "duckduckgo.com")),
        ("https://l.instagram.com/?u=x", {}, (Medium.SOCIAL, "instagram", "instagram.com")),
        ("https://t.co/abc", {}, (Medium.SOCIAL, "x", "t.co")),
        ("https://mail.google.com/mail/u/0/", {}, (Medium.EMAIL, "gmail", "mail.google.com")),
        ("https://blog.example.org/post", {}, (Medium.REFERRAL, "blog.example.org", "blog.example.org")),
        ("http://testserver/search/?q=mug", {}, (Medium.SHOMP, "marketplace search", "")),
        ("http://testserver/stores/", {}, (Medium.SHOMP, "store directory", "")),
        ("http://testserver/notifications/", {}, (Medium.SHOMP, "notifications", "")),
        ("http://testserver/account/following/", {}, (Medium.SHOMP, "follows", "")),
        ("http://testserver/wishlists/", {}, (Medium.SHOMP, "wishlists", "")),
        ("http://testserver/another-shop/products/x/", {}, (Medium.SHOMP, "another store", "")),
        ("http://testserver/fern/products/x/", {}, (Medium.DIRECT, "", "")),  # the store's own page
        ("not a url", {}, (Medium.DIRECT, "", "")),
        ("javascript:alert(1)", {}, (Medium.DIRECT, "", "")),
        ("http://[::1", {}, (Medium.DIRECT, "", "")),
        (
            "",
            {"utm_source": "Newsletter", "utm_medium": "email", "utm_campaign": "Spring"},
            (Medium.EMAIL, "newsletter", ""),
        ),
        ("https://www.facebook.com/", {"utm_medium": "paid-social"}, (Medium.SOCIAL, "facebook", "facebook.com")),
        ("", {"utm_source": "zine", "utm_medium": "print"}, (Medium.CAMPAIGN, "zine", "")),
        # Shomp's notification emails, read in a webmail or a mail app.
        ("", {"utm_source": "shomp", "utm_medium": "notification"}, (Medium.SHOMP, "notifications", "")),
        (
            "https://mail.google.com/",
            {"utm_source": "Shomp", "utm_medium": "Notification"},
            (Medium.SHOMP, "notifications", "mail.google.com"),
        ),
        ("", {"utm_source": "other", "utm_medium": "notification"}, (Medium.CAMPAIGN, "other", "")),
    ],
)
def test_sources_are_classified(referrer, query, expected):
    source = classify(referrer=referrer, query=query, own_host="testserver", store_slug="fern")
    assert (source.medium, source.source, source.referrer_domain) == expected


def test_utm_values_of_5000_characters_or_html_are_stored_cleaned_and_cut(client, product):
    campaign = "<script>alert('x')</script>Spring " + "s" * 5000
    response = client.get(
        product.get_absolute_url(), {"utm_campaign": campaign, "utm_source": "<b>ig</b>" * 700}, **browser()
    )
    assert response.status_code == 200
    view = PageView.objects.get()
    assert view.medium == Medium.CAMPAIGN
    assert view.utm_campaign.startswith("alert(x) Spring ss") and len(view.utm_campaign) == 100
    assert "<" not in view.utm_campaign + view.utm_source and len(view.utm_source) <= 100
    assert view.source == view.utm_source[:60]


def test_a_session_keeps_its_entry_source_and_ends_after_30_idle_minutes(client, store, product):
    url = product.get_absolute_url()
    start = dt.datetime(2026, 5, 4, 12, 0, tzinfo=dt.UTC)
    with recorded_at(start):
        client.get(url, **browser(HTTP_REFERER="https://www.google.com/"))
    with recorded_at(start + dt.timedelta(minutes=29)):
        client.get(url, **browser(HTTP_REFERER="https://www.bing.com/"))
    with recorded_at(start + dt.timedelta(minutes=60)):
        client.get(url, **browser(HTTP_REFERER="https://www.bing.com/"))
    first, second, third = PageView.objects.order_by("created_at")
    assert (first.is_entry, second.is_entry, third.is_entry) == (True, False, True)
    assert first.session_id == second.session_id != third.session_id
    assert (second.medium, second.source) == (Medium.SEARCH, "google")  # the session's source
    assert (third.medium, third.source) == (Medium.SEARCH, "bing")


def test_a_new_session_starts_at_the_stores_local_midnight(client, store, product):
    store.time_zone = "America/New_York"
    store.save()
    evening = dt.datetime(2026, 5, 4, 23, 50, tzinfo=ZoneInfo("America/New_York"))
    for at in (evening, evening + dt.timedelta(minutes=15)):  # 23:50 and 00:05 the next day, local
        with recorded_at(at):
            client.get(product.get_absolute_url(), **browser())
    before, after = PageView.objects.order_by("created_at")
    assert before.is_entry and after.is_entry and before.session_id != after.session_id


def test_the_same_visitor_on_two_stores_has_two_sessions(client, product):
    other = ProductFactory()
    client.get(product.get_absolute_url(), **browser())
    client.get(other.get_absolute_url(), **browser())
    first, second = PageView.objects.order_by("pk")
    assert first.is_entry and second.is_entry and first.visitor_hash != second.visitor_hash


def test_a_logged_in_visitor_is_counted_and_linked_to_their_user_today(client, product):
    from shomp.accounts.tests.factories import UserFactory

    user = UserFactory()
    client.force_login(user)
    client.get(product.get_absolute_url(), **browser())
    assert PageView.objects.get().user_id == user.pk


# The buffer ------------------------------------------------------------------------------------


def test_a_failing_buffer_never_breaks_the_page(client, product, caplog):
    failing = mock.patch.object(ingest, "write", side_effect=RuntimeError("database on fire"))
    with failing, caplog.at_level(logging.ERROR):
        response = client.get(product.get_absolute_url(), **browser())
    assert response.status_code == 200
    assert "database on fire" in caplog.text  # logged (by the buffer, or the drain task with Redis)


def test_a_failing_view_record_never_breaks_the_page(client, product, caplog):
    with mock.patch.object(services, "visit_facts", side_effect=ValueError("bad")):
        response = client.get(product.get_absolute_url(), **browser())
    assert response.status_code == 200 and PageView.objects.count() == 0


def test_the_memory_buffer_writes_nothing_per_request_and_drains_in_a_fixed_number_of_queries(
    client, product, settings, django_assert_num_queries
):
    settings.ANALYTICS_BUFFER = "memory"
    memory = buffer.MemoryBuffer(flush=lambda: None, delay=3600)
    with mock.patch.object(buffer, "MEMORY", memory):
        with django_assert_num_queries(0):
            services.track_view(request=_request(product), kind=PageKind.PRODUCT, store_slug="fern", product_ref="mug")
        assert memory._timer is not None  # armed by the first record: it drains a moment later
        with CaptureQueriesContext(connection) as one:
            ingest.drain(source=memory)
        for n in range(50):
            client.get(product.get_absolute_url(), **browser(ip=f"198.51.100.{n}"))
        assert len(memory) == 50 and PageView.objects.count() == 1  # nothing written per request
        memory._timer.cancel()
        with CaptureQueriesContext(connection) as fifty:
            ingest.drain(source=memory)
    assert PageView.objects.count() == 51 and len(memory) == 0
    assert len(fifty) <= len(one)  # the same handful of queries for 1 record or 50 (no salt to make now)


def _request(product):
    from django.test import RequestFactory

    return RequestFactory().get(product.get_absolute_url(), **browser())


def test_the_memory_buffer_drops_and_logs_beyond_its_cap(caplog):
    memory = buffer.MemoryBuffer(flush=lambda: None, delay=3600)
    with mock.patch.object(buffer, "MEMORY_MAX_RECORDS", 3), caplog.at_level(logging.WARNING):
        for n in range(5):
            memory.push({"n": n})
    memory._timer.cancel()
    assert len(memory) == 3 and memory.dropped == 2 and "Analytics buffer full" in caplog.text


def test_drain_takes_a_burst_in_batches(store, product):
    memory = buffer.MemoryBuffer(flush=lambda: None, delay=3600)
    # The burst's 42 minutes end at noon in the store's zone and in UTC, so neither midnight
    # (a new salt, a session break) falls inside it whenever the test runs.
    noon = dt.datetime.combine(dt.datetime.now(dt.UTC).date(), dt.time(12), tzinfo=dt.UTC)
    assert store.tzinfo.utcoffset(noon) is not None and abs(store.tzinfo.utcoffset(noon)) < dt.timedelta(hours=11)
    now = noon.timestamp()
    for n in range(2500):
        memory.push(
            {
                "t": "v",
                "at": now - 2500 + n,  # in time order, as a buffer fills
                "kind": "product",
                "store": "fern",
                "product": "mug",
                "path": "/fern/products/mug/",
                "net": f"198.51.{n % 200}.0/24",
                "ua": "Firefox 133 / Linux / desktop",
                "device": "desktop",
                "src": ["direct", "", "", "", "", ""],
            }
        )
    memory._timer.cancel()
    with recorded_at(noon):
        assert ingest.drain(source=memory) == 2500
    assert PageView.objects.filter(product=product).count() == 2500
    assert PageView.objects.filter(is_entry=True).count() == 200  # one session per network


def test_damaged_records_are_skipped_not_fatal(store):
    touched = ingest.ingest(
        [
            {"t": "v", "kind": "product", "store": "fern", "at": "yesterday"},  # no product: a store-level view
            {"t": "v", "kind": "nonsense", "store": "fern"},
            {"t": "v", "kind": "store", "store": "no-such-store"},
            {"t": "c", "type": "purchase", "store_id": "x"},
            {"t": "c", "type": "purchase", "store_id": 10**30},
            "not a dict",
        ]
    )
    assert PageView.objects.count() == 1 and len(touched) == 1


def test_a_click_from_a_notification_email_counts_as_shomp_notifications(
    client, store, product, django_capture_on_commit_callbacks
):
    """The email's link carries Shomp's tags; the visit it opens is 'Shomp · notifications'."""
    from django.core import mail

    from shomp.accounts.tests.factories import UserFactory
    from shomp.notifications.models import NotificationType
    from shomp.notifications.services import create_notification, set_preferences

    user = UserFactory()
    set_preferences(user=user, preferences={NotificationType.MESSAGE_REPLY: (True, True)})
    with django_capture_on_commit_callbacks(execute=True):
        create_notification(
            user=user,
            type=NotificationType.MESSAGE_REPLY,
            key="reply:1",
            context={"sender": "fern", "subject": "Your mug", "excerpt": "Back in stock."},
            data={"url": product.get_absolute_url() + "?variant=5#reviews"},
        )
    (email,) = mail.outbox
    link = next(line for line in email.body.splitlines() if product.get_absolute_url() in line)
    assert link.endswith("?variant=5&utm_source=shomp&utm_medium=notification#reviews")
    path = link[link.index(product.get_absolute_url()) :]  # after the site's address
    client.get(path, **browser(HTTP_REFERER="https://mail.google.com/"))
    view = PageView.objects.get()
    assert (view.medium, view.source, view.utm_medium) == (Medium.SHOMP, "notifications", "notification")
