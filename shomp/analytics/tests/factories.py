"""Rows for the analytics tests, written directly (the recording pipeline is tested on its own).

Keep this file additive: the recording tests and the report tests both add helpers here.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from shomp.analytics.models import NONE_ID, Conversion, DailyStat, DailyVisitors, Device, Medium, PageKind, PageView


def daily_stat(store, day: dt.date, *, product=None, variant=None, **values) -> DailyStat:
    """One rollup row of `store`'s local `day`; slice fields default to direct / desktop / unknown country."""
    fields = {
        "medium": Medium.DIRECT,
        "source": "",
        "utm_campaign": "",
        "country": "",
        "device": Device.DESKTOP,
    }
    fields.update({k: values.pop(k) for k in list(values) if k in fields})
    if "revenue" in values:
        values["revenue"] = Decimal(str(values["revenue"]))
    return DailyStat.objects.create(
        store=store,
        day=day,
        product_id_value=getattr(product, "pk", product) or NONE_ID,
        variant_id_value=getattr(variant, "pk", variant) or NONE_ID,
        **fields,
        **values,
    )


def daily_visitors(store, day: dt.date, *, visitors: int, visits: int | None = None, **fields) -> DailyVisitors:
    values = {"browser": "Firefox", "os": "Linux", "device": Device.DESKTOP}
    values.update(fields)
    return DailyVisitors.objects.create(
        store=store, day=day, visitors=visitors, visits=visits if visits is not None else visitors, **values
    )


def page_view(store, *, created_at: dt.datetime | None = None, product=None, variant=None, **values) -> PageView:
    """A raw page view (today's detail): a store page by default, an entry view when `is_entry`."""
    kind = values.pop("kind", PageKind.PRODUCT if product else PageKind.STORE)
    path = values.pop("path", f"/{store.slug}/" + (f"products/{product.pk}/" if product else ""))
    return PageView.objects.create(
        store=store,
        product=product,
        variant=variant,
        kind=kind,
        path=path,
        created_at=created_at or timezone.now(),
        **values,
    )


def conversion(
    store, conversion_type: str, *, created_at: dt.datetime | None = None, value="0", **values
) -> Conversion:
    return Conversion.objects.create(
        store=store,
        conversion_type=conversion_type,
        value=Decimal(str(value)),
        created_at=created_at or timezone.now(),
        **values,
    )
