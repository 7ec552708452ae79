"""A buyer's saved shipping addresses: checkout remembers the one used; the account page
lists and deletes them."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from shomp.core.countries import country_name, is_country

from ..models import Address


@dataclass(frozen=True)
class ShippingAddress:
    """Where an order ships; `country` is an ISO code (core.countries)."""

    name: str
    line1: str
    line2: str
    city: str
    postal_code: str
    country: str

    @property
    def country_name(self) -> str:
        return country_name(self.country)

    @classmethod
    def of(cls, address: Address) -> "ShippingAddress":
        return cls(**{f: getattr(address, f) for f in FIELDS})


MAX_ADDRESSES = 20
FIELDS = ("name", "line1", "line2", "city", "postal_code", "country")


def _key(values) -> tuple[str, ...]:
    return tuple(" ".join(str(getattr(values, f) or "").split()).casefold() for f in FIELDS)


def check_address(shipping: ShippingAddress) -> None:
    """Refuse an address without its required parts or with an unknown country."""
    errors = {}
    for field in ("name", "line1", "city"):
        if not str(getattr(shipping, field) or "").strip():
            errors[field] = "This part of the address is needed."
    if not is_country(shipping.country):
        errors["country"] = "Choose a country from the list."
    if errors:
        raise ValidationError(errors)


def remember_address(*, user, shipping: ShippingAddress) -> Address:
    """Save the address a checkout used, or mark the identical saved one (spaces and case aside)
    used now: it is preselected at the next checkout. Runs in the caller's transaction."""
    now = timezone.now()
    wanted = _key(shipping)
    for address in Address.objects.filter(user=user, country=shipping.country):
        if _key(address) == wanted:
            address.last_used_at = now
            address.save(update_fields=["last_used_at"])
            return address
    address = Address.objects.create(
        user=user, last_used_at=now, **{f: str(getattr(shipping, f) or "").strip() for f in FIELDS}
    )
    # Keep the list short: the addresses used longest ago go first.
    newest_first = Address.objects.filter(user=user).order_by(F("last_used_at").desc(nulls_last=True), "-pk")
    stale = newest_first.values_list("pk", flat=True)[MAX_ADDRESSES:]
    if stale_ids := list(stale):
        Address.objects.filter(pk__in=stale_ids).delete()
    return address


@transaction.atomic
def add_address(*, user, shipping: ShippingAddress) -> Address:
    """Save an address from the account page (not used yet; an identical one is kept as it is)."""
    check_address(shipping)
    wanted = _key(shipping)
    for address in Address.objects.filter(user=user, country=shipping.country):
        if _key(address) == wanted:
            return address
    if Address.objects.filter(user=user).count() >= MAX_ADDRESSES:
        raise ValidationError(f"You can keep up to {MAX_ADDRESSES} addresses: delete one first.")
    return Address.objects.create(user=user, **{f: str(getattr(shipping, f) or "").strip() for f in FIELDS})


@transaction.atomic
def delete_address(*, user, address: Address) -> None:
    if address.user_id != user.pk:
        raise ValidationError("That address is not yours.")
    address.delete()
