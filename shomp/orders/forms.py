import re

from django import forms
from django.utils import timezone

from .services import VARIANT_UNAVAILABLE


class AddToCartForm(forms.Form):
    product = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    # The chosen version of a product with variants (the product page's option picker).
    variant = forms.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        required=False,
        widget=forms.HiddenInput,
        error_messages=dict.fromkeys(("invalid", "min_value", "max_value"), VARIANT_UNAVAILABLE),
    )
    quantity = forms.IntegerField(
        min_value=1, max_value=99, initial=1, error_messages={"min_value": "The quantity must be at least 1."}
    )


class ShippingForm(forms.Form):
    name = forms.CharField(max_length=120, label="Full name", widget=forms.TextInput(attrs={"autocomplete": "name"}))
    line1 = forms.CharField(
        max_length=200, label="Address", widget=forms.TextInput(attrs={"autocomplete": "address-line1"})
    )
    line2 = forms.CharField(
        max_length=200,
        required=False,
        label="Address line 2",
        widget=forms.TextInput(attrs={"autocomplete": "address-line2"}),
    )
    city = forms.CharField(max_length=100, widget=forms.TextInput(attrs={"autocomplete": "address-level2"}))
    postal_code = forms.CharField(
        max_length=20, label="Postal code", widget=forms.TextInput(attrs={"autocomplete": "postal-code"})
    )
    country = forms.CharField(max_length=60, widget=forms.TextInput(attrs={"autocomplete": "country-name"}))

    prefix = "ship"


class PaymentForm(forms.Form):
    token = forms.UUIDField(widget=forms.HiddenInput)
    card_number = forms.CharField(
        max_length=23,
        label="Card number",
        widget=forms.TextInput(attrs={"autocomplete": "cc-number", "inputmode": "numeric"}),
    )
    expiry = forms.CharField(
        max_length=7,
        label="Expiry (MM/YY)",
        widget=forms.TextInput(attrs={"autocomplete": "cc-exp", "placeholder": "MM/YY"}),
    )
    cvc = forms.CharField(
        max_length=4, label="CVC", widget=forms.TextInput(attrs={"autocomplete": "cc-csc", "inputmode": "numeric"})
    )

    def clean_card_number(self):
        number = re.sub(r"[\s-]", "", self.cleaned_data["card_number"])
        if not number.isdigit() or not 12 <= len(number) <= 19:
            raise forms.ValidationError("Enter the card number: 12 to 19 digits.")
        return number

    def clean_expiry(self):
        value = self.cleaned_data["expiry"].strip()
        match = re.fullmatch(r"(0[1-9]|1[0-2])\s*/\s*(\d{2})", value)
        if not match:
            raise forms.ValidationError("Enter the expiry as MM/YY, e.g. 12/30.")
        today = timezone.now().date()
        if (2000 + int(match.group(2)), int(match.group(1))) < (today.year, today.month):
            raise forms.ValidationError("This card has expired.")
        return f"{match.group(1)}/{match.group(2)}"

    def clean_cvc(self):
        cvc = self.cleaned_data["cvc"].strip()
        if not cvc.isdigit() or len(cvc) not in (3, 4):
            raise forms.ValidationError("Enter the 3 or 4 digits on the back of the card.")
        return cvc
