"""Who may see a notification and follow a user's notification topic: that user, nobody else."""

import rules
from django.http import Http404

from .models import Notification


@rules.predicate
def is_notification_owner(user, notification: Notification | None) -> bool:
    return (
        notification is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and notification.user_id == user.pk
    )


rules.add_perm("notifications.view_notification", is_notification_owner)


def access_notification(*, user, notification_id: int) -> Notification:
    """`user`'s notification, else Http404 (another user's id looks like no notification)."""
    notification = Notification.objects.filter(pk=notification_id, user_id=getattr(user, "pk", None)).first()
    if not is_notification_owner(user, notification):
        raise Http404("No such notification.")
    return notification


def can_follow_user_notifications(user, user_id: str) -> bool:
    """The "user-notifications:<user_id>" topic is for that user only."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active and str(user.pk) == user_id)
