"""Wishlists: a buyer's named lists of saved products (and chosen variants).

A list is private until its owner makes it public: then it has a share token (a random
URL-safe string of 32 bytes, 256 bits) and anyone with the link reads it at
/wishlists/shared/<token>. A gift list is a public list whose viewers may claim items.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from shomp.catalog.models import Product, Variant

DEFAULT_NAME = "Favourites"
NAME_MAX = 80
DESCRIPTION_MAX = 500
NOTE_MAX = 1000
MAX_LISTS = 100  # per user
MAX_ITEMS = 500  # per list
MAX_QUANTITY = 99
TOKEN_BYTES = 32  # 256 bits


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


class Wishlist(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wishlists")
    name = models.CharField(max_length=NAME_MAX)
    description = models.TextField(max_length=DESCRIPTION_MAX, blank=True)
    public = models.BooleanField(default=False)
    is_default = models.BooleanField(default=False)
    # Gift registry: viewers claim items ("I'm getting this"); the owner may hide the claims.
    is_gift_list = models.BooleanField(default=False)
    owner_sees_claims = models.BooleanField(default=True)
    share_token = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-is_default", "name", "pk"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "user", name="wishlists_name_once_per_user"),
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(is_default=True), name="wishlists_one_default_per_user"
            ),
            models.CheckConstraint(condition=~models.Q(name=""), name="wishlists_name_not_empty"),
            models.CheckConstraint(
                condition=models.Q(public=True) | models.Q(share_token__isnull=True),
                name="wishlists_only_public_lists_are_shared",
            ),
            models.CheckConstraint(
                condition=models.Q(public=True) | models.Q(is_gift_list=False),
                name="wishlists_gift_lists_are_public",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("wishlists:detail", kwargs={"wishlist_id": self.pk})

    def get_share_url(self) -> str:
        return reverse("wishlists:shared", kwargs={"token": self.share_token}) if self.share_token else ""


class WishlistItem(models.Model):
    wishlist = models.ForeignKey(Wishlist, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+", db_index=False)
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    quantity = models.PositiveSmallIntegerField(default=1)
    note = models.TextField(max_length=NOTE_MAX, blank=True)
    price_when_added = models.DecimalField(max_digits=10, decimal_places=2)
    added_at = models.DateTimeField(default=timezone.now)
    # Alerts: the lowest price the saver was told about (never twice for one drop), and whether
    # the item was sold out when last seen (told once when it comes back).
    alerted_price = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    awaiting_stock = models.BooleanField(default=False)
    # Gift lists: who said "I'm getting this" (never shown by name, only as claimed).
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-added_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["wishlist", "product", "variant"],
                condition=models.Q(variant__isnull=False),
                name="wishlists_item_once_per_variant",
            ),
            models.UniqueConstraint(
                fields=["wishlist", "product"],
                condition=models.Q(variant__isnull=True),
                name="wishlists_item_once_per_product",
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1) & models.Q(quantity__lte=MAX_QUANTITY),
                name="wishlists_item_quantity_in_range",
            ),
        ]
        indexes = [
            # Alerts and insights walk a product's savers in primary-key order (keyset batches).
            models.Index(fields=["product", "id"], name="wishlists_item_product"),
            models.Index(fields=["product", "added_at"], name="wishlists_item_product_added"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}/{self.variant_id} in {self.wishlist_id}"

    @property
    def is_claimed(self) -> bool:
        return self.claimed_by_id is not None
