"""Who may open what, for every reviews route: a visitor, a stranger, the author, the seller, another
store's owner and staff. What someone may not see is a 404 that shows nothing; writes change nothing."""

from dataclasses import dataclass

import pytest
from django.urls import reverse

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog.models import Product
from shomp.catalog.tests.factories import ProductFactory
from shomp.reviews.models import HelpfulVote, Review, ReviewFlag, ReviewResponse
from shomp.stores.tests.factories import StoreFactory

from .factories import ReviewFactory

pytestmark = pytest.mark.django_db

ACTORS = ["visitor", "stranger", "author", "seller", "other_seller", "staff"]
LOGIN = "/accounts/login/"


@dataclass
class World:
    users: dict
    product: Product
    draft: Product
    published: Review
    hidden: Review
    removed: Review


@pytest.fixture
def world() -> World:
    seller, other_seller, author = UserFactory(), UserFactory(), UserFactory()
    store = StoreFactory(owner=seller, slug="shop")
    StoreFactory(owner=other_seller, slug="other-shop")
    product = ProductFactory(store=store, slug="mug")
    draft = ProductFactory(store=store, status=Product.Status.DRAFT)
    published = ReviewFactory(product=product, user=author, title="Published one")
    hidden = ReviewFactory(product=ProductFactory(store=store), user=author, status=Review.Status.HIDDEN)
    removed = ReviewFactory(product=ProductFactory(store=store), user=author, status=Review.Status.REMOVED)
    users = {
        "visitor": None,
        "stranger": UserFactory(),
        "author": author,
        "seller": seller,
        "other_seller": other_seller,
        "staff": UserFactory(is_staff=True),
    }
    return World(users, product, draft, published, hidden, removed)


def as_(client, world: World, actor: str):
    if world.users[actor] is not None:
        client.force_login(world.users[actor])
    return client


def outcome(response) -> str:
    if response.status_code in (301, 302):
        return "login" if response.url.startswith(LOGIN) else "redirect"
    return str(response.status_code)


