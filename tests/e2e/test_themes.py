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
    page_errors,
    screenshot,
    upload,
)


def _feedback_after(page, action):
    """Do `action` (an edit of the draft form) and wait for the HTMX answer to land."""
    with page.expect_response(lambda r: r.url.endswith("/dashboard/store/customize/") and r.request.method == "POST"):
        action()
    page.wait_for_timeout(150)  # the swap settles


def _preview_shows(page, version):
    """Wait until the preview frame is fully loaded and shows draft `version`: either loaded at
    that version (an edit made while the frame was still loading reloads it, which is right) or
    restyled in place up to it. Only then can a test tell a later reload from an in-place swap."""
    page.wait_for_function(
        """(version) => {
            const doc = document.querySelector("iframe.preview-frame").contentDocument;
            if (!doc || doc.readyState !== "complete" || !doc.getElementById("store-theme")) return false;
            return doc.URL.endsWith("v=" + version) || doc.documentElement.dataset.previewVersion === String(version);
        }""",
        arg=version,
    )


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

    # A font and the layout: the preview frame is restyled in place (its stylesheet and the
    # container's classes swapped), not reloaded. On a busy machine the frame may still be loading
    # an earlier edit's reload: wait for it to settle before marking its window.
    _preview_shows(seller, StoreSettings.objects.get(store=shop).draft_version)
    frame = seller.locator("iframe.preview-frame").element_handle().content_frame()
    frame.evaluate("() => { window.notReloaded = true; }")
    _feedback_after(seller, lambda: seller.get_by_label("Headings font").select_option(label="Playfair Display"))
    _feedback_after(seller, lambda: seller.get_by_label("Products shown as").select_option(label="A list"))
    expect(preview.locator("#store-theme")).to_have_class(re.compile(r"store-layout-list"))
    # The preview's stylesheet may still be loading after the swap: wait for the computed font.
    expect(preview.locator("h1")).to_have_css("font-family", re.compile(r"Playfair Display"))
    assert frame.evaluate("() => window.notReloaded === true")
    expect(preview.locator("link[data-store-theme]")).to_have_count(1)  # the old sheet removed
    version = StoreSettings.objects.get(store=shop).draft_version
    expect(preview.locator("html")).to_have_attribute("data-preview-version", str(version))

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


# A hostile sheet on the store's own pages -------------------------------------------------------

HOSTILE_SHEET = """
button { display: none }
article, .card { display: none }
.row, .col-md-5, .col-lg-8, .container { display: none }
span { visibility: hidden }
.breadcrumb { display: none }
.small::after { content: "Pay by bank transfer to save 50%"; position: absolute; inset: 0; z-index: 100;
  background: #ffffff; color: #000000; font-size: 3rem }
"""

_UNCOVERED = """(el) => {
  el.scrollIntoView({block: "center", behavior: "instant"});
  const box = el.getBoundingClientRect();
  if (box.width === 0 || box.height === 0) return false;
  const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  return el === hit || el.contains(hit);
}"""


def _publish_hostile(shop, review_ids):
    """The hostile sheet through the real sanitiser and publish; then, as if the sanitiser's name
    checks were missing, `#review-N { display: none }` rules added with only the served guard."""
    from shomp.themes import services
    from shomp.themes.sanitizer import PROTECTED_GUARD
    from shomp.themes.stylesheet import content_hash

    services.customize_store(store=shop, custom_css=HOSTILE_SHEET)
    design = services.publish(store=shop)
    extra = "".join(f".store-theme #review-{pk}{PROTECTED_GUARD} {{ display: none; }}\n" for pk in review_ids)
    design.published_css += extra
    design.published_hash = content_hash(design.published_css)
    design.save()


