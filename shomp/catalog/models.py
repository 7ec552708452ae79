from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse

from shomp.core.money import MAX_PRICE
from shomp.core.uploads import private_storage
from shomp.stores.models import Store


class Product(models.Model):
    class Kind(models.TextChoices):
        PHYSICAL = "physical", "Physical"
        DIGITAL = "digital", "Digital"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        ARCHIVED = "archived", "Archived"

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="products")
    title = models.CharField(max_length=140)
    slug = models.SlugField(max_length=160)
    description = models.TextField(max_length=10000, blank=True)
    price = models.DecimalField(max_digits=10, decimal_places=2)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PHYSICAL)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Physical products only; None for digital (unlimited).
    stock = models.PositiveIntegerField(null=True, blank=True)
    # Digital products only: kept in private storage, served by an access-checked view.
    digital_file = models.FileField(upload_to="products/files/", storage=private_storage, blank=True)
    digital_file_name = models.CharField(max_length=200, blank=True)
    digital_file_type = models.CharField(max_length=100, blank=True)
    digital_file_size = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # A custom-order product made for one buyer (an accepted offer in messaging): only that buyer
    # and the store see it, and only that buyer can buy it. Never listed in the store or search.
    reserved_for = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["store", "slug"], name="catalog_product_slug_unique_per_store"),
            models.CheckConstraint(
                condition=models.Q(price__gte=Decimal("0")) & models.Q(price__lte=MAX_PRICE),
                name="catalog_product_price_range",
            ),
            models.CheckConstraint(
                condition=models.Q(stock__isnull=True) | models.Q(stock__gte=0), name="catalog_product_stock_gte_0"
            ),
        ]
        indexes = [
            models.Index(fields=["store", "status", "-created_at"]),
            models.Index(fields=["status", "-published_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("catalog:product", kwargs={"store_slug": self.store.slug, "product_ref": self.slug})

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_digital(self) -> bool:
        return self.kind == self.Kind.DIGITAL

    @property
    def in_stock(self) -> bool:
        return self.stock is None or self.stock > 0

    @property
    def cover(self):
        """The first image, from the prefetched list when there is one (no extra query)."""
        images = list(self.images.all())
        return images[0] if images else None


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to="products/images/", width_field="width", height_field="height")
    thumbnail = models.ImageField(upload_to="products/thumbs/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    alt_text = models.CharField(max_length=200, blank=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "pk"]
        indexes = [models.Index(fields=["product", "position"])]

    def __str__(self) -> str:
        return f"Image {self.position} of {self.product_id}"
