import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse

from shomp.catalog.models import Product, Variant
from shomp.core.countries import country_name
from shomp.stores.models import Store


class Cart(models.Model):
    """A shopping cart: a logged-in user's (one each), or an anonymous session's (user is null)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="cart"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Cart {self.pk}"


class CartItem(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    # The chosen version of a product with variants; null for a product without.
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    quantity = models.PositiveIntegerField(default=1)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["cart", "product"],
                condition=models.Q(variant__isnull=True),
                name="orders_cartitem_one_line_per_product",
            ),
            models.UniqueConstraint(
                fields=["cart", "variant"],
                condition=models.Q(variant__isnull=False),
                name="orders_cartitem_one_line_per_variant",
            ),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="orders_cartitem_quantity_gte_1"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product_id}"

    @property
    def unit_price(self) -> Decimal:
        """What the buyer pays for one now (catalog pricing: promotions included). The cart's
        selector and the checkout price every line at once (`price`); else it is asked here."""
        price = getattr(self, "price", None)
        if price is None:
            from shomp.catalog.services import price_of

            price = self.price = price_of(product=self.product, variant=self.variant)
        return price.paid

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.quantity


class Checkout(models.Model):
    """One payment for one submitted cart; it makes one Order per store.

    `token` is minted when the checkout page renders and is unique, so the same form
    submitted twice (double click, two tabs, a retry) makes one checkout, one payment."""

    class Status(models.TextChoices):
        PAID = "paid", "Paid"

    token = models.UUIDField(unique=True)
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="checkouts")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PAID)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="USD")
    payment_provider = models.CharField(max_length=40)
    payment_reference = models.CharField(max_length=100, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Checkout {self.token}"


MONEY = {"max_digits": 12, "decimal_places": 2}


class ShippingSettings(models.Model):
    """How one store charges for shipping. Digital items never ship.

    Domestic means the buyer's country is `ships_from`. `international_rate` None: the store
    does not ship abroad. `free_over` None: never free. The first physical item of an order
    costs the rate; each further one adds the extra-item rate."""

    store = models.OneToOneField(Store, on_delete=models.CASCADE, related_name="shipping_settings")
    ships_from = models.CharField("ships from (country code)", max_length=2)
    domestic_rate = models.DecimalField(default=Decimal("0.00"), **MONEY)
    domestic_extra_item_rate = models.DecimalField(default=Decimal("0.00"), **MONEY)
    international_rate = models.DecimalField(null=True, blank=True, **MONEY)
    international_extra_item_rate = models.DecimalField(default=Decimal("0.00"), **MONEY)
    free_over = models.DecimalField("free shipping over", null=True, blank=True, **MONEY)
    processing_days = models.PositiveSmallIntegerField("processing time (days)", default=3)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "shipping settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(domestic_rate__gte=0)
                & models.Q(domestic_extra_item_rate__gte=0)
                & models.Q(international_extra_item_rate__gte=0)
                & (models.Q(international_rate__isnull=True) | models.Q(international_rate__gte=0))
                & (models.Q(free_over__isnull=True) | models.Q(free_over__gte=0)),
                name="orders_shippingsettings_rates_gte_0",
            )
        ]

    def __str__(self) -> str:
        return f"Shipping for {self.store_id}"


class Address(models.Model):
    """A buyer's saved shipping address; the most recently used is preselected at checkout."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="addresses")
    name = models.CharField("full name", max_length=120)
    line1 = models.CharField("address", max_length=200)
    line2 = models.CharField("address line 2", max_length=200, blank=True)
    city = models.CharField(max_length=100)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField("country (code)", max_length=2)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_used_at", "-pk"]
        indexes = [models.Index(fields=["user", "-last_used_at"])]

    def __str__(self) -> str:
        return ", ".join(part for part in (self.name, self.line1, self.city, self.country_name) if part)

    @property
    def country_name(self) -> str:
        return country_name(self.country)


