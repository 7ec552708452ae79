"""The payment provider interface, and the built-in offline test provider.

A real provider (Stripe) implements `PaymentProvider` and is named in the
SHOMP_PAYMENT_PROVIDER setting; checkout code never changes."""

import secrets
import threading
from collections import OrderedDict
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
    """Shomp's offline test provider: no money moves. Clearly labelled as such in the UI.

    A repeated idempotency key after a successful charge gets that charge back, not a second
    one, whichever instance (request) asks: successful charges are kept for the process (the
    most recent `REMEMBERED` keys), as a real provider keeps them on its side. A decline charged
    nothing, so it is not kept: the buyer may retry the same checkout with another card."""

    name = "test"
    is_test = True
    SUCCESS_CARD = "4242424242424242"
    DECLINE_CARD = "4000000000000002"
    REMEMBERED = 10_000

    _charges: OrderedDict[str, PaymentResult] = OrderedDict()
    _lock = threading.Lock()

    def charge(
        self, *, amount: Decimal, currency: str, card: Card, idempotency_key: str, description: str
    ) -> PaymentResult:
        with self._lock:
            if idempotency_key in self._charges:  # charged already: the same charge, not a second
                return self._charges[idempotency_key]
            result = self._answer(card)
            if result.succeeded:
                self._charges[idempotency_key] = result
                while len(self._charges) > self.REMEMBERED:
                    self._charges.popitem(last=False)
            return result

    def _answer(self, card: Card) -> PaymentResult:
        if card.number == self.SUCCESS_CARD:
            return PaymentResult(True, reference=f"test_{secrets.token_hex(8)}")
        if card.number == self.DECLINE_CARD:
            return PaymentResult(False, message="Your card was declined. Try another card.")
        return PaymentResult(False, message="This is the test payment provider: use card 4242 4242 4242 4242 to pay.")


def get_payment_provider() -> PaymentProvider:
    path = getattr(settings, "SHOMP_PAYMENT_PROVIDER", "shomp.orders.payments.TestPaymentProvider")
    return import_string(path)()
