"""Shipping: a store's settings, and what an order from it costs to ship to a country.

`quote_shipping` is the one answer to "what does shipping cost?": the cart, the checkout page
and `place_order` all ask it.

Decisions:
- Digital lines never ship. An order of only digital items costs nothing to ship and goes
  anywhere.
- "Free over" counts the physical items only, at the price paid (a download doesn't make the
  parcel free).
- A store without settings ships free everywhere (what every store did before shipping
  existed): nothing blocks its buyers until the seller sets rates on the Shipping page.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from shomp.core.countries import country_name, is_country
from shomp.core.money import MAX_PRICE, quantize
from shomp.organizations.areas import Area
from shomp.organizations.models import AuditLogEntry
from shomp.organizations.services import record_activity
from shomp.stores.models import Store
from shomp.stores.policies import can

from ..models import ShippingSettings

DEFAULT_PROCESSING_DAYS = 3
MAX_PROCESSING_DAYS = 60
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class ShippableLine:
    """What shipping needs of a cart or order line."""

    is_digital: bool
    quantity: int
    amount: Decimal  # the line's total at the price paid


def cart_lines(items: Iterable) -> list[ShippableLine]:
    """Cart lines (CartItem) as shippable lines."""
    return [ShippableLine(item.product.is_digital, item.quantity, item.line_total) for item in items]


def order_lines(items: Iterable) -> list[ShippableLine]:
    """Order lines (OrderItem) as shippable lines."""
    return [ShippableLine(item.is_digital, item.quantity, item.line_total) for item in items]


@dataclass(frozen=True)
class ShippingQuote:
    """A store's shipping for some lines to a country.

    `amount` None: the store doesn't ship there (`refusal` says so), or the country isn't known
    yet (`country` ""), when the quote shows the store's rates instead."""

    store: Store
    country: str
    needs_shipping: bool
    amount: Decimal | None
    processing_days: int
    free_over: Decimal | None = None
    free_applied: bool = False
    refusal: str = ""

    @property
    def ships(self) -> bool:
        return self.amount is not None

    @property
    def country_name(self) -> str:
        return country_name(self.country)


def quote_shipping(
    *, store: Store, lines: Iterable[ShippableLine], country: str, settings: ShippingSettings | None = None
) -> ShippingQuote:
    """What `store` charges to ship `lines` to `country` (ISO code; "" when not chosen yet).

    The first physical item costs the rate, each further one the extra-item rate (domestic
    when `country` is the store's `ships_from`, else international; no international rate:
    no shipping abroad). Free when the physical items reach `free_over`. Pass `settings`
    when already fetched (None: read from the store's cached relation)."""
    if settings is None:
        settings = _settings_of(store)
    lines = list(lines)
    physical = [line for line in lines if not line.is_digital]
    days = settings.processing_days if settings is not None else DEFAULT_PROCESSING_DAYS
    if not physical:
        return ShippingQuote(store=store, country=country, needs_shipping=False, amount=ZERO, processing_days=0)
    if settings is None:
        return ShippingQuote(store=store, country=country, needs_shipping=True, amount=ZERO, processing_days=days)
    base = {"store": store, "country": country, "needs_shipping": True, "processing_days": days}
    base["free_over"] = settings.free_over
    if not country:
        return ShippingQuote(amount=None, **base)
    if country == settings.ships_from:
        rate, extra = settings.domestic_rate, settings.domestic_extra_item_rate
    elif settings.international_rate is None:
        return ShippingQuote(amount=None, refusal=f"{store.name} doesn't ship to {country_name(country)}.", **base)
    else:
        rate, extra = settings.international_rate, settings.international_extra_item_rate
    subtotal = sum((line.amount for line in physical), ZERO)
    if settings.free_over is not None and subtotal >= settings.free_over:
        return ShippingQuote(amount=ZERO, free_applied=True, **base)
    items = sum(line.quantity for line in physical)
    return ShippingQuote(amount=quantize(rate + extra * (items - 1)), **base)


def _settings_of(store: Store) -> ShippingSettings | None:
    try:
        return store.shipping_settings
    except ShippingSettings.DoesNotExist:
        return None


@transaction.atomic
def update_shipping_settings(
    *,
    store: Store,
    actor,
    ships_from: str,
    domestic_rate: Decimal,
    domestic_extra_item_rate: Decimal = ZERO,
    international_rate: Decimal | None = None,
    international_extra_item_rate: Decimal = ZERO,
    free_over: Decimal | None = None,
    processing_days: int = DEFAULT_PROCESSING_DAYS,
) -> ShippingSettings:
    """Set how `store` charges for shipping (the seller's Shipping page). `actor` needs the
    store settings area; the change goes in the organization's audit log."""
    if not can(actor, store, Area.SETTINGS):
        raise ValidationError("You can't change this store's shipping.")
    errors = {}
    if not is_country(ships_from):
        errors["ships_from"] = "Choose the country you ship from."
    money = {
        "domestic_rate": domestic_rate,
        "domestic_extra_item_rate": domestic_extra_item_rate,
        "international_rate": international_rate,
        "international_extra_item_rate": international_extra_item_rate,
        "free_over": free_over,
    }
    for field, value in money.items():
        if value is not None and not ZERO <= value <= MAX_PRICE:
            errors[field] = "Enter an amount from 0 to 1,000,000."
    if not 0 <= processing_days <= MAX_PROCESSING_DAYS:
        errors["processing_days"] = f"Enter a number of days from 0 to {MAX_PROCESSING_DAYS}."
    if errors:
        raise ValidationError(errors)
    values = {field: quantize(value) if value is not None else None for field, value in money.items()}
    settings, _ = ShippingSettings.objects.update_or_create(
        store=store, defaults={"ships_from": ships_from, "processing_days": processing_days, **values}
    )
    record_activity(
        organization_id=store.organization_id,
        actor=actor,
        action=AuditLogEntry.Action.SHIPPING_CHANGED,
        object=store.name,
    )
    return settings
