"""The insights page's days (a GET form): the last 7, 30 or 90 days, or from/to.

Validated like the analytics range picker (shomp.analytics.forms.RangeForm, which wishlists can't
import: analytics sits above it): a reversed, future, too early or too long range is an error
next to its field, and the page shows the default days meanwhile.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone

from shomp.core.forms import check_day_range

#: Adds are charted by day: at most a year of bars.
MAX_DAYS = 366
PRESETS = {"7": 7, "30": 30, "90": 90}
DEFAULT_PRESET = "30"
CUSTOM = "custom"


class InsightsRangeForm(forms.Form):
    days = forms.ChoiceField(
        label="Adds in",
        choices=[(key, f"Last {n} days") for key, n in PRESETS.items()] + [(CUSTOM, "From… to…")],
        required=False,
        initial=DEFAULT_PRESET,  # an unbound form shows the days the page shows
    )
    start = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, tz: ZoneInfo, **kwargs):
        super().__init__(*args, **kwargs)
        self.tz = tz

    def today(self) -> dt.date:
        return timezone.now().astimezone(self.tz).date()

    def clean_days(self) -> str:
        return self.cleaned_data.get("days") or DEFAULT_PRESET

    def clean(self):
        data = super().clean()
        if data.get("days") != CUSTOM or "start" in self.errors or "end" in self.errors:
            return data
        check_day_range(
            self,
            start=data.get("start"),
            end=data.get("end"),
            today=self.today(),
            max_days=MAX_DAYS,
            too_long=f"A range can be at most {MAX_DAYS} days long.",
        )
        return data

    def period(self) -> tuple[dt.date, dt.date]:
        """The chosen local days (first and last included), or the default while it has errors."""
        today = self.today()
        if self.is_valid():
            if self.cleaned_data["days"] == CUSTOM:
                return self.cleaned_data["start"], self.cleaned_data["end"]
            return today - dt.timedelta(days=PRESETS[self.cleaned_data["days"]] - 1), today
        return today - dt.timedelta(days=PRESETS[DEFAULT_PRESET] - 1), today

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[first instant, first instant after the last day) in the store's time zone."""
        start, end = self.period()
        return (
            dt.datetime.combine(start, dt.time.min, tzinfo=self.tz),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=self.tz),
        )

    @property
    def label(self) -> str:
        start, end = self.period()
        if self.is_valid() and self.cleaned_data["days"] != CUSTOM:
            return f"last {PRESETS[self.cleaned_data['days']]} days"
        if not self.is_valid():
            return f"last {PRESETS[DEFAULT_PRESET]} days"
        return f"{start:%b} {start.day} – {end:%b} {end.day}, {end.year}"
