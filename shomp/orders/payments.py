"""The payment provider interface, and the built-in offline test provider.

A real provider (Stripe) implements `PaymentProvider` and is named in the
SHOMP_PAYMENT_PROVIDER setting; checkout code never changes."""

import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Card:
    number: str
    expiry: str
    cvc: str

    @property
    def last4(self) -> str:
        return self.number[-4:]


@dataclass(frozen=True)
class PaymentResult:
    succeeded: bool
    reference: str = ""
    message: str = ""


class PaymentProvider(Protocol):
    name: str
    is_test: bool

    def charge(
        self, *, amount: Decimal, currency: str, card: Card, idempotency_key: str, description: str
    ) -> PaymentResult: ...


class TestPaymentProvider:
    """Shomp's offline test provider: no money moves. Clearly labelled as such in the UI."""

    name = "test"
    is_test = True
    SUCCESS_CARD = "4242424242424242"
    DECLINE_CARD = "4000000000000002"

    def __init__(self):
        self._charges: dict[str, PaymentResult] = {}

    def charge(
        self, *, amount: Decimal, currency: str, card: Card, idempotency_key: str, description: str
    ) -> PaymentResult:
        if idempotency_key in self._charges:  # same key, same answer, no second charge
            return self._charges[idempotency_key]
        if card.number == self.SUCCESS_CARD:
            result = PaymentResult(True, reference=f"test_{secrets.token_hex(8)}")
        elif card.number == self.DECLINE_CARD:
            result = PaymentResult(False, message="Your card was declined. Try another card.")
        else:
            result = PaymentResult(
                False, message="This is the test payment provider: use card 4242 4242 4242 4242 to pay."
            )
        self._charges[idempotency_key] = result
        return result


def get_payment_provider() -> PaymentProvider:
    path = getattr(settings, "SHOMP_PAYMENT_PROVIDER", "shomp.orders.payments.TestPaymentProvider")
    return import_string(path)()
