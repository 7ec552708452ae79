"""The messaging services: conversations, messages, read state, status, limits and seller tools."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog.tests.factories import ProductFactory
from shomp.core.exceptions import RateLimited
from shomp.messaging import events, services
from shomp.messaging.models import (
    Attachment,
    Block,
    Conversation,
    CustomOrderRequest,
    Message,
    Report,
    Side,
    StoreReplyTime,
)
from shomp.orders.tests.factories import OrderFactory
from shomp.stores.tests.factories import StoreFactory

from .conftest import pdf_upload, png_upload, prepared

pytestmark = pytest.mark.django_db


def snapshot():
    return (Conversation.objects.count(), Message.objects.count(), Attachment.objects.count())


# create_conversation ---------------------------------------------------------------------


def test_a_conversation_starts_with_its_first_message(store, customer):
    conversation = services.create_conversation(
        store=store, customer=customer, type=Conversation.Type.GENERAL, subject="  Shipping  ", content="Hi!"
    )
    assert conversation.subject == "Shipping"
    assert conversation.status == Conversation.Status.OPEN
    assert conversation.store_unread_count == 1 and conversation.customer_unread_count == 0
    assert conversation.last_message_preview == "Hi!" and conversation.last_sender_type == Side.CUSTOMER
    [message] = conversation.messages.all()
    assert (message.sender, message.sender_type, message.content, message.read_at) == (
        customer,
        Side.CUSTOMER,
        "Hi!",
        None,
    )


def test_every_type_with_what_it_is_about(store, customer, product):
    order = OrderFactory(buyer=customer, store=store)
    pre = services.create_conversation(
        store=store,
        customer=customer,
        type="pre_purchase",
        subject="",
        content="Is it dishwasher safe?",
        product=product,
    )
    support = services.create_conversation(
        store=store, customer=customer, type="support", subject="", content="It arrived broken", order=order
    )
    custom = services.create_conversation(
        store=store,
        customer=customer,
        type="custom_order",
        subject="",
        content="A mug with my cat on it",
        budget=Decimal("45.5"),
        wanted_by=timezone.localdate() + timedelta(days=30),
    )
    general = services.create_conversation(store=store, customer=customer, type="general", subject="", content="Hi")
    assert pre.product == product and pre.subject == "Question about Blue mug"
    assert support.order == order and support.subject == f"Help with order {order.number}"
    assert custom.subject == "Custom order request"
    request = CustomOrderRequest.objects.get(conversation=custom)
    assert request.description == "A mug with my cat on it" and request.budget == Decimal("45.50")
    assert general.subject == "A question"


@pytest.mark.parametrize(
    "change, message",
    [
        ({"type": "nonsense"}, "Choose what your message is about."),
        ({"content": ""}, "Write a message or attach a file."),
        ({"content": "x" * 5001}, "at most 5,000 characters"),
    ],
)
def test_bad_conversations_change_nothing(store, customer, change, message):
    before = snapshot()
    kwargs = {"store": store, "customer": customer, "type": "general", "subject": "S", "content": "Hello"} | change
    with pytest.raises(ValidationError) as caught:
        services.create_conversation(**kwargs)
    assert message in " ".join(caught.value.messages)
    assert snapshot() == before


def test_messaging_ones_own_store_is_refused(store, seller):
    with pytest.raises(ValidationError, match="your own store"):
        services.create_conversation(store=store, customer=seller, type="general", subject="S", content="Hi")
    assert Conversation.objects.count() == 0


def test_another_buyers_order_is_refused(store, customer):
    theirs = OrderFactory(store=store)
    with pytest.raises(ValidationError, match="isn't one of yours"):
        services.create_conversation(
            store=store, customer=customer, type="support", subject="", content="Hi", order=theirs
        )
    elsewhere = OrderFactory(buyer=customer)  # the customer's, but from another store
    with pytest.raises(ValidationError, match="isn't one of yours"):
        services.create_conversation(
            store=store, customer=customer, type="support", subject="", content="Hi", order=elsewhere
        )
    assert Conversation.objects.count() == 0


def test_another_stores_or_a_draft_product_is_refused(store, customer):
    for product in [ProductFactory(), ProductFactory(store=store, status="draft")]:
        with pytest.raises(ValidationError, match="isn't sold by this store"):
            services.create_conversation(
                store=store, customer=customer, type="pre_purchase", subject="", content="Hi", product=product
            )
    assert Conversation.objects.count() == 0


def test_a_custom_request_date_must_be_ahead(store, customer):
    with pytest.raises(ValidationError, match="hasn't passed"):
        services.create_conversation(
            store=store,
            customer=customer,
            type="custom_order",
            subject="",
            content="A vase",
            wanted_by=timezone.localdate() - timedelta(days=1),
        )


def test_a_blocked_user_cannot_start_or_continue(store, customer, seller, conversation):
    services.block_user(store=store, user=customer, actor=seller)
    before = snapshot()
    with pytest.raises(ValidationError, match="isn't accepting messages from you"):
        services.create_conversation(store=store, customer=customer, type="general", subject="S", content="Hi")
    with pytest.raises(ValidationError, match="isn't accepting messages from you"):
        services.send_message(conversation=conversation, sender=customer, content="Hello?")
    assert snapshot() == before
    services.send_message(conversation=conversation, sender=seller, content="We can still write to you")
    services.unblock_user(store=store, user=customer, actor=seller)
    services.send_message(conversation=conversation, sender=customer, content="Thanks")


def test_only_staff_block_and_never_their_own(store, customer, seller, stranger):
    with pytest.raises(ValidationError):
        services.block_user(store=store, user=customer, actor=stranger)
    with pytest.raises(ValidationError, match="manages this store"):
        services.block_user(store=store, user=seller, actor=seller)
    assert Block.objects.count() == 0


# send_message and status -----------------------------------------------------------------


def test_replies_keep_counters_status_and_first_reply(conversation, seller, customer):
    reply = services.send_message(conversation=conversation, sender=seller, content="Yes, we do!")
    conversation.refresh_from_db()
    assert reply.sender_type == Side.STORE
    assert conversation.status == Conversation.Status.WAITING  # waiting on the customer
    assert conversation.customer_unread_count == 1 and conversation.store_unread_count == 1
    assert conversation.first_reply_at == reply.created_at
    second = services.send_message(conversation=conversation, sender=seller, content="Anything else?")
    conversation.refresh_from_db()
    assert conversation.first_reply_at == reply.created_at and conversation.customer_unread_count == 2
    assert conversation.last_message_at == second.created_at and conversation.last_sender_type == Side.STORE


@pytest.mark.parametrize("status", ["resolved", "archived", "waiting"])
def test_a_customer_message_reopens_the_thread(conversation, seller, customer, status):
    services.set_status(conversation=conversation, actor=seller, status=status)
    services.send_message(conversation=conversation, sender=customer, content="One more thing")
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.OPEN


def test_only_the_store_sets_the_status(conversation, customer, stranger):
    for user in (customer, stranger):
        with pytest.raises(ValidationError):
            services.set_status(conversation=conversation, actor=user, status="resolved")
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.OPEN


def test_a_stranger_cannot_write(conversation, stranger):
    before = snapshot()
    with pytest.raises(ValidationError):
        services.send_message(conversation=conversation, sender=stranger, content="Hi")
    assert snapshot() == before


def test_a_user_removed_from_the_store_cannot_answer(conversation, seller):
    store = conversation.store
    store.owner = UserFactory()
    store.save()
    with pytest.raises(ValidationError):
        services.send_message(conversation=conversation, sender=seller, content="Still here?")


@pytest.mark.parametrize(
    "content, files, error",
    [
        ("", [], "Write a message or attach a file."),
        ("x" * 5001, [], "at most 5,000 characters"),
        ("Six files", [png_upload] * 6, "at most 5 files"),
    ],
)
def test_bad_messages_change_nothing(conversation, customer, content, files, error):
    attachments = prepared(*[make() for make in files])
    before = snapshot()
    conversation.refresh_from_db()
    unread = conversation.store_unread_count
    with pytest.raises(ValidationError) as caught:
        services.send_message(conversation=conversation, sender=customer, content=content, attachments=attachments)
    assert error in " ".join(caught.value.messages)
    assert snapshot() == before
    conversation.refresh_from_db()
    assert conversation.store_unread_count == unread


def test_attachments_are_stored_privately_with_their_details(
    conversation, customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # and the worker processes the image
        message = services.send_message(
            conversation=conversation,
            sender=customer,
            content="",
            attachments=prepared(png_upload("cat.png", size=(900, 600)), pdf_upload("sketch.pdf")),
        )
    image, pdf = message.attachments.order_by("pk")
    assert (image.kind, image.content_type, image.original_name, image.width, image.height) == (
        "image",
        "image/png",
        "cat.png",
        900,
        600,
    )
    assert image.thumbnail and image.size > 0
    assert "cat" not in image.file.name and image.file.storage.exists(image.file.name)
    assert (pdf.kind, pdf.content_type, pdf.original_name) == ("pdf", "application/pdf", "sketch.pdf")
    conversation.refresh_from_db()
    assert conversation.last_message_preview == "Sent 2 files"


# mark_as_read ----------------------------------------------------------------------------


def test_reading_marks_the_other_sides_messages(
    conversation, seller, customer, published, django_capture_on_commit_callbacks
):
    services.send_message(conversation=conversation, sender=customer, content="Second")
    services.send_message(conversation=conversation, sender=seller, content="Reply")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.mark_as_read(conversation=conversation, reader=seller) == 2
    conversation.refresh_from_db()
    assert conversation.store_unread_count == 0 and conversation.customer_unread_count == 1
    assert not conversation.messages.filter(sender_type=Side.CUSTOMER, read_at__isnull=True).exists()
    assert conversation.messages.get(sender_type=Side.STORE).read_at is None
    receipts = [html for topic, html in published if topic == events.conversation_topic(conversation.uuid)]
    assert any("Seen" in html for html in receipts)
    published.clear()
    assert services.mark_as_read(conversation=conversation, reader=seller) == 0  # nothing new: no write, no push
    assert published == []


def test_a_stranger_cannot_mark_read(conversation, stranger):
    with pytest.raises(ValidationError):
        services.mark_as_read(conversation=conversation, reader=stranger)


# Rate limits -----------------------------------------------------------------------------


@pytest.fixture
def frozen_window(monkeypatch):
    """Keep the rate-limit window still, so a test never straddles a minute's edge."""
    from shomp.core import ratelimit

    now = ratelimit._now()
    monkeypatch.setattr(ratelimit, "_now", lambda: now)


