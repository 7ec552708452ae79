"""Demo shipping: every demo store gets its own rates (catalogue.SHIPPING), set by its owner
through the service a seller's Shipping page uses. A store that has settings keeps them."""

from decimal import Decimal

from shomp.orders.models import ShippingSettings
from shomp.orders.services import update_shipping_settings

from . import catalogue


def _money(text: str | None) -> Decimal | None:
    return Decimal(text) if text is not None else None


def seed(*, stores: dict, created) -> None:
    """`stores` maps a slug to its Store (seed_demo's)."""
    configured = set(
        ShippingSettings.objects.filter(store__in=list(stores.values())).values_list("store_id", flat=True)
    )
    for slug, spec in catalogue.SHIPPING.items():
        store = stores.get(slug)
        if store is None or store.pk in configured:
            continue
        update_shipping_settings(
            store=store,
            actor=store.owner,
            ships_from=spec.ships_from,
            domestic_rate=Decimal(spec.domestic_rate),
            domestic_extra_item_rate=Decimal(spec.domestic_extra_item_rate),
            international_rate=_money(spec.international_rate),
            international_extra_item_rate=Decimal(spec.international_extra_item_rate),
            free_over=_money(spec.free_over),
            processing_days=spec.processing_days,
        )
        created["shipping settings"] += 1
