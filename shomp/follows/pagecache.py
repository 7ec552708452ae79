"""Follows and announcements for the shared page cache (shomp/core/pagecache.py): the home page
ranks stores by followers, and announcements have pages of their own."""

from __future__ import annotations

from shomp.core import pagecache

from .models import Follow, StoreAnnouncement


def register() -> None:
    pagecache.watch(Follow, refs=lambda follow: [("store", follow.store_id)])
    pagecache.watch(StoreAnnouncement, refs=lambda announcement: [("store", announcement.store_id)])
