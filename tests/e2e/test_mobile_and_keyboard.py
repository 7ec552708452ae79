"""A phone at 375 px and a keyboard without a mouse: buying must work for both."""

import re

from shomp.orders.models import Order

from . import builders
from .helpers import (
    MOBILE,
    assert_no_page_errors,
    cart_badge,
    cart_line,
    expect,
    fill_card,
    fill_login_form,
    fill_shipping,
    horizontal_overflow,
    screenshot,
)


def assert_fits_on_screen(locator) -> None:
    """Visible, scrolled to, and not cut off at either edge of the 375 px screen."""
    locator.scroll_into_view_if_needed()
    expect(locator).to_be_visible()
    expect(locator).to_be_in_viewport()
    box = locator.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= MOBILE["width"], box
    assert box["height"] >= 32, f"too small to tap: {box}"


def test_buy_on_a_phone(make_page, live_url):
    shop = builders.store(name="Glaze Lab", slug="glaze-lab", logo=True)
    teapot = builders.product(shop, "Celadon Teapot", price="64.00", stock=3, images=2)
    buyer = builders.user("phone_buyer")
    page = make_page(mobile=True)

    page.goto(teapot.get_absolute_url())
    add = page.get_by_role("button", name="Add to cart")
    assert_fits_on_screen(add)
    assert horizontal_overflow(page) == 0
    screenshot(page, "phone-1-product")
    add.click()
    expect(cart_badge(page)).to_have_text("1")  # on the product page still, the phone header's badge
    page.get_by_role("link", name="View cart").click()  # Add to cart keeps the buyer on the product

    expect(page.get_by_role("heading", name="Your cart")).to_be_visible()
    expect(cart_badge(page)).to_have_text("1")  # the phone header's own cart button
    expect(cart_line(page, "Celadon Teapot")).to_contain_text("$64.00")
    check_out = page.get_by_role("link", name="Check out")
    assert_fits_on_screen(check_out)
    assert horizontal_overflow(page) == 0
    screenshot(page, "phone-2-cart")
    check_out.click()

    fill_login_form(page, buyer.username, builders.PASSWORD)
    expect(page.get_by_role("heading", name="Checkout")).to_be_visible()
    fill_shipping(page)
    fill_card(page, "4242 4242 4242 4242")
    pay = page.get_by_role("button", name="Pay $64.00")
    assert_fits_on_screen(pay)
    assert horizontal_overflow(page) == 0
    screenshot(page, "phone-3-checkout")
    pay.click()

    expect(page.get_by_role("heading", name="Thank you for your order")).to_be_visible()
    expect(page.get_by_role("main").get_by_role("link", name=re.compile(r"Order [0-9A-F]{8}"))).to_have_count(1)
    screenshot(page, "phone-4-thanks")
    assert Order.objects.filter(buyer=buyer).count() == 1
    assert_no_page_errors(page)

    # The collapsed header menu opens and holds search and the account menu.
    page.get_by_role("button", name="Menu").click()
    search = page.get_by_role("banner").get_by_label("Search products")
    expect(search).to_be_visible()
    expect(page.get_by_role("banner").get_by_role("button", name="phone_buyer")).to_be_visible()
    search.fill("teapot")
    search.press("Enter")
    expect(page.get_by_role("main").get_by_role("link", name="Celadon Teapot")).to_be_visible()


def test_keyboard_only_skip_link_then_tab_to_add_to_cart(page, live_url):
    teapot = builders.product(builders.store(name="Glaze Lab"), "Celadon Teapot", images=2)
    page.goto(teapot.get_absolute_url())

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # visually hidden until focused, then shown
    assert skip.bounding_box()["width"] > 20

    add = page.get_by_role("button", name="Add to cart")
    presses = 0
    while presses < 40:
        presses += 1
        page.keyboard.press("Tab")
        if add.evaluate("button => button === document.activeElement"):
            break
    expect(add).to_be_focused()
    assert add.evaluate("b => getComputedStyle(b).outlineStyle !== 'none' || getComputedStyle(b).boxShadow !== 'none'")
    assert presses < 25, f"{presses} presses of Tab to reach Add to cart"
    page.keyboard.press("Enter")
    view_cart = page.get_by_role("link", name="View cart")  # the buyer stays; the next Tab is the cart link
    expect(view_cart).to_be_visible()
    view_cart.press("Enter")

    expect(page.get_by_role("heading", name="Your cart")).to_be_visible()
    expect(cart_line(page, "Celadon Teapot")).to_be_visible()
    expect(cart_badge(page)).to_have_text("1")

    # The skip link moves focus past the header, into the page's main content.
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()
    assert_no_page_errors(page)
