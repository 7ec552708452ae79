"""The shared page cache serves logged-in visitors and visitors with a session too (issue 17):
the stored page is rendered as an anonymous visitor, and each visitor's own parts (the header's
menu and badges, flash messages, the socket, their actions on reviews) are filled in per request
or load after the page. Nothing of one visitor ever reaches another."""

from __future__ import annotations

import re
from decimal import Decimal
from urllib.parse import unquote

import pytest
from django.contrib.messages import constants as message_levels
from django.test import Client
from django.urls import reverse

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog.tests.factories import ProductFactory
from shomp.core import pagecache
from shomp.messaging import events as messaging_events
from shomp.notifications import events as notification_events
from shomp.orders.tests.factories import CartFactory, CartItemFactory
from shomp.organizations.models import Membership
from shomp.organizations.services import sync_store_teams
from shomp.reviews.services import create_review, flag_review, vote_helpful

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def account_menu(page) -> str:
    """The name on the header's account menu, or None for a visitor who is not logged in."""
    found = re.search(r'id="account-menu"><i class="bi bi-person-circle"[^>]*></i> ([^<]+)</a>', text(page))
    return found.group(1) if found else None


def cart_badge(page) -> str:
    return re.search(r'<span id="cart-badge" class="[^"]*">(\d+)</span>', text(page)).group(1)


def socket_topics(page) -> list[str]:
    found = re.search(r'ws-connect="([^"]+)"', text(page))
    return [unquote(t) for t in re.findall(r"topic=([^&]+)", found.group(1).replace("&amp;", "&"))] if found else []


def stored_page(url: str, *, scope: str = pagecache.STORE, slug: str = "") -> bytes:
    from django.test import RequestFactory

    entry = pagecache.stored_page(RequestFactory().get(url), scope=scope, store_slug=slug)
    assert entry is not None, "the page was not stored"
    return entry[2]


@pytest.fixture
def product():
    return ProductFactory(title="Blue bowl", price=Decimal("30.00"), stock=5)


@pytest.fixture
def mira():
    return UserFactory(username="mira")


@pytest.fixture
def otto():
    return UserFactory(username="kestrel")


# Logged-in visitors share the page, each with their own header ------------------------------------


def test_two_logged_in_visitors_in_turn_the_second_is_a_hit_and_sees_only_their_own_header(
    product, mira, otto, django_assert_max_num_queries
):
    CartItemFactory(cart=CartFactory(user=mira), product=product, quantity=2)
    CartItemFactory(cart=CartFactory(user=otto), product=product, quantity=3)
    url = product.get_absolute_url()

    first = logged_in(mira).get(url)
    assert first["X-Cache"] == "MISS"
    assert account_menu(first) == "mira" and cart_badge(first) == "2"
    assert socket_topics(first) == [notification_events.user_topic(mira.pk), messaging_events.user_topic(mira.pk)]

    otto_client = logged_in(otto)
    # A hit runs no view: the session, the user, whether they are on a team, their cart badge.
    with django_assert_max_num_queries(4):
        second = otto_client.get(url)
    assert second["X-Cache"] == "HIT" and "Blue bowl" in text(second)
    assert account_menu(second) == "kestrel" and cart_badge(second) == "3"
    assert socket_topics(second) == [notification_events.user_topic(otto.pk), messaging_events.user_topic(otto.pk)]
    assert "mira" not in text(second) and "Log in" not in text(second)
    assert 'id="notifications-sync"' in text(second)  # otto's bell loads after the page

    # Back to mira: still hers only.
    third = logged_in(mira).get(url)
    assert third["X-Cache"] == "HIT" and account_menu(third) == "mira" and "kestrel" not in text(third)


