"""The demo's 90 days of analytics and the benchmark's generator: realistic, consistent, rolled up."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from shomp.analytics.generate import Catalogue, traffic
from shomp.analytics.models import NONE_ID, Conversion, ConversionType, DailyStat, DailyVisitors, PageView
from shomp.catalog.tests.factories import ProductFactory
from shomp.demo import analytics as demo_analytics
from shomp.orders.tests.factories import OrderFactory, product_with_variants
from shomp.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


def test_the_demo_fills_90_days_rolled_up_and_counts_real_orders_once():
    store = StoreFactory(slug="inkwell-and-ash", time_zone="Europe/London")
    for n in range(5):
        ProductFactory(store=store, price=Decimal("8.00") + n)
    product_with_variants(store=store)
    order = OrderFactory(store=store, total=Decimal("31.00"))
    created = Counter()

    demo_analytics.seed(stores={store.slug: store}, created=created)

    yesterday = timezone.now().astimezone(store.tzinfo).date() - dt.timedelta(days=1)
    days = set(DailyStat.objects.filter(store=store).values_list("day", flat=True)) - {order.created_at.date()}
    # Ending yesterday (today is the real clicks of whoever runs the demo), 90 days back.
    assert len(days) >= 89 and max(days) == yesterday and min(days) >= yesterday - dt.timedelta(days=89)
    assert created["page views"] == PageView.objects.count() > 2000
    totals = DailyStat.objects.filter(store=store).aggregate(views=Sum("pageviews"), visits=Sum("visits"))
    assert totals["views"] > totals["visits"] > 0
    assert set(DailyStat.objects.values_list("medium", flat=True)) >= {"direct", "search", "social", "email", "shomp"}
    assert DailyStat.objects.filter(variant_views__gt=0).exists()
    assert DailyVisitors.objects.filter(store=store).aggregate(v=Sum("visitors"))["v"] > 0
    # Orders in the store row equal the product rows' revenue (a made-up line per order).
    store_rows = DailyStat.objects.filter(store=store, product_id_value=NONE_ID).exclude(day=order.created_at.date())
    product_rows = (
        DailyStat.objects.filter(store=store).exclude(product_id_value=NONE_ID).exclude(day=order.created_at.date())
    )
    assert store_rows.aggregate(r=Sum("revenue"))["r"] == product_rows.aggregate(r=Sum("revenue"))["r"] > 0
    assert Conversion.objects.filter(order_id=order.pk, value=Decimal("31.00")).count() == 1

    again = Counter()
    demo_analytics.seed(stores={store.slug: store}, created=again)
    assert not again and PageView.objects.count() == created["page views"]


def test_the_generator_is_anonymous_like_real_rows_and_deterministic():
    store = StoreFactory()
    ProductFactory(store=store)
    catalogue = Catalogue.of(store)
    end = dt.date(2026, 3, 1)
    first = list(traffic(store=store, catalogue=catalogue, days=3, visits_per_day=20, seed=7, end=end))
    second = list(traffic(store=store, catalogue=catalogue, days=3, visits_per_day=20, seed=7, end=end))
    assert [r.created_at for r in first] == [r.created_at for r in second]
    views = [r for r in first if isinstance(r, PageView)]
    assert all(v.ip_address.endswith(".0/24") and " / " in v.user_agent for v in views)
    purchases = [r for r in first if isinstance(r, Conversion) and r.conversion_type == ConversionType.PURCHASE]
    assert all(p.order_id is None for p in purchases)
