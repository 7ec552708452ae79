"""The report pages' range picker (a GET form): a range key, custom days, a comparison.

Bad input never reaches a query: a reversed, future or longer than five years range is an
error next to its field, and the page shows the default range meanwhile.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django import forms

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

#: The earliest day a custom range may start (dates before it are typos, not history).
EARLIEST_DAY = dt.date(2000, 1, 1)


class RangeForm(forms.Form):
    range = forms.ChoiceField(label="Date range", choices=RangeKey.choices, required=False)
    start = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    compare = forms.ChoiceField(label="Compare with", choices=Compare.choices, required=False)

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
        start, end = data.get("start"), data.get("end")
        if "start" in self.errors or "end" in self.errors:
            return data
        if start is None:
            self.add_error("start", "Choose the first day of the range.")
        if end is None:
            self.add_error("end", "Choose the last day of the range.")
        if start is None or end is None:
            return data
        today = local_today(self.tz)
        if start < EARLIEST_DAY:
            self.add_error("start", f"Choose a day from {EARLIEST_DAY:%B} {EARLIEST_DAY.day}, {EARLIEST_DAY.year} on.")
        elif start > today:
            self.add_error("start", "The range can't start in the future.")
        elif end > today:
            self.add_error("end", "The range can't end in the future: choose today or an earlier day.")
        elif end < start:
            self.add_error("end", "The last day comes before the first: swap them.")
        elif (end - start).days + 1 > MAX_RANGE_DAYS:
            self.add_error("end", "A range can be at most five years long.")
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
