"""Following, the fan-outs (new products, announcements) and their idempotency."""

import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.tasks import default_task_backend
from django.utils import timezone

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog import services as catalog
from shomp.catalog.models import Product
from shomp.follows import selectors, services
from shomp.follows.models import Follow, StoreAnnouncement
from shomp.notifications import services as notifications
from shomp.notifications.models import Notification, NotificationEvent, NotificationType
from shomp.stores.tests.factories import StoreFactory

from .factories import FollowFactory

pytestmark = pytest.mark.django_db


def new_product(store, title="Blue mug") -> Product:
    return catalog.create_product(store=store, title=title, price=Decimal("12.50"), kind="physical", stock=3)


def publish(product, callbacks) -> Product:
    with callbacks(execute=True):
        return catalog.publish_product(product=product)


# Following -------------------------------------------------------------------------------


def test_follow_and_unfollow():
    user, store = UserFactory(), StoreFactory()
    follow = services.follow_store(user=user, store=store)
    assert follow.user == user and follow.store == store and follow.created_at
    assert selectors.is_following(user=user, store=store)
    assert selectors.follower_count(store=store) == 1
    services.unfollow_store(user=user, store=store)
    assert not Follow.objects.exists()


def test_following_twice_is_refused_and_changes_nothing():
    user, store = UserFactory(), StoreFactory(name="Fern & Kiln")
    services.follow_store(user=user, store=store)
    with pytest.raises(ValidationError, match="You already follow Fern & Kiln"):
        services.follow_store(user=user, store=store)
    assert Follow.objects.count() == 1


def test_unfollowing_a_store_not_followed_is_refused():
    store = StoreFactory(name="Fern & Kiln")
    FollowFactory(store=store)
    with pytest.raises(ValidationError, match="You don't follow Fern & Kiln"):
        services.unfollow_store(user=UserFactory(), store=store)
    assert Follow.objects.count() == 1


def test_you_cannot_follow_your_own_store():
    store = StoreFactory()
    with pytest.raises(ValidationError, match="your own store"):
        services.follow_store(user=store.owner, store=store)
    assert not Follow.objects.exists()


# New products ----------------------------------------------------------------------------


def test_publishing_notifies_the_followers_once_per_product(django_capture_on_commit_callbacks, published):
    store = StoreFactory(name="Fern & Kiln")
    fans = [FollowFactory(store=store).user for _ in range(3)]
    FollowFactory()  # follows another store
    product = new_product(store)
    with django_capture_on_commit_callbacks() as callbacks:
        catalog.publish_product(product=product)
        assert not Notification.objects.exists()  # nothing before commit
    with django_capture_on_commit_callbacks(execute=True):  # the fan-out's own on-commit pushes too
        for callback in callbacks:
            callback()

    notes = Notification.objects.filter(key=f"new-product:{product.pk}")
    assert sorted(n.user_id for n in notes) == sorted(u.pk for u in fans)
    note = notes.first()
    assert note.type == NotificationType.NEW_PRODUCT
    assert note.title == "Fern & Kiln launched Blue mug"
    assert note.content == "Blue mug is now available at Fern & Kiln for $12.50."
    assert note.data["product_id"] == product.pk and note.data["url"] == product.get_absolute_url()
    event = NotificationEvent.objects.get(key=f"new-product:{product.pk}")
    assert event.recipient_count == 3 and event.delivered_at is not None
    assert sorted(topic for topic, _ in published) == sorted(f"user-notifications:{u.pk}" for u in fans)

    # Unpublish, publish again: nobody hears twice, not even someone who followed in between.
    catalog.unpublish_product(product=product)
    FollowFactory(store=store)
    publish(product, django_capture_on_commit_callbacks)
    assert Notification.objects.count() == 3


def test_a_retried_fan_out_notifies_nobody_twice(django_capture_on_commit_callbacks):
    store = StoreFactory()
    for _ in range(7):
        FollowFactory(store=store)
    product = publish(new_product(store), django_capture_on_commit_callbacks)
    assert Notification.objects.count() == 7
    assert services.notify_followers_of_new_product(product_id=product.pk) == 0
    assert Notification.objects.count() == 7
    assert NotificationEvent.objects.get().recipient_count == 7


