"""Query budgets: the followers page, the Following list, the announcements page and the follow
button cost the same with 1 row as with 200."""

import pytest
from django.urls import reverse

from shomp.accounts.models import User
from shomp.follows.models import Follow
from shomp.stores.tests.factories import StoreFactory

from .factories import AnnouncementFactory

pytestmark = pytest.mark.django_db

# Session, user, managed stores (the switcher), then the page: count, rows, growth (two);
# plus the header's cart badge.
FOLLOWERS_BUDGET = 8
# Session, user, count, rows, cart.
FOLLOWING_BUDGET = 5
# Session, user, managed stores, count, rows with their counters, follower count, cart.
ANNOUNCEMENTS_BUDGET = 7
# Store, count, is-following (plus session, user and the cart context processor).
BUTTON_BUDGET = 6


def followers(store, count: int) -> None:
    users = User.objects.bulk_create(User(username=f"fan{n}", email=f"fan{n}@example.com") for n in range(count))
    Follow.objects.bulk_create(Follow(user=user, store=store) for user in users)


@pytest.mark.parametrize("count", [1, 200])
def test_followers_page(client, django_assert_max_num_queries, count):
    store = StoreFactory()
    followers(store, count)
    client.force_login(store.owner)
    with django_assert_max_num_queries(FOLLOWERS_BUDGET):
        response = client.get(reverse("follows:dashboard_followers"))
    assert response.content.decode().count("<td><i class=") == min(count, 50)


@pytest.mark.parametrize("count", [1, 200])
def test_following_page(client, django_assert_max_num_queries, count):
    stores = StoreFactory.create_batch(count)
    fan = StoreFactory().owner
    Follow.objects.bulk_create(Follow(user=fan, store=store) for store in stores)
    client.force_login(fan)
    with django_assert_max_num_queries(FOLLOWING_BUDGET):
        response = client.get(reverse("follows:following"))
    assert response.content.decode().count("Following since") == min(count, 24)


@pytest.mark.parametrize("count", [1, 200])
def test_announcements_page(client, django_assert_max_num_queries, count):
    store = StoreFactory()
    for _ in range(count):
        AnnouncementFactory(store=store)
    client.force_login(store.owner)
    with django_assert_max_num_queries(ANNOUNCEMENTS_BUDGET):
        response = client.get(reverse("follows:dashboard_announcements"))
    assert response.content.decode().count("Received by") == min(count, 20)


@pytest.mark.parametrize("count", [1, 200])
def test_follow_button(client, django_assert_max_num_queries, count):
    store = StoreFactory()
    followers(store, count)
    client.force_login(StoreFactory().owner)
    with django_assert_max_num_queries(BUTTON_BUDGET):
        html = client.get(reverse("follows:button", args=[store.slug]), HTTP_HX_REQUEST="true").content.decode()
    assert f'<span class="follower-count">{count}</span>' in html
