"""Reviews, clicked through: a verified buyer reviews with a photo (stars picked by keyboard), the
seller responds from the dashboard; a stranger may not review until the seller opens reviews to
anyone, and their review then has no badge and comes after the buyer's; three flags take a review
off the page and out of the average. Every page is screenshotted at 1280 and 375 px."""

import re

from django.conf import settings

from shomp.reviews import services
from shomp.reviews.models import Review

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
    wait_for_image,
)


def signed_in(make_page, live_url: str, user):
    """A page whose browser already holds `user`'s session (the login form is tested elsewhere)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    page = make_page()
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_url}])
    return page


def look(page, name: str) -> None:
    """Screenshot the page at desktop width and at 375 px (nothing may stick out), then go back."""
    screenshot(page, f"reviews-{name}-1280")
    page.set_viewport_size({"width": 375, "height": 812})
    assert horizontal_overflow(page) == 0, f"{name} is wider than a phone"
    screenshot(page, f"reviews-{name}-375")
    page.set_viewport_size({"width": 1280, "height": 800})


def test_a_buyer_reviews_with_a_photo_and_the_seller_responds(make_page, live_server_app, live_url):
    seller = builders.user("kiln_keeper")
    shop = builders.store(owner=seller, name="Fern & Kiln", slug="fern-and-kiln")
    mug = builders.product(shop, "Moss Glaze Mug", price="24.00")
    buyer = builders.user("mug_lover")
    builders.place_order(live_server_app, buyer=buyer, lines=[(mug, 1)])

    page = login(make_page(), live_url, buyer.username, builders.PASSWORD)
    page.goto(mug.get_absolute_url())
    expect(page.get_by_text("No reviews yet").first).to_be_visible()
    page.get_by_role("link", name="Write a review").click()
    expect(page.get_by_role("heading", name="Write a review")).to_be_visible()

    # The stars are a radio group: Space picks one, the arrow keys move along it.
    one = page.get_by_role("radio", name="1 star, Poor")
    one.focus()
    page.keyboard.press("Space")
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    expect(page.get_by_role("radio", name="4 stars, Very good")).to_be_checked()
    expect(page.locator(".star-input-words")).to_be_attached()
    page.get_by_label(label("Title")).fill("Keeps my tea hot")
    page.get_by_label(label("Your review")).fill("The glaze is even lovelier in person.")
    page.get_by_label(label("Photos")).set_input_files(upload("mug.png", builders.png_bytes(), "image/png"))
    look(page, "write-form")
    page.get_by_role("button", name="Publish review").click()

    expect(page.get_by_text("Thank you! Your review is published.")).to_be_visible()
    review = page.get_by_role("article").filter(has_text="Keeps my tea hot")
    expect(review.get_by_text("Verified purchase")).to_be_visible()
    expect(review.get_by_role("img", name="4 out of 5 stars")).to_be_visible()
    photo = review.get_by_role("img", name=re.compile(r"Photo 1 of 1 from mug_lover"))
    expect(photo).to_be_visible()
    wait_for_image(photo)
    assert buyer.email not in page.content()
    assert_no_page_errors(page)
    look(page, "review-page")

    page.goto(mug.get_absolute_url())
    expect(page.get_by_role("link", name="(1 review)")).to_be_visible()
    expect(page.get_by_role("link", name="Read the review")).to_be_visible()
    look(page, "product-page")
    page.goto(shop.get_absolute_url())
    expect(page.get_by_role("img", name="4 out of 5 stars").first).to_be_visible()
    look(page, "store-page")

    # The seller answers from the dashboard's Reviews page, without a reload.
    shop_page = login(make_page(), live_url, seller.username, builders.PASSWORD)
    shop_page.goto("/dashboard/")
    assert_no_page_errors(shop_page)
    shop_page.get_by_role("link", name="Reviews").first.click()
    assert_no_page_errors(shop_page)
    shop_page.get_by_role("link", name=re.compile("^Unanswered")).click()
    assert_no_page_errors(shop_page)
    card = shop_page.get_by_role("article").filter(has_text="Keeps my tea hot")
    expect(card.get_by_text("Verified purchase")).to_be_visible()
    look(shop_page, "dashboard")
    card.get_by_label("Respond publicly as Fern & Kiln").fill("Thank you! Each glaze is mixed by hand.")
    card.get_by_role("button", name="Publish response").click()
    card = shop_page.get_by_role("article").filter(has_text="Keeps my tea hot")
    expect(card.get_by_text("Your response is published.")).to_be_visible()
    expect(card.get_by_text("Your response, as Fern & Kiln")).to_be_visible()
    assert_no_page_errors(shop_page)

    # The buyer sees it signed by the store, never by a person.
    page.goto(Review.objects.get(user=buyer).get_absolute_url())
    response = page.locator(".review-response")
    expect(response).to_contain_text("Response from Fern & Kiln")
    expect(response).to_contain_text("Each glaze is mixed by hand.")
    expect(response).not_to_contain_text("kiln_keeper")
    assert_no_page_errors(page)
    look(page, "review-with-response")


def set_who_may_review(page, choice: str) -> None:
    """The seller's store settings: pick who may review, save."""
    page.goto("/dashboard/store/")
    page.get_by_label("Who may review").select_option(label=choice)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Store saved.")).to_be_visible()
    expect(page.get_by_label("Who may review")).to_have_value("anyone" if choice.startswith("Anyone") else "buyers")


