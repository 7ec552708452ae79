"""Store analytics: raw page views and conversions (today's detail), daily rollups (what reports
read) and the daily salt that makes visitors unlinkable across days and stores.

Privacy by construction (docs/ARCHITECTURE.md, "Analytics"):
- `ip_address` holds the anonymised network only (IPv4 /24, IPv6 /48), never the address.
- `user_agent` holds the parsed families ("Firefox 133 / Windows / desktop"), never the header.
- `visitor_hash` = hash(daily salt, store, network, user agent); the salt is deleted when its
  UTC day is over, so nobody can link a visitor across days or stores, nor recover the network.
  Requests with `Sec-GPC: 1` or `DNT: 1` are counted with an empty hash (no session, no visitor).
- `user` is kept for conversions' buyer reports (new vs returning) and is never shown: reports
  name buyers by username only, and only buyers of the store's own orders.

Reports read `DailyStat` (one row per store × local day × product × variant × medium × source ×
campaign × country × device) and `DailyVisitors` (unique visitors are not additive across those
dimensions, so they are counted per store and day), plus raw rows for today only. Product and
variant ids in the rollups are plain integers (0 = none) so a unique key and an upsert work the
same on SQLite and PostgreSQL; a deleted product keeps its history under its id.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from shomp.catalog.models import Product, Variant
from shomp.core.uploads import private_storage
from shomp.stores.models import Store

NONE_ID = 0  # "no product" / "no variant" in the rollups

MAX_PATH_LENGTH = 300
MAX_SOURCE_LENGTH = 60
MAX_DOMAIN_LENGTH = 100
MAX_UTM_LENGTH = 100
MAX_FAMILY_LENGTH = 40


class Medium(models.TextChoices):
    """Where a visit came from, by kind (the entry page's referrer or UTM medium)."""

    DIRECT = "direct", "Direct"
    SEARCH = "search", "Search engines"
    SOCIAL = "social", "Social"
    EMAIL = "email", "Email"
    SHOMP = "shomp", "Shomp"  # marketplace search, directory, notifications, follows, wishlists, another store
    REFERRAL = "referral", "Other websites"
    CAMPAIGN = "campaign", "Campaigns"  # a UTM medium we don't map to one of the above


class Device(models.TextChoices):
    DESKTOP = "desktop", "Desktop"
    MOBILE = "mobile", "Phone"
    TABLET = "tablet", "Tablet"
    OTHER = "other", "Other"


class PageKind(models.TextChoices):
    STORE = "store", "Store page"
    PRODUCT = "product", "Product page"
    VARIANT = "variant", "Variant chosen"  # the product page's picker settled on a variant
    REVIEWS = "reviews", "Reviews page"
    ANNOUNCEMENT = "announcement", "Announcement"


class ConversionType(models.TextChoices):
    ADD_TO_CART = "add_to_cart", "Added to cart"
    CHECKOUT_STARTED = "checkout_started", "Checkout started"
    PURCHASE = "purchase", "Purchase"
    FOLLOW = "follow", "Follow"
    WISHLIST_ADD = "wishlist_add", "Saved to a wishlist"
    MESSAGE_STARTED = "message_started", "Conversation started"


class DailySalt(models.Model):
    """The random salt of one UTC day. Deleted once the day is over (a periodic task)."""

    day = models.DateField(unique=True)
    salt = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.day)


