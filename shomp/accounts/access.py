"""When a user's access ends (logout, a new password, deactivation, deletion), their open
sockets are told at once (core.realtime.revoke_access), whichever code path did it: allauth's
views, Django's admin or a shell. Connected in AccountsConfig.ready()."""

from django.contrib.auth import get_user_model

from shomp.core import realtime


def on_logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        realtime.revoke_access([user.pk])


def on_user_saved(sender, instance, update_fields=None, **kwargs) -> None:
    """Before a user row is saved: a password being set (set_password keeps the raw one in
    `_password` until the save) or `is_active` turned off ends the sessions' rights."""
    if instance.pk is None:
        return
    if getattr(instance, "_password", None) is not None:
        realtime.revoke_access([instance.pk])
        return
    if instance.is_active or (update_fields is not None and "is_active" not in update_fields):
        return
    was_active = get_user_model().objects.filter(pk=instance.pk, is_active=True).exists()
    if was_active:
        realtime.revoke_access([instance.pk])


def on_user_deleted(sender, instance, **kwargs) -> None:
    realtime.revoke_access([instance.pk])