def test_the_stored_page_is_the_anonymous_page_whoever_rendered_it(product, mira):
    CartItemFactory(cart=CartFactory(user=mira), product=product, quantity=2)
    url = product.get_absolute_url()
    assert logged_in(mira).get(url)["X-Cache"] == "MISS"
    stored = stored_page(url, slug=product.store.slug).decode()
    assert "mira" not in stored and 'id="account-menu"' not in stored
    assert "Log in" in stored and "shomp-hole" not in stored
    assert notification_events.user_topic(mira.pk) not in stored
    # An anonymous visitor gets it as it is, with no trace of mira.
    anonymous = Client().get(url)
    assert anonymous["X-Cache"] == "HIT" and account_menu(anonymous) is None
    assert "mira" not in text(anonymous) and cart_badge(anonymous) == "0" and socket_topics(anonymous) == []


def test_every_public_page_is_shared_with_logged_in_visitors(product, mira, otto):
    for url in [
        "/",
        reverse("stores:list"),
        product.store.get_absolute_url(),
        product.get_absolute_url(),
        reverse("reviews:store", args=[product.store.slug]),
        reverse("reviews:product", args=[product.store.slug, product.slug]),
        reverse("catalog:search") + "?q=bowl",
        reverse("catalog:categories"),
    ]:
        assert logged_in(mira).get(url)["X-Cache"] == "MISS", url
        page = logged_in(otto).get(url)
        assert page["X-Cache"] == "HIT" and account_menu(page) == "kestrel" and "mira" not in text(page), url


def test_a_logged_in_visitor_posts_from_a_cached_page_with_their_own_csrf_token(product, mira, otto):
    url = product.get_absolute_url()
    logged_in(mira).get(url)
    client = logged_in(otto)
    client.handler.enforce_csrf_checks = True
    page = client.get(url)
    assert page["X-Cache"] == "HIT" and pagecache.CSRF_PLACEHOLDER not in text(page)
    token = re.search(r'"X-CSRFToken": "([A-Za-z0-9]+)"', text(page)).group(1)
    logout = r'action="/accounts/logout/">\s*<input type="hidden" name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"'
    logout_token = re.search(logout, text(page))
    assert logout_token is not None  # the header's log-out form has the token too
    added = client.post(
        reverse("orders:cart_add"), {"product": product.pk, "quantity": 1}, headers={"X-CSRFToken": token}
    )
    assert added.status_code in (200, 302)
    assert cart_badge(client.get(url)) == "1"


def test_a_staff_user_sees_the_admin_link_others_do_not(product, mira):
    url = product.get_absolute_url()
    staff = UserFactory(username="stella", is_staff=True)
    logged_in(mira).get(url)
    page = logged_in(staff).get(url)
    assert page["X-Cache"] == "HIT" and account_menu(page) == "stella"
    assert reverse("admin:index") in text(page)
    assert reverse("admin:index") not in text(logged_in(mira).get(url))


# Visitors with a session ------------------------------------------------------------------------


def test_a_visitor_with_a_cart_gets_the_shared_page_with_their_own_badge(product, mira):
    url = product.get_absolute_url()
    logged_in(mira).get(url)
    visitor = Client()
    added = visitor.post(reverse("orders:cart_add"), {"product": product.pk, "quantity": 2})
    assert added.status_code in (200, 302)
    page = visitor.get(url)
    assert page["X-Cache"] == "HIT"
    assert cart_badge(page) == "2" and account_menu(page) is None and "mira" not in text(page)
    # And the next anonymous visitor's badge is theirs (none).
    assert cart_badge(Client().get(url)) == "0"


def test_a_visitor_with_a_cart_first_leaves_no_badge_in_the_stored_page(product):
    url = product.get_absolute_url()
    visitor = Client()
    visitor.post(reverse("orders:cart_add"), {"product": product.pk, "quantity": 2})
    page = visitor.get(url)
    assert page["X-Cache"] == "MISS" and cart_badge(page) == "2"
    stored = stored_page(url, slug=product.store.slug).decode()
    assert re.search(r'<span id="cart-badge" class="[^"]*d-none">0</span>', stored)
    assert cart_badge(Client().get(url)) == "0"


