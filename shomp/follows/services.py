"""Following stores and telling followers: every write of the follows app.

`follow_store`, `unfollow_store` and `send_announcement` are one transaction each. The fan-outs
(`notify_followers_of_new_product`, `deliver_announcement`) run in the task worker and are one
transaction per batch: they walk the store's followers in primary-key order (keyset pagination,
`BATCH_SIZE` at a time, no long-lived cursor) and hand each batch to
`notifications.services.deliver_event`, which writes the notifications with one bulk insert and
skips anyone already notified of the event, so a retried task repeats nothing.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from shomp.catalog.models import Product, Promotion
from shomp.catalog.services.promotions import covered_store_ids
from shomp.core.money import format_money
from shomp.notifications import services as notifications
from shomp.notifications.models import NotificationEvent, NotificationType
from shomp.notifications.types import render_text, render_title
from shomp.organizations.areas import EVERY
from shomp.stores.models import Store
from shomp.stores.policies import can

from . import hooks
from .models import Follow, StoreAnnouncement

#: Followers per fan-out batch: one query to read them, one bulk insert to notify them.
BATCH_SIZE = 1000
TITLE_MAX = StoreAnnouncement._meta.get_field("title").max_length
BODY_MAX = StoreAnnouncement._meta.get_field("body").max_length


# Following -------------------------------------------------------------------------------


@transaction.atomic
def follow_store(*, user, store) -> Follow:
    """`user` follows `store` from now on. Following twice, or your own store, is refused."""
    if can(user, store, EVERY):
        raise ValidationError("This is your own store: your followers follow it, you run it.")
    try:
        with transaction.atomic():
            follow = Follow.objects.create(user=user, store=store)
    except IntegrityError:
        raise ValidationError(f"You already follow {store.name}.") from None
    hooks.store_followed.send_on_commit(store_id=store.pk, user_id=user.pk)
    return follow


@transaction.atomic
def unfollow_store(*, user, store) -> None:
    """`user` stops following `store`: its later products and announcements don't reach them."""
    deleted, _ = Follow.objects.filter(user=user, store=store).delete()
    if not deleted:
        raise ValidationError(f"You don't follow {store.name}.")


# Announcements ---------------------------------------------------------------------------


def _announcement_type(kind: str) -> str:
    return NotificationType.SALE if kind == StoreAnnouncement.Kind.SALE else NotificationType.STORE_ANNOUNCEMENT


def announcement_context(*, store, kind: str, title: str, body: str, sale_ends_at: datetime | None) -> dict:
    return {"store_name": store.name, "kind": kind, "title": title, "body": body, "sale_ends_at": sale_ends_at}


def clean_announcement(
    *, kind: str, title: str, body: str, sale_ends_at: datetime | None = None
) -> tuple[str, str, str, datetime | None]:
    """The announcement's fields, checked and tidied; ValidationError naming the field otherwise."""
    errors: dict[str, str] = {}
    title = (title or "").strip()
    body = (body or "").strip()
    if kind not in StoreAnnouncement.Kind.values:
        errors["kind"] = "Choose an update or a sale."
    if not title:
        errors["title"] = "Give the announcement a title."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"The title can be at most {TITLE_MAX} characters (it has {len(title)})."
    if len(body) > BODY_MAX:
        errors["body"] = f"The text can be at most {BODY_MAX:,} characters (it has {len(body):,})."
    if sale_ends_at is not None:
        if kind != StoreAnnouncement.Kind.SALE:
            errors["sale_ends_at"] = "Only a sale has an end date: choose “Sale or promotion” or clear the date."
        elif sale_ends_at <= timezone.now():
            errors["sale_ends_at"] = "The sale end date is in the past: pick a date to come."
    if errors:
        raise ValidationError(errors)
    return kind, title, body, sale_ends_at


def preview_announcement(*, store, kind: str, title: str, body: str = "", sale_ends_at: datetime | None = None) -> dict:
    """What followers will see: the notification's title and text, and the announcement itself.
    Writes nothing; refuses what `send_announcement` would refuse."""
    kind, title, body, sale_ends_at = clean_announcement(kind=kind, title=title, body=body, sale_ends_at=sale_ends_at)
    type = _announcement_type(kind)
    context = announcement_context(store=store, kind=kind, title=title, body=body, sale_ends_at=sale_ends_at)
    return {
        "type": type,
        "kind": kind,
        "notification_title": render_title(type, context),
        "notification_text": render_text(type, context),
        "title": title,
        "body": body,
        "sale_ends_at": sale_ends_at,
    }


@transaction.atomic
def send_announcement(
    *, store, author, kind: str, title: str, body: str = "", sale_ends_at: datetime | None = None
) -> StoreAnnouncement:
    """Publish an announcement and queue its delivery to every follower (after commit)."""
    kind, title, body, sale_ends_at = clean_announcement(kind=kind, title=title, body=body, sale_ends_at=sale_ends_at)
    announcement = StoreAnnouncement(
        store=store, author=author, kind=kind, title=title, body=body, sale_ends_at=sale_ends_at
    )
    announcement.event = notifications.create_event(key=announcement.notification_key, type=_announcement_type(kind))
    announcement.save()
    announcement_id = announcement.pk
    transaction.on_commit(lambda: _enqueue_announcement(announcement_id), robust=True)
    return announcement


