"""The notification centre, the bell, opening and marking, and preferences, through HTTP."""

import pytest
from django.urls import reverse
from django.utils import timezone

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog.models import Product
from shomp.catalog.tests.factories import ProductFactory
from shomp.notifications import services
from shomp.notifications.models import Notification, NotificationPreference, NotificationType
from shomp.notifications.policies import access_notification
from shomp.notifications.types import SPECS

from .factories import NotificationFactory

pytestmark = pytest.mark.django_db
T = NotificationType
BUYER_TYPES = [type for type in T.values if SPECS[type].audience == "buyer"]
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def user():
    return UserFactory(username="reader")


@pytest.fixture
def logged_in(client, user):
    client.force_login(user)
    return client


def product_notification(user, product):
    return NotificationFactory(
        user=user,
        type=T.NEW_PRODUCT,
        title=f"{product.store.name} launched {product.title}",
        data={"url": product.get_absolute_url(), "product_id": product.pk},
    )


# Access ----------------------------------------------------------------------------------


def test_pages_need_a_login(client):
    for name in ["notifications:centre", "notifications:bell", "notifications:preferences"]:
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_another_users_notification_is_a_404_everywhere(logged_in, user):
    theirs = NotificationFactory()
    assert logged_in.get(theirs.get_absolute_url()).status_code == 404
    assert logged_in.post(reverse("notifications:read", args=[theirs.pk])).status_code == 404
    assert logged_in.post(reverse("notifications:read", args=[theirs.pk]), **HTMX).status_code == 404
    assert logged_in.get(reverse("notifications:open", args=[999999])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    with pytest.raises(Exception) as caught:
        access_notification(user=user, notification_id=theirs.pk)
    assert caught.type.__name__ == "Http404"


def test_mark_all_only_touches_your_own(logged_in, user):
    mine, theirs = NotificationFactory(user=user), NotificationFactory()
    logged_in.post(reverse("notifications:read_all"))
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None


# The centre ------------------------------------------------------------------------------


def test_centre_lists_filters_and_escapes(logged_in, user):
    NotificationFactory(user=user, type=T.SALE, title="<script>alert(1)</script> Sale")
    NotificationFactory(user=user, type=T.NEW_PRODUCT, title="New mug", read_at=timezone.now())
    NotificationFactory(user=user, in_app=False, title="Email only")
    NotificationFactory(title="Someone else's")
    html = logged_in.get(reverse("notifications:centre")).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Sale" in html and "<script>alert(1)" not in html
    assert "New mug" in html
    assert "Email only" not in html and "Someone else" not in html
    assert "1 unread" in html

    html = logged_in.get(reverse("notifications:centre"), {"type": T.NEW_PRODUCT}).content.decode()
    assert "New mug" in html and "alert(1)" not in html
    html = logged_in.get(reverse("notifications:centre"), {"unread": "on"}).content.decode()
    assert "New mug" not in html and "alert(1)" in html
    html = logged_in.get(reverse("notifications:centre"), {"type": "bogus"}).content.decode()
    assert "New mug" in html  # an unknown filter shows everything rather than failing


def test_centre_empty_states(logged_in):
    assert "No notifications yet" in logged_in.get(reverse("notifications:centre")).content.decode()
    html = logged_in.get(reverse("notifications:centre"), {"unread": "on"}).content.decode()
    assert "Nothing matches these filters" in html


def test_centre_paginates(logged_in, user):
    NotificationFactory.create_batch(25, user=user)
    first = logged_in.get(reverse("notifications:centre")).content.decode()
    assert first.count('class="list-group-item') == 20 and "Page 1 of 2" in first
    second = logged_in.get(reverse("notifications:centre"), {"page": 2}).content.decode()
    assert second.count('class="list-group-item') == 5
    assert logged_in.get(reverse("notifications:centre"), {"page": "x"}).status_code == 200


def test_opening_marks_read_and_goes_to_the_target(logged_in, user):
    product = ProductFactory()
    notification = product_notification(user, product)
    response = logged_in.get(notification.get_absolute_url())
    assert response.status_code == 302 and response["Location"] == product.get_absolute_url()
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_a_product_that_moved_is_still_found(logged_in, user):
    product = ProductFactory()
    notification = product_notification(user, product)
    product.store.slug = "new-address"
    product.store.save()
    response = logged_in.get(notification.get_absolute_url())
    assert response["Location"] == "/new-address/products/" + product.slug + "/"


@pytest.mark.parametrize("gone", ["deleted", "unpublished"])
def test_a_gone_product_still_renders_as_no_longer_available(logged_in, user, gone):
    product = ProductFactory(title="Blue mug")
    notification = product_notification(user, product)
    if gone == "deleted":
        product.delete()
    else:
        Product.objects.filter(pk=product.pk).update(status=Product.Status.DRAFT)
    html = logged_in.get(reverse("notifications:centre")).content.decode()
    assert "launched Blue mug" in html and "No longer available" in html
    bell = logged_in.get(reverse("notifications:bell")).content.decode()
    assert "no longer available" in bell
    response = logged_in.get(notification.get_absolute_url(), follow=True)
    assert response.redirect_chain[-1][0] == reverse("notifications:centre")
    assert "no longer available" in response.content.decode()
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_mark_one_read_with_htmx_returns_the_row_and_the_bell(logged_in, user):
    notification = NotificationFactory(user=user, title="Hello there")
    NotificationFactory(user=user)
    response = logged_in.post(reverse("notifications:read", args=[notification.pk]), **HTMX)
    html = response.content.decode()
    assert f'id="notification-{notification.pk}"' in html and "Mark read" not in html.split("notifications-badge")[0]
    assert 'id="notifications-badge" hx-swap-oob="true"' in html
    assert ">1<" in html  # one left unread
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_mark_one_read_without_js_redirects_back(logged_in, user):
    notification = NotificationFactory(user=user)
    response = logged_in.post(
        reverse("notifications:read", args=[notification.pk]), {"next": "/notifications/?type=sale"}
    )
    assert response["Location"] == "/notifications/?type=sale"
    response = logged_in.post(reverse("notifications:read", args=[notification.pk]), {"next": "https://evil.example/"})
    assert response["Location"] == "/notifications/"


def test_mark_all_read(logged_in, user):
    NotificationFactory.create_batch(3, user=user)
    response = logged_in.post(reverse("notifications:read_all"), follow=True)
    assert "Marked 3 notifications as read" in response.content.decode()
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()
    response = logged_in.post(reverse("notifications:read_all"), **HTMX)
    assert 'id="notifications-badge"' in response.content.decode()
    assert logged_in.get(reverse("notifications:read_all")).status_code == 405


# The bell --------------------------------------------------------------------------------


def test_bell_shows_the_unread_count_and_the_latest_ten(logged_in, user):
    for n in range(12):
        NotificationFactory(user=user, title=f"Number {n}")
    NotificationFactory(user=user, title="Old and read", read_at=timezone.now())
    html = logged_in.get(reverse("notifications:bell")).content.decode()
    assert html.count('class="dropdown-item notification-item') == 10
    assert "12<span" in html  # the count, read ones excluded
    assert "Mark all as read" in html


def test_bell_caps_the_badge(logged_in, user):
    NotificationFactory.create_batch(100, user=user)
    assert "99+" in logged_in.get(reverse("notifications:bell")).content.decode()


def test_every_page_of_a_logged_in_user_follows_their_topic(logged_in, user, client):
    html = logged_in.get("/").content.decode()
    assert f"user-notifications%3A{user.pk}" in html
    assert 'id="notifications-sync"' in html and 'id="notifications-link"' in html
    client.logout()
    html = client.get("/").content.decode()
    assert "user-notifications" not in html and "notifications-sync" not in html


# Preferences -----------------------------------------------------------------------------


def test_preferences_show_defaults_and_save(logged_in, user):
    html = logged_in.get(reverse("notifications:preferences")).content.decode()
    assert html.count('type="checkbox"') == 2 * len(BUYER_TYPES)  # a buyer: no seller types
    assert 'for="id_message_reply-email"' in html  # every checkbox has a label
    assert 'name="message_reply-email" id="id_message_reply-email" checked' in html
    assert 'name="sale-email" id="id_sale-email">' in html

    data = {f"{t}-in_app": "on" for t in BUYER_TYPES} | {"sale-email": "on"}
    data.pop("new_product-in_app")
    response = logged_in.post(reverse("notifications:preferences"), data, follow=True)
    assert "Notification settings saved" in response.content.decode()
    saved = {p.type: (p.in_app, p.email) for p in NotificationPreference.objects.filter(user=user)}
    assert saved[T.NEW_PRODUCT] == (False, False)
    assert saved[T.SALE] == (True, True)
    assert saved[T.MESSAGE_REPLY] == (True, False)  # unticked: email off


def test_turning_everything_off_works_with_an_empty_form(logged_in, user):
    logged_in.post(reverse("notifications:preferences"), {})
    assert NotificationPreference.objects.filter(user=user, in_app=False, email=False).count() == len(BUYER_TYPES)
    assert services.create_notification(user=user, type=T.SALE, key="k", title="t") is None


def test_account_menu_links_to_the_settings(logged_in):
    html = logged_in.get("/").content.decode()
    assert reverse("notifications:preferences") in html
    assert reverse("follows:following") in html


def test_a_fresh_notification_reads_just_now_not_zero_minutes_ago(client):
    user = UserFactory()
    NotificationFactory(user=user)
    client.force_login(user)

    page = client.get(reverse("notifications:centre")).content.decode()

    assert "just now" in page
    assert "0\xa0minutes ago" not in page and "0 minutes ago" not in page


def test_the_centres_type_filter_lists_store_team_types_only_to_a_store_team(client):
    from shomp.stores.tests.factories import StoreFactory

    buyer, seller = UserFactory(), StoreFactory().owner
    client.force_login(buyer)
    html = client.get(reverse("notifications:centre")).content.decode()
    assert f'value="{NotificationType.SALE}"' in html and f'value="{NotificationType.NEW_ORDER}"' not in html
    client.force_login(seller)
    html = client.get(reverse("notifications:centre")).content.decode()
    assert f'value="{NotificationType.NEW_ORDER}"' in html
