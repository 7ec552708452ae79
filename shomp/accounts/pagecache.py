"""Usernames show on review pages: renaming bumps every page (shomp/core/pagecache.py). Other
saves of a user (a login's last_login, a new password, sign-up) don't."""

from __future__ import annotations

from shomp.core import pagecache

_LOADED = "_pagecache_username"


def _remember_username(sender, instance, **kwargs) -> None:
    # From __dict__: a user loaded with .only() must not cost a query here.
    setattr(instance, _LOADED, instance.__dict__.get("username"))


def _user_saved(sender, instance, created: bool, update_fields=None, **kwargs) -> None:
    if created or (update_fields is not None and "username" not in update_fields):
        return
    before = getattr(instance, _LOADED, None)
    now = instance.__dict__.get("username")
    if before != now:
        pagecache.bump(everything=True)
    setattr(instance, _LOADED, now)


def register(user_model) -> None:
    from django.db.models.signals import post_init, post_save

    post_init.connect(_remember_username, sender=user_model, dispatch_uid="accounts.pagecache.user_loaded")
    post_save.connect(_user_saved, sender=user_model, dispatch_uid="accounts.pagecache.user_saved")
