"""The doors to lists and items. A private list is a 404 to everyone but its owner (staff
pages too: only the admin shows them); a public list is read only through its share token."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.http import Http404

from shomp.catalog.models import Product, Variant
from shomp.catalog.policies import can_view_product
from shomp.core.params import parse_id

from .models import Wishlist, WishlistItem


def _id(value) -> int:
    parsed = parse_id(str(value)) if value is not None else None
    if parsed is None:
        raise Http404("No such list.")
    return parsed


def access_own_wishlist(*, user: AbstractBaseUser, wishlist_id) -> Wishlist:
    """The user's own list, else Http404 (whoever else's it is, and whatever their role)."""
    if not getattr(user, "is_authenticated", False):
        raise Http404("No such list.")
    wishlist = Wishlist.objects.filter(pk=_id(wishlist_id), user=user).first()
    if wishlist is None:
        raise Http404("No such list.")
    return wishlist


def access_own_item(*, user: AbstractBaseUser, item_id) -> WishlistItem:
    if not getattr(user, "is_authenticated", False):
        raise Http404("No such item.")
    item = (
        WishlistItem.objects.select_related("wishlist", "product", "product__store", "variant")
        .filter(pk=_id(item_id), wishlist__user=user)
        .first()
    )
    if item is None:
        raise Http404("No such item.")
    return item


def access_shared_wishlist(*, token: str) -> Wishlist:
    """A public list by its current share token; a revoked, guessed or malformed one is a 404."""
    if not token or len(token) > 64:
        raise Http404("No such list.")
    wishlist = Wishlist.objects.select_related("user").filter(share_token=token, public=True).first()
    if wishlist is None:
        raise Http404("No such list.")
    return wishlist


def access_shared_item(*, wishlist: Wishlist, item_id) -> WishlistItem:
    item = WishlistItem.objects.filter(pk=_id(item_id), wishlist=wishlist).first()
    if item is None:
        raise Http404("No such item.")
    return item


def access_saveable_product(*, user: AbstractBaseUser, product_id, variant_id=None) -> tuple[Product, Variant | None]:
    """A product the user may see (and a variant of that product), else Http404."""
    product = Product.objects.select_related("store").filter(pk=_id(product_id)).first()
    if product is None or not can_view_product(user, product):
        raise Http404("No such product.")
    variant = None
    if variant_id not in (None, ""):
        variant = Variant.objects.filter(pk=_id(variant_id), product=product).first()
        if variant is None:
            raise Http404("No such option.")
    return product, variant


def access_insights_product(*, store, product_id) -> Product:
    """A product of the active store, for the insights drill-down (the dashboard door has
    checked the analytics area); another store's product, or a bad id, is a 404."""
    product = Product.objects.filter(pk=_id(product_id), store=store).first()
    if product is None:
        raise Http404("No such product.")
    return product


def access_own_cart_line(*, cart, item_id):
    """A line of this visitor's own cart (for "Save for later"), else Http404."""
    from shomp.orders.models import CartItem

    line = CartItem.objects.select_related("product").filter(pk=_id(item_id), cart=cart).first()
    if line is None:
        raise Http404("No such item in your cart.")
    return line
