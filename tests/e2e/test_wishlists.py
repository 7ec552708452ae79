"""Wishlists in the browser, four people at once: a saver hearts a variant on the product page,
finds it in the list, shares it as a gift list; a logged-out visitor opens the link; a friend
claims the item; the seller lowers the price and the saver's open tab gets the bell live; "add
all available to cart" fills the cart. Screenshots of each page at desktop and 375 px."""

import re

from shomp.catalog import services as catalog_services
from shomp.catalog.models import Product
from shomp.wishlists.models import Wishlist, WishlistItem

from . import builders
from .helpers import (
    assert_no_page_errors,
    assert_same_page,
    expect,
    horizontal_overflow,
    label,
    login,
    mark_page,
    screenshot,
    wait_for_socket,
)


def tee():
    shop = builders.store(name="Thread Bare", slug="thread-bare")
    product = builders.product(shop, "Cloud Tee", price="30.00", images=1)
    catalog_services.add_product_option(product=product, name="Size", values=["S", "M"])
    catalog_services.generate_variants(product=product)
    variants = {v.name: v for v in product.variants.all()}
    for variant in variants.values():
        catalog_services.update_variant(variant=variant, inventory_count=5)
    return Product.objects.get(pk=product.pk), variants


def test_save_share_claim_price_drop_and_add_all_to_cart(make_page, live_url):
    product, variants = tee()
    medium = variants["M"]
    saver = builders.user("tee_saver")
    friend = builders.user("gift_friend")

    # Save the chosen variant from the product page: in place, no reload.
    page = login(make_page(), live_url, saver.username, builders.PASSWORD)
    page.goto(f"{product.get_absolute_url()}?variant={medium.pk}")
    heart = page.get_by_role("button", name=re.compile(r"^Save Cloud Tee \(M\) to Favourites"))
    mark_page(page)
    heart.click()
    expect(page.get_by_text("Saved to Favourites.")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"^Saved to Favourites"))).to_have_attribute(
        "aria-pressed", "true"
    )
    assert_same_page(page)
    screenshot(page, "wishlists-0-product-page")
    item = WishlistItem.objects.get()
    # The store page's cards: the same HTML for everyone; the saved one is marked from one request.
    page.goto("/")
    card_heart = page.locator(f'[data-wishlist-product="{product.pk}"] .wishlist-card-heart-button')
    expect(card_heart).to_have_attribute("aria-pressed", "false")  # the M variant is saved, not the product
    screenshot(page, "wishlists-0-cards")
    card_heart.click()  # one click on the card: the product to Favourites, in place
    expect(card_heart).to_have_attribute("aria-pressed", "true")
    assert WishlistItem.objects.filter(product=product, variant=None).exists()
    page.reload()
    expect(card_heart).to_have_attribute("aria-pressed", "true")
    card_heart.click()  # and again: out of Favourites
    expect(card_heart).to_have_attribute("aria-pressed", "false")
    expect(page.locator("body")).not_to_have_text(re.compile("Forbidden"))
    assert not WishlistItem.objects.filter(product=product, variant=None).exists()
    assert item.variant_id == medium.pk

    # The list: the item, its price and stock.
    page.goto("/wishlists/")
    screenshot(page, "wishlists-1-index")
    page.get_by_role("link", name="Favourites").click()
    expect(page.get_by_role("heading", name="Favourites")).to_be_visible()
    expect(page.locator(f"#item-{item.pk}")).to_contain_text("Cloud Tee")
    expect(page.locator(f"#item-{item.pk}")).to_contain_text("— M")
    expect(page.locator(f"#item-{item.pk}")).to_contain_text("$30.00")

    # Share it as a gift list.
    page.get_by_label("Public: anyone with the link can see it").check()
    page.get_by_label("Gift list: friends can mark “I'm getting this”").check()
    page.get_by_role("button", name="Save sharing").click()
    expect(page.get_by_text("Sharing updated.")).to_be_visible()
    link = page.get_by_label("Share link", exact=True).input_value()
    assert re.search(r"/wishlists/shared/[A-Za-z0-9_-]{43,}/$", link)
    share_path = link[link.index("/wishlists/shared/") :]
    screenshot(page, "wishlists-2-list")

    # Logged out: the owner's username only, the item, no claim button.
    visitor = make_page()
    visitor.goto(share_path)
    expect(visitor.locator("#owner")).to_have_text(saver.username)
    expect(visitor.get_by_text("Cloud Tee")).to_be_visible()
    expect(visitor.get_by_role("button", name=re.compile("I'm getting this"))).to_have_count(0)
    assert "Private Person" not in visitor.content()
    screenshot(visitor, "wishlists-3-shared")

    # A friend claims it; others see it claimed.
    other = login(make_page(mobile=True), live_url, friend.username, builders.PASSWORD)
    other.goto(share_path)
    other.get_by_role("button", name=re.compile(r"^I'm getting this")).click()
    expect(other.get_by_text("Marked: others see it's taken.")).to_be_visible()
    expect(other.get_by_text("Claimed")).to_be_visible()
    assert horizontal_overflow(other) == 0
    screenshot(other, "wishlists-4-shared-375")
    visitor.reload()
    expect(visitor.get_by_text("Claimed")).to_be_visible()

    # The seller lowers the price; the saver's open list page gets the bell without a reload.
    page.goto(f"/wishlists/{item.wishlist_id}/")
    wait_for_socket(page)
    mark_page(page)
    seller = login(make_page(), live_url, product.store.owner.username, builders.PASSWORD)
    seller.goto(f"/dashboard/products/{product.pk}/edit/")
    seller.get_by_label(label("Price")).fill("24.00")
    seller.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#notifications-badge")).to_have_text(re.compile(r"^1"))
    assert_same_page(page)
    page.get_by_role("button", name=re.compile(r"^Notifications")).click()
    expect(page.get_by_text("Cloud Tee is now $24.00")).to_be_visible()

    # The seller's insights: counts only.
    seller.goto("/dashboard/wishlists/analytics/")
    expect(seller.locator("#total-lists")).to_have_text("1")
    assert saver.username not in seller.content()
    screenshot(seller, "wishlists-5-insights")
    # Its drill-down: the chart follows the product, and its savers hear of a sale from there.
    seller.locator("#insights-table").get_by_role("link", name="Cloud Tee").click()
    expect(seller.locator("#chart-title")).to_have_text("Adds per day: Cloud Tee")
    seller.get_by_label("Message", exact=True).fill("20% off tees this weekend")
    seller.get_by_role("button", name="Send to savers").click()
    expect(seller.get_by_text("Everyone who saved “Cloud Tee” will hear about your sale.")).to_be_visible()
    expect(seller.locator("#chart-title")).to_have_text("Adds per day: Cloud Tee")
    assert_no_page_errors(seller)
    screenshot(seller, "wishlists-5-insights-product")

    # Add all available to cart: the variant and quantity kept.
    page.goto(f"/wishlists/{item.wishlist_id}/")
    expect(page.get_by_text("was $30.00 when you saved it", exact=True)).to_be_visible()
    page.get_by_role("button", name="Add all available to cart").click()
    expect(page).to_have_url(re.compile(r"/cart/$"))
    expect(page.get_by_text("Added to your cart: Cloud Tee — M")).to_be_visible()
    assert_no_page_errors(page)

    # Phones: every page fits 375 px.
    phone = login(make_page(mobile=True), live_url, saver.username, builders.PASSWORD)
    for path, name in [("/wishlists/", "index"), (f"/wishlists/{item.wishlist_id}/", "list")]:
        phone.goto(path)
        assert horizontal_overflow(phone) == 0, path
        screenshot(phone, f"wishlists-{name}-375")
    phone.goto(f"{product.get_absolute_url()}?variant={medium.pk}")
    expect(phone.get_by_role("button", name=re.compile(r"^Saved to Favourites"))).to_be_visible()
    assert horizontal_overflow(phone) == 0
    screenshot(phone, "wishlists-product-375")
    seller_phone = login(make_page(mobile=True), live_url, product.store.owner.username, builders.PASSWORD)
    seller_phone.goto("/dashboard/wishlists/analytics/")
    assert horizontal_overflow(seller_phone) == 0
    screenshot(seller_phone, "wishlists-insights-375")
    assert Wishlist.objects.get().is_gift_list
