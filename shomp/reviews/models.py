"""Reviews of products and stores, the store's responses, flags, helpful votes and the rating summaries.

A review with a product is a product review; without one it is a review of the store. The
summaries (`ProductRating`, `StoreRating`) are kept by the services in the same transaction as
every change that moves a published rating; `services.calculate_ratings` rebuilds them.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse

from shomp.catalog.models import Product
from shomp.core.uploads import private_storage
from shomp.stores.models import Store

MIN_RATING, MAX_RATING = 1, 5
TITLE_MAX_LENGTH = 120
CONTENT_MAX_LENGTH = 5000
RESPONSE_MAX_LENGTH = 5000
MAX_PHOTOS = 6
# Review photos are decoded by the worker and stored to fit REVIEW_PHOTO_MAX_SIDE. The pixel cap
# bounds the decode (about 190 MB at worst per photo): a JPEG is decoded at a reduced scale, so a
# 24-megapixel phone photo (5712×4284) fits; PNG is decoded whole (3-4 bytes a pixel); GIF and
# WebP cost more a pixel (a palette made RGBA; libwebp's decoder holds several RGBA copies).
REVIEW_PHOTO_MAX_PIXELS = {"JPEG": 25_000_000, "PNG": 25_000_000, "GIF": 12_000_000, "WEBP": 12_000_000}
REVIEW_PHOTO_MAX_SIDE = 2048
MEDIA_ERROR_MAX_LENGTH = 300
STAR_FIELDS = [f"star_{stars}" for stars in range(MIN_RATING, MAX_RATING + 1)]


class MediaStatus(models.TextChoices):
    """Where an uploaded photo or video is: waiting for the worker, shown, or refused by it."""

    PROCESSING = "processing", "Processing"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class Review(models.Model):
    class Status(models.TextChoices):
        PUBLISHED = "published", "Published"
        HIDDEN = "hidden", "Hidden pending moderation"
        REMOVED = "removed", "Removed"

    # The spec's fields.
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="reviews")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, null=True, blank=True, related_name="reviews")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews")
    rating = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=TITLE_MAX_LENGTH, blank=True)
    content = models.TextField(max_length=CONTENT_MAX_LENGTH, blank=True)
    verified_purchase = models.BooleanField(default=False)  # set by the service from paid orders only
    created_at = models.DateTimeField(auto_now_add=True)
    # Ours.
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    updated_at = models.DateTimeField(auto_now=True)
    edited_at = models.DateTimeField(null=True, blank=True)  # the author changed it after posting
    helpful_count = models.PositiveIntegerField(default=0)  # kept with HelpfulVote rows, for sorting
    has_media = models.BooleanField(default=False)  # photos or a video, for "with photos first"
    # After the store responds the author may update the review once; the page then says so.
    rating_before_response = models.PositiveSmallIntegerField(null=True, blank=True)
    updated_after_response_at = models.DateTimeField(null=True, blank=True)
    video = models.FileField(upload_to="reviews/videos/", blank=True)
    video_content_type = models.CharField(max_length=20, blank=True)
    video_poster = models.ImageField(upload_to="reviews/posters/", blank=True)
    video_poster_thumbnail = models.ImageField(upload_to="reviews/posters/thumbs/", blank=True)
    video_duration = models.FloatField(default=0)
    # "" without a video; "processing" while the worker rebuilds video_source (the upload as
    # received, in private storage: it still carries its metadata) into video and its poster.
    video_status = models.CharField(max_length=10, choices=MediaStatus.choices, blank=True, default="")
    video_source = models.FileField(upload_to="reviews/incoming/", storage=private_storage, blank=True)
    video_error = models.CharField(max_length=MEDIA_ERROR_MAX_LENGTH, blank=True)  # why it failed, for the author

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "product"],
                condition=models.Q(product__isnull=False),
                name="reviews_review_one_per_user_per_product",
            ),
            models.UniqueConstraint(
                fields=["user", "store"],
                condition=models.Q(product__isnull=True),
                name="reviews_review_one_store_review_per_user",
            ),
            models.CheckConstraint(
                condition=models.Q(rating__gte=MIN_RATING, rating__lte=MAX_RATING), name="reviews_review_rating_1_to_5"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["published", "hidden", "removed"]), name="reviews_review_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(video_status__in=["", "processing", "ready", "failed"]),
                name="reviews_review_video_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(rating_before_response__isnull=True)
                | models.Q(rating_before_response__gte=MIN_RATING, rating_before_response__lte=MAX_RATING),
                name="reviews_review_rating_before_response_1_to_5",
            ),
        ]
        indexes = [
            models.Index(fields=["product", "status", "-created_at"]),
            models.Index(fields=["store", "status", "-created_at"]),
            models.Index(fields=["user", "-created_at"]),
        ]

    def __str__(self) -> str:
        return (
            f"{self.rating}★ by {self.user_id} on {'product ' + str(self.product_id) if self.product_id else 'store'}"
        )

    def get_absolute_url(self) -> str:
        return reverse("reviews:detail", kwargs={"review_id": self.pk})

    @property
    def is_store_review(self) -> bool:
        return self.product_id is None

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def subject_name(self) -> str:
        """What was reviewed: the product's title, or the store's name."""
        return self.product.title if self.product_id else self.store.name

    @property
    def subject_url(self) -> str:
        """Where the subject is: the product's page while it is on public sale ("" once it is not)."""
        if self.product_id is None:
            return self.store.get_absolute_url()
        return self.product.get_absolute_url() if self.product_is_public else ""

    @property
    def product_is_public(self) -> bool:
        product = self.product
        return product is not None and product.is_published and getattr(product, "reserved_for_id", None) is None

    @property
    def display_title(self) -> str:
        return self.title or f"{self.rating} out of 5 stars"

    @property
    def video_processing(self) -> bool:
        return self.video_status == MediaStatus.PROCESSING

    @property
    def media_processing(self) -> bool:
        """A photo or the video is still with the worker (reads the prefetched photos)."""
        return self.video_processing or any(photo.status == MediaStatus.PROCESSING for photo in self.photos.all())