def test_a_stranger_reviews_only_once_the_seller_opens_reviews_to_anyone(make_page, live_server_app, live_url):
    seller = builders.user("tide_keeper")
    shop = builders.store(owner=seller, name="Low Tide Audio", slug="low-tide")
    record = builders.product(shop, "Tidal Drift LP", price="30.00")
    buyer, stranger = builders.user("vinyl_fan"), builders.user("drive_by")
    builders.place_order(live_server_app, buyer=buyer, lines=[(record, 1)])
    services.create_review(user=buyer, product=record, rating=5, title="Warm and deep")

    # Buyers only, the default: the stranger is told why instead of being offered the form.
    page = signed_in(make_page, live_url, stranger)
    page.goto(record.get_absolute_url())
    expect(page.get_by_text("Only buyers of this product can review it.")).to_be_visible()
    expect(page.get_by_role("link", name="Write a review")).to_have_count(0)
    assert_no_page_errors(page)
    look(page, "buyers-only")
    # The form's address typed in: the same words, answered 403 (the one console error there).
    direct = signed_in(make_page, live_url, stranger)
    direct.goto(f"/reviews/write/{record.pk}/")
    expect(direct.get_by_text("Only buyers of this product can review it.")).to_be_visible()
    expect(direct.get_by_role("button", name="Publish review")).to_have_count(0)
    assert [error for error in page_errors(direct) if "favicon" not in error] == [
        f"Failed to load resource: the server responded with a status of 403 (Forbidden) "
        f"({live_url}/reviews/write/{record.pk}/)"
    ]
    look(direct, "refused-form")

    # The seller opens reviews to anyone logged in.
    shop_page = login(make_page(), live_url, seller.username, builders.PASSWORD)
    set_who_may_review(shop_page, "Anyone logged in")
    assert_no_page_errors(shop_page)

    page.goto(record.get_absolute_url())
    page.get_by_role("link", name="Write a review").click()
    page.get_by_role("button", name="Publish review").click()  # no stars yet
    rating_error = page.locator("#id_rating_error")
    expect(rating_error).to_have_text("Choose a rating from 1 to 5 stars.")
    page.get_by_title("2 stars, Fair").click()  # a mouse clicks the star (the radio's label)
    expect(rating_error).to_have_count(0)  # the error goes once a rating is chosen
    expect(page.get_by_role("radio", name="2 stars, Fair")).to_be_checked()
    page.get_by_label(label("Title")).fill("Never arrived for me")
    page.get_by_role("button", name="Publish review").click()
    expect(page.get_by_text("Thank you! Your review is published.")).to_be_visible()

    # Labelled, and listed after the buyer's older review.
    page.goto(f"/low-tide/products/{record.slug}/reviews/")
    theirs = page.get_by_role("article").filter(has_text="Never arrived for me")
    verified = page.get_by_role("article").filter(has_text="Warm and deep")
    expect(theirs.get_by_text("drive_by")).to_be_visible()
    expect(theirs.get_by_text("Verified purchase")).to_have_count(0)
    expect(theirs.get_by_text("Unverified", exact=True)).to_be_visible()
    expect(verified.get_by_text("Verified purchase")).to_be_visible()
    expect(page.get_by_role("article").first).to_contain_text("Warm and deep")
    # Beside the summary, the visitor's own button now offers editing their review.
    expect(page.locator(".review-write").get_by_role("link", name="Edit your review")).to_be_visible()
    expect(page.locator("#average-rating")).to_contain_text("3.5")

    # Verified only, then the histogram's 2-star bar.
    page.get_by_label("Verified purchases only").check()
    expect(page.get_by_role("article")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"verified=1"))
    page.goto(f"/low-tide/products/{record.slug}/reviews/")
    page.get_by_role("link", name=re.compile(r"^2 stars: 1 review")).click()
    expect(page.get_by_text("Showing 2-star reviews")).to_be_visible()
    expect(page.get_by_role("article")).to_have_count(1)
    assert_no_page_errors(page)
    look(page, "product-reviews")
    page.goto("/low-tide/reviews/")
    look(page, "store-reviews")

    # Back to buyers only: what was written stays, the next stranger is told why.
    set_who_may_review(shop_page, "Buyers only")
    late = signed_in(make_page, live_url, builders.user("late_comer"))
    late.goto(f"/low-tide/products/{record.slug}/reviews/")
    expect(late.get_by_role("article")).to_have_count(2)
    expect(late.get_by_text("Only buyers of this product can review it.")).to_be_visible()
    expect(late.get_by_role("link", name="Write a review")).to_have_count(0)
    late.goto("/low-tide/reviews/")
    expect(late.get_by_text("Only buyers from this store can review it.")).to_be_visible()
    expect(late.get_by_role("link", name="Review this store")).to_have_count(0)
    assert_no_page_errors(late)


