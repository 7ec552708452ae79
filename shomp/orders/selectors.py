from datetime import timedelta
from functools import cache

from django.db import connection
from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum, Value
from django.utils import timezone

from shomp.catalog.models import Product, ProductImage, Variant, VariantOption
from shomp.catalog.services import price_lines
from shomp.core.sql import IDS, Precompiled, PrecompiledIn, set_prefetched
from shomp.stores.models import Store

from .models import Address, Cart, CartItem, Checkout, Order, OrderItem, Refund, ShippingSettings

CART_SESSION_KEY = "cart_id"

#: How long after a checkout a submit of the emptied cart (another tab, another token) is told
#: "already paid: here is that order" rather than "your cart is empty".
ALREADY_PLACED_WINDOW = timedelta(minutes=5)


def find_cart(*, user, session) -> Cart | None:
    """The cart of this visitor: the user's own, or the anonymous one kept in the session."""
    if user.is_authenticated:
        found = _USER_CART(user_id=user.pk)
        return found[0] if found else None
    cart_id = session.get(CART_SESSION_KEY)
    return Cart.objects.filter(pk=cart_id, user__isnull=True).first() if cart_id else None


# Every page of a signed-in buyer's cart and checkout asks it: compiled once (core.sql).
_USER_CART = Precompiled(lambda user_id: Cart.objects.filter(user_id=user_id).order_by("pk")[:1], user_id=int)


def recent_checkout(*, buyer, excluding: Checkout | None = None) -> Checkout | None:
    """The buyer's latest checkout of the last ALREADY_PLACED_WINDOW: the one that emptied
    their cart (a buyer has one cart, and a checkout empties it), shown to the other tabs."""
    placed = Checkout.objects.filter(buyer=buyer, created_at__gte=timezone.now() - ALREADY_PLACED_WINDOW)
    if excluding is not None:
        placed = placed.exclude(pk=excluding.pk)
    return placed.order_by("-created_at", "-pk").first()


def find_variant(*, variant_id: int) -> Variant | None:
    """A variant by id, whatever its product: `add_to_cart` decides whether it fits the product."""
    return Variant.objects.filter(pk=variant_id).first()


def variant_options_in_order() -> Prefetch:
    """A variant's options in its product's option order (Size before Colour)."""
    return Prefetch(
        "variant__options",
        queryset=VariantOption.objects.order_by(F("value__option__position").asc(nulls_last=True), "pk"),
    )


def cart_items(*, cart: Cart | None) -> list[CartItem]:
    """The cart's lines with what the page shows: product, store, images, variant and its options.

    The same query count for 1 line as for 50, with or without variants."""
    if cart is None:
        return []
    items = _CART_ITEMS(cart_id=cart.pk)
    products = {item.product.pk: item.product for item in items}
    variants = {item.variant.pk: item.variant for item in items if item.variant is not None}
    # The products' images and the variants' options, as the prefetches would leave them.
    images: dict[int, list[ProductImage]] = {pk: [] for pk in products}
    for image in _CART_IMAGES(product_ids=list(products)):
        image.product = products[image.product_id]
        images[image.product_id].append(image)
    options: dict[int, list[VariantOption]] = {pk: [] for pk in variants}
    for option in _CART_OPTIONS(variant_ids=list(variants)):
        option.variant = variants[option.variant_id]
        options[option.variant_id].append(option)
    for item in items:
        item.cart = cart  # as cart.items would have set it
        item.product = products[item.product.pk]  # one object per product, however many lines
        set_prefetched(item.product, "images", images[item.product.pk])
        if item.variant is not None:
            item.variant = variants[item.variant.pk]
            item.variant.product = item.product  # its price reads the product: no query per line
            set_prefetched(item.variant, "options", options[item.variant.pk])
    price_lines(items)  # what each line costs now, promotions included: one query for the cart
    return items


def _cart_items_query(cart_id: int) -> QuerySet[CartItem]:
    return (
        CartItem.objects.filter(cart_id=cart_id)
        .select_related("product__store__shipping_settings", "variant__image")
        .order_by("product__store__name", "pk")
    )


#: Six tables' columns, the lines' images and their variants' options (as variant_options_in_order
#: reads them): compiled once, not on every cart page (core.sql).
_CART_ITEMS = Precompiled(_cart_items_query, cart_id=int)
_CART_IMAGES = PrecompiledIn(
    lambda product_ids: ProductImage.objects.filter(product_id__in=product_ids).order_by("position", "pk"),
    product_ids=IDS,
)
_CART_OPTIONS = PrecompiledIn(
    lambda variant_ids: variant_options_in_order().queryset.filter(variant_id__in=variant_ids), variant_ids=IDS
)


def visitor_cart_count(*, user, session) -> int:
    """How many items this visitor's cart holds (the header's badge): one query, none for a
    visitor who never made a cart."""
    if user.is_authenticated:
        return _user_cart_count(user.pk)
    if cart_id := session.get(CART_SESSION_KEY):
        items = CartItem.objects.filter(cart_id=cart_id, cart__user__isnull=True)
    else:
        return 0
    return items.aggregate(n=Sum("quantity"))["n"] or 0


# The ORM's SQL, compiled once; its one parameter is the user's id. One row (a user has one cart)
# or none (no cart yet).
_user_cart_count_query = Precompiled(
    lambda user_id: Cart.objects.filter(user_id=user_id).order_by().values_list(Sum("items__quantity"))[:1],
    user_id=int,
)


def _user_cart_count(user_id: int) -> int:
    """The items in this user's cart: a precompiled query (it runs on every page a logged-in
    visitor opens, shared page cache hits included: no ORM query built each time)."""
    with connection.cursor() as cursor:
        cursor.execute(*_user_cart_count_query.sql(user_id=user_id))
        row = cursor.fetchone()
        return (row[0] or 0) if row else 0


