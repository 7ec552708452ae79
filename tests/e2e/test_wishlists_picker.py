""" "Save to list…" on a product card and on a cart line: the saver opens the picker (loaded in
place with htmx), names a new list, then picks one; the card heart follows Favourites only.
Screenshots at 1280 and 375 px."""

import re

from shomp.catalog import services as catalog_services
from shomp.catalog.models import Product
from shomp.orders.services import cart as cart_services
from shomp.wishlists.models import WishlistItem

from . import builders
from .helpers import assert_no_page_errors, assert_same_page, expect, horizontal_overflow, login, mark_page, screenshot


def tee():
    shop = builders.store(name="Thread Bare", slug="thread-bare")
    product = builders.product(shop, "Cloud Tee", price="30.00", images=1)
    builders.product(shop, "Linen Cap", price="12.00", images=1)
    catalog_services.add_product_option(product=product, name="Size", values=["S", "M"])
    catalog_services.generate_variants(product=product)
    for variant in product.variants.all():
        catalog_services.update_variant(variant=variant, inventory_count=5)
    return Product.objects.get(pk=product.pk)


def _open_card_picker(page, product):
    card = page.locator(f'[data-wishlist-product="{product.pk}"]')
    card.get_by_role("button", name=f"Save {product.title} to a list…").click()
    picker = card.locator(".wishlist-picker")
    expect(picker).to_be_visible()
    return card, picker


def test_save_to_list_from_a_card_and_from_the_cart(make_page, live_url):
    product = tee()
    saver = builders.user("list_picker")

    # A card: open the picker, name a new list, save; the heart (Favourites) stays unpressed.
    page = login(make_page(), live_url, saver.username, builders.PASSWORD)
    page.goto("/")
    mark_page(page)
    card, picker = _open_card_picker(page, product)
    heart = card.locator(".wishlist-card-heart-button")
    picker.get_by_label("…or a new list").fill("Gift ideas")
    screenshot(page, "wishlists-picker-card-open")
    picker.get_by_role("button", name="Save").click()
    picked = card.locator(".wishlist-picker")
    expect(picked.get_by_text("Saved to Gift ideas.")).to_be_visible()
    expect(picked.get_by_role("link", name="See Gift ideas")).to_be_visible()
    expect(heart).to_have_attribute("aria-pressed", "false")  # not in Favourites
    assert list(WishlistItem.objects.values_list("wishlist__name", "variant")) == [("Gift ideas", None)]
    screenshot(page, "wishlists-picker-card-saved")
    # The same picker, now with the list: choose Favourites; the heart follows.
    card.get_by_role("button", name="Save Cloud Tee to a list…").click()  # closes
    expect(card.locator(".wishlist-picker")).to_have_count(0)
    card, picker = _open_card_picker(page, product)
    expect(picker.get_by_label("List", exact=True)).to_contain_text("Gift ideas (saved)")
    picker.get_by_label("List", exact=True).select_option(label="Favourites")
    picker.get_by_role("button", name="Save").click()
    expect(card.get_by_text("Saved to Favourites.")).to_be_visible()
    expect(heart).to_have_attribute("aria-pressed", "true")
    heart.click()  # the pressed heart removes from Favourites only
    expect(heart).to_have_attribute("aria-pressed", "false")
    assert list(WishlistItem.objects.values_list("wishlist__name", flat=True)) == ["Gift ideas"]
    assert_same_page(page)
    assert_no_page_errors(page)

    # The cart: a line's variant to the list, picked from its picker.
    cart = cart_services.get_or_create_cart(user=saver, session={})
    medium = product.variants.get(name="M")
    cart_services.add_to_cart(cart=cart, product=product, variant=medium, quantity=2)
    page.goto("/cart/")
    mark_page(page)
    page.get_by_role("button", name=re.compile(r"^Save to list… \(Cloud Tee\)")).click()
    picker = page.locator(".wishlist-picker")
    expect(picker).to_be_visible()
    picker.get_by_label("List", exact=True).select_option(label="Gift ideas")
    screenshot(page, "wishlists-picker-cart-open")
    picker.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved to Gift ideas.")).to_be_visible()
    assert WishlistItem.objects.filter(wishlist__name="Gift ideas", variant=medium).exists()
    assert_same_page(page)
    assert_no_page_errors(page)
    screenshot(page, "wishlists-picker-cart-saved")

    # Phones: the card's panel and the cart's fit 375 px.
    phone = login(make_page(mobile=True), live_url, saver.username, builders.PASSWORD)
    phone.goto("/")
    card, picker = _open_card_picker(phone, product)
    expect(picker.get_by_label("List", exact=True)).to_be_visible()
    assert horizontal_overflow(phone) == 0
    screenshot(phone, "wishlists-picker-card-375", full_page=False)
    phone.goto("/cart/")
    phone.get_by_role("button", name=re.compile(r"^Save to list… \(Cloud Tee\)")).click()
    expect(phone.locator(".wishlist-picker")).to_be_visible()
    assert horizontal_overflow(phone) == 0
    screenshot(phone, "wishlists-picker-cart-375")

    # "Save for later": the line moves from the cart to Favourites, variant and quantity kept.
    page.goto("/cart/")
    page.get_by_role("button", name=re.compile(r"^Save for later Cloud Tee")).click()
    expect(page.get_by_text("Saved “Cloud Tee” for later in Favourites.")).to_be_visible()
    expect(page.get_by_text("Your cart is empty")).to_be_visible()
    saved = WishlistItem.objects.get(wishlist__name="Favourites", variant=medium)
    assert saved.quantity == 2
    assert_no_page_errors(page)
    screenshot(page, "wishlists-save-for-later")
