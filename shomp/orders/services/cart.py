"""Cart writes: the cart itself, adding and changing lines, and merging a cart on log-in.

Every write of a cart's lines (here, and checkout's `place_order`) locks the cart's row first,
with `lock_cart`, before reading a line: writes of one cart then take turns, each reads the
lines the previous one left, and an insert never races another for the one-line-per-product
constraint. The cart comes first, before any line or product, so these writes never deadlock.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from shomp.catalog.models import Product, Variant
from shomp.organizations.areas import MEMBER
from shomp.stores.policies import can

from .. import hooks
from ..models import Cart, CartItem
from ..selectors import CART_SESSION_KEY

MAX_QUANTITY = 99


def get_or_create_cart(*, user, session) -> Cart:
    if user.is_authenticated:
        # Safe when two requests create it at once: get_or_create inserts in a savepoint and,
        # when the other insert wins the unique user, reads the committed row instead.
        cart, _ = Cart.objects.get_or_create(user=user)
        return cart
    cart = Cart.objects.filter(pk=session.get(CART_SESSION_KEY), user__isnull=True).first()
    if cart is None:
        cart = Cart.objects.create()
        session[CART_SESSION_KEY] = cart.pk
    return cart


def lock_cart(cart: Cart) -> Cart | None:
    """Lock the cart's row until the end of the transaction (None: the cart is gone, merged
    into its owner's on log-in). Take it before reading any of the cart's lines."""
    return Cart.objects.select_for_update().filter(pk=cart.pk).first()


VARIANT_UNAVAILABLE = "That option isn't available for this product."
CART_GONE = "Your cart has changed in another window. Please add the product again."


def line_label(product: Product, variant: Variant | None = None) -> str:
    """How a cart line is named in messages: “Tee — M / Red”."""
    return f"{product.title} — {variant.name}" if variant is not None else product.title


def _options_phrase(product: Product) -> str:
    names = list(product.options.order_by("position", "pk").values_list("name", flat=True))
    if not names:
        return ""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _check_variant(product: Product, variant: Variant | None) -> None:
    """A product with variants needs one of its own live, enabled variants; one without, none."""
    if variant is None:
        if product.has_variants:
            names = _options_phrase(product)
            message = f"Choose an option first: {names}." if names else "Choose an option first."
            raise ValidationError({"variant": message})
        return
    if (
        variant.product_id != product.pk
        or variant.store_id != product.store_id
        or variant.is_archived
        or not variant.is_enabled
    ):
        raise ValidationError({"variant": VARIANT_UNAVAILABLE})
    variant.product = product  # the same row: prices and stock read it without a query


def _check_quantity(product: Product, quantity: int, variant: Variant | None = None) -> None:
    if product.status != Product.Status.PUBLISHED:
        raise ValidationError("This product is no longer for sale.")
    _check_variant(product, variant)
    if quantity < 1:
        raise ValidationError({"quantity": "The quantity must be at least 1."})
    if product.is_digital and quantity > 1:
        raise ValidationError({"quantity": "A digital product is bought once: the download is yours to keep."})
    if quantity > MAX_QUANTITY:
        raise ValidationError({"quantity": f"You can buy at most {MAX_QUANTITY} at a time."})
    # A variant counts its own stock (None: not tracked, no cap); the product's stock is for the rest.
    left = variant.available_count if variant is not None else product.stock
    if left is not None and quantity > left:
        label = line_label(product, variant)
        if left <= 0:
            raise ValidationError({"quantity": f"“{label}” is sold out."})
        raise ValidationError({"quantity": f"Only {left} of “{label}” left in stock."})


@transaction.atomic
def add_to_cart(*, cart: Cart, product: Product, variant: Variant | None = None, quantity: int = 1) -> CartItem:
    """Add `quantity` of a product (of its chosen variant, for a product with variants) to the
    cart: one line per product, or per variant. Refused, changing nothing, when it can't be bought."""
    if product.reserved_for_id is not None and product.reserved_for_id != cart.user_id:
        raise ValidationError("This product is no longer for sale.")  # made for another buyer
    if cart.user_id is not None and can(cart.user, product.store, MEMBER):
        raise ValidationError("This is your own store's product: you can't buy from a store you sell for.")
    if lock_cart(cart) is None:
        raise ValidationError(CART_GONE)
    item = CartItem.objects.filter(cart=cart, product=product, variant=variant).first()
    new_quantity = (item.quantity if item else 0) + quantity
    if product.is_digital and item:
        return item  # already in the cart; a download is bought once
    _check_quantity(product, new_quantity, variant)
    if item is None:
        item = CartItem.objects.create(cart=cart, product=product, variant=variant, quantity=new_quantity)
    else:
        item.quantity = new_quantity
        item.save(update_fields=["quantity"])
    Cart.objects.filter(pk=cart.pk).update(updated_at=timezone.now())
    hooks.cart_added.send_on_commit(
        store_id=product.store_id,
        product_id=product.pk,
        variant_id=variant.pk if variant is not None else None,
        quantity=quantity,
        user_id=cart.user_id,
    )
    return item


