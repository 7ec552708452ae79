"""Follow buttons, the Following list, announcements and the dashboard pages, through HTTP."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog.tests.factories import ProductFactory
from shomp.follows.models import Follow, StoreAnnouncement
from shomp.notifications.models import Notification
from shomp.stores.tests.factories import StoreFactory

from .factories import AnnouncementFactory, FollowFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def fan(client):
    user = UserFactory(username="mugfan")
    client.force_login(user)
    return user


@pytest.fixture
def store():
    return StoreFactory(name="Fern & Kiln", slug="fern-and-kiln")


@pytest.fixture
def seller(client, store):
    client.force_login(store.owner)
    return store.owner


# The follow button -----------------------------------------------------------------------


def test_store_and_product_pages_load_the_button(client, store):
    product = ProductFactory(store=store)
    button_url = reverse("follows:button", args=[store.slug])
    for page in [store.get_absolute_url(), product.get_absolute_url()]:
        html = client.get(page).content.decode()
        assert f'hx-get="{button_url}"' in html


def test_the_button_for_visitors_asks_them_to_log_in(client, store):
    FollowFactory(store=store)
    html = client.get(reverse("follows:button", args=[store.slug]), **HTMX).content.decode()
    assert f'action="{reverse("follows:follow", args=[store.slug])}"' in html
    assert "(log in first)" in html
    assert '<span class="follower-count">1</span> follower<' in html


def test_a_visitors_follow_survives_the_login_and_follows_then(client, store):
    product = ProductFactory(store=store)
    response = client.post(reverse("follows:follow", args=[store.slug]), {"next": product.get_absolute_url()})
    assert response["Location"] == f"{reverse('account_login')}?next={reverse('follows:pending')}"
    assert not Follow.objects.exists()

    fan = UserFactory(username="latefan")
    client.force_login(fan)  # the session (and the remembered Follow) survives the login
    response = client.get(reverse("follows:pending"), follow=True)

    assert Follow.objects.filter(user=fan, store=store).exists()
    assert response.redirect_chain[-1][0] == product.get_absolute_url()
    assert "You follow Fern &amp; Kiln" in response.content.decode()
    # Once only: the remembered intent is used up.
    assert client.get(reverse("follows:pending"))["Location"] == reverse("follows:following")


def test_a_visitors_follow_with_htmx_redirects_to_log_in(client, store):
    response = client.post(reverse("follows:follow", args=[store.slug]), **HTMX)
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"{reverse('account_login')}?next={reverse('follows:pending')}"


def test_a_remembered_follow_of_a_store_already_followed_says_so(client, store):
    client.post(reverse("follows:follow", args=[store.slug]))
    fan = UserFactory()
    FollowFactory(user=fan, store=store)
    client.force_login(fan)
    response = client.get(reverse("follows:pending"), follow=True)
    assert Follow.objects.filter(user=fan).count() == 1
    assert "You already follow Fern &amp; Kiln." in response.content.decode()


def test_a_remembered_follow_of_ones_own_store_follows_nothing(client, store):
    client.post(reverse("follows:follow", args=[store.slug]))
    client.force_login(store.owner)
    client.get(reverse("follows:pending"))
    assert not Follow.objects.exists()


def test_the_pending_page_needs_a_login(client):
    response = client.get(reverse("follows:pending"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_button_comes_back_to_the_page_it_is_on(client, fan, store):
    product = ProductFactory(store=store)
    html = client.get(
        reverse("follows:button", args=[store.slug]),
        HTTP_HX_CURRENT_URL=f"http://testserver{product.get_absolute_url()}",
        **HTMX,
    ).content.decode()
    assert f'name="next" value="{product.get_absolute_url()}"' in html


def test_follow_with_htmx_updates_the_button_and_count(client, fan, store):
    response = client.post(reverse("follows:follow", args=[store.slug]), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-following="true"' in html and '<span class="follower-count">1</span>' in html
    assert reverse("follows:unfollow", args=[store.slug]) in html
    assert Follow.objects.filter(user=fan, store=store).exists()

    html = client.post(reverse("follows:unfollow", args=[store.slug]), **HTMX).content.decode()
    assert 'data-following="false"' in html and '<span class="follower-count">0</span>' in html
    assert not Follow.objects.exists()


def test_following_twice_says_so_and_changes_nothing(client, fan, store):
    client.post(reverse("follows:follow", args=[store.slug]), **HTMX)
    html = client.post(reverse("follows:follow", args=[store.slug]), **HTMX).content.decode()
    assert "You already follow Fern &amp; Kiln." in html and 'role="alert"' in html
    assert Follow.objects.count() == 1
    response = client.post(reverse("follows:follow", args=[store.slug]), follow=True)
    assert "You already follow Fern &amp; Kiln." in response.content.decode()
    assert Follow.objects.count() == 1


def test_unfollowing_a_store_not_followed_says_so(client, fan, store):
    FollowFactory(store=store)
    html = client.post(reverse("follows:unfollow", args=[store.slug]), **HTMX).content.decode()
    assert "You don&#x27;t follow Fern &amp; Kiln." in html
    assert Follow.objects.count() == 1


def test_a_nonexistent_store_is_a_404(client, fan):
    for name in ["follows:follow", "follows:unfollow"]:
        assert client.post(reverse(name, args=["no-such-store"])).status_code == 404
    assert client.get(reverse("follows:button", args=["no-such-store"])).status_code == 404
    assert not Follow.objects.exists()


def test_following_needs_a_post_and_a_login(client, store):
    response = client.post(reverse("follows:follow", args=[store.slug]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Follow.objects.exists()
    client.force_login(UserFactory())
    assert client.get(reverse("follows:follow", args=[store.slug])).status_code == 405


def test_without_js_following_redirects_back_with_a_message(client, fan, store):
    product = ProductFactory(store=store)
    response = client.post(reverse("follows:follow", args=[store.slug]), {"next": product.get_absolute_url()})
    assert response["Location"] == product.get_absolute_url()
    response = client.post(reverse("follows:unfollow", args=[store.slug]), {"next": "https://evil.example/"})
    assert response["Location"] == store.get_absolute_url()


def test_owners_see_their_count_not_a_button(client, seller, store):
    html = client.get(reverse("follows:button", args=[store.slug]), **HTMX).content.decode()
    assert "follow-button" not in html and "See your followers" in html


# Following -------------------------------------------------------------------------------


def test_the_following_list(client, fan):
    mine = FollowFactory(user=fan, store=StoreFactory(name="Kiln <b>"))
    FollowFactory(store=StoreFactory(name="Not mine"))
    html = client.get(reverse("follows:following")).content.decode()
    assert "Kiln &lt;b&gt;" in html and "Not mine" not in html
    assert reverse("follows:unfollow", args=[mine.store.slug]) in html
    response = client.post(
        reverse("follows:unfollow", args=[mine.store.slug]), {"next": reverse("follows:following")}, follow=True
    )
    html = response.content.decode()
    assert "You no longer follow Kiln &lt;b&gt;." in html
    assert "any stores yet" in html  # the empty state


# Announcements: the public page -----------------------------------------------------------


def test_an_announcement_page_is_public_and_escaped(client, store):
    announcement = AnnouncementFactory(store=store, title="<i>Sale</i>", body="Line one\n<script>x</script>")
    html = client.get(announcement.get_absolute_url()).content.decode()
    assert "&lt;i&gt;Sale&lt;/i&gt;" in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert client.get(reverse("follows:announcement", args=["6f1d1f4e-0000-4000-8000-000000000000"])).status_code == 404


# The dashboard ---------------------------------------------------------------------------


def test_followers_page_shows_usernames_and_dates_only(client, seller, store):
    follower = FollowFactory(store=store, user=UserFactory(username="quietfan", first_name="Secret", last_name="Name"))
    FollowFactory(user=UserFactory(username="elsewhere"))  # another store's follower
    html = client.get(reverse("follows:dashboard_followers")).content.decode()
    assert "quietfan" in html and "elsewhere" not in html
    assert follower.user.email not in html and "Secret" not in html and "@example.com" not in html
    assert 'id="follower-total">1<' in html
    assert 'id="followers-chart-data"' in html and "vendor/chartjs/chart.umd.min.js" in html
    assert "<script>" not in html.replace('<script type="application/json"', "")  # no inline scripts


def test_followers_page_empty_and_paginated(client, seller, store):
    assert "No followers yet" in client.get(reverse("follows:dashboard_followers")).content.decode()
    for _ in range(55):
        FollowFactory(store=store)
    html = client.get(reverse("follows:dashboard_followers"), {"page": 2}).content.decode()
    assert html.count('<td><i class="bi bi-person-circle') == 5 and "Page 2 of 2" in html


def test_dashboard_pages_are_for_the_active_stores_managers(client, store):
    FollowFactory(store=store, user=UserFactory(username="secretfan"))
    client.force_login(UserFactory())  # no store
    assert client.get(reverse("follows:dashboard_followers"))["Location"] == reverse("stores:create")
    other = StoreFactory()
    client.force_login(other.owner)
    html = client.get(reverse("follows:dashboard_followers")).content.decode()
    assert "secretfan" not in html
    session = client.session
    session["active_store_id"] = store.pk  # someone else's store in the switcher: ignored
    session.save()
    assert "secretfan" not in client.get(reverse("follows:dashboard_followers")).content.decode()


def test_compose_preview_and_send(client, seller, store, django_capture_on_commit_callbacks):
    fans = [FollowFactory(store=store).user for _ in range(2)]
    page = client.get(reverse("follows:dashboard_announcements")).content.decode()
    assert "Send to 2 followers" in page and "No announcements yet" in page
    data = {"kind": "sale", "title": "Spring <sale>", "body": "Half off.", "sale_ends_on": ""}

    html = client.post(reverse("follows:dashboard_announcements"), data | {"preview": "1"}, **HTMX).content.decode()
    assert html.lstrip().startswith('<section id="announcement-composer"')  # the fragment only
    assert "Sale at Fern &amp; Kiln: Spring &lt;sale&gt;" in html
    assert not StoreAnnouncement.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("follows:dashboard_announcements"), data | {"send": "1"})
    assert response.status_code == 302
    announcement = StoreAnnouncement.objects.get()
    assert announcement.store == store and announcement.author == seller
    assert set(Notification.objects.values_list("user_id", flat=True)) == {u.pk for u in fans}
    html = client.get(reverse("follows:dashboard_announcements")).content.decode()
    assert "Spring &lt;sale&gt;" in html
    assert "Received by <strong>2</strong>" in html and "Read by <strong>0</strong>" in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": ""}, "Give the announcement a title."),
        ({"body": "b" * 10_001}, "at most 10,000 characters (it has 10,001)"),
        ({"sale_ends_on": (date.today() - timedelta(days=1)).isoformat()}, "The sale end date is in the past"),
        ({"sale_ends_on": "not a date"}, "Enter a valid date."),
    ],
)
def test_bad_announcements_get_a_message_and_send_nothing(client, seller, store, data, message):
    FollowFactory(store=store)
    base = {"kind": "sale", "title": "Sale", "body": "Half off."}
    for button in ["preview", "send"]:
        response = client.post(reverse("follows:dashboard_announcements"), base | data | {button: "1"})
        assert response.status_code == 200
        assert message in response.content.decode()
    assert not StoreAnnouncement.objects.exists() and not Notification.objects.exists()


def test_a_sale_ending_today_is_fine(client, seller, store):
    today = timezone.localdate().isoformat()
    data = {"kind": "sale", "title": "Last day", "body": "", "sale_ends_on": today, "send": "1"}
    assert client.post(reverse("follows:dashboard_announcements"), data).status_code == 302
    assert StoreAnnouncement.objects.get().sale_ends_at.date().isoformat() == today


def test_announcements_list_only_the_active_stores(client, seller, store):
    AnnouncementFactory(store=store, title="Ours")
    AnnouncementFactory(title="Theirs")
    html = client.get(reverse("follows:dashboard_announcements")).content.decode()
    assert "Ours" in html and "Theirs" not in html


def test_the_side_nav_links_the_new_pages(client, seller):
    html = client.get(reverse("follows:dashboard_followers")).content.decode()
    assert reverse("follows:dashboard_announcements") in html
    assert 'aria-current="page"><i class="bi bi-people' in html