@pytest.mark.parametrize("actor", ACTORS)
def test_public_lists_are_public(client, world, actor):
    as_(client, world, actor)
    for url in ["/shop/reviews/", "/shop/products/mug/reviews/", f"/shop/products/{world.product.pk}/reviews/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Published one" in response.content.decode()


@pytest.mark.parametrize("actor", ACTORS)
def test_lists_of_unknown_or_hidden_things_are_404(client, world, actor):
    as_(client, world, actor)
    assert client.get("/nope/reviews/").status_code == 404
    assert client.get("/shop/products/nope/reviews/").status_code == 404
    draft = client.get(f"/shop/products/{world.draft.pk}/reviews/").status_code
    assert draft == (200 if actor == "seller" else 404)


REVIEW_PAGE = {
    # review: actors who see it (everyone else gets a 404)
    "published": set(ACTORS),
    "hidden": {"author", "seller", "staff"},
    "removed": {"author", "staff"},
}


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("which", ["published", "hidden", "removed"])
def test_one_review_page(client, world, actor, which):
    review = getattr(world, which)
    response = as_(client, world, actor).get(review.get_absolute_url())
    assert response.status_code == (200 if actor in REVIEW_PAGE[which] else 404)


# The store takes reviews from buyers only (the default) and nobody here has bought: the form
# page says why (403) to everyone but the author of a review, who is sent to edit it.
WRITE = {
    "visitor": "login",
    "stranger": "403",
    "author": "redirect",
    "seller": "403",
    "other_seller": "403",
    "staff": "403",
}


@pytest.mark.parametrize("actor", ACTORS)
def test_write_pages(client, world, actor):
    as_(client, world, actor)
    assert outcome(client.get(reverse("reviews:write", args=[world.product.pk]))) == WRITE[actor]
    assert outcome(client.get(reverse("reviews:write_store", args=["shop"]))) == (
        "login" if actor == "visitor" else "403"
    )
    assert outcome(client.get(reverse("reviews:write", args=[world.draft.pk]))) == (
        "login" if actor == "visitor" else "404"
    )
    assert outcome(client.get(reverse("reviews:write", args=[999999]))) == ("login" if actor == "visitor" else "404")


@pytest.mark.parametrize("actor", ACTORS)
def test_the_review_buttons_are_for_everyone_but_only_for_what_may_be_reviewed(client, world, actor):
    as_(client, world, actor)
    assert client.get(reverse("reviews:write_button", args=[world.product.pk])).status_code == 200
    assert client.get(reverse("reviews:write_store_button", args=["shop"])).status_code == 200
    assert client.get(reverse("reviews:write_button", args=[world.draft.pk])).status_code == 404
    assert client.get(reverse("reviews:write_button", args=[999999])).status_code == 404
    assert client.get(reverse("reviews:write_store_button", args=["nope"])).status_code == 404
    assert client.post(reverse("reviews:write_button", args=[world.product.pk])).status_code == 405


@pytest.mark.parametrize("actor", ACTORS)
def test_only_the_author_edits_or_deletes(client, world, actor):
    as_(client, world, actor)
    review = world.published
    expected = {"visitor": "login", "author": "redirect"}.get(actor, "404")
    page = client.get(reverse("reviews:edit", args=[review.pk]))
    assert outcome(page) == ("200" if actor == "author" else expected)
    edit = client.post(reverse("reviews:edit", args=[review.pk]), {"rating": "1", "title": "Changed"})
    assert outcome(edit) == expected
    assert Review.objects.get(pk=review.pk).title == ("Changed" if actor == "author" else "Published one")
    delete = client.post(reverse("reviews:delete", args=[review.pk]))
    assert outcome(delete) == expected
    assert Review.objects.filter(pk=review.pk).exists() == (actor != "author")


@pytest.mark.parametrize("actor", ACTORS)
def test_votes_and_flags_need_a_login_and_a_visible_review(client, world, actor):
    as_(client, world, actor)
    for name in ("reviews:helpful", "reviews:flag"):
        response = client.post(reverse(name, args=[world.removed.pk]), {"reason": "spam"})
        assert outcome(response) == (
            "login" if actor == "visitor" else "redirect" if actor in {"author", "staff"} else "404"
        )
        response = client.post(reverse(name, args=[world.published.pk]), {"reason": "spam"})
        assert outcome(response) == ("login" if actor == "visitor" else "redirect")
    voted = HelpfulVote.objects.filter(review=world.published).exists()
    flagged = ReviewFlag.objects.filter(review=world.published).exists()
    assert voted == (actor in {"stranger", "other_seller", "staff"})  # not the author, not the store
    assert flagged == (actor not in {"visitor", "author"})
    assert not HelpfulVote.objects.filter(review=world.removed).exists()
    assert not ReviewFlag.objects.filter(review=world.removed).exists()


DASHBOARD = {
    "visitor": "login",
    "stranger": "redirect",
    "author": "redirect",
    "seller": "200",
    "other_seller": "200",
    "staff": "redirect",
}


@pytest.mark.parametrize("actor", ACTORS)
def test_the_dashboard_shows_only_the_active_stores_reviews(client, world, actor):
    as_(client, world, actor)
    response = client.get(reverse("reviews:dashboard"))
    assert outcome(response) == DASHBOARD[actor]
    if actor == "other_seller":
        assert "Published one" not in response.content.decode()
    if actor == "seller":
        assert "Published one" in response.content.decode()


RESPOND = {
    "visitor": "login",
    "stranger": "redirect",
    "author": "redirect",
    "seller": "redirect",
    "other_seller": "404",
    "staff": "redirect",
}


@pytest.mark.parametrize("actor", ACTORS)
def test_only_the_reviews_store_responds(client, world, actor):
    as_(client, world, actor)
    url = reverse("reviews:dashboard_respond", args=[world.published.pk])
    response = client.post(url, {"content": "Thanks!"})
    assert outcome(response) == RESPOND[actor]  # without a store: sent to open one
    assert ReviewResponse.objects.filter(review=world.published).exists() == (actor == "seller")
    removed = client.post(reverse("reviews:dashboard_respond", args=[world.removed.pk]), {"content": "Hi"})
    if actor in {"seller", "other_seller"}:
        assert removed.status_code == 404
    assert not ReviewResponse.objects.filter(review=world.removed).exists()
