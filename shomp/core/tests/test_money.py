from decimal import Decimal

import pytest

from shomp.core.money import format_money, quantize


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (Decimal("1234.5"), "USD", "$1,234.50"),
        (Decimal("-5"), "USD", "-$5.00"),
        (Decimal("0.005"), "EUR", "€0.01"),
        (Decimal("-12.3"), "CHF", "-12.30 CHF"),
        (None, "USD", ""),
    ],
)
def test_format_money_puts_the_sign_before_the_symbol(amount, currency, shown):
    assert format_money(amount, currency) == shown


def test_quantize_rounds_half_up_to_cents():
    assert quantize("2.675") == Decimal("2.68")


def test_ago_says_just_now_under_a_minute_never_zero_minutes():
    from datetime import timedelta

    from django.utils import timezone

    from shomp.core.templatetags.shomp import ago

    now = timezone.now()
    assert ago(now) == "just now"
    assert ago(now - timedelta(seconds=30)) == "just now"
    assert ago(now - timedelta(hours=3)) == "3\xa0hours ago"