def _enqueue_announcement(announcement_id: int) -> None:
    from .tasks import deliver_announcement_task

    deliver_announcement_task.enqueue(announcement_id=announcement_id)


def deliver_announcement(*, announcement_id: int) -> int:
    """Notify every follower of the store (as of sending) of the announcement; return how many
    were newly notified. Batched and idempotent (see the module docstring)."""
    announcement = StoreAnnouncement.objects.select_related("store").filter(pk=announcement_id).first()
    if announcement is None:
        return 0
    type = _announcement_type(announcement.kind)
    event = announcement.event or notifications.create_event(key=announcement.notification_key, type=type)
    context = announcement_context(
        store=announcement.store,
        kind=announcement.kind,
        title=announcement.title,
        body=announcement.body,
        sale_ends_at=announcement.sale_ends_at,
    )
    return _deliver_to_followers(
        store_id=announcement.store_id,
        event=event,
        title=render_title(type, context),
        content=render_text(type, context),
        data={
            "url": announcement.get_absolute_url(),
            "store_id": announcement.store_id,
            "store_name": announcement.store.name,
            "announcement": str(announcement.uuid),
        },
        followed_before=announcement.created_at,
    )


# New products ----------------------------------------------------------------------------


def queue_new_product_fan_out(*, product_id: int) -> None:
    """The catalog's first-publish hook (registered in apps.py): queue the fan-out task."""
    from .tasks import notify_followers_of_new_product_task

    notify_followers_of_new_product_task.enqueue(product_id=product_id)


def notify_followers_of_new_product(*, product_id: int) -> int:
    """Tell the store's followers (those following when it was published) about a new product.

    Nothing if the product is gone or no longer on sale by the time the task runs, or is a
    custom order reserved for one buyer. The key
    "new-product:<id>" makes it once per product and follower, whatever runs it again.
    """
    product = Product.objects.select_related("store").filter(pk=product_id).first()
    if product is None or product.status != Product.Status.PUBLISHED or product.published_at is None:
        return 0
    if getattr(product, "reserved_for_id", None) is not None:
        return 0  # a custom order made for one buyer is nobody else's news
    type = NotificationType.NEW_PRODUCT
    context = {
        "store_name": product.store.name,
        "product_title": product.title,
        "price": format_money(product.price, product.store.currency),
    }
    return _deliver_to_followers(
        store_id=product.store_id,
        event=notifications.create_event(key=f"new-product:{product.pk}", type=type),
        title=render_title(type, context),
        content=render_text(type, context),
        # product_id lets the notification find the product again (or say it is gone);
        # the url is the address it had, for the email.
        data={
            "url": product.get_absolute_url(),
            "product_id": product.pk,
            "store_id": product.store_id,
            "store_name": product.store.name,
        },
        followed_before=product.published_at,
    )


# The fan-out -----------------------------------------------------------------------------


def _deliver_to_followers(
    *,
    store_id: int,
    event: NotificationEvent,
    title: str,
    content: str,
    data: dict,
    followed_before: datetime,
    batch_size: int = BATCH_SIZE,
) -> int:
    """Walk the store's followers in batches (keyset on the primary key) and notify each batch."""
    delivered = 0
    last_pk = 0
    while True:
        batch = list(
            Follow.objects.filter(store_id=store_id, pk__gt=last_pk, created_at__lte=followed_before)
            .order_by("pk")
            .values_list("pk", "user_id")[:batch_size]
        )
        if not batch:
            break
        last_pk = batch[-1][0]
        delivered += notifications.deliver_event(
            event=event, user_ids=[user_id for _, user_id in batch], title=title, content=content, data=data
        )
    notifications.finish_event(event=event)
    return delivered


# Promotions (catalog.hooks.promotion_started) ----------------------------------------------


def announce_promotion(*, promotion_id: int) -> list[StoreAnnouncement]:
    """A promotion that tells followers has started (the worker, once): each covered store sends
    a "sale" announcement, delivered to its followers by the usual batched fan-out."""
    promotion = Promotion.objects.filter(pk=promotion_id).first()
    if promotion is None or not promotion.notify_followers or promotion.started_at is None:
        return []
    sent = []
    for store in Store.objects.filter(pk__in=covered_store_ids(promotion)).order_by("pk"):
        off = (
            f"{promotion.amount.normalize():f}% off"
            if promotion.is_percent
            else f"{format_money(promotion.amount, store.currency)} off"
        )
        sent.append(
            send_announcement(
                store=store,
                author=promotion.created_by,
                kind=StoreAnnouncement.Kind.SALE,
                title=f"{promotion.name}: {off}"[:TITLE_MAX],
                body=f"{promotion.name} is on at {store.name}: {off}, prices already lowered.",
                sale_ends_at=promotion.effective_end,
            )
        )
    return sent
