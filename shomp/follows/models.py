"""Following stores, and what stores tell their followers."""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from shomp.notifications.models import NotificationEvent
from shomp.stores.models import Store


class Follow(models.Model):
    """`user` follows `store`: they hear about its new products and announcements."""

    # Indexed through the constraint and indexes below, which lead with these columns.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows", db_index=False)
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="follows", db_index=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "store"], name="follows_follow_once_per_store"),
        ]
        indexes = [
            # The fan-out walks a store's followers in primary-key order (keyset pagination).
            models.Index(fields=["store", "id"], name="follows_store_fanout"),
            # The followers page (newest first) and the growth by week.
            models.Index(fields=["store", "-created_at"], name="follows_store_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.store_id}"


class StoreAnnouncement(models.Model):
    """An update or a sale a store sends to all its followers; public at its own page."""

    class Kind(models.TextChoices):
        UPDATE = "update", "Update"
        SALE = "sale", "Sale or promotion"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="announcements")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.UPDATE)
    title = models.CharField(max_length=140)
    body = models.TextField(max_length=10000)
    sale_ends_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Delivery: how many followers received it and read it (the event's counters).
    event = models.OneToOneField(
        NotificationEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="announcement"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(title=""), name="follows_announcement_title_not_empty"),
            models.CheckConstraint(
                condition=models.Q(kind="sale") | models.Q(sale_ends_at__isnull=True),
                name="follows_announcement_only_sales_end",
            ),
        ]
        indexes = [models.Index(fields=["store", "-created_at"], name="follows_announcement_latest")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("follows:announcement", kwargs={"announcement_uuid": self.uuid})

    @property
    def notification_key(self) -> str:
        return f"announcement:{self.uuid}"

    @property
    def received_count(self) -> int:
        return self.event.recipient_count if self.event_id else 0

    @property
    def read_count(self) -> int:
        return self.event.read_count if self.event_id else 0

    @property
    def is_delivered(self) -> bool:
        return bool(self.event_id and self.event.delivered_at)
