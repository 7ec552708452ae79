"""Reads for hearts, the lists page, a list's items and the seller's counts.

Every page reads in a fixed number of queries, whatever the number of lists, items or cards."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Prefetch, QuerySet

from shomp.catalog.models import Product, ProductImage
from shomp.catalog.services import load_offers

from .models import Wishlist, WishlistItem
from .services import current_price, is_available, is_for_sale

_READY_IMAGES = Prefetch(
    "product__images", queryset=ProductImage.objects.filter(status="ready").order_by("position", "pk")
)


def my_wishlists(*, user: AbstractBaseUser) -> list[Wishlist]:
    """The user's lists with their item counts and a cover (the newest item's product image)."""
    lists = list(
        Wishlist.objects.filter(user=user).annotate(item_count=Count("items")).order_by("-is_default", "name", "pk")
    )
    covers: dict[int, WishlistItem] = {}
    if lists:
        newest = (
            WishlistItem.objects.filter(wishlist__in=lists)
            .order_by("wishlist_id", "-added_at", "-pk")
            .select_related("product")
            .prefetch_related(_READY_IMAGES)
        )
        seen: set[int] = set()
        ids = []
        for wishlist_id, item_id in newest.values_list("wishlist_id", "pk"):
            if wishlist_id not in seen:
                seen.add(wishlist_id)
                ids.append(item_id)
        covers = {item.wishlist_id: item for item in newest.filter(pk__in=ids)}
    for wishlist in lists:
        item = covers.get(wishlist.pk)
        wishlist.cover = item.product.cover if item else None
    return lists


def list_choices(*, user: AbstractBaseUser) -> list[Wishlist]:
    return list(
        Wishlist.objects.filter(user=user).only("pk", "name", "is_default").order_by("-is_default", "name", "pk")
    )


@dataclass
class ItemView:
    item: WishlistItem
    price: Decimal
    available: bool
    for_sale: bool

    @property
    def dropped(self) -> bool:
        return self.for_sale and self.price < self.item.price_when_added

    @property
    def changed(self) -> bool:
        return self.for_sale and self.price != self.item.price_when_added


def wishlist_items(*, wishlist: Wishlist) -> list[ItemView]:
    """The list's items, newest first, with the price the buyer would pay now and the stock."""
    items = (
        WishlistItem.objects.filter(wishlist=wishlist)
        .select_related("product", "product__store", "variant")
        .prefetch_related(_READY_IMAGES)
        .order_by("-added_at", "-pk")
    )
    items = list(items)
    offers = load_offers(
        store_ids={item.product.store_id for item in items},
        product_ids={item.product_id for item in items},
        variant_ids={item.variant_id for item in items if item.variant_id},
    )  # the running promotions of every item: one query for the list
    views = []
    for item in items:
        product, variant = item.product, item.variant
        for_sale = is_for_sale(product, variant)
        views.append(
            ItemView(
                item=item,
                price=current_price(product, variant, offers),
                available=for_sale and is_available(product, variant),
                for_sale=for_sale,
            )
        )
    return views


def saved_product_ids(*, user: AbstractBaseUser, product_ids: Iterable[int]) -> set[int]:
    """Which of these products the user saved as such (not one option of it; the card's heart
    saves the product) in Favourites, the list the card's heart adds to and removes from: a
    heart shows pressed exactly when pressing it removes something. Other lists show in the
    card's "Save to list…". One query for a whole grid."""
    if not getattr(user, "is_authenticated", False):
        return set()
    ids = list(product_ids)[:200]
    return set(
        WishlistItem.objects.filter(
            wishlist__user=user, wishlist__is_default=True, product_id__in=ids, variant__isnull=True
        )
        .values_list("product_id", flat=True)
        .distinct()
    )


def saved_in(*, user: AbstractBaseUser, product: Product, variant_id: int | None) -> list[int]:
    """The ids of the user's lists holding this product (this variant)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        WishlistItem.objects.filter(wishlist__user=user, product=product, variant_id=variant_id).values_list(
            "wishlist_id", flat=True
        )
    )


def shared_items(*, wishlist: Wishlist) -> list[ItemView]:
    return wishlist_items(wishlist=wishlist)


def my_claimed_ids(*, user: AbstractBaseUser, wishlist: Wishlist) -> set[int]:
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(WishlistItem.objects.filter(wishlist=wishlist, claimed_by=user).values_list("pk", flat=True))


def wishlists_queryset_for_admin() -> QuerySet[Wishlist]:
    return Wishlist.objects.select_related("user")