def test_the_fan_out_walks_followers_in_batches(django_capture_on_commit_callbacks, monkeypatch):
    store = StoreFactory()
    for _ in range(7):
        FollowFactory(store=store)
    monkeypatch.setattr(services, "BATCH_SIZE", 3)
    calls = []
    original = notifications.deliver_event

    def spy(**kwargs):
        calls.append(len(kwargs["user_ids"]))
        return original(**kwargs)

    monkeypatch.setattr(notifications, "deliver_event", spy)
    product = new_product(store)
    catalog.publish_product(product=product)
    event = notifications.create_event(key="batch-test", type=NotificationType.NEW_PRODUCT)
    delivered = services._deliver_to_followers(
        store_id=store.pk,
        event=event,
        title="t",
        content="",
        data={},
        followed_before=timezone.now(),
        batch_size=3,
    )
    assert delivered == 7 and calls == [3, 3, 1]


def test_those_who_left_or_came_later_hear_nothing(django_capture_on_commit_callbacks):
    store = StoreFactory()
    stays, leaves = UserFactory(), UserFactory()
    for user in (stays, leaves):
        services.follow_store(user=user, store=store)
    services.unfollow_store(user=leaves, store=store)
    product = publish(new_product(store), django_capture_on_commit_callbacks)
    assert list(Notification.objects.values_list("user_id", flat=True)) == [stays.pk]

    # Followed after the product went live, before the worker got to it: not this product's news.
    late = FollowFactory(store=store, created_at=timezone.now() + timedelta(seconds=5)).user
    services.notify_followers_of_new_product(product_id=product.pk)
    assert not Notification.objects.filter(user=late).exists()