def test_a_flash_message_of_a_logged_in_visitor_shows_once_and_only_to_them(product, mira, otto, rf):
    from django.contrib.messages.storage.cookie import CookieStorage, Message

    url = product.get_absolute_url()
    client = logged_in(mira)
    storage = CookieStorage(rf.get("/"))
    client.cookies["messages"] = storage._encode([Message(message_levels.SUCCESS, "Your review is updated.")])
    page = client.get(url)
    assert page["X-Cache"] == "MISS" and text(page).count("Your review is updated.") == 1
    assert "Your review is updated." not in stored_page(url, slug=product.store.slug).decode()
    assert "Your review is updated." not in text(client.get(url))
    assert "Your review is updated." not in text(logged_in(otto).get(url))


def test_a_message_left_in_the_session_shows_once_on_a_cached_page(product, mira):
    url = product.get_absolute_url()
    Client().get(url)  # stored
    client = logged_in(mira)
    # Following a store from its page with no JavaScript leaves a message for the next page.
    follow = client.post(reverse("follows:follow", args=[product.store.slug]), {"next": url})
    assert follow.status_code == 302
    page = client.get(url)
    assert text(page).count("You follow") == 1
    alert = r'<div class="alert alert-[a-z]+ alert-dismissible'
    assert len(re.findall(alert, text(page))) == 1
    again = client.get(url)
    assert again["X-Cache"] == "HIT" and not re.findall(alert, text(again))


# Who gets the page rendered for them --------------------------------------------------------------


def test_the_store_owner_gets_their_own_store_pages_rendered_with_the_management_bits(product, mira):
    owner = product.store.owner
    for url in (product.get_absolute_url(), product.store.get_absolute_url()):
        logged_in(mira).get(url)  # stored for everyone else
        page = logged_in(owner).get(url)
        assert "X-Cache" not in page, url
        assert account_menu(page) == owner.username
        assert "Edit " in text(page), url  # Edit product / Edit store
        assert "Edit product" not in text(logged_in(mira).get(url)) and "Edit store" not in text(
            logged_in(mira).get(url)
        )
    # Pages of many stores show no management bits: shared with them as with anyone.
    logged_in(mira).get("/")
    assert logged_in(owner).get("/")["X-Cache"] == "HIT"


def test_a_team_member_gets_the_store_pages_rendered(product, mira):
    member = UserFactory(username="maker")
    Membership.objects.create(organization=product.store.organization, user=member, role="manager")
    sync_store_teams(organization=product.store.organization)
    url = product.get_absolute_url()
    logged_in(mira).get(url)
    page = logged_in(member).get(url)
    assert "X-Cache" not in page and account_menu(page) == "maker"
    assert reverse("messaging:contact", args=[product.store.slug]) not in text(page)  # its team doesn't write to it
    assert reverse("messaging:contact", args=[product.store.slug]) in text(logged_in(mira).get(url))


def test_a_product_reserved_for_a_buyer_is_theirs_only_and_never_stored(mira, otto):
    product = ProductFactory(title="Custom vase", reserved_for=mira)
    url = product.get_absolute_url()
    page = logged_in(mira).get(url)
    assert page.status_code == 200 and "X-Cache" not in page and "Custom vase" in text(page)
    assert "A custom order made for you" in text(page)
    assert logged_in(otto).get(url).status_code == 404
    assert Client().get(url).status_code == 404
    assert logged_in(mira).get(url).status_code == 200


# Reviews: each visitor's actions load after the page --------------------------------------------------


@pytest.fixture
def reviewed(product, mira):
    product.store.review_policy = "anyone"
    product.store.save()
    review = create_review(user=mira, product=product, rating=4, title="Lovely glaze")
    return review


def actions(client: Client, page) -> str:
    """What the page's hole loads for this visitor (as htmx would: the page's URL as the current one)."""
    loader = re.search(r'class="review-actions-loader" hx-get="([^"]+)"', text(page))
    if loader is None:
        return ""
    response = client.get(
        loader.group(1).replace("&amp;", "&"), headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/"}
    )
    assert response.status_code == 200
    return text(response)


