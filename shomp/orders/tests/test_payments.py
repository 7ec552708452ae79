"""The offline test provider behaves like a real one where checkout relies on it."""

import uuid
from decimal import Decimal

from shomp.orders.payments import Card, TestPaymentProvider

GOOD = Card(number=TestPaymentProvider.SUCCESS_CARD, expiry="12/30", cvc="123")
DECLINED = Card(number=TestPaymentProvider.DECLINE_CARD, expiry="12/30", cvc="123")


def charge(provider, card, key):
    return provider.charge(amount=Decimal("10.00"), currency="USD", card=card, idempotency_key=key, description="t")


def test_a_key_charged_already_gets_that_charge_back_from_any_instance():
    key = str(uuid.uuid4())

    first = charge(TestPaymentProvider(), GOOD, key)
    again = charge(TestPaymentProvider(), GOOD, key)  # another request, same key

    assert first.succeeded and first.reference.startswith("test_")
    assert again == first  # the same charge (same reference), not a second one


def test_a_declined_key_may_be_retried_with_another_card():
    key = str(uuid.uuid4())

    declined = charge(TestPaymentProvider(), DECLINED, key)
    retried = charge(TestPaymentProvider(), GOOD, key)

    assert not declined.succeeded and retried.succeeded


def test_cards_decide_the_answer_for_a_new_key():
    provider = TestPaymentProvider()

    assert charge(provider, GOOD, str(uuid.uuid4())).succeeded
    declined = charge(provider, DECLINED, str(uuid.uuid4()))
    other = charge(provider, Card(number="4111111111111111", expiry="12/30", cvc="1"), str(uuid.uuid4()))

    assert (declined.succeeded, declined.message) == (False, "Your card was declined. Try another card.")
    assert not other.succeeded and "4242 4242 4242 4242" in other.message


def test_it_remembers_a_bounded_number_of_keys(monkeypatch):
    monkeypatch.setattr(TestPaymentProvider, "REMEMBERED", 3)
    provider = TestPaymentProvider()
    keys = [str(uuid.uuid4()) for _ in range(5)]
    for key in keys:
        charge(provider, GOOD, key)

    assert keys[0] not in TestPaymentProvider._charges
    assert all(key in TestPaymentProvider._charges for key in keys[-3:])
