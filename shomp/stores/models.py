import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from shomp.core.urls import cached_reverse
from shomp.organizations.selectors import has_team

SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$"
DEFAULT_TIME_ZONE = "UTC"


def time_zone_choices() -> list[tuple[str, str]]:
    """The IANA zones this machine knows, for the settings form's select."""
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError("Choose a time zone from the list.")


class Store(models.Model):
    """A seller's shop, reached publicly at /<slug>."""

    class ReviewPolicy(models.TextChoices):
        """Who may write a new review of the store or its products (the reviews app enforces it)."""

        BUYERS = "buyers", "Buyers only"
        ANYONE = "anyone", "Anyone logged in"

    # The organization's owner (kept equal by organizations' services: a transfer moves both).
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="stores")
    # Whose team works on the store, each member by role (organizations.policies.can is the door).
    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="stores")
    # True while the organization has members besides its owner (kept by organizations' services
    # under the organization's row lock). False lets the door say no to everyone but the owner
    # without reading memberships: public pages ask "does this visitor manage the store?".
    has_team = models.BooleanField(default=False, editable=False)
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
    # Where the seller's day starts and ends: analytics ranges, promotions' start and end.
    time_zone = models.CharField(max_length=64, default=DEFAULT_TIME_ZONE, validators=[validate_time_zone])
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

    def save(self, *args, **kwargs):
        # A new store's `has_team` is its organization's (whoever writes the row: create_store,
        # a move, a fixture), so the door's free "no" is never wrong for a store just made.
        # Later changes are the organization services' (sync_store_teams, under its row lock).
        if self._state.adding and self.organization_id is not None:
            self.has_team = has_team(organization_id=self.organization_id)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return cached_reverse("catalog:store", store_slug=self.slug)

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)
