"""The seller's variant manager: the variant grid, inventory status and sales per variant.

Sales come from the orders app's order lines through the reverse relation `order_items` of
Variant, named as a string (like RATING_SUMMARY in products.py): the catalog never imports
orders, and the grid gets units sold and revenue in the same query as its rows.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from ..models import (
    ImageStatus,
    InventoryAdjustment,
    Product,
    ProductImage,
    ProductOption,
    ProductOptionValue,
    Variant,
)

# The order statuses whose lines count as sold (orders.Order.Status, by value: catalog can't
# import orders). Cancelled orders are left out.
SOLD_ORDER_STATUSES = ("paid", "shipped", "delivered", "fulfilled")  # not cancelled or refunded
ORDER_ITEMS = "order_items"

_SOLD = Q(**{f"{ORDER_ITEMS}__order__status__in": SOLD_ORDER_STATUSES})
_MONEY = DecimalField(max_digits=14, decimal_places=2)


def with_sales(variants: QuerySet[Variant]) -> QuerySet[Variant]:
    """`units_sold` and `revenue` of each variant, from paid, shipped, delivered and fulfilled orders."""
    return variants.annotate(
        units_sold=Coalesce(Sum(f"{ORDER_ITEMS}__quantity", filter=_SOLD), 0, output_field=IntegerField()),
        revenue=Coalesce(
            Sum(F(f"{ORDER_ITEMS}__quantity") * F(f"{ORDER_ITEMS}__unit_price"), filter=_SOLD, output_field=_MONEY),
            Decimal("0"),
            output_field=_MONEY,
        ),
    )


def product_options(*, product: Product) -> list[ProductOption]:
    """The product's options in order, each with its values; every value knows how many live
    variants use it (`live_variants`: what removing it would archive). Two queries."""
    values = ProductOptionValue.objects.annotate(
        live_variants=Count("variant_options", filter=Q(variant_options__variant__archived_at__isnull=True))
    ).order_by("position", "pk")
    return list(product.options.order_by("position", "pk").prefetch_related(Prefetch("values", queryset=values)))


def live_variants(*, product: Product) -> QuerySet[Variant]:
    """The grid's rows: the product's variants that are not archived, in option order, with
    their image and sales (one query per page)."""
    return with_sales(
        Variant.objects.filter(product=product, archived_at__isnull=True)
        .select_related("product", "image")
        .order_by("position", "pk")
    )


def archived_variants(*, product: Product) -> QuerySet[Variant]:
    """Variants whose option value was removed: read-only, kept for their order history."""
    return with_sales(
        Variant.objects.filter(product=product, archived_at__isnull=False)
        .select_related("product")
        .order_by("-archived_at", "position", "pk")
    )


def product_images(*, product: Product) -> list[ProductImage]:
    """The images a variant can show: ready ones (not those the worker is still decoding)."""
    return list(product.images.filter(status=ImageStatus.READY).order_by("position", "pk"))


@dataclass(frozen=True)
class InventorySummary:
    """Stock at a glance for a product's live, enabled variants."""

    tracked: bool
    variants: int  # live variants, enabled or not
    enabled: int
    units: int
    in_stock: int
    low: int
    out: int

    @property
    def disabled(self) -> int:
        return self.variants - self.enabled


def inventory_summary(*, product: Product) -> InventorySummary:
    """Total units and how many variants are in stock, low and out: one query."""
    threshold = product.low_stock_threshold
    enabled = Q(is_enabled=True)
    totals = Variant.objects.filter(product=product, archived_at__isnull=True).aggregate(
        variants=Count("pk"),
        enabled=Count("pk", filter=enabled),
        units=Coalesce(Sum("inventory_count", filter=enabled), 0),
        in_stock=Count("pk", filter=enabled & Q(inventory_count__gt=threshold)),
        low=Count("pk", filter=enabled & Q(inventory_count__gt=0, inventory_count__lte=threshold)),
        out=Count("pk", filter=enabled & Q(inventory_count__lte=0)),
    )
    return InventorySummary(tracked=product.tracks_variant_stock, **totals)


def with_variant_stock(products: QuerySet[Product]) -> QuerySet[Product]:
    """For the seller's product list: each product's summed stock over its live, enabled
    variants (`variant_stock`) and how many of them are low (`variants_low`) or out
    (`variants_out`). Subqueries in the list's own query; 0 for a product without variants."""
    live = Variant.objects.filter(product=OuterRef("pk"), archived_at__isnull=True, is_enabled=True)

    def per_product(variants, aggregate):
        return Coalesce(
            Subquery(variants.order_by().values("product").annotate(n=aggregate).values("n")[:1]),
            0,
            output_field=IntegerField(),
        )

    return products.annotate(
        variant_stock=per_product(live, Sum("inventory_count")),
        variants_out=per_product(live.filter(inventory_count__lte=0), Count("pk")),
        variants_low=per_product(
            live.filter(inventory_count__gt=0, inventory_count__lte=OuterRef("low_stock_threshold")), Count("pk")
        ),
    )


def option_names(*, product: Product) -> list[str]:
    return list(product.options.order_by("position", "pk").values_list("name", flat=True))


def get_product_option(*, product: Product, option_id: int) -> ProductOption | None:
    """An option of `product`, or None (another product's option id finds nothing)."""
    return ProductOption.objects.select_related("product__store").filter(product=product, pk=option_id).first()


def get_option_value(*, product: Product, value_id: int) -> ProductOptionValue | None:
    """A value of one of `product`'s options, or None."""
    return (
        ProductOptionValue.objects.select_related("option__product__store")
        .filter(option__product=product, pk=value_id)
        .first()
    )


def grid_variants(*, product: Product, ids) -> list[Variant]:
    """The live variants of `product` among `ids` (a grid page's rows), in primary-key order:
    the order the grid's save locks them in. Ids of other products' variants find nothing."""
    return list(
        Variant.objects.filter(product=product, archived_at__isnull=True, pk__in=ids)
        .select_related("product__store", "image")
        .order_by("pk")
    )


def get_product_variant(*, product: Product, variant_id: int) -> Variant | None:
    """A variant of `product` (live or archived), or None: an id of another product's variant
    in the URL finds nothing."""
    return Variant.objects.select_related("product__store", "image").filter(product=product, pk=variant_id).first()


def inventory_history(*, variant: Variant) -> QuerySet[InventoryAdjustment]:
    """A variant's stock changes, newest first; the actor's username only (never their email)."""
    return (
        InventoryAdjustment.objects.filter(variant=variant)
        .select_related("actor")
        .only("kind", "delta", "resulting_count", "reason", "created_at", "variant_id", "actor__username")
        .order_by("-created_at", "-pk")
    )
