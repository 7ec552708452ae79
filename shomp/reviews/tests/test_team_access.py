"""The store side of reviews asks the permission door for "reviews": the Reviews page and
responding. Each role against each route; another store's review ids; a lowered member loses
access on the next request."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from shomp.catalog.tests.factories import ProductFactory
from shomp.organizations.models import Membership
from shomp.organizations.tests.factories import add_member
from shomp.reviews.models import HelpfulVote, ReviewResponse
from shomp.reviews.policies import review_refusal
from shomp.reviews.services import vote_helpful
from shomp.stores.tests.factories import StoreFactory

from .factories import ReviewFactory

pytestmark = pytest.mark.django_db

ROLES = ["owner", "admin", "manager", "support", "fulfilment", "analyst"]
REVIEWERS = {"owner", "admin", "manager", "support"}


def _world():
    store = StoreFactory()
    review = ReviewFactory(product=ProductFactory(store=store), title="Lovely glaze")
    users = {"owner": store.owner}
    for role in ROLES[1:]:
        users[role] = add_member(store, role=role).user
    return store, review, users


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_reviews_only_with_reviews(client, role):
    store, review, users = _world()
    client.force_login(users[role])
    page = client.get(reverse("reviews:dashboard"))
    respond = client.post(reverse("reviews:dashboard_respond", args=[review.pk]), {"content": "Thanks!"})
    if role in REVIEWERS:
        assert page.status_code == 200 and "Lovely glaze" in page.content.decode()
        assert ReviewResponse.objects.filter(review=review).exists()
    else:  # no store where they may do reviews: sent to the team page, nothing written
        assert page.status_code == 302 and respond.status_code == 302
        assert not ReviewResponse.objects.filter(review=review).exists()
    # Nobody on the store's team reviews it or votes on its reviews, whatever their areas.
    refusal = review_refusal(users[role], store=store)
    assert getattr(refusal, "code", None) == "own_store"
    with pytest.raises(ValidationError) as raised:
        vote_helpful(review=review, user=users[role])
    assert raised.value.code == "own_store"
    assert HelpfulVote.objects.filter(review=review).count() == 0


def test_a_member_limited_to_another_store_may_review_and_vote_as_a_customer():
    store = StoreFactory()
    other = StoreFactory(owner=store.owner, organization=store.organization, review_policy="anyone")
    review = ReviewFactory(product=ProductFactory(store=other))
    member = add_member(store, role="manager", stores=[store]).user
    assert review_refusal(member, store=other) is None
    vote_helpful(review=review, user=member)
    assert HelpfulVote.objects.filter(review=review, user=member).exists()


@pytest.mark.parametrize("role", ["manager", "fulfilment"])
def test_the_team_sees_no_helpful_button_on_its_store_reviews(client, role):
    store, review, users = _world()
    client.force_login(users[role])
    page = client.get(reverse("reviews:product", args=[store.slug, review.product.slug]))
    assert page.status_code == 200 and "Lovely glaze" in page.content.decode()
    assert reverse("reviews:helpful", args=[review.pk]) not in page.content.decode()


def test_member_limited_to_store_a_cannot_use_store_b_ids(client):
    store_a = StoreFactory()
    store_b = StoreFactory(owner=store_a.owner, organization=store_a.organization)
    review_b = ReviewFactory(product=ProductFactory(store=store_b))
    member = add_member(store_a, role="support", stores=[store_a]).user
    client.force_login(member)
    response = client.post(reverse("reviews:dashboard_respond", args=[review_b.pk]), {"content": "Hi"})
    assert response.status_code == 404
    assert not ReviewResponse.objects.filter(review=review_b).exists()


def test_lowering_a_role_takes_effect_on_the_next_request(client):
    _store, _review, users = _world()
    member = users["support"]
    client.force_login(member)
    url = reverse("reviews:dashboard")
    assert client.get(url).status_code == 200
    Membership.objects.filter(user=member).update(role="analyst")
    assert client.get(url).status_code == 302
