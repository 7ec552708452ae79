"""Shared helpers for the orders tests: test cards, form data, a payment provider that counts."""

import re
import threading
import uuid
from datetime import date
from decimal import Decimal

from shomp.orders.payments import Card, PaymentResult, TestPaymentProvider
from shomp.orders.services import ShippingAddress

SUCCESS_CARD = "4242 4242 4242 4242"
DECLINE_CARD = "4000 0000 0000 0002"
UNKNOWN_CARD = "5555 5555 5555 4444"

# A card that is valid for a few more years, whenever the tests run.
EXPIRY = f"12/{(date.today().year + 3) % 100:02d}"

SHIPPING = ShippingAddress(
    name="Robin Receiver", line1="1 Quay Street", line2="Flat 2", city="Bristol", postal_code="BS1 4DJ", country="GB"
)


def card(number: str = SUCCESS_CARD) -> Card:
    return Card(number=number.replace(" ", ""), expiry=EXPIRY, cvc="123")


def payment_data(token, *, number: str = SUCCESS_CARD, expiry: str = EXPIRY, cvc: str = "123") -> dict:
    return {"token": str(token), "card_number": number, "expiry": expiry, "cvc": cvc}


def shipping_data(address: ShippingAddress = SHIPPING) -> dict:
    return {
        "ship-name": address.name,
        "ship-line1": address.line1,
        "ship-line2": address.line2,
        "ship-city": address.city,
        "ship-postal_code": address.postal_code,
        "ship-country": address.country,
    }


def page_token(response) -> uuid.UUID:
    """The checkout token the page minted (the hidden field of the payment form)."""
    html = response.content.decode()
    match = re.search(r'name="token" value="([0-9a-f-]{36})"', html) or re.search(
        r'value="([0-9a-f-]{36})"[^>]*name="token"', html
    )
    assert match, "the checkout page carries no token"
    return uuid.UUID(match.group(1))


class RecordingProvider(TestPaymentProvider):
    """The offline test provider, counting every charge attempt (class-wide: one instance per request)."""

    calls: list[tuple[str, Decimal, str]] = []
    _lock = threading.Lock()

    def charge(self, *, amount, currency, card, idempotency_key, description) -> PaymentResult:
        with self._lock:
            RecordingProvider.calls.append((idempotency_key, amount, card.number))
        return super().charge(
            amount=amount, currency=currency, card=card, idempotency_key=idempotency_key, description=description
        )
