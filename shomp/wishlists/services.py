"""Every write of the wishlists app. Keyword-only, typed, one transaction each.

The views hand these objects they got through `policies.access_*` (the owner's own list or
item); the services check ownership again, so a forgotten door still changes nothing.
Adding is idempotent: the list's row is locked first, then the item is looked up and made, so a
double click (two requests at once) makes one item and the second add answers "already saved".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from shomp.catalog.models import Product, Variant
from shomp.catalog.policies import can_view_product
from shomp.catalog.services import Offers, price_of
from shomp.orders.models import Cart
from shomp.orders.services.cart import add_to_cart, line_label, update_cart_item

from . import hooks
from .models import (
    DEFAULT_NAME,
    DESCRIPTION_MAX,
    MAX_ITEMS,
    MAX_LISTS,
    MAX_QUANTITY,
    NAME_MAX,
    NOTE_MAX,
    Wishlist,
    WishlistItem,
    new_token,
)

NOT_YOURS = "That list isn't yours."
PRODUCT_UNAVAILABLE = "This product isn't available to save."
ITEM_NOT_FOR_SALE = "This item is no longer for sale, so it can't be claimed: pick another one."
VARIANT_UNAVAILABLE = "That option isn't available for this product."


def _own(user: AbstractBaseUser, wishlist: Wishlist) -> None:
    if wishlist.user_id != user.pk:
        raise ValidationError(NOT_YOURS)


def _lock(wishlist: Wishlist) -> Wishlist:
    locked = Wishlist.objects.select_for_update().filter(pk=wishlist.pk).first()
    if locked is None:
        raise ValidationError("That list has been deleted.")
    return locked


# Lists -----------------------------------------------------------------------------------


def clean_name(*, user: AbstractBaseUser, name: str, exclude_id: int | None = None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": "Give the list a name."})
    if len(name) > NAME_MAX:
        raise ValidationError({"name": f"A list's name can be at most {NAME_MAX} characters (it has {len(name)})."})
    taken = Wishlist.objects.filter(user=user).annotate(lname=Lower("name")).filter(lname=name.lower())
    if exclude_id is not None:
        taken = taken.exclude(pk=exclude_id)
    if taken.exists():
        raise ValidationError({"name": f"You already have a list called “{name}”."})
    return name


def _clean_description(description: str) -> str:
    description = (description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        raise ValidationError(
            {
                "description": f"The description can be at most {DESCRIPTION_MAX} characters "
                f"(it has {len(description):,})."
            }
        )
    return description


@transaction.atomic
def create_wishlist(*, user: AbstractBaseUser, name: str, description: str = "", public: bool = False) -> Wishlist:
    """A new list of `user`'s; private unless `public` (then it gets its share link)."""
    name = clean_name(user=user, name=name)
    description = _clean_description(description)
    if Wishlist.objects.filter(user=user).count() >= MAX_LISTS:
        raise ValidationError({"name": f"You can have at most {MAX_LISTS} lists: delete one you no longer use."})
    try:
        with transaction.atomic():
            return Wishlist.objects.create(
                user=user,
                name=name,
                description=description,
                public=public,
                share_token=new_token() if public else None,
            )
    except IntegrityError:
        raise ValidationError({"name": f"You already have a list called “{name}”."}) from None


def default_wishlist(*, user: AbstractBaseUser) -> Wishlist:
    """The user's "Favourites", made on first use (safe when two first hearts race)."""
    wishlist = Wishlist.objects.filter(user=user, is_default=True).first()
    if wishlist is not None:
        return wishlist
    try:
        with transaction.atomic():
            existing = Wishlist.objects.annotate(lname=Lower("name")).filter(user=user, lname=DEFAULT_NAME.lower())
            updated = existing.update(is_default=True)
            if updated:
                return Wishlist.objects.get(user=user, is_default=True)
            return Wishlist.objects.create(user=user, name=DEFAULT_NAME, is_default=True)
    except IntegrityError:
        return Wishlist.objects.get(user=user, is_default=True)