@transaction.atomic
def update_cart_item(*, cart: Cart, item_id: int, quantity: int) -> CartItem | None:
    """Set a line's quantity; 0 removes the line. Another cart's line id is refused."""
    # The cart, not the line: a checkout of this cart under way finishes first, and this change
    # then finds its line paid for and gone, instead of changing a line the payment left out.
    item = None
    if lock_cart(cart) is not None:
        item = CartItem.objects.select_related("product", "variant").filter(cart=cart, pk=item_id).first()
    if item is None:
        raise ValidationError("That item is not in your cart.")
    if quantity == 0:
        item.delete()
        return None
    _check_quantity(item.product, quantity, item.variant)
    item.quantity = quantity
    item.save(update_fields=["quantity"])
    return item


def _mergeable(line: CartItem) -> bool:
    """Whether an anonymous cart's line can still be bought (its quantity is capped after)."""
    if line.product.reserved_for_id is not None:
        return False
    try:
        _check_quantity(line.product, 1, line.variant)
    except ValidationError as error:
        return "quantity" in getattr(error, "error_dict", {})  # sold out: capped to nothing below
    return True


@transaction.atomic
def merge_carts(*, user, anonymous_cart_id: int | None) -> Cart | None:
    """Move an anonymous cart's lines into the user's cart when they log in.

    Lines merge by (product, variant); quantities add up, capped by the product's or the
    variant's stock; lines that can't be bought any more are dropped."""
    if not anonymous_cart_id or not Cart.objects.filter(pk=anonymous_cart_id, user__isnull=True).exists():
        return None
    cart, _ = Cart.objects.get_or_create(user=user)
    # Both carts, in primary-key order; the anonymous one is read again under its lock, as a
    # login in another tab may have merged it meanwhile (its lines then count once).
    locked = list(Cart.objects.select_for_update().filter(pk__in=[cart.pk, anonymous_cart_id]).order_by("pk"))
    anonymous = next((c for c in locked if c.pk == anonymous_cart_id and c.user_id is None), None)
    if anonymous is None:
        return None
    for line in anonymous.items.select_related("product", "variant"):
        if not _mergeable(line):
            continue
        existing = CartItem.objects.filter(cart=cart, product=line.product, variant=line.variant).first()
        quantity = 1 if line.product.is_digital else line.quantity + (existing.quantity if existing else 0)
        left = line.variant.available_count if line.variant is not None else line.product.stock
        if left is not None:
            quantity = min(quantity, left)
        quantity = min(quantity, MAX_QUANTITY)
        if quantity < 1:
            continue
        CartItem.objects.update_or_create(
            cart=cart, product=line.product, variant=line.variant, defaults={"quantity": quantity}
        )
    anonymous.delete()
    return cart
