"""The shared page cache in a browser: a cached product page works like a rendered one (adding
to the cart passes CSRF, the badge follows); visitors with a cart and logged-in visitors get the
same cached page with their own header, and a logged-in buyer reviews, votes and flags from
cached pages through the per-visitor fragments, while nobody else sees any of it."""

import re

from shomp.reviews import services as review_services

from . import builders
from .helpers import account_menu, assert_no_page_errors, cart_badge, expect, label, login, wait_for_socket


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

    # With a cart, the visitor still gets the shared page, with their own badge; others' stay empty.
    own = page.goto(url)
    assert own.headers.get("x-cache") == "HIT"
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
    assert response.headers.get("x-cache") == "HIT"  # the page the anonymous visitor left
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


def test_a_logged_in_buyer_reviews_votes_and_flags_from_cached_pages(make_page, live_url):
    shop = builders.store(name="Salt & Loom", slug="salt-loom")
    shop.review_policy = shop.ReviewPolicy.ANYONE
    shop.save(update_fields=["review_policy"])
    throw = builders.product(shop, "Dune Throw", price="80.00")
    review_services.create_review(user=builders.user("early_bird"), product=throw, rating=5, title="So soft")
    reviews_url = f"/salt-loom/products/{throw.slug}/reviews/"
    # Another logged-in visitor leaves both pages in the cache.
    primer = login(make_page(), live_url, builders.user("primer").username, builders.PASSWORD)
    for url in (throw.get_absolute_url(), reviews_url):
        primer.goto(url)
        assert primer.reload().headers.get("x-cache") == "HIT"

    buyer = builders.user("heron")
    page = login(make_page(), live_url, buyer.username, builders.PASSWORD)
    opened = page.goto(throw.get_absolute_url())
    assert opened.headers.get("x-cache") == "HIT"
    expect(account_menu(page, "heron")).to_be_attached()
    assert "primer" not in page.content()

    # Writing: the review slot (a fragment) offers it to heron.
    page.get_by_role("link", name="Write a review").click()
    page.get_by_title("4 stars, Very good").click()
    page.get_by_label(label("Title")).fill("Warm on cold nights")
    page.get_by_role("button", name="Publish review").click()
    expect(page.get_by_text("Thank you! Your review is published.")).to_have_count(1)

    # The reviews page (shared: the review made it miss, then the primer's visit filled it):
    # heron's own review offers editing, the other one a vote and a flag, all loaded for heron.
    primer.goto(reviews_url)
    assert page.goto(reviews_url).headers.get("x-cache") == "HIT"
    expect(page.get_by_text("Thank you! Your review is published.")).to_have_count(0)  # shown once
    mine = page.get_by_role("article").filter(has_text="Warm on cold nights")
    theirs = page.get_by_role("article").filter(has_text="So soft")
    expect(mine.get_by_role("link", name="Edit your review")).to_be_visible()
    expect(mine.get_by_text("Flag this review")).to_have_count(0)
    expect(theirs.get_by_role("link", name="Edit your review")).to_have_count(0)
    helpful = theirs.get_by_role("button", name=re.compile("Helpful"))
    expect(helpful).to_have_attribute("aria-pressed", "false")
    helpful.click()
    expect(theirs.get_by_role("button", name=re.compile("Helpful"))).to_have_attribute("aria-pressed", "true")
    theirs.get_by_text("Flag this review").click()
    theirs.get_by_label("Spam or advertising").check()
    theirs.get_by_role("button", name="Send to moderators").click()
    expect(theirs.get_by_text("our moderators will look at it")).to_be_visible()
    assert_no_page_errors(page)

    # Reloaded from the cache, heron's vote and flag are still theirs...
    assert page.reload().headers.get("x-cache") in ("HIT", "MISS")
    theirs = page.get_by_role("article").filter(has_text="So soft")
    expect(theirs.get_by_role("button", name=re.compile("Helpful"))).to_have_attribute("aria-pressed", "true")
    expect(theirs.get_by_text("You flagged this review")).to_be_visible()
    # ...and nobody else's: the primer may vote, flag, and edits nothing.
    primer.goto(reviews_url)
    theirs = primer.get_by_role("article").filter(has_text="So soft")
    expect(theirs.get_by_role("button", name=re.compile("Helpful"))).to_have_attribute("aria-pressed", "false")
    expect(theirs.get_by_text("Flag this review")).to_be_visible()
    expect(primer.get_by_role("link", name="Edit your review")).to_have_count(0)
    assert "heron" not in primer.locator("header").inner_text()
    # An anonymous visitor is asked to log in to vote.
    visitor = make_page()
    visitor.goto(reviews_url)
    expect(visitor.get_by_text("to vote").first).to_be_visible()
    expect(visitor.get_by_role("link", name="Edit your review")).to_have_count(0)
    assert_no_page_errors(primer)
