from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog.models import Product
from shomp.catalog.tests.factories import ProductFactory
from shomp.orders.models import Cart, CartItem
from shomp.wishlists import hooks, services
from shomp.wishlists.models import DEFAULT_NAME, MAX_LISTS, NOTE_MAX, Wishlist, WishlistItem

pytestmark = pytest.mark.django_db


def test_first_heart_makes_favourites_and_a_double_add_changes_nothing(
    buyer, product, django_capture_on_commit_callbacks
):
    seen = []

    def listener(**kwargs):
        seen.append(kwargs)

    hooks.wishlist_added.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            first = services.add_to_wishlist(user=buyer, product=product)
        with django_capture_on_commit_callbacks(execute=True):
            again = services.add_to_wishlist(user=buyer, product=product)  # the double click
    finally:
        hooks.wishlist_added.disconnect(listener)
    assert first.created and not again.created
    assert first.item.wishlist.name == DEFAULT_NAME and first.item.wishlist.is_default
    assert WishlistItem.objects.count() == 1 and Wishlist.objects.count() == 1
    assert first.item.price_when_added == Decimal("10.00")
    assert seen == [{"store_id": product.store_id, "product_id": product.pk, "variant_id": None, "user_id": buyer.pk}]


def test_a_variant_is_saved_with_its_price_and_another_products_variant_is_refused(buyer, variant_product, product):
    variant = variant_product.variants.order_by("pk").first()
    result = services.add_to_wishlist(user=buyer, product=variant_product, variant=variant)
    assert result.item.variant == variant
    with pytest.raises(ValidationError):
        services.add_to_wishlist(user=buyer, product=product, variant=variant)
    assert WishlistItem.objects.count() == 1


def test_unpublished_products_cant_be_saved(buyer):
    draft = ProductFactory(status=Product.Status.DRAFT)
    with pytest.raises(ValidationError):
        services.add_to_wishlist(user=buyer, product=draft)
    assert not WishlistItem.objects.exists()


def test_list_names_are_unique_per_user_whatever_the_case(buyer):
    services.create_wishlist(user=buyer, name="Birthday")
    with pytest.raises(ValidationError) as error:
        services.create_wishlist(user=buyer, name="  birthday ")
    assert "already have a list" in str(error.value)
    services.create_wishlist(user=UserFactory(), name="Birthday")  # another user's is fine


def test_at_most_so_many_lists(buyer):
    Wishlist.objects.bulk_create([Wishlist(user=buyer, name=f"L{n}") for n in range(MAX_LISTS)])
    with pytest.raises(ValidationError) as error:
        services.create_wishlist(user=buyer, name="One more")
    assert f"at most {MAX_LISTS}" in str(error.value)
    assert Wishlist.objects.filter(user=buyer).count() == MAX_LISTS


def test_a_100000_character_note_is_refused(buyer, product):
    item = services.add_to_wishlist(user=buyer, product=product).item
    with pytest.raises(ValidationError) as error:
        services.update_item(user=buyer, item=item, note="x" * 100_000)
    assert f"{NOTE_MAX:,}" in str(error.value)
    item.refresh_from_db()
    assert item.note == ""


def test_move_and_copy_between_lists(buyer, product):
    item = services.add_to_wishlist(user=buyer, product=product).item
    other = services.create_wishlist(user=buyer, name="Kitchen")
    copied = services.copy_item(user=buyer, item=item, to=other)
    assert copied.price_when_added == item.price_when_added and WishlistItem.objects.count() == 2
    services.move_item(user=buyer, item=item, to=other)  # merged into the copy already there
    assert list(WishlistItem.objects.values_list("wishlist_id", flat=True)) == [other.pk]


def test_other_users_lists_are_refused(buyer, product):
    stranger = UserFactory()
    theirs = services.create_wishlist(user=stranger, name="Theirs")
    with pytest.raises(ValidationError):
        services.add_to_wishlist(user=buyer, product=product, wishlist=theirs)
    with pytest.raises(ValidationError):
        services.delete_wishlist(user=buyer, wishlist=theirs)
    assert Wishlist.objects.filter(pk=theirs.pk).exists() and not WishlistItem.objects.exists()


def test_sharing_gives_a_long_token_and_a_new_link_revokes_the_old(buyer):
    wishlist = services.create_wishlist(user=buyer, name="Wish")
    assert wishlist.share_token is None
    services.share_wishlist(user=buyer, wishlist=wishlist, public=True)
    wishlist.refresh_from_db()
    old = wishlist.share_token
    assert len(old) >= 43  # 32 random bytes, URL-safe base64
    services.regenerate_link(user=buyer, wishlist=wishlist)
    wishlist.refresh_from_db()
    assert wishlist.share_token != old
    services.share_wishlist(user=buyer, wishlist=wishlist, public=False)
    wishlist.refresh_from_db()
    assert wishlist.share_token is None


def test_gift_claims(buyer, product):
    wishlist = services.create_wishlist(user=buyer, name="Wedding")
    services.share_wishlist(user=buyer, wishlist=wishlist, public=True, gift_list=True)
    item = services.add_to_wishlist(user=buyer, product=product, wishlist=wishlist).item
    friend, other = UserFactory(), UserFactory()
    with pytest.raises(ValidationError):
        services.claim_item(user=buyer, item=item)  # not your own
    services.claim_item(user=friend, item=item)
    with pytest.raises(ValidationError) as error:
        services.claim_item(user=other, item=item)
    assert "already getting" in str(error.value)
    item.refresh_from_db()
    assert item.claimed_by == friend


def test_add_all_to_cart_keeps_quantities_and_variants_and_lists_what_it_skipped(buyer, product, variant_product):
    variant = variant_product.variants.order_by("pk").first()
    sold_out = ProductFactory(title="Rare lamp", stock=0)
    gone = ProductFactory(title="Old vase")
    wishlist = services.create_wishlist(user=buyer, name="Home")
    mug = services.add_to_wishlist(user=buyer, product=product, wishlist=wishlist, quantity=3).item
    services.add_to_wishlist(user=buyer, product=variant_product, variant=variant, wishlist=wishlist)
    services.add_to_wishlist(user=buyer, product=sold_out, wishlist=wishlist)
    services.add_to_wishlist(user=buyer, product=gone, wishlist=wishlist)
    Product.objects.filter(pk=gone.pk).update(status=Product.Status.ARCHIVED)
    cart = Cart.objects.create(user=buyer)
    outcome = services.add_all_to_cart(user=buyer, wishlist=wishlist, cart=cart)
    assert sorted(outcome.added) == ["Blue mug", f"Tee — {variant.name}"]
    assert dict(outcome.skipped) == {"Rare lamp": "sold out", "Old vase": "no longer for sale"}
    lines = {(line.product_id, line.variant_id): line.quantity for line in CartItem.objects.filter(cart=cart)}
    assert lines == {(product.pk, None): mug.quantity, (variant_product.pk, variant.pk): 1}