class ReviewPhoto(models.Model):
    """A review's photo. Uploaded through the form it is "processing" (the upload as received
    waits in private storage as `source`) until the worker stores `image` and `thumbnail`."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="reviews/photos/", width_field="width", height_field="height", blank=True)
    thumbnail = models.ImageField(upload_to="reviews/photos/thumbs/", blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=MediaStatus.choices, default=MediaStatus.READY)
    source = models.FileField(upload_to="reviews/incoming/", storage=private_storage, blank=True)
    error = models.CharField(max_length=MEDIA_ERROR_MAX_LENGTH, blank=True)  # why it failed, for the author

    class Meta:
        ordering = ["position", "pk"]
        indexes = [models.Index(fields=["review", "position"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["processing", "ready", "failed"]), name="reviews_photo_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Photo {self.position} of review {self.review_id}"

    @property
    def is_ready(self) -> bool:
        return self.status == MediaStatus.READY


class ReviewResponse(models.Model):
    """The store's one public reply to a review. Shown under the store's name, never a person's."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="response")
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="review_responses")
    content = models.TextField(max_length=RESPONSE_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Who wrote it, for the record (never shown: the store speaks as the store).
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    author_notified_at = models.DateTimeField(null=True, blank=True)  # the reviewer was emailed, once

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Response to review {self.review_id}"


class ReviewFlag(models.Model):
    class Reason(models.TextChoices):
        SPAM = "spam", "Spam or advertising"
        OFFENSIVE = "offensive", "Offensive or abusive"
        OFF_TOPIC = "off_topic", "Off-topic: not about this product or store"
        CONFLICT = "conflict", "Conflict of interest (written by the seller or a competitor)"
        OTHER = "other", "Something else"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="flags")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_flags")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when a moderator decides; only open flags count towards hiding a review again.
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["review", "user"], name="reviews_flag_once_per_user"),
            models.CheckConstraint(
                condition=models.Q(reason__in=["spam", "offensive", "off_topic", "conflict", "other"]),
                name="reviews_flag_reason_valid",
            ),
        ]
        indexes = [models.Index(fields=["review", "resolved_at"])]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} flag on review {self.review_id}"


class HelpfulVote(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="helpful_votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="helpful_votes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "user"], name="reviews_helpful_vote_once_per_user")]

    def __str__(self) -> str:
        return f"Helpful vote on review {self.review_id}"


class ReviewModeration(models.Model):
    """A moderation event: hidden after flags, or a staff decision (restore or remove) with a note."""

    class Action(models.TextChoices):
        HIDDEN = "hidden", "Hidden after flags"
        RESTORED = "restored", "Restored"
        REMOVED = "removed", "Removed"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="moderations")
    action = models.CharField(max_length=10, choices=Action.choices)
    note = models.TextField(max_length=2000, blank=True)
    moderator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    author_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: review {self.review_id}"


class RatingSummary(models.Model):
    """Count, sum and 1-5 histogram of the published ratings of one product or store."""

    count = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)
    star_1 = models.PositiveIntegerField(default=0)
    star_2 = models.PositiveIntegerField(default=0)
    star_3 = models.PositiveIntegerField(default=0)
    star_4 = models.PositiveIntegerField(default=0)
    star_5 = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    count=models.F("star_1")
                    + models.F("star_2")
                    + models.F("star_3")
                    + models.F("star_4")
                    + models.F("star_5")
                ),
                name="reviews_%(class)s_count_is_histogram_total",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    rating_sum=models.F("star_1")
                    + 2 * models.F("star_2")
                    + 3 * models.F("star_3")
                    + 4 * models.F("star_4")
                    + 5 * models.F("star_5")
                ),
                name="reviews_%(class)s_sum_matches_histogram",
            ),
        ]

    @property
    def average(self) -> Decimal:
        """The mean rating to one decimal place (0 when there are no ratings)."""
        if not self.count:
            return Decimal("0")
        return (Decimal(self.rating_sum) / Decimal(self.count)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    def histogram(self) -> list[tuple[int, int, int]]:
        """[(stars, count, whole percent of all ratings)], five stars first."""
        rows = []
        for stars in range(MAX_RATING, MIN_RATING - 1, -1):
            number = getattr(self, f"star_{stars}")
            rows.append((stars, number, round(100 * number / self.count) if self.count else 0))
        return rows

    def as_tuple(self) -> tuple[int, ...]:
        return (self.count, self.rating_sum, *(getattr(self, field) for field in STAR_FIELDS))


class ProductRating(RatingSummary):
    product = models.OneToOneField(Product, on_delete=models.CASCADE, primary_key=True, related_name="rating_summary")

    class Meta(RatingSummary.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.average} from {self.count} ratings of product {self.product_id}"


class StoreRating(RatingSummary):
    """All published reviews of the store: its store reviews and the reviews of its products."""

    store = models.OneToOneField(Store, on_delete=models.CASCADE, primary_key=True, related_name="rating_summary")

    class Meta(RatingSummary.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.average} from {self.count} ratings of store {self.store_id}"
