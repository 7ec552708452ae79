"""Every write to notifications. Keyword-only, one transaction each; pushes and emails on commit.

Two ways in:
- `create_notification`: one user, one event (a message reply, a review response).
- `create_event` + `deliver_event` (batch after batch) + `finish_event`: one event for many users,
  used by fan-outs such as a store's followers (the caller reads the recipients in batches; this
  app never knows who follows whom).
Both are idempotent per (user, key): running them again for the same event adds nobody twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail.message import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Case, F, IntegerField, Value, When
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from . import events
from .models import Notification, NotificationEvent, NotificationPreference, NotificationType
from .selectors import is_local_path
from .types import CONTENT_MAX, TITLE_MAX, render_text, render_title, spec_for

logger = logging.getLogger(__name__)

#: The most notifications one bulk insert writes (a batch of followers is at most this big).
MAX_BATCH = 5000


# Preferences -----------------------------------------------------------------------------


def _choices_for(*, user_ids: Sequence[int], type: str) -> dict[int, tuple[bool, bool]]:
    """{user_id: (in_app, email)} for `type`, the type's defaults where a user set nothing."""
    spec = spec_for(type)
    default = (spec.in_app_default, spec.email_default)
    choices = dict.fromkeys(user_ids, default)
    rows = NotificationPreference.objects.filter(type=type, user_id__in=user_ids).values_list(
        "user_id", "in_app", "email"
    )
    for user_id, in_app, email in rows:
        choices[user_id] = (in_app, email)
    return choices


def wants_email(*, user, type: str) -> bool:
    """Whether `user` takes email for `type` (their preference, else the type's default)."""
    return _choices_for(user_ids=[user.pk], type=type)[user.pk][1]


@transaction.atomic
def set_preferences(*, user, preferences: dict[str, tuple[bool, bool]]) -> list[NotificationPreference]:
    """Save `{type: (in_app, email)}` for `user`; unknown types are refused."""
    for type in preferences:
        if type not in NotificationType.values:
            raise ValidationError(f"Unknown notification type “{type}”.")
    saved = []
    for type, (in_app, email) in preferences.items():
        preference, _ = NotificationPreference.objects.update_or_create(
            user=user, type=type, defaults={"in_app": bool(in_app), "email": bool(email)}
        )
        saved.append(preference)
    return saved


# One user --------------------------------------------------------------------------------


def _check_data(data: dict | None) -> dict:
    data = dict(data or {})
    url = data.get("url", "")
    if url and not is_local_path(url):
        raise ValidationError("A notification's link must be a path on this site.")
    return data


@transaction.atomic
def create_notification(
    *,
    user,
    type: str,
    key: str,
    context: dict | None = None,
    data: dict | None = None,
    title: str = "",
    content: str = "",
    send_email: bool = True,
) -> Notification | None:
    """Tell `user` about one event, once: the same `key` again returns the first notification.

    `send_email=False` is for apps that deliver the email themselves on their own schedule
    (messaging: one email per unread thread after 15 minutes, at most one an hour).

    Title and text come from the type's templates rendered with `context` (or are given).
    `data["url"]` is the link target, a path on this site. Returns None when the user turned
    this type off both in the app and by email. The bell of every open tab of the user is
    updated and the email task is queued after commit.
    """
    spec_for(type)
    if not key:
        raise ValidationError("A notification needs a key (one notification per user and event).")
    data = _check_data(data)
    context = context or {}
    in_app, email = _choices_for(user_ids=[user.pk], type=type)[user.pk]
    email = email and send_email
    existing = Notification.objects.filter(user=user, key=key).first()
    if existing is not None:
        return existing
    if not in_app and not email:
        return None
    notification = Notification(
        user=user,
        type=type,
        key=key,
        title=Truncator(title).chars(TITLE_MAX) if title else render_title(type, context),
        content=Truncator(content).chars(CONTENT_MAX) if content else render_text(type, context),
        data=data,
        in_app=in_app,
    )
    try:
        with transaction.atomic():
            notification.save()
    except IntegrityError:  # the same event for the same user, created concurrently
        return Notification.objects.get(user=user, key=key)
    if in_app:
        transaction.on_commit(lambda: events.bell_changed(user_id=user.pk), robust=True)
    if email:
        transaction.on_commit(lambda: _enqueue_emails([notification.pk]), robust=True)
    return notification


# Many users ------------------------------------------------------------------------------


def create_event(*, key: str, type: str) -> NotificationEvent:
    """The event many users will be told about (created once; the same key returns it)."""
    spec_for(type)
    if not key:
        raise ValidationError("An event needs a key.")
    event, _ = NotificationEvent.objects.get_or_create(key=key, defaults={"type": type})
    return event


