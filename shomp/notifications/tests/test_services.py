"""Creating, delivering, reading and emailing notifications."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from shomp.accounts.tests.factories import UserFactory
from shomp.notifications import services
from shomp.notifications.models import Notification, NotificationEvent, NotificationPreference, NotificationType
from shomp.notifications.types import SPECS, render_text, render_title

from .factories import NotificationFactory

pytestmark = pytest.mark.django_db

T = NotificationType


def reply(user, key="message:1", **kwargs):
    return services.create_notification(
        user=user,
        type=T.MESSAGE_REPLY,
        key=key,
        context={"sender": "inkwell", "subject": "Your print", "excerpt": "It ships on Monday."},
        data={"url": "/messages/1/"},
        **kwargs,
    )


# Types -----------------------------------------------------------------------------------


def test_every_type_has_a_title_and_text_template_and_defaults():
    context = {
        "store_name": "Fern & Kiln",
        "product_title": "Mug <b>",
        "price": "$12.00",
        "title": "Spring sale",
        "body": "All mugs 20% off.",
        "sender": "inkwell",
        "excerpt": "Thanks!",
    }
    for type in T.values:
        assert render_title(type, context), type
        assert render_text(type, context), type
    assert render_title(T.NEW_PRODUCT, context) == "Fern & Kiln launched Mug <b>"  # plain text, escaped on show
    defaults = {type: SPECS[type].email_default for type in T.values}
    assert defaults == {
        T.NEW_PRODUCT: False,
        T.STORE_ANNOUNCEMENT: False,
        T.SALE: False,
        T.MESSAGE_REPLY: True,
        T.REVIEW_RESPONSE: True,
        T.REVIEW_MODERATION: True,
        T.CONVERSATION_ASSIGNED: False,  # in the app: the assignee works in the dashboard
        T.PRICE_DROP: True,  # the saver asked to be told: worth an email
        T.BACK_IN_STOCK: True,
        T.SAVED_SALE: False,
        # What happens to the buyer's own order, and a seller's new order: worth an email.
        T.ORDER_SHIPPED: True,
        T.ORDER_DELIVERED: True,
        T.ORDER_CANCELLED: True,
        T.ORDER_REFUNDED: True,
        T.NEW_ORDER: True,
        T.NEW_REVIEW: False,
        T.NEW_CONVERSATION: False,  # the thread's own unread email covers it
        T.OUT_OF_STOCK: False,
    }
    assert all(SPECS[type].in_app_default for type in T.values)
    assert {type for type in T.values if SPECS[type].audience == "seller"} == {
        T.NEW_ORDER,
        T.NEW_REVIEW,
        T.NEW_CONVERSATION,
        T.OUT_OF_STOCK,
    }


# create_notification -------------------------------------------------------------------


def test_create_notification_renders_the_type_and_keeps_the_link(published, django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        notification = reply(user)
    assert notification.title == "inkwell replied in “Your print”"
    assert notification.content == "It ships on Monday."
    assert notification.data == {"url": "/messages/1/"}
    assert notification.in_app and notification.read_at is None
    assert [topic for topic, _ in published] == [f"user-notifications:{user.pk}"]
    assert 'id="notifications-badge"' in published[0][1] and "inkwell replied" in published[0][1]


def test_the_same_event_notifies_a_user_once(django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        first = reply(user)
        again = reply(user)
    assert again.pk == first.pk
    assert Notification.objects.filter(user=user).count() == 1
    assert len(mail.outbox) == 1  # message replies are emailed by default, once


def test_nothing_is_made_while_the_transaction_is_open(published, django_capture_on_commit_callbacks):
    user = UserFactory()  # outside: making a user has on-commit work of its own
    with django_capture_on_commit_callbacks() as callbacks:
        reply(user)
        assert published == [] and mail.outbox == []
    assert len(callbacks) == 2  # the bell push and the email task


def test_a_type_turned_off_makes_nothing():
    user = UserFactory()
    services.set_preferences(user=user, preferences={T.MESSAGE_REPLY: (False, False)})
    assert reply(user) is None
    assert not Notification.objects.exists()


def test_email_only_is_emailed_but_not_shown(django_capture_on_commit_callbacks):
    user = UserFactory()
    services.set_preferences(user=user, preferences={T.MESSAGE_REPLY: (False, True)})
    with django_capture_on_commit_callbacks(execute=True):
        notification = reply(user)
    assert notification.in_app is False
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    assert mail.outbox[0].subject == "inkwell replied in “Your print”"
    assert "/messages/1/?utm_source=shomp&utm_medium=notification" in mail.outbox[0].body
    assert "/notifications/preferences/" in mail.outbox[0].body
    assert "/notifications/preferences/?utm" not in mail.outbox[0].body  # only the notification's own link


def test_defaults_email_personal_types_only(django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.create_notification(
            user=user, type=T.NEW_PRODUCT, key="new-product:1", context={"store_name": "S", "product_title": "P"}
        )
    assert Notification.objects.filter(user=user).count() == 1
    assert mail.outbox == []


@pytest.mark.parametrize("url", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"])
def test_links_must_stay_on_this_site(url):
    with pytest.raises(ValidationError):
        services.create_notification(user=UserFactory(), type=T.SALE, key="k", title="t", data={"url": url})
    assert not Notification.objects.exists()


def test_unknown_types_and_empty_keys_are_refused():
    user = UserFactory()
    with pytest.raises(ValueError):
        services.create_notification(user=user, type="nope", key="k", title="t")
    with pytest.raises(ValidationError):
        services.create_notification(user=user, type=T.SALE, key="", title="t")
    with pytest.raises(ValidationError):
        services.set_preferences(user=user, preferences={"nope": (True, True)})


def test_emails_are_sent_once_even_if_the_task_runs_again():
    notification = NotificationFactory(type=T.MESSAGE_REPLY)
    assert services.send_notification_emails(notification_ids=[notification.pk]) == 1
    assert services.send_notification_emails(notification_ids=[notification.pk]) == 0
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_no_email_after_the_user_turned_email_off_or_left():
    turned_off = NotificationFactory(type=T.MESSAGE_REPLY)
    services.set_preferences(user=turned_off.user, preferences={T.MESSAGE_REPLY: (True, False)})
    gone = NotificationFactory(type=T.MESSAGE_REPLY, user=UserFactory(is_active=False))
    assert services.send_notification_emails(notification_ids=[turned_off.pk, gone.pk]) == 0
    assert mail.outbox == []


# Events for many users -----------------------------------------------------------------


def test_deliver_event_writes_each_user_once_and_counts(published, django_capture_on_commit_callbacks):
    users = UserFactory.create_batch(5)
    ids = [u.pk for u in users]
    services.set_preferences(user=users[0], preferences={T.SALE: (False, False)})  # opted out
    services.set_preferences(user=users[1], preferences={T.SALE: (True, True)})  # wants email too
    event = services.create_event(key="announcement:x", type=T.SALE)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.deliver_event(event=event, user_ids=ids[:3], title="Sale", data={"url": "/s/"}) == 2
        # A retry, overlapping the first batch: only the new users count.
        assert services.deliver_event(event=event, user_ids=ids, title="Sale", data={"url": "/s/"}) == 2
        assert services.deliver_event(event=event, user_ids=ids, title="Sale", data={"url": "/s/"}) == 0
    services.finish_event(event=event)
    event.refresh_from_db()
    assert event.recipient_count == 4 and event.delivered_at is not None
    rows = Notification.objects.filter(key="announcement:x")
    assert sorted(rows.values_list("user_id", flat=True)) == sorted(ids[1:])
    assert {n.event_id for n in rows} == {event.pk}
    assert sorted(topic for topic, _ in published) == sorted(f"user-notifications:{pk}" for pk in ids[1:])
    assert all('id="notifications-sync"' in html for _, html in published)  # each tab fetches its own bell
    assert [m.to for m in mail.outbox] == [[users[1].email]]


def test_create_event_is_idempotent():
    first = services.create_event(key="new-product:9", type=T.NEW_PRODUCT)
    assert services.create_event(key="new-product:9", type=T.NEW_PRODUCT) == first
    assert NotificationEvent.objects.count() == 1


def test_big_batches_are_refused():
    event = services.create_event(key="k", type=T.SALE)
    with pytest.raises(ValueError):
        services.deliver_event(event=event, user_ids=range(services.MAX_BATCH + 1), title="t")


# Reading -------------------------------------------------------------------------------


def test_mark_as_read_counts_once_for_the_event(published, django_capture_on_commit_callbacks):
    user = UserFactory()
    event = services.create_event(key="announcement:y", type=T.STORE_ANNOUNCEMENT)
    services.deliver_event(event=event, user_ids=[user.pk], title="Hello")
    notification = Notification.objects.get(user=user)
    with django_capture_on_commit_callbacks(execute=True):
        services.mark_as_read(user=user, notification=notification)
        services.mark_as_read(user=user, notification=notification)
    event.refresh_from_db()
    assert event.read_count == 1
    assert notification.read_at is not None
    assert published[-1][0] == f"user-notifications:{user.pk}"


def test_another_users_notification_cannot_be_marked():
    notification = NotificationFactory()
    with pytest.raises(ValidationError):
        services.mark_as_read(user=UserFactory(), notification=notification)
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_as_read_is_per_user_and_type_and_counts_events():
    user, other = UserFactory(), UserFactory()
    events = [services.create_event(key=f"e{n}", type=T.SALE) for n in range(2)]
    for event in events:
        services.deliver_event(event=event, user_ids=[user.pk, other.pk], title="t")
    NotificationFactory(user=user, type=T.NEW_PRODUCT)
    assert services.mark_all_as_read(user=user, type=T.SALE) == 2
    assert Notification.objects.filter(user=user, read_at__isnull=True).count() == 1
    assert services.mark_all_as_read(user=user) == 1
    assert services.mark_all_as_read(user=user) == 0
    assert not Notification.objects.filter(user=other, read_at__isnull=False).exists()
    assert [e.read_count for e in NotificationEvent.objects.order_by("key")] == [1, 1]


def test_preferences_are_saved_per_type():
    user = UserFactory()
    services.set_preferences(user=user, preferences={T.SALE: (False, True)})
    services.set_preferences(user=user, preferences={T.SALE: (True, True), T.NEW_PRODUCT: (True, False)})
    saved = {p.type: (p.in_app, p.email) for p in NotificationPreference.objects.filter(user=user)}
    assert saved == {T.SALE: (True, True), T.NEW_PRODUCT: (True, False)}


def test_long_titles_and_texts_are_cut_to_fit():
    notification = services.create_notification(
        user=UserFactory(), type=T.SALE, key="long", title="t" * 500, content="c" * 5000
    )
    assert len(notification.title) == 200 and notification.title.endswith("…")
    assert len(notification.content) == 1000


@pytest.mark.parametrize(
    ("url", "tagged"),
    [
        ("/fern/products/mug/", "/fern/products/mug/?utm_source=shomp&utm_medium=notification"),
        ("/fern/?page=2#top", "/fern/?page=2&utm_source=shomp&utm_medium=notification#top"),
        ("/x/?utm_source=evil&a=1", "/x/?a=1&utm_source=shomp&utm_medium=notification"),
    ],
)
def test_email_links_are_tagged_for_store_analytics(url, tagged):
    assert services.tag_email_link(url) == tagged