@transaction.atomic
def rename_wishlist(*, user: AbstractBaseUser, wishlist: Wishlist, name: str, description: str = "") -> Wishlist:
    _own(user, wishlist)
    wishlist.name = clean_name(user=user, name=name, exclude_id=wishlist.pk)
    wishlist.description = _clean_description(description)
    wishlist.save(update_fields=["name", "description", "updated_at"])
    return wishlist


@transaction.atomic
def delete_wishlist(*, user: AbstractBaseUser, wishlist: Wishlist) -> None:
    _own(user, wishlist)
    wishlist.delete()


@transaction.atomic
def share_wishlist(
    *,
    user: AbstractBaseUser,
    wishlist: Wishlist,
    public: bool,
    gift_list: bool = False,
    owner_sees_claims: bool = True,
) -> Wishlist:
    """Make the list public (with a share link, kept if it had one) or private again (the link
    stops working). A gift list must be public; making it private ends gift mode and its claims."""
    _own(user, wishlist)
    wishlist = _lock(wishlist)
    if gift_list and not public:
        raise ValidationError({"gift_list": "Only a public list can be a gift list: make it public first."})
    wishlist.public = public
    wishlist.is_gift_list = gift_list
    wishlist.owner_sees_claims = owner_sees_claims
    if public and not wishlist.share_token:
        wishlist.share_token = new_token()
    elif not public:
        wishlist.share_token = None
    if not gift_list:
        wishlist.items.filter(claimed_by__isnull=False).update(claimed_by=None, claimed_at=None)
    wishlist.save()
    return wishlist


@transaction.atomic
def regenerate_link(*, user: AbstractBaseUser, wishlist: Wishlist) -> Wishlist:
    """A new share link; the old one stops working at once."""
    _own(user, wishlist)
    wishlist = _lock(wishlist)
    if not wishlist.public:
        raise ValidationError("Make the list public first: a private list has no link.")
    wishlist.share_token = new_token()
    wishlist.save(update_fields=["share_token", "updated_at"])
    return wishlist


# Items -----------------------------------------------------------------------------------


def check_saveable(*, user: AbstractBaseUser, product: Product, variant: Variant | None) -> None:
    """Only a product the user may see on sale, and only one of its own live variants."""
    if product.status != Product.Status.PUBLISHED or not can_view_product(user, product):
        raise ValidationError(PRODUCT_UNAVAILABLE)
    if variant is not None and (variant.product_id != product.pk or variant.is_archived or not variant.is_enabled):
        raise ValidationError({"variant": VARIANT_UNAVAILABLE})


def is_for_sale(product: Product, variant: Variant | None) -> bool:
    """Still sold at all (published; the variant neither archived nor disabled), sold out or not."""
    return product.status == Product.Status.PUBLISHED and (
        variant is None or (variant.is_enabled and not variant.is_archived)
    )


def is_available(product: Product, variant: Variant | None) -> bool:
    if product.status != Product.Status.PUBLISHED:
        return False
    if variant is None:
        return product.in_stock
    variant.product = product
    return variant.is_buyable


def current_price(product: Product, variant: Variant | None, offers: Offers | None = None) -> Decimal:
    """What a buyer pays now (catalog pricing, promotions included); `offers` from
    catalog.services.load_offers prices many items with one query."""
    if variant is not None:
        variant.product = product
    return price_of(product=product, variant=variant, offers=offers).paid


@dataclass
class AddResult:
    item: WishlistItem
    created: bool