class VisitFields(models.Model):
    """What a page view and a conversion both carry: who (anonymously), from where, on what."""

    visitor_hash = models.CharField(max_length=32, blank=True)
    session_id = models.CharField(max_length=32, blank=True)
    medium = models.CharField(max_length=10, choices=Medium.choices, default=Medium.DIRECT)
    source = models.CharField(max_length=MAX_SOURCE_LENGTH, blank=True)  # "google", "instagram", "store directory"
    referrer_domain = models.CharField(max_length=MAX_DOMAIN_LENGTH, blank=True)
    utm_source = models.CharField(max_length=MAX_UTM_LENGTH, blank=True)
    utm_medium = models.CharField(max_length=MAX_UTM_LENGTH, blank=True)
    utm_campaign = models.CharField(max_length=MAX_UTM_LENGTH, blank=True)
    country = models.CharField(max_length=2, blank=True)  # ISO 3166-1 alpha-2; "" = unknown
    device = models.CharField(max_length=10, choices=Device.choices, default=Device.OTHER)
    browser = models.CharField(max_length=MAX_FAMILY_LENGTH, blank=True)
    os = models.CharField(max_length=MAX_FAMILY_LENGTH, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        abstract = True


class PageView(VisitFields):
    """One counted view of a storefront page. Append-only; pruned after the retention period."""

    id = models.BigAutoField(primary_key=True)
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+", db_index=False)
    product = models.ForeignKey(Product, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    variant = models.ForeignKey(Variant, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    kind = models.CharField(max_length=12, choices=PageKind.choices)
    path = models.CharField(max_length=MAX_PATH_LENGTH)
    ip_address = models.CharField(max_length=50, blank=True)  # the anonymised network, e.g. "203.0.113.0/24"
    user_agent = models.CharField(max_length=150, blank=True)  # families only, e.g. "Firefox 133 / Windows / desktop"
    is_entry = models.BooleanField(default=False)  # the first view of its session: counts a visit
    sold_out = models.BooleanField(default=False)  # the product or chosen variant had no stock: missed demand

    class Meta:
        indexes = [
            models.Index(fields=["store", "created_at"], name="analytics_pv_store_time"),
            models.Index(fields=["visitor_hash", "created_at"], name="analytics_pv_visitor"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.path}"


class Conversion(VisitFields):
    """A visitor did something the store wants: added to cart, checked out, bought, followed..."""

    id = models.BigAutoField(primary_key=True)
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+", db_index=False)
    product = models.ForeignKey(Product, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    variant = models.ForeignKey(Variant, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    conversion_type = models.CharField(max_length=20, choices=ConversionType.choices)
    value = models.DecimalField(max_digits=12, decimal_places=2, default=0)  # a purchase: its order's total
    quantity = models.PositiveIntegerField(default=1)
    order_id = models.PositiveBigIntegerField(null=True, blank=True)  # a purchase's order (one conversion per order)

    class Meta:
        indexes = [models.Index(fields=["store", "created_at"], name="analytics_conv_store_time")]
        constraints = [
            models.UniqueConstraint(
                fields=["conversion_type", "order_id"],
                condition=models.Q(order_id__isnull=False),
                name="analytics_conversion_once_per_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.conversion_type} {self.store_id}"


class DailyStat(models.Model):
    """One store's day (in its time zone) for one product/variant, source and audience slice."""

    id = models.BigAutoField(primary_key=True)
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    product_id_value = models.PositiveBigIntegerField(default=NONE_ID, db_column="product_id")
    variant_id_value = models.PositiveBigIntegerField(default=NONE_ID, db_column="variant_id")
    medium = models.CharField(max_length=10, choices=Medium.choices)
    source = models.CharField(max_length=MAX_SOURCE_LENGTH, blank=True)
    utm_campaign = models.CharField(max_length=MAX_UTM_LENGTH, blank=True)
    country = models.CharField(max_length=2, blank=True)
    device = models.CharField(max_length=10, choices=Device.choices)

    pageviews = models.PositiveIntegerField(default=0)  # every counted view, any kind
    product_views = models.PositiveIntegerField(default=0)  # product pages (with product_id)
    variant_views = models.PositiveIntegerField(default=0)  # picker settled on the variant
    sold_out_views = models.PositiveIntegerField(default=0)  # views of sold-out products/variants
    visits = models.PositiveIntegerField(default=0)  # sessions started (entry views)
    add_to_carts = models.PositiveIntegerField(default=0)
    checkouts = models.PositiveIntegerField(default=0)
    purchases = models.PositiveIntegerField(default=0)  # orders (product_id 0) or order lines' units
    revenue = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    follows = models.PositiveIntegerField(default=0)
    wishlist_adds = models.PositiveIntegerField(default=0)
    messages_started = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "store",
                    "day",
                    "product_id_value",
                    "variant_id_value",
                    "medium",
                    "source",
                    "utm_campaign",
                    "country",
                    "device",
                ],
                name="analytics_dailystat_slice",
            )
        ]

    def __str__(self) -> str:
        return f"{self.store_id} {self.day}"


class DailyVisitors(models.Model):
    """Unique visitors of one store on one local day, and its browser / OS mix (not additive
    across DailyStat's dimensions, so kept apart)."""

    id = models.BigAutoField(primary_key=True)
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    browser = models.CharField(max_length=MAX_FAMILY_LENGTH, blank=True)
    os = models.CharField(max_length=MAX_FAMILY_LENGTH, blank=True)
    device = models.CharField(max_length=10, choices=Device.choices)
    visitors = models.PositiveIntegerField(default=0)
    visits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["store", "day", "browser", "os", "device"], name="analytics_dailyvisitors_slice"
            )
        ]

    def __str__(self) -> str:
        return f"{self.store_id} {self.day}"


class ReportExport(models.Model):
    """A CSV of one report for one range, built in the worker when it is big. The file lives in
    private storage and is served only to who may export the store's analytics (policies)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting"
        RUNNING = "running", "Building"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    uuid = models.UUIDField(unique=True)
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    report = models.CharField(max_length=20)
    # The report's options: {"compare": ...} for the headlines, {"product_id": ...} for a variant funnel.
    options = models.JSONField(default=dict, blank=True)
    start = models.DateField()
    end = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    rows = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="analytics/exports/", storage=private_storage, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["store", "-created_at"], name="analytics_export_recent")]

    def __str__(self) -> str:
        return f"{self.report} {self.start}..{self.end}"


class DailySummary(models.Model):
    """What the reports read for finished days: `DailyStat` added up per store-day along one
    dimension at a time (summaries.py), so a 12-month report reads thousands of rows, not the
    millions of full slices. Written with the rollup of the same days, in its transaction.

    kind TOTAL: one row per store-day (its presence says the day is summarized): every view
    metric of the day, and the store's orders and revenue (the rollup's product-0 rows).
    kind PRODUCT: per product and variant: views, carts, units sold and line revenue.
    kind SOURCE: per medium, source and campaign: visits, views, orders and revenue.
    """

    class Kind(models.TextChoices):
        TOTAL = "total", "Store"
        PRODUCT = "product", "Product"
        SOURCE = "source", "Source"

    id = models.BigAutoField(primary_key=True)
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    kind = models.CharField(max_length=8, choices=Kind.choices)
    product_id_value = models.PositiveBigIntegerField(default=NONE_ID, db_column="product_id")
    variant_id_value = models.PositiveBigIntegerField(default=NONE_ID, db_column="variant_id")
    medium = models.CharField(max_length=10, blank=True)
    source = models.CharField(max_length=MAX_SOURCE_LENGTH, blank=True)
    utm_campaign = models.CharField(max_length=MAX_UTM_LENGTH, blank=True)

    pageviews = models.PositiveIntegerField(default=0)
    product_views = models.PositiveIntegerField(default=0)
    variant_views = models.PositiveIntegerField(default=0)
    sold_out_views = models.PositiveIntegerField(default=0)
    visits = models.PositiveIntegerField(default=0)
    add_to_carts = models.PositiveIntegerField(default=0)
    checkouts = models.PositiveIntegerField(default=0)
    purchases = models.PositiveIntegerField(default=0)
    revenue = models.DecimalField(max_digits=14, decimal_places=2, default=0)

    class Meta:
        indexes = [models.Index(fields=["store", "kind", "day"], name="analytics_summary_read")]

    def __str__(self) -> str:
        return f"{self.store_id} {self.day} {self.kind}"
