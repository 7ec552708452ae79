"""core.forms.MoneyField: the one price field. Decimal commas read as decimals, thousands
separators are understood where they can't be misread, and anything else gets a clear message
(never "This field is required")."""

from decimal import Decimal

import pytest
from django import forms

from shomp.core.forms import MoneyField


class PriceForm(forms.Form):
    price = MoneyField()
    modifier = MoneyField(allow_negative=True, required=False)


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("12,50", "12.50"),
        ("12.50", "12.50"),
        ("12,5", "12.50"),
        ("0,99", "0.99"),
        ("1.234,50", "1234.50"),
        ("1,234.50", "1234.50"),
        ("1 234,50", "1234.50"),
        ("€12,50", "12.50"),
        ("$ 12.50", "12.50"),
        ("12", "12.00"),
        ("1.234.567", None),  # read as 1234567: over the limit, so its own message below
    ],
)
def test_typed_amounts_read_as_the_seller_meant(typed, amount):
    form = PriceForm({"price": typed})
    if amount is None:
        assert not form.is_valid()
        assert form.errors["price"] == ["Enter an amount up to 1,000,000."]
    else:
        assert form.is_valid(), form.errors
        assert form.cleaned_data["price"] == Decimal(amount)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1,234", "Is that a thousands separator or the cents?"),
        ("1.234", "Is that a thousands separator or the cents?"),
        ("12,345", "Is that a thousands separator or the cents?"),
        ("1,2345", "Use at most two decimal places, such as 12.50."),
        ("twelve", "Enter an amount such as 12.50 or 12,50."),
        ("1.234.56", "Enter an amount such as 12.50 or 12,50."),
        ("1,2.3", "Enter an amount such as 12.50 or 12,50."),
        ("-1,00", "The amount can't be negative."),
        ("", "Enter an amount, such as 12.50."),
    ],
)
def test_unreadable_amounts_are_refused_with_a_clear_message(typed, message):
    form = PriceForm({"price": typed})

    assert not form.is_valid()
    assert form.errors["price"][0].startswith(message)
    assert "This field is required" not in form.errors["price"][0]


def test_a_modifier_may_be_negative_with_a_comma():
    form = PriceForm({"price": "10", "modifier": "-2,50"})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["modifier"] == Decimal("-2.50")


def test_the_box_is_text_with_the_decimal_keypad_so_the_browser_keeps_a_comma():
    html = str(PriceForm()["price"])

    assert 'type="text"' in html
    assert 'inputmode="decimal"' in html
    assert "step=" not in html
