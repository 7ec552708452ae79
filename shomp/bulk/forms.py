from __future__ import annotations

from django import forms

from shomp.catalog.models import Product
from shomp.core.forms import MoneyField

from . import csvio, selectors
from .plans import Action

STOCK_CHOICES = [("", "Any stock"), ("in", "In stock"), ("low", "Low stock"), ("out", "Out of stock")]


class FilterForm(forms.Form):
    """Which rows: read from the page's query string, and carried as hidden fields to the preview."""

    target = forms.ChoiceField(label="Edit", choices=selectors.TARGETS, required=False)
    store = forms.TypedChoiceField(label="Store", coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(label="Status", choices=[("", "Any status"), *Product.Status.choices], required=False)
    stock = forms.ChoiceField(label="Stock", choices=STOCK_CHOICES, required=False)
    price_min = MoneyField(label="Price from", required=False)
    price_max = MoneyField(label="Price to", required=False)
    # Not "q": the header's search box reads ?q= and would show it.
    search = forms.CharField(label="Search", max_length=100, required=False)

    def __init__(self, *args, stores, **kwargs):
        super().__init__(*args, **kwargs)
        self.stores = stores
        self.fields["store"].choices = [("", "All my stores"), *((s.pk, s.name) for s in stores)]

    def clean(self):
        data = super().clean()
        low, high = data.get("price_min"), data.get("price_max")
        if low is not None and high is not None and low > high:
            self.add_error("price_max", "The upper price is below the lower one.")
        return data

    @property
    def rows_target(self) -> str:
        return (self.cleaned_data.get("target") if self.is_bound and self.is_valid() else "") or selectors.PRODUCTS

    def filters(self) -> selectors.Filters:
        """The filters to apply: every bulk store when the form is unbound or wrong."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        store_ids = (data["store"],) if data.get("store") else tuple(s.pk for s in self.stores)
        return selectors.Filters(
            store_ids=store_ids,
            status=data.get("status") or "",
            stock=data.get("stock") or "",
            price_min=data.get("price_min"),
            price_max=data.get("price_max"),
            q=(data.get("search") or "").strip(),
        )


class ActionForm(forms.Form):
    action = forms.ChoiceField(label="Change", choices=Action.CHOICES)
    value = forms.CharField(
        label="By / to",
        max_length=20,
        required=False,
        help_text="A percentage (-10 for 10 % off), an amount (-2.50), or a stock count.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    reason = forms.CharField(label="Reason (for stock)", max_length=200, required=False)
    scope = forms.ChoiceField(
        label="Apply to",
        choices=[("selected", "The rows I ticked"), ("all", "Every row that matches the filters")],
        initial="selected",
        widget=forms.RadioSelect,
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text=(
            f"Columns: {', '.join(csvio.COLUMNS)}. UTF-8, at most {csvio.MAX_IMPORT_LINES:,} lines. "
            "Nothing is written until you apply the preview."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
