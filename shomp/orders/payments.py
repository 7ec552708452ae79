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


@dataclass(frozen=True)
class RefundResult:
    succeeded: bool
    reference: str = ""
    message: str = ""


class PaymentProvider(Protocol):
    name: str
    is_test: bool

    def charge(
        self, *, amount: Decimal, currency: str, card: Card, idempotency_key: str, description: str
    ) -> PaymentResult: ...

    def refund(self, *, reference: str, amount: Decimal, currency: str, idempotency_key: str) -> RefundResult:
        """Give back `amount` of the charge `reference`. The same `idempotency_key` again returns
        the first answer, never a second refund; a provider refuses more than was charged."""
        ...


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
    # What each charge reference was for, and the refunds made: {idempotency_key: (reference, amount, result)}.
    _charged: OrderedDict[str, Decimal] = OrderedDict()
    _refunds: OrderedDict[str, tuple[str, Decimal, RefundResult]] = OrderedDict()
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
                self._charged[result.reference] = Decimal(amount)
                while len(self._charges) > self.REMEMBERED:
                    self._charges.popitem(last=False)
                while len(self._charged) > self.REMEMBERED:
                    self._charged.popitem(last=False)
            return result

    def refund(self, *, reference: str, amount: Decimal, currency: str, idempotency_key: str) -> RefundResult:
        """Record a refund of the charge `reference`. Never more than that charge in all (a
        charge this process does not know, e.g. made before a restart, is taken on trust, as
        the seller's records are all it has); the same key again gets the same refund."""
        amount = Decimal(amount)
        with self._lock:
            if idempotency_key in self._refunds:
                return self._refunds[idempotency_key][2]
            if amount <= 0:
                return RefundResult(False, message="A refund must be more than zero.")
            if not reference:
                return RefundResult(False, message="There is no payment to refund.")
            charged = self._charged.get(reference)
            refunded = sum((a for ref, a, _ in self._refunds.values() if ref == reference), Decimal("0"))
            if charged is not None and refunded + amount > charged:
                return RefundResult(False, message="That is more than is left to refund on this payment.")
            result = RefundResult(True, reference=f"test_re_{secrets.token_hex(8)}")
            self._refunds[idempotency_key] = (reference, amount, result)
            while len(self._refunds) > self.REMEMBERED:
                self._refunds.popitem(last=False)
            return result

    @classmethod
    def refunds_of(cls, reference: str) -> list[Decimal]:
        """The amounts refunded on the charge `reference` (for tests and the demo)."""
        with cls._lock:
            return [amount for ref, amount, _ in cls._refunds.values() if ref == reference]

    def _answer(self, card: Card) -> PaymentResult:
        if card.number == self.SUCCESS_CARD:
            return PaymentResult(True, reference=f"test_{secrets.token_hex(8)}")
        if card.number == self.DECLINE_CARD:
            return PaymentResult(False, message="Your card was declined. Try another card.")
        return PaymentResult(False, message="This is the test payment provider: use card 4242 4242 4242 4242 to pay.")


def get_payment_provider() -> PaymentProvider:
    path = getattr(settings, "SHOMP_PAYMENT_PROVIDER", "shomp.orders.payments.TestPaymentProvider")
    return import_string(path)()