class Order(models.Model):
    class Status(models.TextChoices):
        PAID = "paid", "Paid"
        SHIPPED = "shipped", "Shipped"
        DELIVERED = "delivered", "Delivered"
        FULFILLED = "fulfilled", "Fulfilled"
        CANCELLED = "cancelled", "Cancelled"
        REFUNDED = "refunded", "Refunded"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    checkout = models.ForeignKey(Checkout, on_delete=models.PROTECT, related_name="orders")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders")
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PAID)
    # total = subtotal (lines at the price paid, after discounts) + shipping_total.
    total = models.DecimalField(max_digits=12, decimal_places=2)
    shipping_total = models.DecimalField(default=Decimal("0.00"), **MONEY)
    discount_total = models.DecimalField(default=Decimal("0.00"), **MONEY)
    refunded_total = models.DecimalField(default=Decimal("0.00"), **MONEY)
    currency = models.CharField(max_length=3, default="USD")
    # Shipping address, only when the order has physical items. Shown to the buyer and the store.
    ship_name = models.CharField("full name", max_length=120, blank=True)
    ship_line1 = models.CharField("address", max_length=200, blank=True)
    ship_line2 = models.CharField("address line 2", max_length=200, blank=True)
    ship_city = models.CharField("city", max_length=100, blank=True)
    ship_postal_code = models.CharField("postal code", max_length=20, blank=True)
    # The country's name as shown (older orders hold what the buyer typed), and its ISO code.
    ship_country = models.CharField("country", max_length=60, blank=True)
    ship_country_code = models.CharField("country code", max_length=2, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    carrier = models.CharField(max_length=40, blank=True)
    tracking_number = models.CharField(max_length=60, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["buyer", "-created_at"]),
            models.Index(fields=["store", "status", "-created_at"]),
        ]
        constraints = [models.CheckConstraint(condition=models.Q(total__gte=0), name="orders_order_total_gte_0")]

    def __str__(self) -> str:
        return f"Order {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("orders:detail", kwargs={"order_uuid": self.uuid})

    @property
    def number(self) -> str:
        return str(self.uuid)[:8].upper()

    @property
    def needs_shipping(self) -> bool:
        return bool(self.ship_line1)


class OrderItem(models.Model):
    """A line of an order, with a snapshot of what was bought: later product edits never change it."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.SET_NULL, null=True, related_name="order_items")
    # The variant bought, and a snapshot of it: its name, options [[name, value], ...] and SKU.
    variant = models.ForeignKey(Variant, on_delete=models.SET_NULL, null=True, blank=True, related_name="order_items")
    variant_name = models.CharField(max_length=300, blank=True)
    variant_options = models.JSONField(default=list, blank=True)
    sku = models.CharField("SKU", max_length=64, blank=True)
    title = models.CharField(max_length=140)
    kind = models.CharField(max_length=10, choices=Product.Kind.choices)
    # What the buyer paid per unit, and the price before a promotion (equal when none applied).
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    original_unit_price = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    promotion_name = models.CharField(max_length=120, blank=True)
    quantity = models.PositiveIntegerField()
    refunded_quantity = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["pk"]
        constraints = [models.CheckConstraint(condition=models.Q(quantity__gte=1), name="orders_item_quantity_gte_1")]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.title}"

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.quantity

    @property
    def is_digital(self) -> bool:
        return self.kind == Product.Kind.DIGITAL


class Refund(models.Model):
    """Money given back through the payment provider: a whole order (cancel) or one line."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds")
    item = models.ForeignKey(OrderItem, on_delete=models.PROTECT, null=True, blank=True, related_name="refunds")
    amount = models.DecimalField(**MONEY)
    quantity = models.PositiveIntegerField(default=0)
    reason = models.CharField(max_length=300, blank=True)
    reference = models.CharField(max_length=100, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="orders_refund_amount_gt_0")]

    def __str__(self) -> str:
        return f"Refund {self.amount} on {self.order_id}"
