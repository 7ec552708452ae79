"""The demo's wishlists: demo-buyer's Favourites, a public list and a gift list (one item claimed
by demo-seller2), with two price drops to see (saved at a higher price, then told by the alert
check). Called by `seed_demo` inside its transaction, after products and variants exist.

Through the wishlists services; only the saved price of the two "dropped" items is moved up, as
if they had been saved before a sale. Idempotent: lists are found by name, an add of what is
there changes nothing, and the price-drop notifications carry their event keys.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from shomp.catalog.models import Product
from shomp.stores.models import Store
from shomp.wishlists import alerts, services
from shomp.wishlists.models import Wishlist, WishlistItem

#: (list name, public, gift list, [(store slug, product index in the catalogue)]).
LISTS = [
    ("Favourites", False, False, [("inkwell-and-ash", 0), ("fern-and-kiln", 1), ("purl-theory", 0)]),
    ("Studio wall", True, False, [("inkwell-and-ash", 1), ("inkwell-and-ash", 2), ("marginalia-press", 0)]),
    ("Birthday wishes", True, True, [("fern-and-kiln", 0), ("fern-and-kiln", 2), ("purl-theory", 1)]),
]
#: Items saved "before a sale": their saved price is this much above today's price.
DROPS = [("inkwell-and-ash", 0, Decimal("6.00")), ("fern-and-kiln", 0, Decimal("4.00"))]
CLAIMER = "demo-seller2"


def _list(user, name: str, public: bool, gift: bool, created: Counter) -> Wishlist:
    if name == "Favourites":
        wishlist = services.default_wishlist(user=user)
    else:
        wishlist = Wishlist.objects.filter(user=user, name=name).first()
        if wishlist is None:
            wishlist = services.create_wishlist(user=user, name=name)
            created["wishlists"] += 1
    if public and not wishlist.public:
        wishlist = services.share_wishlist(user=user, wishlist=wishlist, public=True, gift_list=gift)
    return wishlist


def seed(*, users: dict, stores: dict[str, Store], products: dict[tuple[str, int], Product], created: Counter) -> None:
    buyer = users.get("demo-buyer")
    if buyer is None:
        return
    for name, public, gift, keys in LISTS:
        wishlist = _list(buyer, name, public, gift, created)
        for key in keys:
            product = products.get(key)
            if product is None or not product.is_published or product.reserved_for_id:
                continue  # a small run (--products-per-store) lacks it
            variant = (
                product.variants.filter(archived_at__isnull=True, is_enabled=True).order_by("position", "pk").first()
            )
            result = services.add_to_wishlist(user=buyer, product=product, variant=variant, wishlist=wishlist)
            created["wishlist items"] += int(result.created)
            claimer = users.get(CLAIMER)
            if gift and claimer is not None and key == keys[0] and not result.item.claimed_by_id:
                services.claim_item(user=claimer, item=result.item)
    for store_slug, index, above in DROPS:
        product = products.get((store_slug, index))
        if product is None:
            continue
        items = WishlistItem.objects.filter(wishlist__user=buyer, product=product, alerted_price__isnull=True)
        for item in items:
            WishlistItem.objects.filter(pk=item.pk).update(price_when_added=item.price_when_added + above)
        created["price-drop notifications"] += alerts.check_product_alerts(product_id=product.pk)
