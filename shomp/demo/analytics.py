"""The demo's store analytics: 90 days of made-up traffic and conversions, rolled up, so the
sellers' dashboards are full on `make run`.

Called by `seed_demo` inside its transaction, after the stores, products and orders exist. The
visits come from shomp.analytics.generate (sources, devices, countries, sessions, the variant
picker, add to cart, checkout, purchases), written with bulk inserts, ending yesterday: today's
numbers are the real clicks of whoever runs the demo. The demo's real orders are counted as
purchases on their own day, with their totals (once per order, as the live pipeline does).
Idempotent: a store that already has page views is left alone.
"""

from __future__ import annotations

import zlib
from collections import Counter
from datetime import timedelta

from django.utils import timezone

from shomp.analytics import bulk
from shomp.analytics.generate import Catalogue, traffic
from shomp.analytics.models import Conversion, ConversionType, PageView
from shomp.analytics.rollups import roll_up_all
from shomp.orders.models import Order
from shomp.stores.models import Store

DAYS = 90
#: Visits a day (on an average weekday) per demo store; busier stores get more.
VISITS_PER_DAY = {"inkwell-and-ash": 18, "fern-and-kiln": 14}
DEFAULT_VISITS_PER_DAY = 6


def seed(*, stores: dict[str, Store], created: Counter) -> None:
    have_views = set(PageView.objects.filter(store__in=stores.values()).values_list("store_id", flat=True).distinct())
    for slug, store in stores.items():
        if store.pk in have_views:
            continue
        rows = list(
            traffic(
                store=store,
                catalogue=Catalogue.of(store),
                days=DAYS,
                visits_per_day=VISITS_PER_DAY.get(slug, DEFAULT_VISITS_PER_DAY),
                seed=zlib.crc32(slug.encode()),
                end=timezone.now().astimezone(store.tzinfo).date() - timedelta(days=1),
            )
        )
        views = [row for row in rows if isinstance(row, PageView)]
        conversions = [row for row in rows if isinstance(row, Conversion)]
        bulk.insert(PageView, views)  # made-up rows: nothing to conflict with
        bulk.insert(Conversion, conversions)
        # The real orders: once each, whoever counted them first (the live pipeline may have).
        Conversion.objects.bulk_create(_real_orders(store), ignore_conflicts=True)
        roll_up_all(store)
        created["page views"] += len(views)
        created["conversions"] += len(conversions)


def _real_orders(store: Store) -> list[Conversion]:
    return [
        Conversion(
            store_id=store.pk,
            conversion_type=ConversionType.PURCHASE,
            user_id=order.buyer_id,
            value=order.total,
            order_id=order.pk,
            created_at=order.created_at,
        )
        for order in Order.objects.filter(store=store).only("pk", "buyer_id", "total", "created_at")
    ]
