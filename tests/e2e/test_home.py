"""First impression: the home page (categories, popular and new items, stores to follow) with the
demo's pictures, and "Add to cart" that keeps the buyer on the product page."""

import re
from decimal import Decimal

from shomp.catalog import services as catalog_services
from shomp.catalog.models import Category, Product
from shomp.core import uploads
from shomp.demo import samples

from . import builders
from .helpers import assert_no_page_errors, cart_badge, expect, horizontal_overflow, screenshot, wait_for_image


def _product(store, title: str, price: str, category: str, *, seed: int, pictures: int = 1, colour=None):
    images = [
        uploads.process_image(samples.product_image(title=title, seed=seed, variant=n, colour=colour))
        for n in range(pictures)
    ]
    made = catalog_services.create_product(
        store=store,
        title=title,
        description=f"{title}, made by hand in small batches.",
        price=Decimal(price),
        kind=Product.Kind.PHYSICAL,
        stock=8,
        images=images,
    )
    made = catalog_services.publish_product(product=made)
    Product.objects.filter(pk=made.pk).update(category=Category.objects.get(slug=category))
    return made


def _marketplace():
    kiln = builders.store(name="Fern & Kiln Ceramics", slug="fern-and-kiln", description="Wheel-thrown stoneware.")
    ink = builders.store(name="Inkwell & Ash Prints", slug="inkwell", description="Risograph prints of harbours.")
    tide = builders.store(name="Low Tide Audio", slug="low-tide", description="Ambient records and tapes.")
    silver = builders.store(name="Silver Thread", slug="silver-thread", description="Recycled silver jewellery.")
    mug = _product(kiln, "Speckled Stoneware Mug", "32.00", "mugs-and-cups", seed=1, pictures=2)
    _product(kiln, "Ash-Glaze Breakfast Bowl", "38.00", "bowls-and-plates", seed=2)
    _product(ink, "Harbour at Dusk Print", "28.00", "prints", seed=3)
    _product(tide, "Driftwood on 12-inch Vinyl", "28.00", "records", seed=4)
    _product(silver, "Hammered Silver Stacking Ring", "38.00", "rings", seed=5)
    _product(kiln, "Moss Green Bud Vase", "26.00", "vases-and-planters", seed=6)
    return mug


def test_the_home_page_shows_categories_and_stores_and_leads_to_a_category(make_page):
    _marketplace()
    for mobile in (False, True):
        page = make_page(mobile=mobile)
        page.goto("/")
        categories = page.get_by_role("region", name="Shop by category")
        expect(categories.get_by_role("link", name=re.compile(r"Ceramics\s+3 items"))).to_be_visible()
        stores = page.get_by_role("region", name="Stores to follow")
        expect(stores.get_by_role("link", name="Fern & Kiln Ceramics")).to_be_visible()
        expect(stores.locator(".follow-button").first).to_be_visible()  # the per-visitor fragment loaded
        new = page.get_by_role("region", name="New in the marketplace")
        expect(new.get_by_role("link", name="Moss Green Bud Vase")).to_be_visible()
        expect(page.get_by_role("searchbox")).to_have_count(1)  # the hero's, the header's is hidden
        wait_for_image(new.locator("img").first)
        assert horizontal_overflow(page) == 0
        screenshot(page, f"home-{'375' if mobile else '1280'}")
        assert_no_page_errors(page)

    page.get_by_role("region", name="Shop by category").get_by_role("link", name=re.compile("Ceramics")).click()
    expect(page).to_have_url(re.compile(r"/c/ceramics/$"))
    expect(page.get_by_role("link", name="Speckled Stoneware Mug")).to_be_visible()


def test_add_to_cart_stays_on_the_product_page(make_page):
    mug = _marketplace()
    for mobile in (False, True):
        page = make_page(mobile=mobile)
        page.goto(mug.get_absolute_url())
        wait_for_image(page.locator("#product-gallery img").first)
        screenshot(page, f"product-demo-pictures-{'375' if mobile else '1280'}")
        page.get_by_label("Quantity").fill("2")
        page.get_by_role("button", name="Add to cart").click()

        status = page.get_by_role("status").filter(has_text="Added")
        expect(status).to_contain_text("Added “Speckled Stoneware Mug” to your cart.")
        expect(page).to_have_url(re.compile(re.escape(mug.get_absolute_url()) + "$"))  # still here
        expect(cart_badge(page)).to_have_text("2")
        expect(cart_badge(page)).to_have_attribute("aria-label", "Cart, 2 items")  # read aloud right too
        assert horizontal_overflow(page) == 0
        screenshot(page, f"product-added-to-cart-{'375' if mobile else '1280'}")

        page.get_by_role("button", name="Add to cart").click()  # again: the badge follows
        expect(cart_badge(page)).to_have_text("4")  # two more (the quantity stays 2)
        page.get_by_role("link", name="View cart").click()
        expect(page.get_by_role("heading", name="Your cart")).to_be_visible()
        assert_no_page_errors(page)