def group_by_store(items: list[CartItem]) -> list[dict]:
    """Cart lines grouped by store, as checkout makes one order per store."""
    groups: dict[int, dict] = {}
    for item in items:
        group = groups.setdefault(item.product.store_id, {"store": item.product.store, "items": [], "total": 0})
        group["items"].append(item)
        group["total"] += item.line_total
    return list(groups.values())


def _items_in_order() -> Prefetch:
    """An order's lines for the lists' summaries ("Tee (Size: M · Colour: Red) × 2, …")."""
    return Prefetch("items", queryset=OrderItem.objects.order_by("pk"))


def buyer_orders(*, user) -> QuerySet[Order]:
    return (
        Order.objects.filter(buyer=user)
        .select_related("store")
        .prefetch_related(_items_in_order())
        .annotate(item_count=Sum("items__quantity"))
        .order_by("-created_at", "-pk")
    )


def order_with_items(*, order: Order) -> Order:
    # product__store: the item links to its product page, whose URL carries the store's slug.
    items = Prefetch("items", queryset=OrderItem.objects.select_related("product__store").order_by("pk"))
    refunds = Prefetch("refunds", queryset=Refund.objects.select_related("item").order_by("created_at", "pk"))
    return Order.objects.select_related("store", "buyer", "checkout").prefetch_related(items, refunds).get(pk=order.pk)


def store_orders(*, store, status: str = "") -> QuerySet[Order]:
    # No item count: the dashboard's lists show the lines themselves (and grouping every order
    # column by order to sum them cost its SQL more than the rows).
    orders = (
        Order.objects.filter(store=store)
        .select_related("buyer")
        .prefetch_related(_items_in_order())
        .order_by("-created_at", "-pk")
    )
    if status in Order.Status.values:
        orders = orders.filter(status=status)
    return orders


def store_overview(*, store) -> dict:
    """The dashboard's figures: products by status, revenue, orders and orders to ship. Two
    queries, compiled once (core.sql): every member's dashboard home asks them."""
    products = dict(_PRODUCTS_BY_STATUS(store_id=store.pk))
    totals = _ORDER_TOTALS(store_id=store.pk)
    revenue, count, to_ship = totals[0] if totals else (None, 0, 0)  # no orders: no row
    return {
        "published": products.get(Product.Status.PUBLISHED, 0),
        "drafts": products.get(Product.Status.DRAFT, 0),
        "to_ship": to_ship or 0,
        "order_count": count or 0,
        "revenue": revenue or 0,
    }


_PRODUCTS_BY_STATUS = Precompiled(
    lambda store_id: (
        Product.objects.filter(store_id=store_id)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
        .order_by()
    ),
    store_id=int,
)


def _order_totals(store_id: int) -> QuerySet:
    # Revenue is what the store kept: refunds come off it. The orders to ship in the same query.
    # An .aggregate() as a queryset (grouped by a constant, which the SQL leaves out), so that
    # it can be compiled once.
    return (
        Order.objects.filter(store_id=store_id)
        .exclude(status=Order.Status.CANCELLED)
        .order_by()
        .annotate(one=Value(1))
        .values("one")
        .annotate(
            revenue=Sum(F("total") - F("refunded_total")),
            count=Count("pk"),
            to_ship=Count("pk", filter=Q(status=Order.Status.PAID)),
        )
        .values_list("revenue", "count", "to_ship")
    )


_ORDER_TOTALS = Precompiled(_order_totals, store_id=int)


def recent_store_orders(*, store, limit: int = 10) -> list[Order]:
    """The dashboard home's latest orders, their lines with them: compiled once (core.sql)."""
    return _recent_store_orders(limit)(store_id=store.pk)


@cache
def _recent_store_orders(limit: int) -> Precompiled:
    return Precompiled(lambda store_id: store_orders(store=Store(pk=store_id))[:limit], store_id=int)


# Shipping and addresses ---------------------------------------------------------------------


def shipping_settings(*, store) -> ShippingSettings | None:
    return ShippingSettings.objects.filter(store=store).first()


def user_addresses(*, user) -> list[Address]:
    """The buyer's saved addresses, the last used first (never used, newest, after)."""
    if not user.is_authenticated:
        return []
    return _USER_ADDRESSES(user_id=user.pk)


# The cart and the checkout ask them on every page: compiled once (core.sql).
_USER_ADDRESSES = Precompiled(
    lambda user_id: Address.objects.filter(user_id=user_id).order_by(F("last_used_at").desc(nulls_last=True), "-pk"),
    user_id=int,
)


def order_history(*, order: Order) -> list[dict]:
    """What happened to `order`, oldest first: placed, shipped (with tracking), delivered,
    fulfilled, cancelled (why) and each refund. Reads the order's prefetched refunds."""
    steps = [{"at": order.created_at, "label": "Placed and paid", "icon": "bag-check"}]
    if order.shipped_at:
        steps.append({"at": order.shipped_at, "label": "Shipped", "icon": "truck", "tracking": True})
    if order.delivered_at:
        steps.append({"at": order.delivered_at, "label": "Delivered", "icon": "house-check"})
    if order.fulfilled_at:
        steps.append({"at": order.fulfilled_at, "label": "Fulfilled", "icon": "check2-circle"})
    if order.cancelled_at:
        steps.append({"at": order.cancelled_at, "label": "Cancelled", "icon": "x-circle", "note": order.cancel_reason})
    for refund in order.refunds.all():
        steps.append({"at": refund.created_at, "label": "Refunded", "icon": "arrow-counterclockwise", "refund": refund})
    return sorted(steps, key=lambda step: step["at"])
