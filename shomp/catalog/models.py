from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models.functions import Lower

from shomp.core.money import MAX_PRICE
from shomp.core.uploads import private_storage
from shomp.core.urls import cached_reverse
from shomp.stores.models import Store


class Category(models.Model):
    """A place in the marketplace's category tree (shipped as data in data/categories.json,
    created by migration 0007 and on every post_migrate; edited in the admin)."""

    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80, unique=True)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    position = models.PositiveSmallIntegerField(default=0)
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return f"{self.parent.name} › {self.name}" if self.parent_id and self.parent else self.name

    def get_absolute_url(self) -> str:
        return cached_reverse("catalog:category", slug=self.slug)


# Products without a chosen category land here (data/categories.json holds it).
DEFAULT_CATEGORY_SLUG = "other"


def default_category() -> int:
    """The pk of the "Other" category, for a product made without one (created if missing)."""
    category, _ = Category.objects.get_or_create(
        slug=DEFAULT_CATEGORY_SLUG, defaults={"name": "Other", "position": 999}
    )
    return category.pk


MAX_TAGS = 13


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
    # Searched words a buyer might use, comma-separated ("mug, stoneware, gift"): services.normalize_tags.
    tags = models.CharField(max_length=250, blank=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products", default=default_category)
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
    # Variants (spec section 8). `has_variants` is kept by the variant services: true while the
    # product has an active variant, and then buyers choose one and stock is counted per variant.
    has_variants = models.BooleanField(default=False)
    # Off for made-to-order work: variants are then never out of stock.
    track_inventory = models.BooleanField(default=True)
    # At or below this many left, buyers see "only N left" and the seller sees "low".
    low_stock_threshold = models.PositiveIntegerField(default=3)

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
            models.Index(fields=["category", "status"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return cached_reverse("catalog:product", store_slug=self.store.slug, product_ref=self.slug)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_digital(self) -> bool:
        return self.kind == self.Kind.DIGITAL

    @property
    def in_stock(self) -> bool:
        if self.has_variants:
            return True  # per variant: the product page and the cart decide for the chosen one
        return self.stock is None or self.stock > 0

    @property
    def tracks_variant_stock(self) -> bool:
        """Variant stock counts only for physical products whose seller tracks inventory."""
        return self.track_inventory and not self.is_digital

    @property
    def cover(self):
        """The first ready image, from the prefetched list when there is one (no extra query)."""
        return next((image for image in self.images.all() if image.is_ready), None)


class ProductSearchDocument(models.Model):
    """PostgreSQL only: each product's search document, kept by triggers (catalog/search.py), as
    SQLite keeps its FTS5 table. Not managed by Django: migration 0010 makes the table and its
    triggers on PostgreSQL; nothing on SQLite, where nothing reads it."""

    product = models.OneToOneField(
        Product,
        on_delete=models.DO_NOTHING,  # the database's trigger deletes the row with its product
        primary_key=True,
        db_constraint=False,
        related_name="search_document",
    )
    document = SearchVectorField()
    title_document = SearchVectorField()

    class Meta:
        managed = False
        db_table = "catalog_product_search"

    def __str__(self) -> str:
        return f"Search document of {self.product_id}"


# Product images are decoded by the worker (services.products.process_product_images) and stored
# to fit PRODUCT_IMAGE_MAX_SIDE: a JPEG is then decoded at a reduced scale, and no page shows one
# larger. The form checks the pixel caps from the header; the worker applies them again. They keep
# the worker's peak near 250 MB (bench/uploads.py, `--only product`): a 40 MP JPEG costs ~170 MB,
# a 25 MP PNG ~240 MB, while a 40 MP WebP took 680 MB (libwebp holds several RGBA copies).
PRODUCT_IMAGE_MAX_SIDE = 2560
PRODUCT_IMAGE_MAX_PIXELS = {"JPEG": 40_000_000, "PNG": 25_000_000, "GIF": 12_000_000, "WEBP": 12_000_000}
IMAGE_ERROR_MAX_LENGTH = 300


class ImageStatus(models.TextChoices):
    """Where an uploaded image is: waiting for the worker, shown, or refused by it."""

    PROCESSING = "processing", "Processing"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class ProductImage(models.Model):
    """A product's image. Uploaded through the form it is "processing" (the upload as received
    waits in private storage as `source`, metadata and all) until the worker stores `image` and
    `thumbnail`; only ready images are shown outside the seller's dashboard."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to="products/images/", width_field="width", height_field="height", blank=True)
    thumbnail = models.ImageField(upload_to="products/thumbs/", blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    alt_text = models.CharField(max_length=200, blank=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=ImageStatus.choices, default=ImageStatus.READY)
    source = models.FileField(upload_to="products/incoming/", storage=private_storage, blank=True)
    error = models.CharField(max_length=IMAGE_ERROR_MAX_LENGTH, blank=True)  # why it failed, for the seller

    class Meta:
        ordering = ["position", "pk"]
        indexes = [models.Index(fields=["product", "position"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["processing", "ready", "failed"]), name="catalog_image_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Image {self.position} of {self.product_id}"

    @property
    def is_ready(self) -> bool:
        return self.status == ImageStatus.READY

    @property
    def is_processing(self) -> bool:
        return self.status == ImageStatus.PROCESSING


# Variants (spec section 8, Shomp.ProductVariants) ------------------------------------------

MAX_OPTIONS = 5
MAX_OPTION_VALUES = 50
MAX_VARIANTS = 1000
COLOUR_OPTION_NAMES = {"colour", "color", "colours", "colors"}


class ProductOption(models.Model):
    """One way a product varies (Size, Colour), with its ordered values."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="options")
    name = models.CharField(max_length=50)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "product", name="catalog_option_name_unique_per_product"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_colour(self) -> bool:
        return self.name.strip().lower() in COLOUR_OPTION_NAMES


class ProductOptionValue(models.Model):
    """A value of an option (M, Red). Its price modifier is added to every variant with it,
    unless the variant has a modifier of its own."""

    option = models.ForeignKey(ProductOption, on_delete=models.CASCADE, related_name="values")
    value = models.CharField(max_length=50)
    position = models.PositiveSmallIntegerField(default=0)
    price_modifier = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    # "#rrggbb" when the value names a colour (shown as a swatch); empty otherwise.
    swatch = models.CharField(max_length=7, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(Lower("value"), "option", name="catalog_option_value_unique_per_option"),
        ]

    def __str__(self) -> str:
        return self.value


class Variant(models.Model):
    """One buyable version of a product: a combination of option values (spec: Variant)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    # Denormalised from the product so the database can keep SKUs unique within a store.
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=300)  # "M / Red", from the options in option order
    # The variant's own modifier; None means "the sum of its option values' modifiers".
    price_modifier = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    # That sum, kept by the services whenever a value's modifier changes (no join to show a price).
    options_price_modifier = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    sku = models.CharField("SKU", max_length=64, blank=True)
    inventory_count = models.IntegerField(default=0)
    image = models.ForeignKey(ProductImage, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    is_enabled = models.BooleanField(default=True)
    # Set when one of its option values is removed: gone from the shop, kept for order history.
    archived_at = models.DateTimeField(null=True, blank=True)
    # The combination as "size=m|colour=red" (lower-cased, in option order): one live variant each.
    combination_key = models.CharField(max_length=600)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(inventory_count__gte=0), name="catalog_variant_inventory_gte_0"),
            # Live variants only: an archived variant's SKU may be given to its successor
            # (past orders keep the SKU in their own snapshot).
            models.UniqueConstraint(
                fields=["store", "sku"],
                condition=~models.Q(sku="") & models.Q(archived_at__isnull=True),
                name="catalog_variant_sku_unique_per_store",
            ),
            models.UniqueConstraint(
                fields=["product", "combination_key"],
                condition=models.Q(archived_at__isnull=True),
                name="catalog_variant_one_per_combination",
            ),
        ]
        indexes = [models.Index(fields=["product", "archived_at", "position"])]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.name}"

    @property
    def effective_price_modifier(self) -> Decimal:
        return self.price_modifier if self.price_modifier is not None else self.options_price_modifier

    @property
    def price(self) -> Decimal:
        """Base price plus the modifier, never below zero (spec: calculate_price)."""
        return max(Decimal("0.00"), self.product.price + self.effective_price_modifier)

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def is_buyable(self) -> bool:
        return self.is_enabled and not self.is_archived and self.available_count != 0

    @property
    def available_count(self) -> int | None:
        """How many can be bought: None when stock isn't tracked (made to order, digital)."""
        return self.inventory_count if self.product.tracks_variant_stock else None

    @property
    def stock_status(self) -> str:
        """ "in_stock", "low" or "out" for the seller's and buyer's badges."""
        count = self.available_count
        if count is None:
            return "in_stock"
        if count <= 0:
            return "out"
        return "low" if count <= self.product.low_stock_threshold else "in_stock"


class VariantOption(models.Model):
    """One option value of a variant (spec: VariantOption), kept as text so an archived variant
    still says what it was after its value is removed."""

    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="options")
    option_name = models.CharField(max_length=50)
    option_value = models.CharField(max_length=50)
    value = models.ForeignKey(ProductOptionValue, on_delete=models.SET_NULL, null=True, related_name="variant_options")

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["variant", "option_name"], name="catalog_variant_option_once"),
        ]

    def __str__(self) -> str:
        return f"{self.option_name}: {self.option_value}"


