"""The report pages' range picker (a GET form): a range key, custom days, a comparison.

Bad input never reaches a query: a reversed, future or longer than five years range is an
error next to its field, and the page shows the default range meanwhile.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django import forms

from shomp.core.forms import check_day_range

from .ranges import (
    DEFAULT_COMPARE,
    DEFAULT_RANGE,
    MAX_RANGE_DAYS,
    Compare,
    DateRange,
    RangeKey,
    comparison_range,
    local_today,
    resolve_range,
)


class RangeForm(forms.Form):
    # initial: an unbound form (no ?range=) shows the range the page shows, not the first choice.
    range = forms.ChoiceField(label="Date range", choices=RangeKey.choices, required=False, initial=DEFAULT_RANGE)
    start = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    compare = forms.ChoiceField(label="Compare with", choices=Compare.choices, required=False, initial=DEFAULT_COMPARE)

    def __init__(self, *args, tz: ZoneInfo, **kwargs):
        super().__init__(*args, **kwargs)
        self.tz = tz

    def clean_range(self) -> str:
        return self.cleaned_data.get("range") or DEFAULT_RANGE

    def clean_compare(self) -> str:
        return self.cleaned_data.get("compare") or DEFAULT_COMPARE

    def clean(self):
        data = super().clean()
        if data.get("range") != RangeKey.CUSTOM:
            return data
        if "start" in self.errors or "end" in self.errors:
            return data
        check_day_range(
            self,
            start=data.get("start"),
            end=data.get("end"),
            today=local_today(self.tz),
            max_days=MAX_RANGE_DAYS,
            too_long="A range can be at most five years long.",
        )
        return data

    def period(self) -> DateRange:
        """The chosen range, or the default one while the form has errors."""
        if self.is_valid():
            data = self.cleaned_data
            return resolve_range(data["range"], tz=self.tz, start=data.get("start"), end=data.get("end"))
        return resolve_range(DEFAULT_RANGE, tz=self.tz)

    def compare_with(self) -> str:
        if self.is_valid():
            return self.cleaned_data["compare"]
        return DEFAULT_COMPARE

    def comparison(self) -> DateRange | None:
        return comparison_range(self.period(), self.compare_with())