def test_three_flags_take_a_review_off_the_page_and_out_of_the_average(make_page, live_url):
    shop = builders.store(name="Purl Theory", slug="purl-theory")
    shop.review_policy = shop.ReviewPolicy.ANYONE  # the troll never bought: this store takes anyone's review
    shop.save(update_fields=["review_policy"])
    pattern = builders.product(shop, "Harbour Sweater Pattern", digital=True)
    services.create_review(user=builders.user("happy_knitter"), product=pattern, rating=5, title="Clear charts")
    services.create_review(user=builders.user("troll"), product=pattern, rating=1, title="BUY MY PATTERNS INSTEAD")
    reviews_url = f"/purl-theory/products/{pattern.slug}/reviews/"

    for number in range(3):
        flagger = builders.user(f"flagger{number}")
        page = signed_in(make_page, live_url, flagger)
        page.goto(reviews_url)
        expect(page.locator("#average-rating")).to_contain_text("3")
        spam = page.get_by_role("article").filter(has_text="BUY MY PATTERNS INSTEAD")
        spam.get_by_text("Flag this review").click()
        spam.get_by_label("Spam or advertising").check()
        spam.get_by_role("button", name="Send to moderators").click()
        expected = "hidden until our moderators decide" if number == 2 else "our moderators will look at it"
        expect(spam.get_by_text(expected)).to_be_visible()
        assert_no_page_errors(page)

    visitor = make_page()
    visitor.goto(reviews_url)
    expect(visitor.get_by_role("article")).to_have_count(1)
    expect(visitor.get_by_text("BUY MY PATTERNS INSTEAD")).to_have_count(0)
    expect(visitor.locator("#average-rating")).to_contain_text("5")
    expect(visitor.locator("#rating-count")).to_have_text("1 rating")
    visitor.goto(pattern.get_absolute_url())
    expect(visitor.get_by_role("link", name="(1 review)")).to_be_visible()
    expect(visitor.get_by_role("img", name="5 out of 5 stars").first).to_be_visible()
    assert_no_page_errors(visitor)
