import re

from django import forms
from django.utils import timezone

from shomp.core.countries import country_choices
from shomp.core.forms import MoneyField

from .services import VARIANT_UNAVAILABLE
from .services.shipping import MAX_PROCESSING_DAYS


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
    country = forms.ChoiceField(
        choices=[("", "Choose a country")],
        widget=forms.Select(attrs={"autocomplete": "country"}),
        error_messages={"invalid_choice": "Choose a country from the list.", "required": "Choose a country."},
    )

    prefix = "ship"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "Choose a country"), *country_choices()]


class AddressChoiceForm(forms.Form):
    """At checkout: one of the buyer's saved addresses, or "new" (then the ShippingForm counts)."""

    address = forms.ChoiceField(
        label="Ship to",
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose one of your addresses.", "required": "Choose where to ship."},
    )

    prefix = "ship"

    def __init__(self, *args, addresses, **kwargs):
        super().__init__(*args, **kwargs)
        self.addresses = {str(a.pk): a for a in addresses}
        saved = [(key, str(address)) for key, address in self.addresses.items()]
        self.fields["address"].choices = [*saved, ("new", "A new address")]

    def chosen(self):
        """The chosen saved Address, or None for a new one."""
        return self.addresses.get(self.cleaned_data["address"])


class ShippingSettingsForm(forms.Form):
    ships_from = forms.ChoiceField(
        label="Ships from",
        choices=[("", "Choose a country")],
        help_text="Orders to this country pay the domestic rates.",
        error_messages={
            "invalid_choice": "Choose a country from the list.",
            "required": "Choose the country you ship from.",
        },
    )
    domestic_rate = MoneyField(label="Domestic rate", help_text="For the first item of an order.")
    domestic_extra_item_rate = MoneyField(label="Each extra item (domestic)", required=False, help_text="Blank: 0.")
    ships_abroad = forms.BooleanField(label="Ship to other countries", required=False)
    international_rate = MoneyField(label="International rate", required=False, help_text="For the first item.")
    international_extra_item_rate = MoneyField(
        label="Each extra item (international)", required=False, help_text="Blank: 0."
    )
    free_over = MoneyField(
        label="Free shipping over",
        required=False,
        help_text="Orders whose physical items reach this amount ship free. Blank: never free.",
    )
    processing_days = forms.IntegerField(
        label="Processing time (days)",
        min_value=0,
        max_value=MAX_PROCESSING_DAYS,
        help_text="How long you take to send an order. Buyers see it in the cart and at checkout.",
        error_messages={
            "required": "Enter a number of days, such as 3.",
            "invalid": "Enter a whole number of days, such as 3.",
            "min_value": "The processing time can't be negative.",
            "max_value": f"Enter at most {MAX_PROCESSING_DAYS} days.",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 4}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ships_from"].choices = [("", "Choose a country"), *country_choices()]

    def clean(self):
        data = super().clean()
        missing = data.get("international_rate") is None and "international_rate" not in self.errors
        if data.get("ships_abroad") and missing:
            self.add_error("international_rate", "Enter the international rate, or untick “Ship to other countries”.")
        return data


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
