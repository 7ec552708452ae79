"""Reads for notification pages, the bell and the email task, already scoped to one user."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.http import url_has_allowed_host_and_scheme

from shomp.catalog.models import Product
from shomp.organizations.areas import MEMBER
from shomp.stores.selectors import stores_for

from .models import Notification, NotificationPreference, NotificationType
from .types import SPECS, TypeSpec

BELL_SIZE = 10


def get_user_notifications(*, user, type: str = "", unread_only: bool = False) -> QuerySet[Notification]:
    """`user`'s notifications for the centre, newest first, optionally of one type or unread only."""
    notifications = Notification.objects.filter(user=user, in_app=True).order_by("-created_at", "-pk")
    if type in NotificationType.values:
        notifications = notifications.filter(type=type)
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications


def unread_count(*, user_id: int) -> int:
    return Notification.objects.filter(user_id=user_id, in_app=True, read_at__isnull=True).count()


def bell(*, user_id: int) -> dict:
    """The header bell's context: the unread count and the latest notifications with their links."""
    latest = list(Notification.objects.filter(user_id=user_id, in_app=True).order_by("-created_at", "-pk")[:BELL_SIZE])
    return {"unread_count": unread_count(user_id=user_id), "latest": with_targets(latest)}


def with_targets(notifications: list[Notification]) -> list[Notification]:
    """Set `target_url` (None when the target is gone) on each notification; one query at most.

    A product is looked up again (it may have been deleted, unpublished, or its store may have
    a new address): a notification about a product that is no longer for sale still shows,
    marked "no longer available".
    """
    product_ids = {n.data.get("product_id") for n in notifications if isinstance(n.data.get("product_id"), int)}
    urls = {}
    if product_ids:
        products = Product.objects.filter(pk__in=product_ids, status=Product.Status.PUBLISHED).select_related("store")
        urls = {product.pk: product.get_absolute_url() for product in products}
    for notification in notifications:
        product_id = notification.data.get("product_id")
        if isinstance(product_id, int):
            notification.target_url = urls.get(product_id)
        else:
            url = notification.data.get("url")
            notification.target_url = url if is_local_path(url) else None
        notification.spec = SPECS.get(notification.type)
    return notifications


def is_local_path(url: object) -> bool:
    """A path on this site ("/store/products/x/"), never another site ("//evil", "https://...")."""
    return (
        isinstance(url, str)
        and url.startswith("/")
        and url_has_allowed_host_and_scheme(url, allowed_hosts=None, require_https=False)
    )


def target_url(*, notification: Notification) -> str | None:
    """Where opening `notification` leads; None when its target is no longer available."""
    return with_targets([notification])[0].target_url


@dataclass(frozen=True)
class PreferenceRow:
    spec: TypeSpec
    in_app: bool
    email: bool


def filter_types(*, user) -> list[tuple[str, str]]:
    """The notification centre's type filter: (value, label) of every type for a buyer, and the
    store-team types too for people on a store's team."""
    seller = stores_for(user=user, area=MEMBER).exists()
    return [(type, spec.label) for type, spec in SPECS.items() if spec.audience != "seller" or seller]


def get_preferences(*, user) -> list[PreferenceRow]:
    """Every type with `user`'s choice, or its default. The types about running a store (new
    orders, sold-out variants, ...) only for people on a store's team: buyers never see them."""
    saved = {p.type: p for p in NotificationPreference.objects.filter(user=user)}
    seller = stores_for(user=user, area=MEMBER).exists()
    rows = []
    for type, spec in SPECS.items():
        if spec.audience == "seller" and not seller:
            continue
        preference = saved.get(type)
        rows.append(
            PreferenceRow(
                spec=spec,
                in_app=preference.in_app if preference else spec.in_app_default,
                email=preference.email if preference else spec.email_default,
            )
        )
    return rows
