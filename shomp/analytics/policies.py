"""Who sees a store's analytics: the permission door's "analytics.view" (read: every report page
and the live panel) and "analytics" (exports). Another store's product or export is a 404."""

from __future__ import annotations

import uuid

from django.http import Http404

from shomp.catalog.models import Product
from shomp.core.params import parse_id
from shomp.organizations.areas import Area
from shomp.organizations.policies import can
from shomp.stores.models import Store

from .models import ReportExport

VIEW = Area.ANALYTICS_VIEW
EXPORT = Area.ANALYTICS


def can_view_analytics(user, store: Store | None) -> bool:
    return can(user, store, VIEW)


def can_export_analytics(user, store: Store | None) -> bool:
    return can(user, store, EXPORT)


def access_product(*, user, store: Store, product_id: str | int) -> Product:
    """A product of `store` whose numbers `user` may read; Http404 otherwise (any store's id)."""
    pk = parse_id(str(product_id))
    if pk is None or not can_view_analytics(user, store):
        raise Http404("No such product.")
    product = Product.objects.filter(store=store, pk=pk).first()
    if product is None:
        raise Http404("No such product.")
    return product


def access_export(*, user, store: Store, export_uuid: str) -> ReportExport:
    """An export of `store` that `user` may download; Http404 for another store's or a bad id."""
    try:
        key = uuid.UUID(str(export_uuid))
    except ValueError:
        raise Http404("No such export.") from None
    if not can_export_analytics(user, store):
        raise Http404("No such export.")
    export = ReportExport.objects.filter(store=store, uuid=key).first()
    if export is None:
        raise Http404("No such export.")
    return export


def authorize_live(user, arg: str) -> bool:
    """The `store-live:<store_id>` topic: asked on join and before every push."""
    store_id = parse_id(arg)
    if store_id is None or not getattr(user, "is_authenticated", False):
        return False
    store = Store.objects.filter(pk=store_id).first()
    return can_view_analytics(user, store)
