"""The shared page cache in a browser: a cached product page works like a rendered one (adding
to the cart passes CSRF, the badge follows), and a logged-in visitor never gets the page an
anonymous visitor left in the cache."""

import re

from . import builders
from .helpers import assert_no_page_errors, cart_badge, expect, login, wait_for_socket


def test_an_anonymous_visitor_adds_to_the_cart_from_a_cached_page(make_page):
    shop = builders.store(name="Fern & Kiln", slug="fern-kiln")
    mug = builders.product(shop, "Speckled Mug", price="32.00", stock=8)
    url = mug.get_absolute_url()

    primer = make_page()
    first = primer.goto(url)
    assert first.headers.get("x-cache") == "MISS"

    page = make_page()  # another visitor, no cookies yet
    response = page.goto(url)
    assert response.headers.get("x-cache") == "HIT"
    again = page.reload()
    assert again.headers.get("x-cache") == "HIT"  # opened twice, both from the cache
    expect(page.get_by_role("heading", name="Speckled Mug")).to_be_visible()
    assert any(cookie["name"] == "csrftoken" for cookie in page.context.cookies())

    page.get_by_label("Quantity").fill("2")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_role("status").filter(has_text="Added")).to_contain_text("Added “Speckled Mug” to your cart.")
    expect(cart_badge(page)).to_have_text("2")
    expect(cart_badge(page)).to_have_attribute("aria-label", "Cart, 2 items")

    # With a cart, the visitor's pages are their own (the badge is in them); others still share.
    own = page.goto(url)
    assert own.headers.get("x-cache") is None
    expect(cart_badge(page)).to_have_text("2")
    assert primer.goto(url).headers.get("x-cache") == "HIT"
    expect(cart_badge(primer)).to_have_text("0")
    assert_no_page_errors(page)


def test_a_logged_in_visitor_sees_their_own_header_on_a_page_an_anonymous_visitor_primed(make_page, live_url):
    shop = builders.store(name="Inkwell", slug="inkwell")
    mug = builders.product(shop, "Harbour Print", price="28.00")
    url = mug.get_absolute_url()
    anonymous = make_page()
    anonymous.goto(url)
    assert anonymous.reload().headers.get("x-cache") == "HIT"

    builders.user("wren")
    member = login(make_page(), live_url, "wren", builders.PASSWORD)
    response = member.goto(url)
    assert response.headers.get("x-cache") is None
    banner = member.get_by_role("banner")
    expect(banner.get_by_role("button", name="wren")).to_be_attached()
    expect(banner.get_by_role("button", name=re.compile("Notifications"))).to_be_attached()
    expect(banner.get_by_role("link", name="Log in")).to_have_count(0)
    wait_for_socket(member)  # the bell's live socket opens for them

    # And the anonymous visitor still gets the shared page, with no trace of wren.
    again = anonymous.goto(url)
    assert again.headers.get("x-cache") == "HIT"
    expect(anonymous.get_by_role("banner").get_by_role("link", name="Log in")).to_be_visible()
    assert "wren" not in anonymous.content()
    assert_no_page_errors(member)
