"""Products, clicked through in the seller dashboard, checked from a visitor's browser."""

import re

import pytest

from shomp.catalog.models import Product

from . import builders
from .helpers import accept_dialogs, assert_no_page_errors, cart_badge, expect, label, login, upload

NOT_FOUND = "We couldn't find that page"


def test_a_physical_product_from_draft_to_archive(make_page, live_url):
    shop = builders.store(name="Loom Room", slug="loom-room")
    seller = login(make_page(), live_url, shop.owner.username, builders.PASSWORD)
    accept_dialogs(seller)
    visitor = make_page()

    seller.goto("/dashboard/products/")
    expect(seller.get_by_text("No products yet")).to_be_visible()
    seller.get_by_role("link", name="New product").click()
    seller.get_by_label(label("Title")).fill("Indigo Wall Hanging")
    seller.get_by_label(label("Description")).fill("Hand-woven from merino wool, dyed with indigo.")
    seller.get_by_label(label("Price")).fill("85")
    seller.get_by_label(label("Kind")).select_option(label="Physical")
    seller.get_by_label(label("Stock")).fill("3")
    seller.get_by_label(label("Add images")).set_input_files(
        [
            upload("front.png", builders.png_bytes(color=(30, 64, 175)), "image/png"),
            upload("detail.png", builders.png_bytes(color=(234, 88, 12)), "image/png"),
        ]
    )
    seller.get_by_role("button", name="Save as draft").click()
    expect(seller.get_by_text("“Indigo Wall Hanging” saved as a draft.")).to_be_visible()
    expect(seller.get_by_text("Draft", exact=True)).to_be_visible()
    expect(seller.get_by_role("list", name="Images in order").get_by_role("listitem")).to_have_count(2)
    assert_no_page_errors(seller)

    product = Product.objects.get(store=shop)
    url = product.get_absolute_url()
    assert url == "/loom-room/products/indigo-wall-hanging/"
    visitor.goto(url)
    expect(visitor.get_by_role("heading", name=NOT_FOUND)).to_be_visible()

    seller.get_by_role("button", name="Publish").click()
    expect(seller.get_by_text("“Indigo Wall Hanging” is live.")).to_be_visible()
    visitor.goto(url)
    expect(visitor.get_by_role("heading", name="Indigo Wall Hanging")).to_be_visible()
    expect(visitor.get_by_text("$85.00")).to_be_visible()
    expect(visitor.get_by_text("Only 3 left")).to_be_visible()

    seller.get_by_label(label("Price")).fill("79.50")
    seller.get_by_role("button", name="Save", exact=True).click()
    expect(seller.get_by_text("Product saved.")).to_be_visible()
    visitor.reload()
    expect(visitor.get_by_text("$79.50")).to_be_visible()

    # Reorder: moving the second image up makes it the cover, in the dashboard and for buyers.
    images = seller.get_by_role("list", name="Images in order")
    second_src = images.get_by_role("img", name="Image 2").get_attribute("src")
    first_src = images.get_by_role("img", name="Image 1").get_attribute("src")
    seller.get_by_role("button", name="Move image 2 earlier").click()
    expect(images.get_by_role("img", name="Image 1")).to_have_attribute("src", second_src)
    expect(images.get_by_role("img", name="Image 2")).to_have_attribute("src", first_src)
    visitor.goto("/loom-room/")
    cover = visitor.get_by_role("article").get_by_role("img")
    expect(cover).to_have_attribute("src", second_src)

    seller.get_by_role("button", name="Unpublish").click()
    expect(seller.get_by_text("“Indigo Wall Hanging” is back to draft.")).to_be_visible()
    visitor.goto(url)
    expect(visitor.get_by_role("heading", name=NOT_FOUND)).to_be_visible()

    seller.get_by_role("button", name="Archive").click()
    expect(seller.get_by_text("“Indigo Wall Hanging” is archived.")).to_be_visible()
    expect(seller.get_by_text("Archived", exact=True)).to_be_visible()
    seller.get_by_role("link", name="Products").click()
    row = seller.get_by_role("row").filter(has_text="Indigo Wall Hanging")
    expect(row.get_by_text("Archived", exact=True)).to_be_visible()
    visitor.goto(url)
    expect(visitor.get_by_role("heading", name=NOT_FOUND)).to_be_visible()
    assert_no_page_errors(seller)


