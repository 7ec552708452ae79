"""Report date ranges, counted in the store's time zone.

A range is a run of local days, first and last included. "today" is the only range read by
hour (from the raw rows); ranges of up to `DAILY_MAX_DAYS` days (a year: "last 12 months"
included) are charted by day, longer custom ones by month. The comparison period is the same
number of days just before ("previous") or the same dates a year earlier ("year").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import models
from django.utils import timezone

#: The longest custom range: five years of days (a leap day included).
MAX_RANGE_DAYS = 5 * 366
#: Ranges up to this long are charted by day; longer ones by month.
DAILY_MAX_DAYS = 366


class RangeKey(models.TextChoices):
    TODAY = "today", "Today"
    YESTERDAY = "yesterday", "Yesterday"
    LAST_7 = "7d", "Last 7 days"
    LAST_30 = "30d", "Last 30 days"
    LAST_90 = "90d", "Last 90 days"
    THIS_MONTH = "month", "This month"
    LAST_12_MONTHS = "12m", "Last 12 months"
    CUSTOM = "custom", "Custom"


class Compare(models.TextChoices):
    PREVIOUS = "previous", "Previous period"
    YEAR = "year", "Same period last year"
    NONE = "none", "No comparison"


DEFAULT_RANGE = RangeKey.LAST_30
DEFAULT_COMPARE = Compare.PREVIOUS


@dataclass(frozen=True)
class DateRange:
    """Local days `start`..`end` (both included) of a store's time zone."""

    start: dt.date
    end: dt.date
    tz: ZoneInfo
    key: str = RangeKey.CUSTOM

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def by_hour(self) -> bool:
        return self.key == RangeKey.TODAY

    @property
    def granularity(self) -> str:
        if self.by_hour:
            return "hour"
        return "day" if self.days <= DAILY_MAX_DAYS else "month"

    @property
    def label(self) -> str:
        if self.key != RangeKey.CUSTOM:
            return str(RangeKey(self.key).label)
        if self.start == self.end:
            return f"{self.start:%b} {self.start.day}, {self.start.year}"
        return f"{self.start:%b} {self.start.day}, {self.start.year} – {self.end:%b} {self.end.day}, {self.end.year}"

    @property
    def start_at(self) -> dt.datetime:
        """The first instant of the first day (aware)."""
        return local_midnight(self.start, self.tz)

    @property
    def end_at(self) -> dt.datetime:
        """The first instant after the last day (aware, exclusive)."""
        return local_midnight(self.end + dt.timedelta(days=1), self.tz)

    def each_day(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=n) for n in range(self.days)]


def local_midnight(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=tz)


def local_today(tz: ZoneInfo, *, now: dt.datetime | None = None) -> dt.date:
    return (now or timezone.now()).astimezone(tz).date()


def _months_back(day: dt.date, months: int) -> dt.date:
    month_index = day.year * 12 + day.month - 1 - months
    return dt.date(month_index // 12, month_index % 12 + 1, 1)


def resolve_range(
    key: str,
    *,
    tz: ZoneInfo,
    start: dt.date | None = None,
    end: dt.date | None = None,
    now: dt.datetime | None = None,
) -> DateRange:
    """The local days a range key names today (custom: `start`..`end`, already validated)."""
    today = local_today(tz, now=now)
    day = dt.timedelta(days=1)
    match key:
        case RangeKey.TODAY:
            return DateRange(today, today, tz, key)
        case RangeKey.YESTERDAY:
            return DateRange(today - day, today - day, tz, key)
        case RangeKey.LAST_7:
            return DateRange(today - 6 * day, today, tz, key)
        case RangeKey.LAST_30:
            return DateRange(today - 29 * day, today, tz, key)
        case RangeKey.LAST_90:
            return DateRange(today - 89 * day, today, tz, key)
        case RangeKey.THIS_MONTH:
            return DateRange(today.replace(day=1), today, tz, key)
        case RangeKey.LAST_12_MONTHS:
            return DateRange(_months_back(today, 11), today, tz, key)
        case RangeKey.CUSTOM if start is not None and end is not None:
            return DateRange(start, end, tz, RangeKey.CUSTOM)
    raise ValueError(f"Unknown range {key!r} (or a custom range without its days).")


def _year_earlier(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # February 29th
        return day.replace(year=day.year - 1, day=28)


def comparison_range(period: DateRange, compare: str) -> DateRange | None:
    """The period to compare with, or None."""
    if compare == Compare.PREVIOUS:
        end = period.start - dt.timedelta(days=1)
        return DateRange(end - dt.timedelta(days=period.days - 1), end, period.tz, RangeKey.CUSTOM)
    if compare == Compare.YEAR:
        return DateRange(_year_earlier(period.start), _year_earlier(period.end), period.tz, RangeKey.CUSTOM)
    return None
