"""The analytics pages: who gets in (the door's "analytics.view"), what they see, bad input next
to its field, another store's ids, and query counts flat from 1 to 1,000 products."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from shomp.accounts.tests.factories import UserFactory
from shomp.analytics import exports
from shomp.analytics.models import Conversion, ConversionType, DailyStat, Medium, PageKind, PageView
from shomp.analytics.tests.factories import daily_stat, daily_visitors, page_view
from shomp.catalog.models import Product
from shomp.catalog.tests.factories import ProductFactory
from shomp.orders.tests.factories import OrderFactory, product_with_variants, variant_of
from shomp.organizations.models import Membership
from shomp.organizations.tests.factories import add_member
from shomp.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db

ROLES = ["owner", "admin", "manager", "support", "fulfilment", "analyst"]
READERS = {"owner", "admin", "manager", "analyst"}
PAGES = ["analytics:dashboard", "analytics:products", "analytics:customers", "analytics:reports", "analytics:live"]


def yesterday(store) -> dt.date:
    return timezone.now().astimezone(store.tzinfo).date() - dt.timedelta(days=1)


def _world():
    store = StoreFactory(name="Fern & Kiln")
    users = {"owner": store.owner}
    for role in ROLES[1:]:
        users[role] = add_member(store, role=role).user
    daily_stat(store, yesterday(store), visits=4321, pageviews=9000, purchases=3, revenue="123.45")
    return store, users


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reads_analytics_only_with_analytics_view(client, role):
    _store, users = _world()
    client.force_login(users[role])
    for name in PAGES:
        response = client.get(reverse(name))
        if role in READERS:
            assert response.status_code == 200, name
        else:  # support and fulfilment: sent to the team page, no numbers
            assert response.status_code == 302, name
            assert response["Location"] == reverse("organizations:members")
    if role in READERS:
        page = client.get(reverse("analytics:dashboard")).content.decode()
        assert "4,321" in page and "$123.45" in page
        assert 'href="/dashboard/analytics/"' in page  # the menu's Analytics section


def test_logged_out_and_strangers_see_no_numbers(client):
    _store, _users = _world()
    for name in PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(UserFactory())
    for name in PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"] == reverse("stores:create")


def test_another_stores_owner_sees_only_their_own_numbers(client):
    _store, _users = _world()
    other = StoreFactory(name="Other shop")
    daily_stat(other, yesterday(other), visits=7, pageviews=7)
    client.force_login(other.owner)
    page = client.get(reverse("analytics:dashboard")).content.decode()
    assert "4,321" not in page and "Fern &amp; Kiln" not in page
    assert 'id="metric-visits">7<' in page


def test_a_product_of_another_store_or_a_bad_id_is_a_404(client):
    store, users = _world()
    mine = ProductFactory(store=store)
    theirs = ProductFactory()
    client.force_login(users["analyst"])
    assert client.get(reverse("analytics:product", args=[mine.pk])).status_code == 200
    assert client.get(reverse("analytics:product", args=[theirs.pk])).status_code == 404
    for bad in ["0", "9" * 30, "abc", "-1", "²"]:
        assert client.get(reverse("analytics:product", args=[bad])).status_code == 404


def test_lowering_an_analyst_takes_effect_on_the_next_request(client):
    _store, users = _world()
    client.force_login(users["analyst"])
    assert client.get(reverse("analytics:dashboard")).status_code == 200
    Membership.objects.filter(user=users["analyst"]).update(role="support")
    assert client.get(reverse("analytics:dashboard")).status_code == 302


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("range=custom&start=2026-03-05&end=2026-03-01", "The last day comes before the first"),
        ("range=custom&start=2026-03-01&end=2999-01-01", "can&#x27;t end in the future"),
        ("range=custom&start=2001-01-01&end=2026-03-01", "at most five years"),
        ("range=custom&start=%00&end=x", ""),
        ("range=%3Cscript%3E", "Select a valid choice"),
    ],
)
def test_bad_ranges_show_a_message_next_to_the_field_never_a_500(client, query, message):
    _store, users = _world()
    client.force_login(users["owner"])
    for name in PAGES[:4]:
        response = client.get(reverse(name) + "?" + query)
        assert response.status_code in (200, 400), name
        if response.status_code == 200:
            page = response.content.decode()
            assert message in page
            assert "invalid-feedback" in page
            assert "showing last 30 days meanwhile" in page


def test_range_changes_the_numbers(client):
    store, users = _world()
    long_ago = yesterday(store) - dt.timedelta(days=60)
    daily_stat(store, long_ago, visits=1000, pageviews=1000)
    client.force_login(users["owner"])
    last_30 = client.get(reverse("analytics:dashboard")).content.decode()
    assert 'id="metric-visits">4,321<' in last_30
    # The picker shows the range the page shows (it showed its first choice, "Today").
    assert '<option value="30d" selected>' in last_30 and '<option value="previous" selected>' in last_30
    organization = client.get(reverse("analytics:organization")).content.decode()
    assert '<option value="30d" selected>' in organization
    last_90 = client.get(reverse("analytics:dashboard") + "?range=90d").content.decode()
    assert 'id="metric-visits">5,321<' in last_90
    custom = f"?range=custom&start={long_ago.isoformat()}&end={long_ago.isoformat()}&compare=none"
    page = client.get(reverse("analytics:dashboard") + custom).content.decode()
    assert 'id="metric-visits">1,000<' in page
    # The tabs keep the range.
    assert f'href="/dashboard/analytics/products/?range=custom&amp;start={long_ago.isoformat()}' in page


def test_pages_show_sources_products_variants_and_buyers_by_username(client):
    store, users = _world()
    product = product_with_variants(store=store, title="Speckled mug", options={"Size": ["S", "M"]})
    day = yesterday(store)
    daily_stat(store, day, product=product, product_views=12, pageviews=12, purchases=2, revenue="40")
    daily_stat(store, day, product=product, variant=variant_of(product, "M"), variant_views=5, sold_out_views=3)
    daily_stat(store, day, medium=Medium.SEARCH, source="google", visits=9, utm_campaign="spring-sale")
    daily_stat(store, day, medium=Medium.REFERRAL, source="blog.example", visits=2)
    daily_visitors(store, day, visitors=11, browser="Firefox")
    buyer = UserFactory(username="mugfan", first_name="Secret", last_name="Name")
    OrderFactory(store=store, buyer=buyer)
    client.force_login(users["analyst"])

    products = client.get(reverse("analytics:products")).content.decode()
    assert "Speckled mug" in products and "$40.00" in products
    funnel = client.get(reverse("analytics:product", args=[product.pk])).content.decode()
    assert 'id="variant-funnel"' in funnel and "<strong>3</strong>" in funnel
    reports = client.get(reverse("analytics:reports")).content.decode()
    assert "google" in reports and "spring-sale" in reports and "blog.example" in reports
    assert "Exports need the" in reports  # an analyst reads, doesn't export
    customers = client.get(reverse("analytics:customers")).content.decode()
    assert "mugfan" in customers and "Firefox" in customers
    assert "Secret" not in customers and buyer.email not in customers


def test_empty_store_shows_empty_states(client):
    store = StoreFactory()
    client.force_login(store.owner)
    assert "No product views yet" in client.get(reverse("analytics:dashboard")).content.decode()
    assert "No product views in this range" in client.get(reverse("analytics:products")).content.decode()
    assert "No visits in this range" in client.get(reverse("analytics:reports")).content.decode()
    assert "No orders in this range" in client.get(reverse("analytics:customers")).content.decode()


def test_live_panel_counts_visitors_of_the_last_five_minutes(client):
    store, users = _world()
    mug = ProductFactory(store=store, title="Blue mug")
    now = timezone.now()
    page_view(store, product=mug, session_id="s1", created_at=now - dt.timedelta(minutes=1))
    page_view(store, product=mug, session_id="s2", created_at=now - dt.timedelta(minutes=2))
    page_view(store, session_id="s1", created_at=now - dt.timedelta(minutes=3))
    page_view(store, session_id="", created_at=now - dt.timedelta(minutes=4))  # GPC: no session
    page_view(store, session_id="s3", created_at=now - dt.timedelta(minutes=9))  # gone
    page_view(StoreFactory(), session_id="s4", created_at=now)  # another store
    client.force_login(users["manager"])
    panel = client.get(reverse("analytics:live")).content.decode()
    assert 'id="live-visitors">3<' in panel
    assert "Blue mug" in panel and "2 views" in panel
    dashboard = client.get(reverse("analytics:dashboard")).content.decode()
    assert f"topic=store-live%3A{store.pk}" in dashboard or f"store-live:{store.pk}" in dashboard


def _bulk_products(store, count: int, *, today: bool = False) -> list[Product]:
    """`count` products with a rollup row each yesterday (and, with `today`, a raw view and an
    add to cart each today, read from the raw rows)."""
    products = Product.objects.bulk_create(
        [Product(store=store, title=f"P{n}", slug=f"p-{n}", description="", price=1, stock=1) for n in range(count)]
    )
    day = yesterday(store)
    DailyStat.objects.bulk_create(
        [
            DailyStat(
                store=store, day=day, product_id_value=p.pk, medium="direct", device="desktop", product_views=n + 1
            )
            for n, p in enumerate(products)
        ]
    )
    if today:
        now = timezone.now()
        PageView.objects.bulk_create(
            [
                PageView(store=store, product=p, kind=PageKind.PRODUCT, path=f"/p/{p.pk}/", created_at=now)
                for p in products
            ]
        )
        Conversion.objects.bulk_create(
            [
                Conversion(store=store, product=p, conversion_type=ConversionType.ADD_TO_CART, created_at=now)
                for p in products
            ]
        )
    return products


def _store_with(count: int):
    """A store with `count` plain products (yesterday's rollups and today's raw rows) and one
    product with variants, their numbers yesterday and today."""
    store = StoreFactory()
    _bulk_products(store, count, today=True)
    shirt = product_with_variants(store=store, options={"Size": ["S", "M", "L"]})
    for variant in shirt.variants.all():
        daily_stat(store, yesterday(store), product=shirt, variant=variant, variant_views=2, sold_out_views=1)
        page_view(store, product=shirt, variant=variant, kind=PageKind.VARIANT, created_at=timezone.now())
    return store, shirt


def _flat(client, request) -> list[int]:
    """The queries of `request(client, store, shirt)` for a store of 1 and one of 1,000 products."""
    counts = []
    for count in (1, 1000):
        store, shirt = _store_with(count)
        client.force_login(store.owner)
        request(client, store, shirt)  # warm: the session and per-process caches
        with CaptureQueriesContext(connection) as queries:
            response = request(client, store, shirt)
        assert response.status_code == 200, response.status_code
        counts.append(len(queries))
    return counts


@pytest.mark.parametrize("range_key", ["7d", "today", "12m"])
@pytest.mark.parametrize("name", PAGES)
def test_query_count_is_flat_from_1_to_1000_products(client, name, range_key):
    counts = _flat(client, lambda c, store, shirt: c.get(reverse(name) + f"?range={range_key}"))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 30, counts


@pytest.mark.parametrize("range_key", ["7d", "today", "12m"])
def test_product_detail_query_count_is_flat_from_1_to_1000_products(client, range_key):
    url = "?range=" + range_key
    counts = _flat(client, lambda c, store, shirt: c.get(reverse("analytics:product", args=[shirt.pk]) + url))
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize("report", list(exports.REPORTS))
def test_export_query_count_is_flat_from_1_to_1000_products(client, report):
    def post(c, store, shirt):
        data = {"report": report, "range": "30d"}
        if exports.REPORTS[report].per_product:
            data["product"] = shirt.pk
        return c.post(reverse("analytics:export"), data)

    counts = _flat(client, post)
    assert counts[0] == counts[1], counts


def test_products_page_is_paginated_and_sortable(client):
    store = StoreFactory()
    _bulk_products(store, 120)
    client.force_login(store.owner)
    page = client.get(reverse("analytics:products") + "?sort=views").content.decode()
    assert "Page 1 of 3" in page
    assert page.index(">P119<") < page.index(">P118<")
    assert client.get(reverse("analytics:products") + "?sort=bogus&page=99").status_code == 200


def test_variant_funnel_queries_are_flat_from_1_to_20_variants(client):
    store = StoreFactory()
    few = product_with_variants(store=store, options={"Size": ["S"]})
    many = product_with_variants(store=store, options={"Size": ["S", "M", "L", "XL"], "Colour": list("ABCDE")})
    day = yesterday(store)
    for product in (few, many):
        for variant in product.variants.all():
            daily_stat(store, day, product=product, variant=variant, variant_views=2, sold_out_views=1)
    client.force_login(store.owner)
    counts = []
    for product in (few, many):
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("analytics:product", args=[product.pk]) + "?range=7d")
        assert page.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
