"""Usernames show on review pages: renaming bumps every page (shomp/core/pagecache.py). Logins
(which save last_login only) and sign-ups don't."""

from __future__ import annotations

from shomp.core import pagecache


def _user_saved(sender, instance, created: bool, update_fields=None, **kwargs) -> None:
    if not created and (update_fields is None or "username" in update_fields):
        pagecache.bump(everything=True)


def register(user_model) -> None:
    from django.db.models.signals import post_save

    post_save.connect(_user_saved, sender=user_model, dispatch_uid="accounts.pagecache.user_saved")