@transaction.atomic
def add_to_wishlist(
    *,
    user: AbstractBaseUser,
    product: Product,
    variant: Variant | None = None,
    wishlist: Wishlist | None = None,
    quantity: int = 1,
    note: str = "",
) -> AddResult:
    """Save a product (or its chosen variant) to `wishlist` (the user's Favourites by default).
    Saving what is already there changes nothing and says so (`created` is False)."""
    check_saveable(user=user, product=product, variant=variant)
    if wishlist is None:
        wishlist = default_wishlist(user=user)
    _own(user, wishlist)
    wishlist = _lock(wishlist)
    existing = WishlistItem.objects.filter(wishlist=wishlist, product=product, variant=variant).first()
    if existing is not None:
        return AddResult(item=existing, created=False)
    if WishlistItem.objects.filter(wishlist=wishlist).count() >= MAX_ITEMS:
        raise ValidationError(f"“{wishlist.name}” holds {MAX_ITEMS} items already: make another list.")
    quantity = _clean_quantity(quantity)
    note = _clean_note(note)
    item = WishlistItem.objects.create(
        wishlist=wishlist,
        product=product,
        variant=variant,
        quantity=quantity,
        note=note,
        price_when_added=current_price(product, variant),
        awaiting_stock=not is_available(product, variant),
    )
    hooks.wishlist_added.send_on_commit(
        store_id=product.store_id,
        product_id=product.pk,
        variant_id=variant.pk if variant is not None else None,
        user_id=user.pk,
    )
    return AddResult(item=item, created=True)


@transaction.atomic
def save_for_later(*, user: AbstractBaseUser, cart: Cart, item_id: int) -> AddResult:
    """Move a cart line to the user's Favourites (its variant and quantity kept) and take it out
    of the cart, in one transaction: nothing saved if the line can't be removed, and the other
    way round. A line already in Favourites just leaves the cart."""
    if cart.user_id != user.pk:
        raise ValidationError("That item is not in your cart.")
    line = cart.items.select_related("product", "variant").filter(pk=item_id).first()
    if line is None:
        raise ValidationError("That item is not in your cart.")
    result = add_to_wishlist(
        user=user, product=line.product, variant=line.variant, quantity=min(line.quantity, MAX_QUANTITY)
    )
    update_cart_item(cart=cart, item_id=line.pk, quantity=0)
    return result


def _clean_quantity(quantity) -> int:
    try:
        quantity = int(quantity)
    except (TypeError, ValueError):
        raise ValidationError({"quantity": "Enter a whole number."}) from None
    if not 1 <= quantity <= MAX_QUANTITY:
        raise ValidationError({"quantity": f"The quantity must be between 1 and {MAX_QUANTITY}."})
    return quantity


def _clean_note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": f"A note can be at most {NOTE_MAX:,} characters (it has {len(note):,})."})
    return note


@transaction.atomic
def update_item(
    *, user: AbstractBaseUser, item: WishlistItem, quantity: int | None = None, note: str | None = None
) -> WishlistItem:
    _own(user, item.wishlist)
    fields = []
    if quantity is not None:
        item.quantity = _clean_quantity(quantity)
        fields.append("quantity")
    if note is not None:
        item.note = _clean_note(note)
        fields.append("note")
    if fields:
        item.save(update_fields=fields)
    return item


@transaction.atomic
def remove_from_wishlist(*, user: AbstractBaseUser, item: WishlistItem) -> None:
    _own(user, item.wishlist)
    WishlistItem.objects.filter(pk=item.pk).delete()


def _place(item: WishlistItem, target: Wishlist) -> WishlistItem | None:
    """The item's twin in `target`, if the product (and variant) is there already."""
    return WishlistItem.objects.filter(wishlist=target, product_id=item.product_id, variant_id=item.variant_id).first()


