"""Query budgets: every review page costs the same number of queries with 1 review as with 200,
and the catalog pages keep their budgets while showing stars."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shomp.accounts.models import User
from shomp.accounts.tests.factories import UserFactory
from shomp.catalog.tests.factories import ProductFactory, ProductImageFactory
from shomp.orders.tests.factories import OrderItemFactory
from shomp.reviews import services
from shomp.reviews.models import HelpfulVote, Review, ReviewFlag, ReviewPhoto, ReviewResponse
from shomp.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db

# Anonymous: store (with its summary), [product (with its summary) and its images (the catalog's
# selector),] count, reviews (with user, product, response and the viewer's marks), their photos,
# the store's published design (themes: storefront pages carry the store's theme), and the running
# promotions on the product (catalog pricing: the header shows the price buyers pay now).
PRODUCT_REVIEWS = 8
STORE_REVIEWS = 5
REVIEW_PAGE = 3  # review (with user, store, product), review with its joins and the viewer's marks, photos
# Logged in, on top: session, user and the header's badges (cart, messages, notifications). The
# viewer's own review is not on these shared pages: the per-visitor button fragment reads it.
LOGGED_IN_EXTRA = 5
# Anonymous pages, on a miss of the shared page cache: the next promotion start or end, part of its key.
PAGE_CACHE_MISS = 1
# The button fragment, logged in: session, user, product (with its store) or store, their review,
# whether they manage the store, whether they bought it.
WRITE_BUTTON = 6
DASHBOARD = 10  # session, user, managed stores, counts, page count, page, photos, header badges


def fill(product, count: int):
    """`count` reviews of `product` by different users, every third with 2 photos, every other answered,
    some voted on and flagged; the summaries rebuilt as the services would keep them."""
    users = User.objects.bulk_create(
        [User(username=f"r{product.pk}-{n}", email=f"r{product.pk}-{n}@example.com") for n in range(count)]
    )
    reviews = Review.objects.bulk_create(
        [
            Review(
                store=product.store,
                product=product if n % 5 else None,  # every fifth reviews the store itself
                user=user,
                rating=1 + n % 5,
                title=f"Review {n}",
                content="Words " * 20,
                verified_purchase=bool(n % 2),
                has_media=n % 3 == 0,
                helpful_count=n % 4,
            )
            for n, user in enumerate(users)
        ]
    )
    ReviewPhoto.objects.bulk_create(
        ReviewPhoto(
            review=review,
            image=f"reviews/photos/{review.pk}-{i}.jpg",
            thumbnail=f"reviews/photos/thumbs/{review.pk}-{i}.jpg",
            width=640,
            height=480,
        )
        for review in reviews[::3]
        for i in range(2)
    )
    ReviewResponse.objects.bulk_create(
        ReviewResponse(review=review, store=product.store, content="Thank you!") for review in reviews[::2]
    )
    HelpfulVote.objects.bulk_create(HelpfulVote(review=review, user=users[0]) for review in reviews[1::4])
    ReviewFlag.objects.bulk_create(ReviewFlag(review=review, user=users[0], reason="spam") for review in reviews[1::7])
    services.calculate_ratings()
    return reviews


@pytest.fixture
def product():
    product = ProductFactory(store=StoreFactory(slug="shop"), slug="mug")
    ProductImageFactory(product=product)
    return product


@pytest.mark.parametrize("size", [1, 200])
def test_product_reviews(client, django_assert_max_num_queries, product, size):
    fill(product, size)
    for query in [{}, {"sort": "helpful"}, {"stars": "5", "verified": "1"}, {"page": "3"}]:
        with django_assert_max_num_queries(PRODUCT_REVIEWS + PAGE_CACHE_MISS):
            response = client.get("/shop/products/mug/reviews/", query)
        assert response.status_code == 200


@pytest.mark.parametrize("size", [1, 200])
def test_product_reviews_logged_in(client, django_assert_max_num_queries, product, size):
    reviews = fill(product, size)
    client.force_login(reviews[0].user)
    with django_assert_max_num_queries(PRODUCT_REVIEWS + LOGGED_IN_EXTRA):
        response = client.get("/shop/products/mug/reviews/", {"sort": "photos"})
    assert response.status_code == 200


@pytest.mark.parametrize("size", [1, 200])
def test_store_reviews(client, django_assert_max_num_queries, product, size):
    fill(product, size)
    with django_assert_max_num_queries(STORE_REVIEWS + PAGE_CACHE_MISS):
        response = client.get("/shop/reviews/")
    assert response.content.decode().count('class="card review ') == min(size, 10)
    with django_assert_max_num_queries(STORE_REVIEWS + PAGE_CACHE_MISS):
        client.get("/shop/reviews/", {"sort": "lowest", "page": "2"}, headers={"HX-Request": "true"})


@pytest.mark.parametrize("size", [1, 200])
def test_store_reviews_logged_in(client, django_assert_max_num_queries, product, size):
    reviews = fill(product, size)
    client.force_login(reviews[-1].user)
    with django_assert_max_num_queries(STORE_REVIEWS + LOGGED_IN_EXTRA):
        assert client.get("/shop/reviews/").status_code == 200


@pytest.mark.parametrize("size", [1, 200])
def test_write_buttons(client, django_assert_max_num_queries, product, size):
    fill(product, size)
    client.force_login(UserFactory())
    buttons = [reverse("reviews:write_button", args=[product.pk]), reverse("reviews:write_store_button", args=["shop"])]
    for url in buttons:
        with django_assert_max_num_queries(WRITE_BUTTON):
            assert "Only buyers" in client.get(url).content.decode()


@pytest.mark.parametrize("size", [1, 200])
def test_review_page(client, django_assert_max_num_queries, product, size):
    reviews = fill(product, size)
    with django_assert_max_num_queries(REVIEW_PAGE):
        assert client.get(reviews[-1].get_absolute_url()).status_code == 200
    client.force_login(reviews[0].user)
    with django_assert_max_num_queries(REVIEW_PAGE + LOGGED_IN_EXTRA):
        assert client.get(reviews[0].get_absolute_url()).status_code == 200


@pytest.mark.parametrize("size", [1, 200])
def test_dashboard_reviews(client, django_assert_max_num_queries, product, size):
    fill(product, size)
    client.force_login(product.store.owner)
    for query in [{}, {"show": "unanswered"}, {"show": "low"}, {"show": "flagged"}, {"page": "2"}]:
        with django_assert_max_num_queries(DASHBOARD):
            response = client.get(reverse("reviews:dashboard"), query)
        assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == size


def catalog_queries(client) -> dict[str, int]:
    counts = {}
    for url, query in [("/", {}), ("/shop/", {}), ("/shop/products/mug/", {}), ("/search/", {"q": "Rated"})]:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, query).status_code == 200
        counts[url] = len(captured)
    return counts


def test_catalog_pages_show_stars_without_a_query_more(client, settings):
    """Home, store page, product page and search read the summaries through their own selectors'
    joins: the same number of queries with no ratings, with one, and with 60 rated products."""
    settings.PAGE_CACHE_SECONDS = 0  # counts what rendering costs: no page from the shared cache
    store = StoreFactory(slug="shop")
    mug = ProductFactory(store=store, slug="mug", title="Rated mug")
    ProductImageFactory(product=mug)
    # Sold once, so the home page's "Popular" section is there from the start: ratings then only
    # reorder it (an item nobody bought or reviewed isn't popular; the section would appear).
    OrderItemFactory(order__store=store, product=mug)
    catalog_queries(client)  # warm what other apps cache on these pages
    before = catalog_queries(client)

    def rate(product, rating):
        Review.objects.create(store=store, product=product, user=UserFactory(), rating=rating)

    rate(mug, 4)
    services.calculate_ratings()
    assert catalog_queries(client) == before
    for n in range(60):
        product = ProductFactory(store=store, title=f"Rated {n}")
        ProductImageFactory(product=product)
        rate(product, 1 + n % 5)
    services.calculate_ratings()
    assert catalog_queries(client) == before

    home = client.get("/").content.decode()
    assert "out of 5 stars" in home
    assert 'aria-label="4 out of 5 stars"' in client.get("/shop/products/mug/").content.decode()
