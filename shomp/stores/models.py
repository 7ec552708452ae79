from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse

SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$"


class Store(models.Model):
    """A seller's shop, reached publicly at /<slug>."""

    class ReviewPolicy(models.TextChoices):
        """Who may write a new review of the store or its products (the reviews app enforces it)."""

        BUYERS = "buyers", "Buyers only"
        ANYONE = "anyone", "Anyone logged in"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="stores")
    name = models.CharField(max_length=80)
    slug = models.SlugField(
        max_length=50,
        unique=True,
        validators=[RegexValidator(SLUG_PATTERN, "Use lower-case letters, digits and hyphens.")],
    )
    description = models.TextField(max_length=5000, blank=True)
    logo = models.ImageField(upload_to="stores/logos/", blank=True)
    logo_thumbnail = models.ImageField(upload_to="stores/logos/thumbs/", blank=True)
    currency = models.CharField(max_length=3, default="USD")
    # Buyers only by default: reviews from people who never bought invite review bombing.
    review_policy = models.CharField(
        "who may review", max_length=10, choices=ReviewPolicy.choices, default=ReviewPolicy.BUYERS
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["owner", "name"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(slug__regex=SLUG_PATTERN), name="stores_store_slug_format"),
            models.CheckConstraint(
                condition=models.Q(review_policy__in=["buyers", "anyone"]), name="stores_store_review_policy_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:store", kwargs={"store_slug": self.slug})
