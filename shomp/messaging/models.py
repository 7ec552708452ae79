"""Conversations between a store and a customer, their messages, attachments and offers.

`Conversation` and `Message` carry the spec's fields under the spec's names (store, customer,
subject, status, created_at, updated_at; conversation, sender, sender_type, content, read_at,
created_at). The rest is what a real inbox needs: a type, the product or order it is about, a
UUID for URLs, `last_message_at` for ordering, and per-side unread counters kept by the services
(so an inbox and the header badge never count message rows).
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from shomp.catalog.models import Product
from shomp.core.money import MAX_PRICE
from shomp.core.uploads import private_storage
from shomp.orders.models import Order
from shomp.organizations.models import Organization
from shomp.stores.models import Store

MAX_CONTENT_LENGTH = 5000
MAX_SUBJECT_LENGTH = 150


class Side(models.TextChoices):
    """Who wrote a message: the customer, or someone acting for the store."""

    CUSTOMER = "customer", "Customer"
    STORE = "store", "Store"


class Conversation(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        WAITING = "waiting", "Waiting on customer"
        RESOLVED = "resolved", "Resolved"
        ARCHIVED = "archived", "Archived"

    # How the customer reads a status: the store's words are about its own queue ("Waiting on
    # customer" means the customer's reply is wanted).
    CUSTOMER_STATUS_LABELS = {
        "open": "Open",
        "waiting": "Waiting for your reply",
        "resolved": "Resolved",
        "archived": "Closed",
    }

    class Type(models.TextChoices):
        PRE_PURCHASE = "pre_purchase", "Question about a product"
        SUPPORT = "support", "Help with an order"
        CUSTOM_ORDER = "custom_order", "Custom order request"
        GENERAL = "general", "General question"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="conversations")
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversations")
    subject = models.CharField(max_length=MAX_SUBJECT_LENGTH)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    type = models.CharField(max_length=20, choices=Type.choices, default=Type.GENERAL)
    # What it is about: a product (pre-purchase) or the customer's own order (support).
    product = models.ForeignKey(Product, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    order = models.ForeignKey(Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_message_at = models.DateTimeField()
    # A snapshot of the latest message for inbox rows (no query per row).
    last_message_preview = models.CharField(max_length=200, blank=True)
    last_sender_type = models.CharField(max_length=10, choices=Side.choices, blank=True)
    # Unread messages from the other side, per side: kept by send_message and mark_as_read.
    customer_unread_count = models.PositiveIntegerField(default=0)
    store_unread_count = models.PositiveIntegerField(default=0)
    # The store's first reply, for its typical reply time.
    first_reply_at = models.DateTimeField(null=True, blank=True)
    # The last "you have an unread message" email per side (at most one per thread per hour).
    customer_emailed_at = models.DateTimeField(null=True, blank=True)
    store_emailed_at = models.DateTimeField(null=True, blank=True)
    # The team member looking after it (someone who may do "messages" on the store), or nobody.
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_message_at", "-pk"]
        indexes = [
            models.Index(fields=["customer", "-last_message_at"], name="messaging_customer_latest"),
            models.Index(fields=["store", "-last_message_at"], name="messaging_store_latest"),
            models.Index(fields=["store", "status", "-last_message_at"], name="messaging_store_status"),
            models.Index(
                fields=["customer"], condition=models.Q(customer_unread_count__gt=0), name="messaging_customer_unread"
            ),
            models.Index(fields=["store"], condition=models.Q(store_unread_count__gt=0), name="messaging_store_unread"),
            models.Index(fields=["store", "created_at"], name="messaging_store_created"),
            models.Index(
                fields=["assigned_to", "-last_message_at"],
                condition=models.Q(assigned_to__isnull=False),
                name="messaging_assigned_latest",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(subject=""), name="messaging_subject_not_empty"),
        ]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return reverse("messaging:thread", kwargs={"conversation_uuid": self.uuid})

    def get_customer_status_display(self) -> str:
        return self.CUSTOMER_STATUS_LABELS.get(self.status, self.get_status_display())

    def unread_for(self, side: str) -> int:
        return self.customer_unread_count if side == Side.CUSTOMER else self.store_unread_count

    @property
    def is_closed(self) -> bool:
        return self.status in (self.Status.RESOLVED, self.Status.ARCHIVED)


class Message(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    # Null once the author's account is gone; sender_type still says which side wrote it.
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    sender_type = models.CharField(max_length=10, choices=Side.choices)
    content = models.TextField(max_length=MAX_CONTENT_LENGTH, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)  # when the other side first saw it
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["conversation", "created_at"], name="messaging_message_thread"),
            models.Index(
                fields=["conversation", "sender_type"],
                condition=models.Q(read_at__isnull=True),
                name="messaging_message_unread",
            ),
        ]

    def __str__(self) -> str:
        return f"Message {self.pk} in {self.conversation_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def attachments_processing(self) -> bool:
        """Whether an image still waits for the worker (from the prefetched attachments)."""
        return any(item.is_processing for item in self.attachments.all())


ATTACHMENT_ERROR_MAX_LENGTH = 300


class Attachment(models.Model):
    """A file sent with a message: a re-encoded image (with a thumbnail) or a PDF, kept private.

    An image sent through the forms is "processing" until the worker has decoded it: the upload
    as received (metadata and all) waits in `source`, `file` and `thumbnail` are empty, and
    neither side can download anything. Then it is "ready" (the clean image and its thumbnail)
    or "failed" (with the reason, and nothing to download). PDFs are ready at once."""

    class Kind(models.TextChoices):
        IMAGE = "image", "Image"
        PDF = "pdf", "PDF"

    class Status(models.TextChoices):
        PROCESSING = "processing", "Processing"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    file = models.FileField(upload_to="messages/files/", storage=private_storage, blank=True)
    thumbnail = models.FileField(upload_to="messages/thumbs/", storage=private_storage, blank=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    original_name = models.CharField(max_length=200)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.READY)
    source = models.FileField(upload_to="messages/incoming/", storage=private_storage, blank=True)
    error = models.CharField(max_length=ATTACHMENT_ERROR_MAX_LENGTH, blank=True)  # why it failed, for both sides

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["processing", "ready", "failed"]), name="messaging_attachment_status"
            ),
            # Only a ready attachment has a file to serve.
            models.CheckConstraint(
                condition=models.Q(status="ready") | models.Q(file=""), name="messaging_attachment_file_when_ready"
            ),
        ]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse(
            "messaging:attachment",
            kwargs={"conversation_uuid": self.message.conversation.uuid, "attachment_id": self.pk},
        )

    @property
    def is_image(self) -> bool:
        return self.kind == self.Kind.IMAGE

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY and bool(self.file)

    @property
    def is_processing(self) -> bool:
        return self.status == self.Status.PROCESSING

    @property
    def is_failed(self) -> bool:
        return self.status == self.Status.FAILED


class CustomOrderRequest(models.Model):
    """What a customer asked for in a custom-order conversation."""

    conversation = models.OneToOneField(Conversation, on_delete=models.CASCADE, related_name="custom_request")
    description = models.TextField(max_length=MAX_CONTENT_LENGTH)
    budget = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    wanted_by = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(budget__isnull=True)
                | (models.Q(budget__gte=Decimal("0")) & models.Q(budget__lte=MAX_PRICE)),
                name="messaging_request_budget_range",
            )
        ]

    def __str__(self) -> str:
        return f"Custom request in {self.conversation_id}"


class Offer(models.Model):
    """A store's priced offer in a custom-order thread. Accepting it makes a product reserved for
    the customer (never listed anywhere else) and puts it in their cart."""

    class Status(models.TextChoices):
        SENT = "sent", "Sent"
        ACCEPTED = "accepted", "Accepted"
        EXPIRED = "expired", "Expired"
        WITHDRAWN = "withdrawn", "Withdrawn"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="offers")
    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="offer")
    title = models.CharField(max_length=140)
    price = models.DecimalField(max_digits=10, decimal_places=2)
    delivery_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENT)
    expires_at = models.DateTimeField()
    product = models.ForeignKey(Product, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price__gt=Decimal("0")) & models.Q(price__lte=MAX_PRICE),
                name="messaging_offer_price_range",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="accepted") | models.Q(accepted_at__isnull=False),
                name="messaging_offer_accepted_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def state(self) -> str:
        return self.current_status()

    @property
    def state_label(self) -> str:
        return self.Status(self.current_status()).label

    def current_status(self, now=None) -> str:
        """The status as the customer sees it: a sent offer past its date reads as expired."""
        if self.status == self.Status.SENT and self.expires_at <= (now or timezone.now()):
            return self.Status.EXPIRED
        return self.status


class SavedReply(models.Model):
    """A canned answer, inserted into the composer by the store's team.

    Either one store's (`store`) or shared with the whole organization (`organization`): a
    shared reply shows in the composer of every store of the organization, to whoever may do
    "messages" there. Titles are unique per scope, whatever their case.
    """

    store = models.ForeignKey(Store, on_delete=models.CASCADE, null=True, blank=True, related_name="saved_replies")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="saved_replies"
    )
    title = models.CharField(max_length=80)
    content = models.TextField(max_length=MAX_CONTENT_LENGTH)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "pk"]
        verbose_name_plural = "saved replies"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(store__isnull=False, organization__isnull=True)
                | models.Q(store__isnull=True, organization__isnull=False),
                name="messaging_saved_reply_one_scope",
            ),
            models.UniqueConstraint(
                Lower("title"),
                "store",
                condition=models.Q(store__isnull=False),
                name="messaging_saved_reply_title_per_store",
            ),
            models.UniqueConstraint(
                Lower("title"),
                "organization",
                condition=models.Q(organization__isnull=False),
                name="messaging_saved_reply_title_per_organization",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_shared(self) -> bool:
        return self.organization_id is not None


class Block(models.Model):
    """A store no longer accepts messages from this user."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="blocks")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["store", "user"], name="messaging_block_once")]

    def __str__(self) -> str:
        return f"{self.store_id} blocks {self.user_id}"


class Report(models.Model):
    """A conversation reported to platform staff (reviewed in the admin)."""

    class Reason(models.TextChoices):
        SPAM = "spam", "Spam or scam"
        ABUSE = "abuse", "Harassment or abuse"
        FRAUD = "fraud", "Fraud or payment outside Shomp"
        OTHER = "other", "Something else"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    reason = models.CharField(max_length=10, choices=Reason.choices)
    details = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Report on {self.conversation_id}: {self.get_reason_display()}"


class StoreReplyTime(models.Model):
    """A store's typical (median) time to a first reply over the last 90 days, for its page.

    Recomputed by the services whenever the store answers a new conversation, so showing it
    costs one primary-key read.
    """

    store = models.OneToOneField(Store, on_delete=models.CASCADE, primary_key=True, related_name="+")
    typical_seconds = models.PositiveIntegerField()
    sample_size = models.PositiveIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.store_id}: {self.typical_seconds} s"