def test_a_hostile_sheet_cannot_hide_or_cover_reviews_the_buy_box_or_the_header(make_page, live_url):
    from shomp.reviews import services as reviews

    shop = builders.store(name="Sly Shop", slug="sly-shop")
    shop.review_policy = shop.ReviewPolicy.ANYONE
    shop.save(update_fields=["review_policy"])
    lamp = builders.product(shop, "Dim Lamp", price="30.00")
    bad = reviews.create_review(user=builders.user("unhappy"), product=lamp, rating=1, title="Broke in a week")
    good = reviews.create_review(user=builders.user("happy"), product=lamp, rating=5, title="Lovely light")
    _publish_hostile(shop, [bad.pk, good.pk])

    for width, mobile in ((1280, False), (375, True)):
        buyer = login(make_page(mobile=mobile), live_url, builders.user(f"looker{width}").username, builders.PASSWORD)
        buyer.goto(lamp.get_absolute_url())
        expect(buyer.locator("link[data-store-theme]")).to_have_count(1)
        # The sheet is live: what is the store's own is hidden, and the overlay is drawn.
        expect(buyer.locator("#store-theme .breadcrumb")).to_be_hidden()
        overlay = buyer.locator("#store-theme p.small").first.evaluate("(e) => getComputedStyle(e, '::after').content")
        assert "Pay by bank transfer" in overlay
        # Platform content: visible and on top of the overlay.
        add = buyer.get_by_role("button", name="Add to cart")
        expect(add).to_be_visible()
        assert add.evaluate(_UNCOVERED)
        expect(buyer.locator("#product-price")).to_be_visible()
        expect(buyer.locator("#reviews")).to_be_visible()
        assert buyer.locator("#reviews").evaluate(_UNCOVERED)
        rating = buyer.locator("#store-theme .rating-line").first
        expect(rating).to_be_visible()
        assert rating.evaluate(_UNCOVERED)
        screenshot(buyer, f"themes/hostile-product-{width}")
        add.click()
        expect(buyer.get_by_role("link", name="View cart")).to_be_visible()

        buyer.get_by_role("link", name=re.compile(r"\(2 reviews\)")).first.click()
        expect(buyer.get_by_role("heading", name="Reviews of Dim Lamp")).to_be_visible()
        for review in (bad, good):
            article = buyer.locator(f"#review-{review.pk}")
            expect(article).to_be_visible()
            assert article.evaluate(_UNCOVERED), review.title
        expect(buyer.locator("#average-rating")).to_be_visible()
        flag = buyer.locator(f"#flag-{bad.pk} summary")
        expect(flag).to_be_visible()
        assert flag.evaluate(_UNCOVERED)
        flag.click()
        expect(buyer.locator(f"#flag-{bad.pk} fieldset")).to_be_visible()
        screenshot(buyer, f"themes/hostile-reviews-{width}")

        # The header: visible, and its links take clicks.
        brand = buyer.locator(".shomp-brand")
        expect(brand).to_be_visible()
        assert brand.evaluate(_UNCOVERED)
        brand.click()
        expect(buyer).to_have_url(re.compile(r"/$"))
        assert_no_page_errors(buyer)


LOGO_FIELD = re.compile(r"^(Upload a|Replace the) logo$")


def test_seller_sets_the_logo_on_customize_and_from_an_asset_and_the_preview_shows_it(make_page, live_url):
    shop = builders.store(name="Logo Lab", slug="logo-lab")
    for width, mobile in ((1280, False), (375, True)):
        seller = login(make_page(mobile=mobile), live_url, shop.owner.username, builders.PASSWORD)
        seller.goto("/dashboard/store/customize/")
        preview = seller.frame_locator("iframe.preview-frame")
        # A file that is not an image: the message next to the field, no logo.
        seller.get_by_label(LOGO_FIELD).set_input_files(upload("logo.png", b"<svg onload=alert(1)>", "image/png"))
        seller.get_by_role("button", name="Upload", exact=True).click()
        expect(seller.locator("#logo-error")).to_contain_text("not a JPEG, PNG, WebP or GIF")
        screenshot(seller, f"themes/logo-error-{width}")
        seller.get_by_label(LOGO_FIELD).set_input_files(
            upload("Mark.png", builders.png_bytes(size=(200, 200)), "image/png")
        )
        seller.get_by_role("button", name="Upload", exact=True).click()
        expect(seller.get_by_text("Logo saved")).to_be_visible()
        expect(preview.get_by_role("img", name="Logo Lab logo")).to_be_visible()
        screenshot(seller, f"themes/logo-customize-{width}")
        seller.get_by_role("button", name="Remove the logo").click()
        expect(seller.get_by_text("Logo removed.")).to_be_visible()
        expect(preview.get_by_role("img", name="Logo Lab logo")).to_have_count(0)

        seller.goto("/dashboard/store/assets/")
        if width == 1280:
            seller.get_by_label("Images", exact=True).set_input_files(
                upload("Round Mark.png", builders.png_bytes(size=(400, 400)), "image/png")
            )
            seller.get_by_role("button", name="Upload").click()
        seller.get_by_role("button", name="Use as logo (round-mark)").click()
        expect(seller.get_by_text("round-mark is now your store's logo.")).to_be_visible()
        expect(seller.locator("#current-logo")).to_be_visible()
        screenshot(seller, f"themes/logo-assets-{width}")
        seller.goto("/dashboard/store/customize/")
        expect(preview.get_by_role("img", name="Logo Lab logo")).to_be_visible()
        assert horizontal_overflow(seller) <= 0
        # The refused upload's answer is a 400 (the console logs it); nothing else went wrong.
        errors = [e for e in page_errors(seller) if "favicon" not in e and "/customize/logo/" not in e]
        assert errors == []