def test_twenty_messages_a_minute(frozen_window, customer, store):
    conversation = services.create_conversation(
        store=store, customer=customer, type="general", subject="S", content="1"
    )
    for n in range(19):  # the first message of the conversation counted too
        services.send_message(conversation=conversation, sender=customer, content=f"#{n}")
    count = Message.objects.count()
    with pytest.raises(RateLimited) as caught:
        services.send_message(conversation=conversation, sender=customer, content="one too many")
    assert "at most 20 a minute" in caught.value.message
    assert Message.objects.count() == count


def test_five_new_conversations_an_hour(frozen_window, customer):
    stores = StoreFactory.create_batch(6)
    for store in stores[:5]:
        services.create_conversation(store=store, customer=customer, type="general", subject="S", content="Hi")
    with pytest.raises(RateLimited, match="5 conversations in the last hour"):
        services.create_conversation(store=stores[5], customer=customer, type="general", subject="S", content="Hi")
    assert Conversation.objects.count() == 5


# Reports, saved replies ------------------------------------------------------------------


def test_either_side_reports_a_conversation(conversation, customer, seller, stranger):
    report = services.report_conversation(conversation=conversation, reporter=customer, reason="spam", details="Odd")
    assert report.reason == "spam"
    services.report_conversation(conversation=conversation, reporter=seller, reason="abuse")
    with pytest.raises(ValidationError):
        services.report_conversation(conversation=conversation, reporter=stranger, reason="spam")
    with pytest.raises(ValidationError):
        services.report_conversation(conversation=conversation, reporter=customer, reason="nope")
    assert Report.objects.count() == 2