@transaction.atomic
def copy_item(*, user: AbstractBaseUser, item: WishlistItem, to: Wishlist) -> WishlistItem:
    """Copy to another of the user's lists (nothing new when it's there already); the saved
    price stays the one of the first save."""
    _own(user, item.wishlist)
    _own(user, to)
    to = _lock(to)
    if to.pk == item.wishlist_id:
        raise ValidationError({"to": "Pick another list."})
    twin = _place(item, to)
    if twin is not None:
        return twin
    if WishlistItem.objects.filter(wishlist=to).count() >= MAX_ITEMS:
        raise ValidationError({"to": f"“{to.name}” holds {MAX_ITEMS} items already."})
    return WishlistItem.objects.create(
        wishlist=to,
        product_id=item.product_id,
        variant_id=item.variant_id,
        quantity=item.quantity,
        note=item.note,
        price_when_added=item.price_when_added,
        added_at=item.added_at,
        alerted_price=item.alerted_price,
        awaiting_stock=item.awaiting_stock,
    )


@transaction.atomic
def move_item(*, user: AbstractBaseUser, item: WishlistItem, to: Wishlist) -> WishlistItem:
    """Move to another of the user's lists (merged into the twin there, if any)."""
    copied = copy_item(user=user, item=item, to=to)
    WishlistItem.objects.filter(pk=item.pk).delete()
    return copied


# Gift lists ------------------------------------------------------------------------------


@transaction.atomic
def claim_item(*, user: AbstractBaseUser, item: WishlistItem) -> WishlistItem:
    """ "I'm getting this": one claim per item, never by the list's owner, never for what is
    no longer sold (the page hides the button; a stale page or a hand-made post is refused)."""
    item = (
        WishlistItem.objects.select_for_update(of=("self",))
        .select_related("wishlist", "product", "variant")
        .get(pk=item.pk)
    )
    if not (item.wishlist.public and item.wishlist.is_gift_list):
        raise ValidationError("Only items on a gift list can be claimed.")
    if item.wishlist.user_id == user.pk:
        raise ValidationError("It's your own list: your friends claim what they'll get you.")
    if not is_for_sale(item.product, item.variant) and item.claimed_by_id != user.pk:
        raise ValidationError(ITEM_NOT_FOR_SALE)
    if item.claimed_by_id is not None:
        if item.claimed_by_id == user.pk:
            return item
        raise ValidationError("Someone is already getting this.")
    item.claimed_by = user
    item.claimed_at = timezone.now()
    item.save(update_fields=["claimed_by", "claimed_at"])
    return item


@transaction.atomic
def unclaim_item(*, user: AbstractBaseUser, item: WishlistItem) -> WishlistItem:
    item = WishlistItem.objects.select_for_update().get(pk=item.pk)
    if item.claimed_by_id != user.pk:
        raise ValidationError("You haven't claimed this item.")
    item.claimed_by = None
    item.claimed_at = None
    item.save(update_fields=["claimed_by", "claimed_at"])
    return item


# To the cart -----------------------------------------------------------------------------


@dataclass
class CartOutcome:
    added: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (what, why)


@transaction.atomic
def add_all_to_cart(*, user: AbstractBaseUser, wishlist: Wishlist, cart: Cart) -> CartOutcome:
    """Put every available item in the cart, with its quantity and chosen variant; say which
    were skipped and why (sold out, no longer for sale, option gone)."""
    _own(user, wishlist)
    outcome = CartOutcome()
    items = (
        WishlistItem.objects.filter(wishlist=wishlist)
        .select_related("product", "product__store", "variant")
        .order_by("added_at", "pk")
    )
    for item in items:
        label = line_label(item.product, item.variant)
        if item.product.status != Product.Status.PUBLISHED:
            outcome.skipped.append((label, "no longer for sale"))
            continue
        if item.variant is not None and (item.variant.is_archived or not item.variant.is_enabled):
            outcome.skipped.append((label, "this option is no longer available"))
            continue
        if not is_available(item.product, item.variant):
            outcome.skipped.append((label, "sold out"))
            continue
        try:
            add_to_cart(cart=cart, product=item.product, variant=item.variant, quantity=item.quantity)
        except ValidationError as error:
            outcome.skipped.append((label, " ".join(error.messages).rstrip(".").lower()))
        else:
            outcome.added.append(label)
    return outcome