def test_a_product_taken_down_before_the_worker_runs_is_not_announced(settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    store = StoreFactory()
    FollowFactory(store=store)
    product = publish(new_product(store), django_capture_on_commit_callbacks)
    catalog.unpublish_product(product=product)
    assert services.notify_followers_of_new_product(product_id=product.pk) == 0
    Product.objects.filter(pk=product.pk).delete()
    assert services.notify_followers_of_new_product(product_id=product.pk) == 0
    assert not Notification.objects.exists()


def test_publishing_only_queues_the_fan_out(settings, django_capture_on_commit_callbacks):
    """The seller's request does not wait for the followers: it queues one task and returns."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    store = StoreFactory()
    for _ in range(20):
        FollowFactory(store=store)
    default_task_backend.clear()
    product = publish(new_product(store), django_capture_on_commit_callbacks)
    assert not Notification.objects.exists()
    queued = [(r.task.name, r.kwargs) for r in default_task_backend.results]
    assert queued == [("notify_followers_of_new_product_task", {"product_id": product.pk})]


# Announcements ---------------------------------------------------------------------------


def announce(store, callbacks, **fields):
    values = {"kind": "sale", "title": "Spring sale", "body": "All mugs 20% off."} | fields
    with callbacks(execute=True):
        return services.send_announcement(store=store, author=store.owner, **values)


def test_an_announcement_reaches_every_follower_with_its_counts(django_capture_on_commit_callbacks, published):
    store = StoreFactory(name="Fern & Kiln")
    fans = [FollowFactory(store=store).user for _ in range(4)]
    ends = timezone.now() + timedelta(days=3)
    announcement = announce(store, django_capture_on_commit_callbacks, sale_ends_at=ends)
    notes = Notification.objects.filter(key=f"announcement:{announcement.uuid}")
    assert sorted(n.user_id for n in notes) == sorted(u.pk for u in fans)
    note = notes.first()
    assert note.type == NotificationType.SALE
    assert note.title == "Sale at Fern & Kiln: Spring sale"
    assert note.content.startswith("Until ") and "All mugs 20% off." in note.content
    assert note.data["url"] == announcement.get_absolute_url()

    announcement.refresh_from_db()
    assert (announcement.received_count, announcement.read_count) == (4, 0)
    assert announcement.is_delivered
    notifications.mark_as_read(user=fans[0], notification=notes.get(user=fans[0]))
    announcement.event.refresh_from_db()
    assert announcement.read_count == 1

    assert services.deliver_announcement(announcement_id=announcement.pk) == 0  # a retry
    assert notes.count() == 4


def test_an_update_is_a_store_announcement(django_capture_on_commit_callbacks):
    store = StoreFactory(name="Kiln")
    FollowFactory(store=store)
    announcement = announce(
        store, django_capture_on_commit_callbacks, kind="update", title="New studio", body="x" * 600
    )
    note = Notification.objects.get()
    assert note.type == NotificationType.STORE_ANNOUNCEMENT and note.title == "Kiln: New studio"
    assert len(note.content) <= 280  # the notification carries the start; the page has it all
    assert announcement.body == "x" * 600


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"title": "   "}, "title", "Give the announcement a title."),
        ({"title": "t" * 141}, "title", "at most 140 characters"),
        ({"body": "b" * 10_001}, "body", "at most 10,000 characters (it has 10,001)"),
        ({"sale_ends_at": timezone.now() - timedelta(minutes=1)}, "sale_ends_at", "in the past"),
        ({"kind": "update", "sale_ends_at": timezone.now() + timedelta(days=1)}, "sale_ends_at", "Only a sale"),
        ({"kind": "spam"}, "kind", "Choose an update or a sale."),
    ],
)
def test_bad_announcements_are_refused_and_change_nothing(fields, field, message, django_capture_on_commit_callbacks):
    store = StoreFactory()
    FollowFactory(store=store)
    with pytest.raises(ValidationError) as caught:
        announce(store, django_capture_on_commit_callbacks, **fields)
    assert message in " ".join(caught.value.message_dict[field])
    assert not StoreAnnouncement.objects.exists()
    assert not Notification.objects.exists() and not NotificationEvent.objects.exists()


def test_a_body_of_exactly_ten_thousand_characters_is_fine(django_capture_on_commit_callbacks):
    store = StoreFactory()
    assert announce(store, django_capture_on_commit_callbacks, body="b" * 10_000).pk


def test_preview_writes_nothing():
    store = StoreFactory(name="Kiln")
    preview = services.preview_announcement(store=store, kind="sale", title="Half off", body="Today only.")
    assert preview["notification_title"] == "Sale at Kiln: Half off"
    assert preview["notification_text"] == "Today only."
    assert not StoreAnnouncement.objects.exists() and not NotificationEvent.objects.exists()
    with pytest.raises(ValidationError):
        services.preview_announcement(store=store, kind="sale", title="")


# Selectors ---------------------------------------------------------------------------------


def test_follower_growth_by_week():
    store = StoreFactory()
    now = timezone.now()
    for days_ago in [0, 1, 8, 9, 10, 200]:
        FollowFactory(store=store, created_at=now - timedelta(days=days_ago))
    weeks = selectors.follower_growth(store=store, now=now)
    assert len(weeks) == selectors.GROWTH_WEEKS
    assert sum(week.new for week in weeks) == 5  # the one from 200 days ago is before the window
    assert weeks[-1].total == 6 and weeks[0].total >= 1
    assert all(later.total >= earlier.total for earlier, later in itertools.pairwise(weeks))
    assert weeks[-1].start.weekday() == 0


def test_followers_are_loaded_without_private_fields():
    follow = FollowFactory()
    row = selectors.get_followers(store=follow.store).get()
    assert row.user.username == follow.user.username
    assert {"email", "first_name", "last_name"} & set(row.user.get_deferred_fields()) == {
        "email",
        "first_name",
        "last_name",
    }


def test_a_custom_order_reserved_for_one_buyer_is_nobodys_news(django_capture_on_commit_callbacks):
    store = StoreFactory()
    FollowFactory(store=store)
    product = new_product(store)
    Product.objects.filter(pk=product.pk).update(reserved_for=UserFactory())
    publish(product, django_capture_on_commit_callbacks)
    assert not Notification.objects.exists()