def test_saved_replies_are_for_store_staff(store, seller, stranger):
    reply = services.create_saved_reply(store=store, actor=seller, title="Shipping", content="We ship in 2 days.")
    with pytest.raises(ValidationError, match="already"):
        services.create_saved_reply(store=store, actor=seller, title="shipping", content="Again")
    with pytest.raises(ValidationError):
        services.create_saved_reply(store=store, actor=stranger, title="Mine", content="Hi")
    with pytest.raises(ValidationError):
        services.delete_saved_reply(reply=reply, actor=stranger)
    services.delete_saved_reply(reply=reply, actor=seller)
    assert not store.saved_replies.exists()


# Email -----------------------------------------------------------------------------------


def _age(conversation, minutes):
    conversation.messages.update(created_at=timezone.now() - timedelta(minutes=minutes))


def test_one_email_after_fifteen_unread_minutes(conversation, seller, customer):
    services.send_message(conversation=conversation, sender=seller, content="Your mug ships Monday.\nhttps://x.test")
    mail.outbox.clear()
    assert not services.send_unread_email(conversation_id=conversation.pk, side=Side.CUSTOMER)  # too soon
    _age(conversation, 16)
    assert services.send_unread_email(conversation_id=conversation.pk, side=Side.CUSTOMER)
    [email] = mail.outbox
    assert email.to == [customer.email]
    assert "Your mug ships Monday." in email.body and conversation.get_absolute_url() in email.body
    assert seller.email not in email.body and seller.email not in email.subject and seller.email not in email.from_email
    assert "Kiln & Co" in email.subject
    # Within the hour: nothing more for this thread, however many tasks run.
    services.send_message(conversation=conversation, sender=seller, content="And another")
    _age(conversation, 20)
    assert not services.send_unread_email(conversation_id=conversation.pk, side=Side.CUSTOMER)
    later = timezone.now() + timedelta(hours=1, minutes=1)
    assert services.send_unread_email(conversation_id=conversation.pk, side=Side.CUSTOMER, now=later)
    assert len(mail.outbox) == 2