class InventoryAdjustment(models.Model):
    """A change to a variant's stock: who, when, why and by how much."""

    class Kind(models.TextChoices):
        SET = "set", "Set"
        ADJUST = "adjust", "Adjustment"
        RESTOCK = "restock", "Restock"
        SALE = "sale", "Sale"

    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="adjustments")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    delta = models.IntegerField()
    resulting_count = models.IntegerField()
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["variant", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.delta:+d} on {self.variant_id} ({self.kind})"


# Promotions (issue 16: cross-store sales) ----------------------------------------------------

MAX_PERCENT_OFF = Decimal("100")


class Promotion(models.Model):
    """A sale an organization runs on some of its stores, products or variants, from `starts_at`
    to `ends_at`: a percentage or an amount off what a buyer pays. Where several cover the same
    item, the best one for the buyer wins (services.pricing). `started_at` is set once, by the
    worker, when the start was announced (followers, savers); `ended_at` when a seller ended it
    early (or cancelled it before it started)."""

    class Kind(models.TextChoices):
        PERCENT = "percent", "Percentage off"
        FIXED = "fixed", "Amount off"

    organization = models.ForeignKey("organizations.Organization", on_delete=models.CASCADE, related_name="promotions")
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PERCENT)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    notify_followers = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=["percent", "fixed"]), name="catalog_promotion_kind"),
            models.CheckConstraint(
                condition=models.Q(amount__gt=Decimal("0")) & models.Q(amount__lte=MAX_PRICE),
                name="catalog_promotion_amount_positive",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="percent") | models.Q(amount__lte=MAX_PERCENT_OFF),
                name="catalog_promotion_percent_lte_100",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="catalog_promotion_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["organization", "-starts_at"]), models.Index(fields=["starts_at", "ends_at"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_percent(self) -> bool:
        return self.kind == self.Kind.PERCENT

    @property
    def effective_end(self):
        """When it stops (or stopped): its end, or earlier if a seller ended it."""
        return min(self.ends_at, self.ended_at) if self.ended_at else self.ends_at

    def status_at(self, at) -> str:
        """ "scheduled", "running", "ended" or "cancelled" at `at`."""
        if self.ended_at is not None and self.ended_at <= self.starts_at:
            return "cancelled"
        if at < self.starts_at:
            return "scheduled"
        if at < self.effective_end:
            return "running"
        return "ended"


class PromotionTarget(models.Model):
    """One thing a promotion covers: a whole store, a product (all its variants) or a variant."""

    promotion = models.ForeignKey(Promotion, on_delete=models.CASCADE, related_name="targets")
    store = models.ForeignKey(Store, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(store__isnull=False, product__isnull=True, variant__isnull=True)
                    | models.Q(store__isnull=True, product__isnull=False, variant__isnull=True)
                    | models.Q(store__isnull=True, product__isnull=True, variant__isnull=False)
                ),
                name="catalog_promotion_target_one_thing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.promotion_id}: store {self.store_id} product {self.product_id} variant {self.variant_id}"