@transaction.atomic
def deliver_event(
    *, event: NotificationEvent, user_ids: Iterable[int], title: str, content: str = "", data: dict | None = None
) -> int:
    """Write `event`'s notification for each of `user_ids` who has none yet; return how many.

    One batch, one transaction: the event row is locked, so two copies of the same task
    (a retry racing the original) take turns and the second finds everyone notified. Users
    who turned the type off get nothing; those who want email get it from the email task.
    """
    user_ids = list(dict.fromkeys(user_ids))
    title, content = Truncator(title).chars(TITLE_MAX), Truncator(content).chars(CONTENT_MAX)
    if len(user_ids) > MAX_BATCH:
        raise ValueError(f"Deliver at most {MAX_BATCH} users at a time.")
    data = _check_data(data)
    event = NotificationEvent.objects.select_for_update().get(pk=event.pk)
    choices = _choices_for(user_ids=user_ids, type=event.type)
    wanted = [user_id for user_id in user_ids if any(choices[user_id])]
    done = set(Notification.objects.filter(key=event.key, user_id__in=wanted).values_list("user_id", flat=True))
    now = timezone.now()
    new = [
        Notification(
            user_id=user_id,
            type=event.type,
            key=event.key,
            event=event,
            title=title,
            content=content,
            data=data,
            in_app=choices[user_id][0],
            created_at=now,
        )
        for user_id in wanted
        if user_id not in done
    ]
    # ignore_conflicts: belt and braces; the lock above already keeps copies of this batch apart.
    Notification.objects.bulk_create(new, ignore_conflicts=True)
    if new:
        NotificationEvent.objects.filter(pk=event.pk).update(recipient_count=F("recipient_count") + len(new))
        in_app_ids = [n.user_id for n in new if n.in_app]
        email_ids = [n.user_id for n in new if choices[n.user_id][1]]
        if in_app_ids:
            transaction.on_commit(lambda: events.bells_changed(user_ids=in_app_ids), robust=True)
        if email_ids:
            notification_ids = list(
                Notification.objects.filter(key=event.key, user_id__in=email_ids).values_list("pk", flat=True)
            )
            transaction.on_commit(lambda: _enqueue_emails(notification_ids), robust=True)
    return len(new)


@transaction.atomic
def finish_event(*, event: NotificationEvent) -> NotificationEvent:
    """Mark the fan-out done (the first time; a retried task keeps the first date)."""
    NotificationEvent.objects.filter(pk=event.pk, delivered_at__isnull=True).update(delivered_at=timezone.now())
    event.refresh_from_db()
    return event


# Reading ---------------------------------------------------------------------------------


def _count_reads(notifications: Iterable[tuple[int | None, int]]) -> None:
    """Add to the events' read counters: `notifications` are (event_id, how many) pairs."""
    per_event: dict[int, int] = {}
    for event_id, count in notifications:
        if event_id is not None:
            per_event[event_id] = per_event.get(event_id, 0) + count
    if not per_event:
        return
    increment = Case(
        *(When(pk=event_id, then=Value(count)) for event_id, count in per_event.items()),
        default=Value(0),
        output_field=IntegerField(),
    )
    NotificationEvent.objects.filter(pk__in=per_event).update(read_count=F("read_count") + increment)


@transaction.atomic
def mark_as_read(*, user, notification: Notification) -> Notification:
    """Mark one of `user`'s notifications read (again is harmless). Another user's is refused."""
    if notification.user_id != user.pk:
        raise ValidationError("That notification is not yours.")
    now = timezone.now()
    updated = Notification.objects.filter(pk=notification.pk, user=user, read_at__isnull=True).update(read_at=now)
    if updated:
        _count_reads([(notification.event_id, 1)])
        transaction.on_commit(lambda: events.bell_changed(user_id=user.pk), robust=True)
    notification.refresh_from_db(fields=["read_at"])
    return notification


@transaction.atomic
def mark_all_as_read(*, user, type: str = "") -> int:
    """Mark all of `user`'s unread notifications read (of one type, if given); return how many."""
    unread = Notification.objects.select_for_update().filter(user=user, read_at__isnull=True, in_app=True)
    if type:
        unread = unread.filter(type=type)
    pairs = list(unread.values_list("pk", "event_id"))
    if not pairs:
        return 0
    now = timezone.now()
    for start in range(0, len(pairs), 1000):
        Notification.objects.filter(pk__in=[pk for pk, _ in pairs[start : start + 1000]]).update(read_at=now)
    _count_reads((event_id, 1) for _, event_id in pairs)
    transaction.on_commit(lambda: events.bell_changed(user_id=user.pk), robust=True)
    return len(pairs)


# Email -----------------------------------------------------------------------------------


def _enqueue_emails(notification_ids: list[int]) -> None:
    from .tasks import send_notification_emails_task

    for start in range(0, len(notification_ids), 500):
        send_notification_emails_task.enqueue(notification_ids=notification_ids[start : start + 500])


#: A notification email's link says where the click came from: store analytics counts the visit
#: as "Shomp · notifications" (like the in-app list), not as direct or webmail traffic.
EMAIL_LINK_TAGS = (("utm_source", "shomp"), ("utm_medium", "notification"))


def tag_email_link(url: str) -> str:
    """`url` with EMAIL_LINK_TAGS added to its query (replacing any of the same names)."""
    parts = urlsplit(url)
    names = {name for name, _ in EMAIL_LINK_TAGS}
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in names]
    return urlunsplit(parts._replace(query=urlencode([*query, *EMAIL_LINK_TAGS])))


def send_notification_emails(*, notification_ids: list[int]) -> int:
    """Email each notification to its user, once: a retried task skips the ones already sent."""
    sent = 0
    for notification_id in notification_ids:
        with transaction.atomic():
            notification = (
                Notification.objects.select_for_update()
                .select_related("user")
                .filter(pk=notification_id, emailed_at__isnull=True)
                .first()
            )
            if notification is None or not notification.user.is_active or not notification.user.email:
                continue
            if not _choices_for(user_ids=[notification.user_id], type=notification.type)[notification.user_id][1]:
                continue  # they turned email off since
            context = {
                "notification": notification,
                "user": notification.user,
                "site_url": settings.SITE_URL,
                "target_url": tag_email_link(notification.data.get("url", "") or reverse("notifications:centre")),
                "preferences_url": reverse("notifications:preferences"),
            }
            message = EmailMessage(
                subject=notification.title,
                body=render_to_string("notifications/email/notification.txt", context),
                to=[notification.user.email],
            )
            message.send()
            Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
            sent += 1
    return sent
