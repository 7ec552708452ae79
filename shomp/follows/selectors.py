"""Reads for follow buttons, the Following list, and the store's followers and announcements.

Followers are shown by username and the date they followed, never by email or name: the
queries below load nothing else of the user.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from .models import Follow, StoreAnnouncement

GROWTH_WEEKS = 12


def get_followers(*, store) -> QuerySet[Follow]:
    """The store's followers, newest first, with their usernames only."""
    return (
        Follow.objects.filter(store=store)
        .select_related("user")
        .only("pk", "created_at", "store_id", "user__id", "user__username")
        .order_by("-created_at", "-pk")
    )


def follower_count(*, store) -> int:
    return Follow.objects.filter(store=store).count()


def is_following(*, user, store) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and Follow.objects.filter(user=user, store=store).exists()


def get_followed_stores(*, user) -> QuerySet[Follow]:
    """The stores `user` follows (their Follow rows, store loaded), most recent first."""
    return Follow.objects.filter(user=user).select_related("store").order_by("-created_at", "-pk")


@dataclass(frozen=True)
class Week:
    start: date
    new: int
    total: int


def follower_growth(*, store, weeks: int = GROWTH_WEEKS, now: datetime | None = None) -> list[Week]:
    """New followers per week (Monday to Sunday, in the current time zone) for the last `weeks`
    weeks including this one, with the running total at the end of each. Two queries."""
    now = timezone.localtime(now or timezone.now())
    this_monday = now.date() - timedelta(days=now.weekday())
    first_monday = this_monday - timedelta(weeks=weeks - 1)
    start = timezone.make_aware(datetime.combine(first_monday, datetime.min.time()))
    follows = Follow.objects.filter(store=store)
    before = follows.filter(created_at__lt=start).count()
    per_week = {
        row["week"].date() if isinstance(row["week"], datetime) else row["week"]: row["n"]
        for row in follows.filter(created_at__gte=start)
        .annotate(week=TruncWeek("created_at"))
        .values("week")
        .annotate(n=Count("pk"))
        .order_by()
    }
    result, total = [], before
    for index in range(weeks):
        monday = first_monday + timedelta(weeks=index)
        new = per_week.get(monday, 0)
        total += new
        result.append(Week(start=monday, new=new, total=total))
    return result


def store_announcements(*, store) -> QuerySet[StoreAnnouncement]:
    """The store's announcements, newest first, with their delivery counters."""
    return StoreAnnouncement.objects.filter(store=store).select_related("event").order_by("-created_at", "-pk")


def get_announcement(*, announcement_uuid) -> StoreAnnouncement | None:
    return StoreAnnouncement.objects.select_related("store").filter(uuid=announcement_uuid).first()
