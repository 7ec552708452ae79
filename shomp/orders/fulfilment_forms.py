"""The seller's order-page forms: ship with tracking, cancel with a reason, refund a line."""

from django import forms

from . import carriers
from .models import Refund

REASON_MAX = Refund._meta.get_field("reason").max_length


class ShipForm(forms.Form):
    carrier = forms.ChoiceField(choices=[("", "Choose a carrier…"), *carriers.CHOICES], required=False)
    tracking_number = forms.CharField(
        max_length=80,
        required=False,
        label="Tracking number",
        help_text="Optional. The buyer gets a tracking link for the carriers listed.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        max_length=REASON_MAX,
        label="Reason (the buyer sees it)",
        widget=forms.TextInput(attrs={"placeholder": "e.g. Sold out at the market"}),
        error_messages={"required": "Say why, for the buyer."},
    )


class RefundForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    seen_refunded = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    quantity = forms.IntegerField(min_value=1, label="How many", error_messages={"invalid": "Enter a whole number."})
    reason = forms.CharField(max_length=REASON_MAX, required=False, label="Reason (optional)")