def test_the_reviewer_edits_their_review_through_the_fragment_others_cannot(reviewed, product, mira, otto):
    url = reverse("reviews:product", args=[product.store.slug, product.slug])
    otto_page = logged_in(otto).get(url)
    assert otto_page["X-Cache"] == "MISS"
    mira_client = logged_in(mira)
    page = mira_client.get(url)
    assert page["X-Cache"] == "HIT" and "Lovely glaze" in text(page)
    assert "Edit your review" not in text(page)  # not in the shared page...
    mine = actions(mira_client, page)
    assert "Edit your review" in mine and reverse("reviews:edit", args=[reviewed.pk]) in mine  # ...but in hers
    assert f'id="review-actions-{reviewed.pk}" hx-swap-oob="true"' in mine
    assert "Flag" not in mine  # not her own
    others = actions(logged_in(otto), otto_page)
    assert "Edit your review" not in others and "Flag" in others and "Helpful" in others
    # Anonymous visitors load nothing: their actions (log in to vote) are the page's own.
    anonymous = Client().get(url)
    assert "review-actions-loader" not in text(anonymous) and "Log in</a> to vote" in text(anonymous)


def test_vote_and_flag_state_come_from_the_fragment_per_visitor(reviewed, product, otto):
    vote_helpful(review=reviewed, user=otto)
    flag_review(review=reviewed, user=otto, reason="spam")
    url = reverse("reviews:store", args=[product.store.slug])
    other = UserFactory(username="pia")
    other_client = logged_in(other)
    assert other_client.get(url)["X-Cache"] == "MISS"
    otto_client = logged_in(otto)
    page = otto_client.get(url)
    assert page["X-Cache"] == "HIT"
    otto_actions = actions(otto_client, page)
    assert 'aria-pressed="true"' in otto_actions and "You flagged this review" in otto_actions
    pia_actions = actions(other_client, other_client.get(url))
    assert 'aria-pressed="false"' in pia_actions and "You flagged this review" not in pia_actions
    assert "1 found this helpful" in text(page)  # the count is everyone's


def test_the_actions_fragment_shows_only_published_reviews_and_nothing_to_anonymous(reviewed, product, otto):
    from shomp.reviews.models import Review

    hidden = create_review(user=otto, product=ProductFactory(store=product.store), rating=2, title="Meh")
    Review.objects.filter(pk=hidden.pk).update(status=Review.Status.HIDDEN)
    url = reverse("reviews:actions") + f"?ids={reviewed.pk},{hidden.pk},x,999999"
    response = logged_in(otto).get(url, headers={"HX-Request": "true"})
    assert f'id="review-actions-{reviewed.pk}"' in text(response)
    assert f'id="review-actions-{hidden.pk}"' not in text(response)
    assert Client().get(url).status_code == 204


def test_the_actions_fragment_costs_the_same_queries_for_one_review_or_many(product, otto, django_assert_num_queries):
    product.store.review_policy = "anyone"
    product.store.save()
    reviews = [
        create_review(user=UserFactory(), product=ProductFactory(store=product.store), rating=5, title=f"R{n}")
        for n in range(12)
    ]
    client = logged_in(otto)

    def count(ids) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            ids = ",".join(str(review.pk) for review in ids)
            client.get(reverse("reviews:actions") + "?ids=" + ids, headers={"HX-Request": "true"})
        return len(queries)

    assert count(reviews[:1]) == count(reviews)


def test_joining_a_team_gets_the_store_pages_rendered_from_the_next_request_and_leaving_it_stops(product, mira):
    from allauth.account.models import EmailAddress

    from shomp.organizations.services import accept_invitation, invite_member, remove_member

    organization = product.store.organization
    member = UserFactory(username="maker", email="maker@example.com")
    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    client = logged_in(member)
    url = product.get_absolute_url()
    logged_in(mira).get(url)
    assert client.get(url)["X-Cache"] == "HIT"  # on no team: the shared page
    invitation = invite_member(organization=organization, actor=organization.owner, email=member.email, role="manager")
    membership = accept_invitation(token=invitation.token, user=member)
    page = client.get(url)
    assert "X-Cache" not in page and "Edit product" in text(page)
    remove_member(membership=membership, actor=organization.owner)
    page = client.get(url)
    assert page["X-Cache"] == "HIT" and "Edit product" not in text(page)
