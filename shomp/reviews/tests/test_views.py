"""The review pages and forms, through the test client: what people see and every bad input."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog.tests.factories import ProductFactory
from shomp.reviews import services
from shomp.reviews.models import HelpfulVote, Review, ReviewFlag, ReviewResponse
from shomp.stores.tests.factories import StoreFactory

from . import media
from .factories import ReviewFactory, ReviewResponseFactory

# The store takes reviews from anyone logged in, so `stranger` writes (unverified) reviews here;
# who may review, in both modes, is test_who_may_review.py's subject.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("anyone_may_review")]


def write_url(product) -> str:
    return reverse("reviews:write", kwargs={"product_id": product.pk})


def product_reviews_url(product, ref=None) -> str:
    return reverse("reviews:product", kwargs={"store_slug": product.store.slug, "product_ref": ref or product.slug})


def post_review(client, product, **data):
    fields = {"rating": "4", "title": "Nice", "content": "Would buy again."} | data
    return client.post(write_url(product), fields)


def html(response) -> str:
    return response.content.decode()


# Writing ----------------------------------------------------------------------------------


def test_the_form_has_a_keyboard_usable_star_input(client, stranger, product):
    client.force_login(stranger)
    page = html(client.get(write_url(product)))
    radios = re.findall(r'<input type="radio" class="star-input-radio[^>]*>', page)
    assert len(radios) == 5
    assert all('name="rating"' in radio for radio in radios)
    for value, words in [(1, "1 star, Poor"), (5, "5 stars, Excellent")]:
        assert f'value="{value}"' in page and words in page
    assert "<legend" in page and "Your rating" in page
    assert 'enctype="multipart/form-data"' in page
    assert "<script>" not in page.split("</main>")[0].split("<main")[1]  # no inline scripts (CSP)


def test_a_buyer_writes_a_review_with_a_photo_and_sees_the_verified_badge(client, paid_buyer, product):
    client.force_login(paid_buyer)
    response = client.post(
        write_url(product),
        {"rating": "5", "title": "Perfect mug", "content": "Holds heat.", "photos": [media.photo()]},
        follow=True,
    )

    review = Review.objects.get()
    assert response.redirect_chain[-1][0] == review.get_absolute_url()
    page = html(response)
    assert "Thank you! Your review is published." in page
    assert "Verified purchase" in page and "Perfect mug" in page
    assert review.photos.count() == 1 and review.verified_purchase
    assert paid_buyer.email not in page and "Private Person" not in page


def test_a_tampered_verified_purchase_field_is_ignored(client, stranger, product):
    client.force_login(stranger)
    post_review(client, product, verified_purchase="on", store=StoreFactory().pk, user=UserFactory().pk)
    review = Review.objects.get()
    assert (review.verified_purchase, review.store_id, review.user_id) == (False, product.store_id, stranger.pk)


@pytest.mark.parametrize("rating", ["0", "6", "", "abc"])
def test_a_rating_of_0_or_6_gets_a_clear_message(client, stranger, product, rating):
    client.force_login(stranger)
    response = post_review(client, product, rating=rating)
    assert response.status_code == 200
    assert "Choose a rating from 1 to 5 stars." in html(response)
    assert not Review.objects.exists()


def test_an_over_long_title_gets_a_clear_message(client, stranger, product):
    client.force_login(stranger)
    response = post_review(client, product, title="x" * 121)
    assert "The title can be at most 120 characters." in html(response)
    assert not Review.objects.exists()


def test_a_seventh_photo_gets_a_clear_message(client, stranger, product):
    client.force_login(stranger)
    response = post_review(client, product, photos=[media.photo(f"p{n}.png") for n in range(7)])
    assert "at most 6 images" in html(response)
    assert not Review.objects.exists()


def test_a_video_that_is_really_html_gets_a_clear_message(client, stranger, product):
    client.force_login(stranger)
    fake = SimpleUploadedFile("clip.mp4", media.HTML_PRETENDING, content_type="video/mp4")
    response = post_review(client, product, video=fake)
    assert "This file is not an MP4 or WebM video." in html(response)
    assert not Review.objects.exists()


def test_a_51_mb_video_gets_a_clear_message(client, stranger, product):
    client.force_login(stranger)
    big = SimpleUploadedFile("big.mp4", media.clip() + b"\x00" * (51 * 1024 * 1024), content_type="video/mp4")
    response = post_review(client, product, video=big)
    assert "Videos can be at most 50 MB." in html(response)
    assert not Review.objects.exists()


def test_a_review_with_a_video_shows_it_with_its_poster(client, stranger, product, django_capture_on_commit_callbacks):
    client.force_login(stranger)
    with django_capture_on_commit_callbacks(execute=True):  # the worker's task runs on commit
        post_review(client, product, video=media.video())
    review = Review.objects.get()
    page = html(client.get(review.get_absolute_url()))
    assert f'<source src="{review.video.url}" type="video/mp4">' in page
    assert f'poster="{review.video_poster.url}"' in page


def test_a_second_review_of_the_same_product_gets_a_clear_message(client, stranger, product):
    client.force_login(stranger)
    post_review(client, product, rating="5")
    response = post_review(client, product, rating="1")
    assert "You have already reviewed this product." in html(response)
    assert list(Review.objects.values_list("rating", flat=True)) == [5]
    # Opening the form again leads to the review to edit.
    response = client.get(write_url(product))
    assert response.url == reverse("reviews:edit", kwargs={"review_id": Review.objects.get().pk})


def test_reviewing_ones_own_store_gets_a_clear_message(client, seller, store, product):
    client.force_login(seller)
    assert "You can't review your own store" in html(client.get(write_url(product)))
    response = post_review(client, product)
    assert "You can't review your own store or its products." in html(response)
    response = client.post(reverse("reviews:write_store", kwargs={"store_slug": store.slug}), {"rating": "5"})
    assert "You can't review your own store" in html(response)
    assert not Review.objects.exists()


def test_a_product_of_another_store_under_this_stores_address_is_a_404(client, product):
    other = ProductFactory()
    ReviewFactory(product=other)
    assert client.get(product_reviews_url(product, ref=str(other.pk))).status_code == 404
    assert client.get(product_reviews_url(other, ref=str(other.pk))).status_code == 200
    swapped = reverse("reviews:product", kwargs={"store_slug": product.store.slug, "product_ref": other.slug})
    assert client.get(swapped).status_code == 404


def test_a_store_review_is_written_from_the_store_reviews_page(client, stranger, store):
    client.force_login(stranger)
    button_url = reverse("reviews:write_store_button", kwargs={"store_slug": store.slug})
    page = html(client.get(reverse("reviews:store", kwargs={"store_slug": store.slug})))
    assert f'hx-get="{button_url}"' in page  # the visitor's button loads into the shared page
    assert "Review this store" in html(client.get(button_url))
    client.post(reverse("reviews:write_store", kwargs={"store_slug": store.slug}), {"rating": "3", "title": "Okay"})
    review = Review.objects.get()
    assert review.product is None and review.store == store
    page = html(client.get(reverse("reviews:store", kwargs={"store_slug": store.slug})))
    assert "Store review" in page
    assert "Edit your store review" in html(client.get(button_url))


# Editing and deleting ---------------------------------------------------------------------


def test_the_author_edits_and_deletes_their_review(client, stranger, product):
    client.force_login(stranger)
    post_review(client, product, rating="2", photos=[media.photo()])
    review = Review.objects.get()
    photo = review.photos.get()
    edit = reverse("reviews:edit", kwargs={"review_id": review.pk})
    assert "Remove photo 1" in html(client.get(edit))

    response = client.post(edit, {"rating": "4", "title": "Grew on me", "content": "", "remove_photos": [photo.pk]})
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.rating, review.title, review.photos.count()) == (4, "Grew on me", 0)

    response = client.post(reverse("reviews:delete", kwargs={"review_id": review.pk}))
    assert response.url == product.get_absolute_url()
    assert not Review.objects.exists()


def test_after_a_response_the_page_says_the_review_was_updated(client, stranger, seller, store, product):
    client.force_login(stranger)
    post_review(client, product, rating="2")
    review = Review.objects.get()
    services.respond_to_review(review=review, store=store, user=seller, content="So sorry, we'll fix it.")
    edit = reverse("reviews:edit", kwargs={"review_id": review.pk})
    assert "You can update it once more" in html(client.get(edit))

    client.post(edit, {"rating": "5", "title": "Fixed!"})
    page = html(client.get(review.get_absolute_url()))
    assert "Updated after the seller's response (from 2 to 5 stars)" in page
    assert "Response from Fern &amp; Kiln" in page and "So sorry, we&#x27;ll fix it." in page

    response = client.post(edit, {"rating": "1", "title": "Again"})
    assert "can't be changed again" in html(response)
    review.refresh_from_db()
    assert review.rating == 5


# Lists ------------------------------------------------------------------------------------


def make_reviews(product):
    users = [UserFactory(username=f"reviewer{n}") for n in range(5)]
    for user, rating in zip(users, [5, 5, 4, 2, 1], strict=True):
        services.create_review(user=user, product=product, rating=rating, title=f"{rating} stars from {user}")
    return Review.objects.order_by("pk")


def test_the_product_reviews_page_shows_average_histogram_and_filters(client, product):
    reviews = make_reviews(product)
    url = product_reviews_url(product)

    page = html(client.get(url))
    assert '<span class="display-6 fw-semibold">3.4</span>' in page
    assert "5 ratings" in page
    assert 'aria-label="5 stars: 2 reviews (40%)"' in page
    assert f'href="{url}?stars=5"' in page
    assert page.count('class="card review ') == 5

    page = html(client.get(url, {"stars": "5"}))
    assert page.count('class="card review ') == 2 and "Showing 5-star reviews" in page
    page = html(client.get(url, {"sort": "lowest"}))
    assert page.index("1 stars from reviewer4") < page.index("5 stars from reviewer0")
    services.vote_helpful(review=reviews[3], user=UserFactory())
    page = html(client.get(url, {"sort": "helpful"}))
    assert page.index("2 stars from reviewer3") < page.index("5 stars from reviewer0")
    page = html(client.get(url, {"verified": "1"}))
    assert "No reviews match" in page
    page = html(client.get(url, {"stars": "9", "sort": "nonsense", "page": "99"}))
    assert page.count('class="card review ') == 5


def test_htmx_sorting_returns_just_the_list(client, product):
    make_reviews(product)
    response = client.get(product_reviews_url(product), {"sort": "highest"}, headers={"HX-Request": "true"})
    page = html(response)
    assert page.lstrip().startswith('<div id="review-list"')
    assert "<html" not in page


def test_with_photos_first(client, product):
    make_reviews(product)
    services.create_review(user=UserFactory(), product=product, rating=3, title="Has a photo", photos=[])
    with_photo = Review.objects.get(title="5 stars from reviewer1")
    services.update_review(
        review=with_photo,
        rating=5,
        title=with_photo.title,
        add_photos=[__import__("shomp.core.uploads", fromlist=["x"]).process_image(media.photo())],
    )
    page = html(client.get(product_reviews_url(product), {"sort": "photos"}))
    assert page.index("5 stars from reviewer1") < page.index("Has a photo")


def test_hidden_and_removed_reviews_are_not_listed(client, product, staff):
    reviews = make_reviews(product)
    services.moderate_review(review=reviews[0], moderator=staff, decision="remove")
    for _ in range(3):
        services.flag_review(review=reviews[1], user=UserFactory(), reason="spam")
    page = html(client.get(product_reviews_url(product)))
    assert page.count('class="card review ') == 3
    assert "5 stars from reviewer0" not in page and "5 stars from reviewer1" not in page
    assert '<span class="display-6 fw-semibold">2.3</span>' in page


def test_reviewers_are_shown_by_username_only(client, product):
    user = UserFactory(username="quiet_fox", first_name="Secret", last_name="Name", email="fox@private.example")
    review = services.create_review(user=user, product=product, rating=4)
    for url in [
        product_reviews_url(product),
        review.get_absolute_url(),
        reverse("reviews:store", args=["fern-and-kiln"]),
    ]:
        page = html(client.get(url))
        assert "quiet_fox" in page
        assert "fox@private.example" not in page and "Secret" not in page


# Votes and flags ----------------------------------------------------------------------------


def test_helpful_vote_with_htmx_and_without(client, buyer, product):
    review = make_reviews(product)[0]
    client.force_login(buyer)
    url = reverse("reviews:helpful", kwargs={"review_id": review.pk})
    response = client.post(url, headers={"HX-Request": "true"})
    assert 'aria-pressed="true"' in html(response) and ">1</span>" in html(response)
    response = client.post(url, {"action": "remove", "next": product_reviews_url(product)})
    assert response.url == product_reviews_url(product)
    assert not HelpfulVote.objects.exists()


def test_voting_on_ones_own_review_gets_a_clear_message(client, product):
    review = make_reviews(product)[0]
    client.force_login(review.user)
    response = client.post(reverse("reviews:helpful", kwargs={"review_id": review.pk}), headers={"HX-Request": "true"})
    assert "You can&#x27;t vote on your own review." in html(response)
    assert not HelpfulVote.objects.exists()


def test_flagging_twice_gets_a_clear_message(client, buyer, product):
    review = make_reviews(product)[0]
    client.force_login(buyer)
    url = reverse("reviews:flag", kwargs={"review_id": review.pk})
    response = client.post(url, {"reason": "spam"}, headers={"HX-Request": "true"})
    assert "our moderators will look at it" in html(response)
    response = client.post(url, {"reason": "offensive"}, headers={"HX-Request": "true"})
    assert "You have already flagged this review." in html(response)
    response = client.post(url, {"reason": "offensive"}, follow=True)
    assert "You have already flagged this review." in html(response)
    assert ReviewFlag.objects.count() == 1


def test_a_flag_needs_a_known_reason(client, buyer, product):
    review = make_reviews(product)[0]
    client.force_login(buyer)
    response = client.post(reverse("reviews:flag", kwargs={"review_id": review.pk}), {"reason": "x"})
    assert response.status_code == 302
    assert not ReviewFlag.objects.exists()


# Dashboard ------------------------------------------------------------------------------


def test_the_dashboard_lists_filters_and_responds(client, seller, store, product):
    reviews = make_reviews(product)
    ReviewResponseFactory(review=reviews[0])
    for _ in range(2):
        services.flag_review(review=reviews[2], user=UserFactory(), reason="spam")
    client.force_login(seller)
    url = reverse("reviews:dashboard")

    page = html(client.get(url))
    assert page.count('class="card mb-3 dashboard-review"') == 5
    assert 'aria-current="page"><i class="bi bi-star' in page  # the side nav knows where we are
    assert page.count('class="card mb-3 dashboard-review"') == 5
    assert html(client.get(url, {"show": "unanswered"})).count('dashboard-review"') == 4
    assert html(client.get(url, {"show": "low"})).count('dashboard-review"') == 2
    flagged = html(client.get(url, {"show": "flagged"}))
    assert flagged.count('dashboard-review"') == 1 and "2 flags" in flagged

    respond = reverse("reviews:dashboard_respond", kwargs={"review_id": reviews[4].pk})
    response = client.post(respond, {"content": "We're sorry: a refund is on its way."}, headers={"HX-Request": "true"})
    assert "Your response is published." in html(response)
    assert "Your response, as Fern &amp; Kiln" in html(response)
    response = client.post(respond, {"content": "Edited: refund sent."}, headers={"HX-Request": "true"})
    assert ReviewResponse.objects.get(review=reviews[4]).content == "Edited: refund sent."
    response = client.post(respond, {"content": "  "}, headers={"HX-Request": "true"})
    assert "Write your response first." in html(response)
    response = client.post(respond, {"content": "No JS"})
    assert response.url == reverse("reviews:dashboard")


def test_responding_to_another_stores_review_is_a_404_and_changes_nothing(client, seller, product):
    other_review = ReviewFactory(product=ProductFactory())
    client.force_login(seller)
    response = client.post(
        reverse("reviews:dashboard_respond", kwargs={"review_id": other_review.pk}), {"content": "Hijack"}
    )
    assert response.status_code == 404
    assert not ReviewResponse.objects.exists()


def test_a_store_owner_can_not_edit_or_delete_a_customers_review(client, seller, product):
    review = make_reviews(product)[0]
    client.force_login(seller)
    assert client.get(reverse("reviews:edit", kwargs={"review_id": review.pk})).status_code == 404
    assert client.post(reverse("reviews:delete", kwargs={"review_id": review.pk})).status_code == 404
    assert Review.objects.filter(pk=review.pk).exists()


# Catalog pages ----------------------------------------------------------------------------


def test_stars_and_counts_on_cards_product_and_store_pages(client, product):
    make_reviews(product)
    unrated = ProductFactory(store=product.store, title="Plain plate")

    store_page = html(client.get(product.store.get_absolute_url()))
    assert 'aria-label="3.4 out of 5 stars"' in store_page
    assert '(5<span class="visually-hidden"> reviews</span>)' in store_page
    assert f'href="{reverse("reviews:store", args=[product.store.slug])}"' in store_page
    assert unrated.title in store_page

    product_page = html(client.get(product.get_absolute_url()))
    assert "Read all 5 reviews" in product_page
    assert f'href="{product_reviews_url(product)}"' in product_page
    button_url = reverse("reviews:write_button", kwargs={"product_id": product.pk})
    assert f'hx-get="{button_url}?compact=1"' in product_page
    assert "Write a review" in html(client.get(button_url, {"compact": "1"}))

    assert "No reviews yet" in html(client.get(unrated.get_absolute_url()))
    home = html(client.get("/"))
    assert 'aria-label="3.4 out of 5 stars"' in home


def test_reviews_of_a_product_no_longer_on_sale_stay_listed_without_a_dead_link(client, product):
    review = make_reviews(product)[0]
    product.status = "archived"
    product.save()
    page = html(client.get(reverse("reviews:store", kwargs={"store_slug": product.store.slug})))
    assert page.count('class="card review ') == 5
    assert f'href="{product.get_absolute_url()}"' not in page and "on Moss Mug" in page
    detail = html(client.get(review.get_absolute_url()))
    assert f'href="{product.get_absolute_url()}"' not in detail
    assert client.get(product_reviews_url(product)).status_code == 404


def test_a_custom_order_made_for_one_buyer_is_reviewed_through_the_store(client, store, buyer):
    custom = ProductFactory(store=store, reserved_for=buyer)
    client.force_login(buyer)
    assert client.get(write_url(custom)).status_code == 404
    assert client.post(write_url(custom), {"rating": "5"}).status_code == 404
    assert not Review.objects.exists()
