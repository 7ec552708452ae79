"""Rollups: a store-day's numbers from its raw rows, in its time zone, idempotent; retention."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from shomp.analytics import rollups, tasks
from shomp.analytics.models import (
    NONE_ID,
    Conversion,
    ConversionType,
    DailyStat,
    DailySummary,
    DailyVisitors,
    Device,
    Medium,
    PageKind,
    PageView,
)
from shomp.catalog.tests.factories import ProductFactory
from shomp.orders.tests.factories import OrderFactory, OrderItemFactory
from shomp.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db

AUCKLAND = ZoneInfo("Pacific/Auckland")


def view(store, at, **fields):
    values = {
        "kind": PageKind.STORE,
        "path": "/x/",
        "visitor_hash": "a" * 32,
        "session_id": "s1",
        "device": Device.DESKTOP,
        "browser": "Firefox 133",
        "os": "Linux",
    }
    values.update(fields)
    return PageView.objects.create(store=store, created_at=at, **values)


@pytest.fixture
def store():
    return StoreFactory(time_zone="Pacific/Auckland")


def test_a_store_day_is_its_local_day_and_counts_what_happened(store):
    product = ProductFactory(store=store, price=Decimal("10.00"))
    day = dt.date(2026, 5, 5)
    morning = dt.datetime(2026, 5, 5, 1, 0, tzinfo=AUCKLAND)  # 13:00 UTC the day before
    google = {"medium": Medium.SEARCH, "source": "google", "device": Device.DESKTOP}
    view(store, morning, is_entry=True, **google)
    view(store, morning + dt.timedelta(minutes=1), kind=PageKind.PRODUCT, product=product, **google)
    view(store, morning + dt.timedelta(minutes=2), kind=PageKind.PRODUCT, product=product, sold_out=True, **google)
    view(store, morning, visitor_hash="b" * 32, session_id="s2", is_entry=True, device=Device.MOBILE, os="iOS")
    view(store, dt.datetime(2026, 5, 5, 23, 59, tzinfo=AUCKLAND) + dt.timedelta(minutes=2), is_entry=True)  # next day
    order = OrderFactory(store=store, total=Decimal("30.00"))
    OrderItemFactory(order=order, product=product, unit_price=Decimal("10.00"), quantity=3)
    at = morning + dt.timedelta(minutes=5)
    Conversion.objects.create(
        store=store, conversion_type=ConversionType.ADD_TO_CART, product=product, created_at=at, **google
    )
    Conversion.objects.create(
        store=store,
        conversion_type=ConversionType.PURCHASE,
        value=Decimal("30.00"),
        order_id=order.pk,
        created_at=at,
        **google,
    )

    rollups.roll_up_day(store_id=store.pk, day=day)

    stats = {(s.product_id_value, s.medium, s.device): s for s in DailyStat.objects.filter(store=store, day=day)}
    store_row = stats[(NONE_ID, Medium.SEARCH, Device.DESKTOP)]
    product_row = stats[(product.pk, Medium.SEARCH, Device.DESKTOP)]
    mobile = stats[(NONE_ID, Medium.DIRECT, Device.MOBILE)]
    assert (store_row.pageviews, store_row.visits, store_row.purchases, store_row.revenue) == (
        1,
        1,
        1,
        Decimal("30.00"),
    )
    assert (product_row.pageviews, product_row.product_views, product_row.sold_out_views) == (2, 2, 1)
    assert (product_row.add_to_carts, product_row.purchases, product_row.revenue) == (1, 3, Decimal("30.00"))
    assert (mobile.pageviews, mobile.visits) == (1, 1)
    assert sum(s.visits for s in stats.values()) == 2  # the 00:01 view belongs to the next day
    visitors = {(v.os, v.device): (v.visitors, v.visits) for v in DailyVisitors.objects.filter(store=store, day=day)}
    assert visitors == {("Linux", Device.DESKTOP): (1, 1), ("iOS", Device.MOBILE): (1, 1)}


def test_rolling_up_again_gives_the_same_rows_and_picks_up_late_rows(store):
    day = dt.date(2026, 5, 5)
    at = dt.datetime(2026, 5, 5, 12, tzinfo=AUCKLAND)
    view(store, at, is_entry=True)
    rollups.roll_up_day(store_id=store.pk, day=day)
    rollups.roll_up_day(store_id=store.pk, day=day)
    assert list(DailyStat.objects.values_list("pageviews", "visits")) == [(1, 1)]
    view(store, at + dt.timedelta(minutes=3))
    rollups.roll_up_day(store_id=store.pk, day=day)
    assert list(DailyStat.objects.values_list("pageviews", "visits")) == [(2, 1)]
    assert DailyVisitors.objects.get().visitors == 1


def test_opted_out_views_count_as_views_and_visits_but_not_as_visitors(store):
    at = dt.datetime(2026, 5, 5, 12, tzinfo=AUCKLAND)
    view(store, at, visitor_hash="", session_id="", is_entry=True)
    view(store, at, visitor_hash="", session_id="")
    rollups.roll_up_day(store_id=store.pk, day=dt.date(2026, 5, 5))
    assert list(DailyStat.objects.values_list("pageviews", "visits")) == [(2, 1)]
    assert list(DailyVisitors.objects.values_list("visitors", "visits")) == [(0, 1)]


def test_variant_views_are_not_page_views(store):
    product = ProductFactory(store=store, stock=None)
    at = dt.datetime(2026, 5, 5, 12, tzinfo=AUCKLAND)
    from shomp.orders.tests.factories import product_with_variants

    shirt = product_with_variants(store=store)
    variant = shirt.variants.first()
    view(store, at, kind=PageKind.PRODUCT, product=shirt)
    view(store, at, kind=PageKind.VARIANT, product=shirt, variant=variant, sold_out=True)
    view(store, at, kind=PageKind.PRODUCT, product=product)
    rollups.roll_up_day(store_id=store.pk, day=dt.date(2026, 5, 5))
    row = DailyStat.objects.get(variant_id_value=variant.pk)
    assert (row.pageviews, row.variant_views, row.sold_out_views, row.product_views) == (0, 1, 1, 0)
    assert sum(DailyStat.objects.values_list("pageviews", flat=True)) == 2


def test_the_drain_refreshes_the_days_it_touched(client, store):
    from .recording import browser

    product = ProductFactory(store=store)
    client.get(product.get_absolute_url(), **browser())
    today = dt.datetime.now(AUCKLAND).date()
    assert DailyStat.objects.get(store=store, day=today).product_views == 1


def test_rolling_up_a_day_writes_its_report_summaries_in_step(store):
    day = dt.date(2026, 5, 5)
    at = dt.datetime(2026, 5, 5, 12, tzinfo=AUCKLAND)
    view(store, at, is_entry=True, medium=Medium.SEARCH, source="google")
    rollups.roll_up_day(store_id=store.pk, day=day)
    total = DailySummary.objects.get(store=store, day=day, kind=DailySummary.Kind.TOTAL)
    assert (total.pageviews, total.visits) == (1, 1)
    view(store, at + dt.timedelta(minutes=3))  # a late row: the summary follows the rollup
    rollups.roll_up_day(store_id=store.pk, day=day)
    total = DailySummary.objects.get(store=store, day=day, kind=DailySummary.Kind.TOTAL)
    assert (total.pageviews, total.visits) == (2, 1)


def test_the_drain_pushes_the_live_panel_of_the_stores_it_touched(client, store, monkeypatch):
    from shomp.analytics import events

    from .recording import browser

    pushed: list[int] = []
    monkeypatch.setattr(events, "live_changed", lambda *, store_id: pushed.append(store_id))
    other = StoreFactory()
    client.get(ProductFactory(store=store).get_absolute_url(), **browser())
    assert pushed == [store.pk] and other.pk not in pushed


def test_refresh_and_finalise_tasks_roll_up_recent_store_days(store):
    now = dt.datetime.now(dt.UTC)
    view(store, now - dt.timedelta(minutes=5), is_entry=True)
    view(store, now - dt.timedelta(hours=30), is_entry=True)
    assert tasks.refresh_today.call() == 1
    assert DailyStat.objects.count() == 1
    tasks.finalise_days.call()
    assert sum(DailyStat.objects.values_list("visits", flat=True)) == 2


def test_roll_up_all_covers_every_day_with_rows(store):
    start = dt.datetime(2026, 3, 1, 12, tzinfo=AUCKLAND)
    for n in range(0, 10, 3):
        view(store, start + dt.timedelta(days=n), is_entry=True)
    assert rollups.roll_up_all(store) == 10
    assert DailyStat.objects.filter(store=store).count() == 4


def test_raw_rows_older_than_the_retention_are_pruned_and_rollups_stay(store, settings):
    settings.ANALYTICS_RETENTION_DAYS = 30
    now = dt.datetime.now(dt.UTC)
    old = view(store, now - dt.timedelta(days=31))
    recent = view(store, now - dt.timedelta(days=29))
    Conversion.objects.create(
        store=store, conversion_type=ConversionType.FOLLOW, created_at=now - dt.timedelta(days=40)
    )
    rollups.roll_up_day(store_id=store.pk, day=old.created_at.astimezone(AUCKLAND).date())
    with mock.patch.object(tasks, "PRUNE_BATCH", 1):
        assert tasks.prune_raw_rows.call() == 2
    assert list(PageView.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not Conversion.objects.exists() and DailyStat.objects.exists()


def test_page_views_have_a_brin_index_on_postgresql_only():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'analytics_pv_created_brin'")
            assert "USING brin (created_at)" in cursor.fetchone()[0]
        else:
            indexes = connection.introspection.get_constraints(cursor, PageView._meta.db_table)
            assert "analytics_pv_created_brin" not in indexes and "analytics_pv_store_time" in indexes