def test_no_email_when_the_customer_turned_message_reply_emails_off(conversation, seller, customer):
    from shomp.notifications.services import set_preferences

    set_preferences(user=customer, preferences={"message_reply": (True, False)})
    services.send_message(conversation=conversation, sender=seller, content="Your mug ships Monday.")
    _age(conversation, 16)
    mail.outbox.clear()
    assert not services.send_unread_email(conversation_id=conversation.pk, side=Side.CUSTOMER)
    assert mail.outbox == []


def test_no_email_once_read(conversation, seller, customer):
    services.send_message(conversation=conversation, sender=seller, content="Hello")
    services.mark_as_read(conversation=conversation, reader=customer)
    _age(conversation, 30)
    mail.outbox.clear()
    assert not services.send_unread_email(conversation_id=conversation.pk, side=Side.CUSTOMER)
    assert mail.outbox == []


def test_the_store_side_is_emailed_with_the_customers_username_only(conversation, seller, customer):
    _age(conversation, 16)
    mail.outbox.clear()
    assert services.send_unread_email(conversation_id=conversation.pk, side=Side.STORE)
    [email] = mail.outbox
    assert email.to == [seller.email]
    assert customer.username in email.subject and customer.email not in email.body + email.subject
    assert customer.first_name not in email.body


def test_the_email_task_is_queued_with_run_after(settings, conversation, seller, django_capture_on_commit_callbacks):
    from django.tasks import default_task_backend

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.send_message(conversation=conversation, sender=seller, content="Hi")
    [result] = [r for r in default_task_backend.results if r.task.name == "send_unread_email_task"]
    assert result.args == [] and result.kwargs == {"conversation_id": conversation.pk, "side": "customer"}
    delay = result.task.run_after - timezone.now()
    assert timedelta(minutes=14) < delay <= timedelta(minutes=15)


# Notifications ---------------------------------------------------------------------------


def test_replies_notify_the_other_side_once_per_unread_streak(
    store, seller, customer, django_capture_on_commit_callbacks
):
    from shomp.notifications.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        conversation = services.create_conversation(
            store=store, customer=customer, type="general", subject="Hello", content="Is it in stock?"
        )
    # The first message of a new conversation: the team hears of a new conversation, not a reply.
    assert not Notification.objects.filter(user=seller, type="message_reply").exists()
    [to_store] = Notification.objects.filter(user=seller, type="new_conversation")
    assert customer.username in to_store.content and customer.email not in to_store.title + to_store.content
    with django_capture_on_commit_callbacks(execute=True):
        services.send_message(conversation=conversation, sender=seller, content="On its way")
        services.send_message(conversation=conversation, sender=seller, content="Tracking: 123")
    [note] = Notification.objects.filter(user=customer, type="message_reply")
    assert note.data["url"] == conversation.get_absolute_url()
    assert "Kiln & Co" in note.title and seller.email not in note.title + note.content
    services.mark_as_read(conversation=conversation, reader=customer)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_message(conversation=conversation, sender=seller, content="Delivered?")
    assert Notification.objects.filter(user=customer, type="message_reply").count() == 2


def test_message_notifications_send_no_email_of_their_own(
    settings, store, seller, customer, django_capture_on_commit_callbacks
):
    """The thread's delayed email (one an hour at most) is the only email a message causes."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        conversation = services.create_conversation(
            store=store, customer=customer, type="general", subject="Hello", content="Is it in stock?"
        )
        services.send_message(conversation=conversation, sender=seller, content="Yes!")
    # The immediate backend ran the 15-minute checks at once: too soon, so nothing was sent.
    assert mail.outbox == []


def test_the_typical_first_reply_time_is_the_median_of_90_days(store, seller):
    from shomp.messaging.selectors import store_reply_time

    assert store_reply_time(store=store) is None
    now = timezone.now()
    for hours in (1, 2, 9):
        conversation = services.create_conversation(
            store=store, customer=UserFactory(), type="general", subject="S", content="Q"
        )
        Conversation.objects.filter(pk=conversation.pk).update(created_at=now - timedelta(hours=hours))
        services.send_message(conversation=conversation, sender=seller, content="A")
    old = services.create_conversation(store=store, customer=UserFactory(), type="general", subject="S", content="Q")
    Conversation.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=91))
    services.send_message(conversation=old, sender=seller, content="Late")  # outside the window
    typical = store_reply_time(store=store)
    assert timedelta(hours=1, minutes=59) < typical < timedelta(hours=2, minutes=1)
    StoreReplyTime.objects.filter(store=store).update(updated_at=now - timedelta(days=91))
    assert store_reply_time(store=store) is None  # a figure nobody refreshed for 90 days is not shown