def test_a_digital_product_with_a_pdf_is_published(page, live_url):
    shop = builders.store(name="Pattern Press", slug="pattern-press")
    login(page, live_url, shop.owner.username, builders.PASSWORD)
    page.goto("/dashboard/products/new/")
    page.get_by_label(label("Title")).fill("Sock Knitting Pattern")
    page.get_by_label(label("Description")).fill("A beginner-friendly pattern, 12 pages.")
    page.get_by_label(label("Price")).fill("6.50")
    page.get_by_label(label("Kind")).select_option(label="Digital")
    page.get_by_label(label("File for buyers")).set_input_files(
        upload("sock-pattern.pdf", builders.pdf_bytes(), "application/pdf")
    )
    page.get_by_role("button", name="Save and publish").click()
    expect(page.get_by_text("“Sock Knitting Pattern” is live")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Current file: sock-pattern\.pdf"))).to_be_visible()

    product = Product.objects.get(store=shop)
    assert product.is_published and product.is_digital and product.stock is None
    with product.digital_file.open("rb") as stored:
        assert stored.read() == builders.pdf_bytes()
    page.get_by_role("link", name="View", exact=True).click()
    expect(page.get_by_text("Digital download")).to_be_visible()
    # The seller sees their live product as buyers do, but can't buy from their own store.
    expect(page.get_by_text("you can't buy from a store you sell for")).to_be_visible()
    expect(page.get_by_role("button", name="Add to cart")).to_have_count(0)


def test_a_negative_price_is_explained_next_to_the_price(page, live_url):
    shop = builders.store()
    login(page, live_url, shop.owner.username, builders.PASSWORD)
    page.goto("/dashboard/products/new/")
    page.get_by_label(label("Title")).fill("Bargain")
    page.get_by_label(label("Price")).fill("-5")
    page.get_by_label(label("Stock")).fill("1")
    page.get_by_role("button", name="Save and publish").click()
    price = page.get_by_label(label("Price"))
    expect(price).to_have_attribute("aria-invalid", "true")
    expect(price).to_have_accessible_description("The price can't be negative.")
    expect(price).to_have_value("-5")  # what was typed stays, to be corrected
    assert not Product.objects.filter(store=shop).exists()


def test_marketplace_search_finds_published_products_by_a_word_of_the_description(page, live_url):
    shop = builders.store(name="Seed Library", slug="seed-library")
    builders.product(shop, "Tomato Seeds", description="Heirloom oxheart tomatoes, saved every autumn.")
    builders.product(shop, "Bean Seeds", description="Heirloom runner beans, not yet for sale.", published=False)
    builders.product(shop, "Garden Trowel", description="Forged steel.")

    page.goto("/stores/")  # the header's search box (the home page has its own, in the hero)
    search = page.get_by_role("banner").get_by_label("Search products")
    search.fill("heirloom")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=heirloom"))
    results = page.get_by_role("region", name="Results")
    expect(results.get_by_role("link", name="Tomato Seeds")).to_be_visible()
    expect(results.get_by_role("link", name="Bean Seeds")).to_have_count(0)
    expect(results.get_by_role("link", name="Garden Trowel")).to_have_count(0)
    expect(page.get_by_role("heading", name="Results for “heirloom”")).to_be_visible()
    expect(page.locator("#result-count")).to_have_text("1 result")

    # The search page's own box searches as you type (HTMX), keeping the address in step.
    page.get_by_role("main").get_by_label("Search products").fill("forged")
    expect(results.get_by_role("link", name="Garden Trowel")).to_be_visible()
    expect(results.get_by_role("link", name="Tomato Seeds")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/search/\?q=forged"))
    assert_no_page_errors(page)


# Records the Add to cart button's place after every change of the page (a MutationObserver's
# callback runs before the next paint, so no frame is missed) from the moment the page is parsed.
_WATCH_BUY_BUTTON = """
document.addEventListener("DOMContentLoaded", () => {
  window.buyButtonPlaces = [];
  const note = () => {
    const button = document.querySelector("#product-buy-box button[type=submit]");
    if (!button) { return; }
    const box = button.getBoundingClientRect();
    const place = Math.round(box.left) + "," + Math.round(box.top + window.scrollY);
    if (window.buyButtonPlaces.at(-1) !== place) { window.buyButtonPlaces.push(place); }
  };
  note();
  new MutationObserver(note).observe(document.body, {subtree: true, childList: true, attributes: true});
});
"""


@pytest.mark.parametrize("mobile", [False, True], ids=["desktop", "phone"])
def test_the_buy_box_holds_still_while_the_page_loads_its_visitor_parts(make_page, live_url, mobile):
    """The follow button, heart and review button load after the page; swapping them in must not
    move Add to cart, even for a frame, or a click in that frame misses it (it did: htmx gave the
    follow button its placeholder's classes for a frame, and the buy box jumped 24 px)."""
    store = builders.store(name="Ink Parade", slug="ink-parade")
    fox = builders.product(store, "Fox Print", price="25.00", stock=10)
    page = make_page(mobile=mobile)
    page.add_init_script(_WATCH_BUY_BUTTON)
    page.goto(fox.get_absolute_url())
    page.get_by_role("button", name="Add to cart").click()  # at once, while the fragments load
    expect(page.get_by_text("Added “Fox Print” to your cart.")).to_be_visible()
    expect(cart_badge(page)).to_have_text("1")
    expect(page.locator(f"#follow-button-{store.pk}")).to_be_visible()  # every part loaded
    expect(page.locator(".wishlist-heart-slot")).to_have_count(0)
    places = page.evaluate("window.buyButtonPlaces")
    assert len(places) == 1, f"Add to cart moved while the page loaded: {places}"
    assert_no_page_errors(page)
