"""Store themes in the browser: a seller picks a theme, changes a colour (and sees the contrast
warning), a font and the layout, previews at phone width, is refused a hostile sheet with its
line number, and publishes; a buyer sees the design on the store and product pages, and not on
the cart or checkout. Every design page is screenshotted at desktop and 375 px."""

import re

from shomp.themes.models import StoreSettings

from . import builders
from .helpers import (
    assert_no_page_errors,
    expect,
    horizontal_overflow,
    label,
    login,
    screenshot,
    upload,
)


def _feedback_after(page, action):
    """Do `action` (an edit of the draft form) and wait for the HTMX answer to land."""
    with page.expect_response(lambda r: r.url.endswith("/dashboard/store/customize/") and r.request.method == "POST"):
        action()
    page.wait_for_timeout(150)  # the swap settles


def test_seller_themes_customizes_previews_and_publishes_buyer_sees_it(make_page, live_url):
    shop = builders.store(name="Night Kiln", slug="night-kiln")
    mug = builders.product(shop, "Moon Mug", price="22.00")
    buyer_user = builders.user("moon_fan")

    seller = login(make_page(), live_url, shop.owner.username, builders.PASSWORD)
    seller.goto("/dashboard/store/themes/")
    expect(seller.get_by_role("heading", name="Themes")).to_be_visible()
    expect(seller.locator("img.card-img-top")).to_have_count(6)
    screenshot(seller, "themes/themes-desktop")
    seller.get_by_role("button", name="Use Midnight").click()
    expect(seller).to_have_url(re.compile(r"/dashboard/store/customize/$"))
    expect(seller.get_by_text("Midnight is on your draft.")).to_be_visible()
    preview = seller.frame_locator("iframe.preview-frame")
    expect(preview.locator("#store-theme")).to_have_class(re.compile(r"store-cols-4"))

    # A colour that is hard to read on Midnight's dark background: a warning, and a way out.
    _feedback_after(seller, lambda: seller.get_by_label(label("Text"), exact=True).fill("#333333"))
    warnings = seller.locator("#contrast-warnings")
    expect(warnings).to_contain_text("Text on the page background: contrast")
    expect(warnings.get_by_role("button", name=re.compile(r"^Use #"))).to_have_count(2)  # on page and on cards
    screenshot(seller, "themes/customize-contrast-desktop")
    _feedback_after(seller, lambda: warnings.get_by_role("button", name=re.compile(r"^Use #")).first.click())
    expect(seller.locator("#contrast-warnings")).to_have_count(0)

    # A font and the layout; the preview reloads with them.
    _feedback_after(seller, lambda: seller.get_by_label("Headings font").select_option(label="Playfair Display"))
    _feedback_after(seller, lambda: seller.get_by_label("Products shown as").select_option(label="A list"))
    expect(preview.locator("#store-theme")).to_have_class(re.compile(r"store-layout-list"))
    # The preview's stylesheet may still be loading after the swap: wait for the computed font.
    expect(preview.locator("h1")).to_have_css("font-family", re.compile(r"Playfair Display"))

    # Phone width.
    seller.get_by_text("Phone (375 px)").click()
    frame_box = seller.locator("iframe.preview-frame").bounding_box()
    assert round(frame_box["width"]) == 375
    screenshot(seller, "themes/customize-phone-preview-desktop")

    # A hostile sheet: refused with its line number, nothing saved.
    css_field = seller.get_by_label("Custom CSS")
    _feedback_after(
        seller, lambda: css_field.fill(".product-card { color: red }\n@import url(https://evil.example/x.css);")
    )
    expect(seller.locator("#err-custom_css")).to_contain_text("Line 2: @import is not allowed")
    expect(seller.locator("#draft-status")).to_contain_text("Not saved")
    assert StoreSettings.objects.get(store=shop).custom_css == ""
    _feedback_after(seller, lambda: css_field.fill(".product-card { border-width: 3px }"))
    expect(seller.locator("#err-custom_css")).to_be_empty()
    expect(seller.locator("#draft-status")).to_contain_text("Draft saved")

    seller.get_by_role("button", name="Publish").click()
    expect(seller.get_by_text("Published: buyers now see your store's new look.")).to_be_visible()
    assert_no_page_errors(seller)

    # Assets: upload a banner.
    seller.goto("/dashboard/store/assets/")
    seller.get_by_label("Images", exact=True).set_input_files(
        upload("Night Sky.png", builders.png_bytes(size=(800, 200)), "image/png")
    )
    seller.get_by_role("button", name="Upload").click()
    expect(seller.get_by_text("url(night-sky)").first).to_be_visible()
    screenshot(seller, "themes/assets-desktop")

    # The buyer: the store and product pages carry the design; the cart and checkout don't.
    buyer = login(make_page(), live_url, buyer_user.username, builders.PASSWORD)
    buyer.goto("/night-kiln/")
    expect(buyer.locator("link[data-store-theme]")).to_have_count(1)
    expect(buyer.locator("#store-theme")).to_have_class(re.compile(r"store-layout-list"))
    body_bg = buyer.locator("#store-theme").evaluate("(e) => getComputedStyle(e).backgroundColor")
    assert body_bg == "rgb(17, 24, 39)"  # Midnight
    expect(buyer.locator("h1")).to_have_css("font-family", re.compile(r"Playfair Display"))
    screenshot(buyer, "themes/storefront-desktop")
    buyer.goto(mug.get_absolute_url())
    expect(buyer.locator("link[data-store-theme]")).to_have_count(1)
    buyer.get_by_role("button", name="Add to cart").click()
    buyer.get_by_role("link", name="View cart").click()  # Add to cart keeps the buyer on the product
    expect(buyer).to_have_url(re.compile(r"/cart/$"))
    expect(buyer.locator("link[data-store-theme]")).to_have_count(0)
    expect(buyer.locator("#store-theme")).to_have_count(0)
    buyer.goto("/checkout/")
    expect(buyer.locator("link[data-store-theme]")).to_have_count(0)
    assert_no_page_errors(buyer)


def test_design_pages_fit_a_phone(make_page, live_url):
    shop = builders.store(name="Small Screen", slug="small-screen")
    builders.product(shop, "Pocket Print")
    page = login(make_page(mobile=True), live_url, shop.owner.username, builders.PASSWORD)
    for path, name in (
        ("/dashboard/store/themes/", "themes"),
        ("/dashboard/store/customize/", "customize"),
        ("/dashboard/store/assets/", "assets"),
    ):
        page.goto(path)
        page.wait_for_load_state("networkidle")
        assert horizontal_overflow(page) <= 0, path
        screenshot(page, f"themes/{name}-375")
    page.goto("/dashboard/store/themes/")
    page.get_by_role("button", name="Use Studio").click()
    page.get_by_role("button", name="Publish").click()
    page.goto("/small-screen/")
    assert horizontal_overflow(page) <= 0
    screenshot(page, "themes/storefront-375")
    assert_no_page_errors(page)
