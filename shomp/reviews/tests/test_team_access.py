"""The store side of reviews asks the permission door for "reviews": the Reviews page and
responding. Each role against each route; another store's review ids; a lowered member loses
access on the next request."""

import pytest
from django.urls import reverse

from shomp.catalog.tests.factories import ProductFactory
from shomp.organizations.models import Membership
from shomp.organizations.tests.factories import add_member
from shomp.reviews.models import ReviewResponse
from shomp.reviews.policies import review_refusal
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
    # The owner and full admins never review their own store.
    refusal = review_refusal(users[role], store=store)
    assert (getattr(refusal, "code", None) == "own_store") == (role in {"owner", "admin"})


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
