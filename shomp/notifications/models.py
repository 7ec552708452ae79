"""Notifications: what a user is told, once per event, in the app and (if they want) by email.

A notification is a snapshot: its title, text and link target (`data`) are written when it is
created, so it still reads correctly after the thing it points at changes or disappears.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone


class NotificationType(models.TextChoices):
    """What a notification is about. Each has a title and text template (see types.py)."""

    NEW_PRODUCT = "new_product", "New products from stores you follow"
    STORE_ANNOUNCEMENT = "store_announcement", "Store announcements"
    SALE = "sale", "Sales and promotions"
    MESSAGE_REPLY = "message_reply", "Replies to your messages"
    REVIEW_RESPONSE = "review_response", "Responses to your reviews"
    REVIEW_MODERATION = "review_moderation", "Moderation decisions on your reviews"
    CONVERSATION_ASSIGNED = "conversation_assigned", "Conversations assigned to you"
    PRICE_DROP = "price_drop", "Price drops on things you saved"
    BACK_IN_STOCK = "back_in_stock", "Things you saved back in stock"
    SAVED_SALE = "saved_sale", "Sales on things you saved"
    ORDER_SHIPPED = "order_shipped", "Your orders shipping"
    ORDER_DELIVERED = "order_delivered", "Your orders delivered"
    ORDER_CANCELLED = "order_cancelled", "Your orders cancelled by the store"
    ORDER_REFUNDED = "order_refunded", "Refunds on your orders"
    NEW_ORDER = "new_order", "New orders in your stores"
    NEW_REVIEW = "new_review", "New reviews of your stores"
    NEW_CONVERSATION = "new_conversation", "New customer conversations"
    OUT_OF_STOCK = "out_of_stock", "Variants that sell out"


class NotificationEvent(models.Model):
    """One thing that happened and was delivered to many users: a product launch, an announcement.

    Its counters say how many people received it and how many read it, without counting
    notification rows (a store with 100,000 followers would make that slow).
    """

    key = models.CharField(max_length=100, unique=True)
    type = models.CharField(max_length=40, choices=NotificationType.choices)
    recipient_count = models.PositiveIntegerField(default=0)
    read_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)  # the fan-out finished

    class Meta:
        constraints = [models.CheckConstraint(condition=~models.Q(key=""), name="notifications_event_key_not_empty")]

    def __str__(self) -> str:
        return self.key


class Notification(models.Model):
    # No index of its own: the unique (user, key) and (user, -created_at) indexes lead with it,
    # and every index less is less work for a fan-out writing 100,000 rows.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", db_index=False
    )
    type = models.CharField(max_length=40, choices=NotificationType.choices)
    title = models.CharField(max_length=200)
    content = models.TextField(max_length=1000, blank=True)
    # The link target and what is needed to check it later: {"url": "/...", "product_id": 42, ...}.
    data = models.JSONField(default=dict, blank=True)
    # The idempotency key: one notification per user and event ("new-product:42"), so a retried
    # or duplicated task never notifies anyone twice.
    key = models.CharField(max_length=100)
    # Not indexed either: nothing looks notifications up by event (its counters live on the
    # event), and events are never deleted by the app.
    event = models.ForeignKey(
        NotificationEvent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
        db_index=False,
    )
    # False when the user turned in-app notices of this type off but still wants the email.
    in_app = models.BooleanField(default=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="notifications_one_per_user_and_event"),
            models.CheckConstraint(condition=~models.Q(key=""), name="notifications_key_not_empty"),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notifications_user_latest"),
            models.Index(
                fields=["user"],
                condition=models.Q(read_at__isnull=True, in_app=True),
                name="notifications_user_unread",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} for {self.user_id}: {self.title}"

    def get_absolute_url(self) -> str:
        """Opening a notification marks it read and goes to its target."""
        return reverse("notifications:open", kwargs={"notification_id": self.pk})

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """A user's choice for one type; without a row the type's defaults apply (types.py)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=40, choices=NotificationType.choices)
    in_app = models.BooleanField()
    email = models.BooleanField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "type"], name="notifications_one_preference_per_type"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.type}: in-app {self.in_app}, email {self.email}"
