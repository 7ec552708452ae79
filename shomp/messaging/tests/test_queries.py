"""Query budgets: each page costs the same with 1 row as with 200."""

import pytest
from django.urls import reverse

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog.tests.factories import ProductFactory
from shomp.messaging.models import Attachment, Conversation, Message, Offer, Side
from shomp.orders.tests.factories import OrderFactory
from shomp.stores.tests.factories import StoreFactory

from .factories import ConversationFactory, MessageFactory

pytestmark = pytest.mark.django_db

# session, user, then the page's own reads (and the header's cart badge).
INBOX_BUDGET = 7  # + count, conversations (with store, customer, product, order), store-side unread
DASHBOARD_INBOX_BUDGET = 7  # + managed stores, count, conversations
# + conversation, messages (with offers), attachments, custom request, block, and on the store
# side saved replies (its own and the organization's) and who it may be assigned to
THREAD_READ_BUDGET = 10
# + marking unread messages read: lock, their ids, two updates (and the savepoint pair in tests)
THREAD_BUDGET = THREAD_READ_BUDGET + 6
BADGE_BUDGET = 3


def many_conversations(count, *, customer=None, stores=None):
    stores = stores or [StoreFactory() for _ in range(3)]
    customers = [customer] if customer else [UserFactory() for _ in range(3)]
    product = ProductFactory(store=stores[0])
    for n in range(count):
        store = stores[n % len(stores)]
        buyer = customers[n % len(customers)]
        ConversationFactory(
            store=store,
            customer=buyer,
            type=Conversation.Type.values[n % 4],
            product=product if n % 4 == 0 and store == product.store else None,
            order=OrderFactory(store=store, buyer=buyer) if n % 4 == 1 else None,
            customer_unread_count=n % 3,
            store_unread_count=n % 2,
        )


@pytest.mark.parametrize("size", [1, 200])
def test_customer_inbox(client, django_assert_max_num_queries, size):
    customer = UserFactory()
    many_conversations(size, customer=customer)
    client.force_login(customer)
    with django_assert_max_num_queries(INBOX_BUDGET):
        response = client.get(reverse("messaging:inbox"))
    assert response.text.count('class="list-group-item') == min(size, 20)


@pytest.mark.parametrize("size", [1, 200])
def test_store_inbox(client, django_assert_max_num_queries, size):
    seller = UserFactory()
    stores = [StoreFactory(owner=seller) for _ in range(2)]
    many_conversations(size, stores=stores)
    client.force_login(seller)
    for params in [{}, {"q": "Question", "unread": "1"}, {"status": "open", "type": "general", "store": stores[0].pk}]:
        with django_assert_max_num_queries(DASHBOARD_INBOX_BUDGET):
            response = client.get(reverse("messaging:dashboard_inbox"), params)
        assert response.status_code == 200
    assert client.get(reverse("messaging:dashboard_inbox")).text.count('class="list-group-item') == min(size, 20)


@pytest.mark.parametrize("size", [1, 200])
@pytest.mark.parametrize("side", [Side.CUSTOMER, Side.STORE])
def test_thread(client, django_assert_max_num_queries, size, side):
    conversation = ConversationFactory(type=Conversation.Type.CUSTOM_ORDER)
    for n in range(size):
        sender_type = Side.CUSTOMER if n % 2 else Side.STORE
        message = MessageFactory(conversation=conversation, sender_type=sender_type)
        if n % 5 == 0:  # ready, processing (the worker hasn't run) and failed images
            status = ["ready", "processing", "failed"][n // 5 % 3]
            ready = status == "ready"
            Attachment.objects.create(
                message=message,
                kind="image",
                status=status,
                file=f"messages/files/{n}.png" if ready else "",
                thumbnail=f"messages/thumbs/{n}.png" if ready else "",
                source=f"messages/incoming/{n}.png" if status == "processing" else "",
                error="" if ready else "Damaged.",
                content_type="image/png",
                size=10,
                original_name="a.png",
                width=4 if ready else None,
                height=3 if ready else None,
            )
        if n % 7 == 0 and sender_type == Side.STORE:
            Offer.objects.create(
                conversation=conversation, message=message, title="Offer", price=5, expires_at=message.created_at
            )
    Conversation.objects.filter(pk=conversation.pk).update(customer_unread_count=size, store_unread_count=size)
    client.force_login(conversation.customer if side == Side.CUSTOMER else conversation.store.owner)
    with django_assert_max_num_queries(THREAD_BUDGET):  # with unread messages to mark read
        response = client.get(conversation.get_absolute_url())
    assert response.text.count('class="msg"') == min(size, 50)
    if size > 1:
        assert "Processing…" in response.text and "couldn't be attached" in response.text.replace("&#x27;", "'")
    with django_assert_max_num_queries(THREAD_READ_BUDGET):  # nothing unread any more: no writes
        client.get(conversation.get_absolute_url())
    assert (
        not Message.objects.filter(conversation=conversation, read_at__isnull=True).exclude(sender_type=side).exists()
    )


@pytest.mark.parametrize("size", [1, 200])
def test_badge(client, django_assert_max_num_queries, size):
    seller = UserFactory()
    many_conversations(size, customer=seller)
    many_conversations(size, stores=[StoreFactory(owner=seller)])
    client.force_login(seller)
    with django_assert_max_num_queries(BADGE_BUDGET):
        assert client.get(reverse("messaging:badge")).status_code == 200


# + conversation, the message, its attachments, and the cart lookup every request makes
MESSAGE_FILES_BUDGET = 6


@pytest.mark.parametrize("count", [1, 5])
def test_message_files(client, django_assert_max_num_queries, count):
    message = MessageFactory()
    for n in range(count):
        Attachment.objects.create(
            message=message,
            kind="image",
            status="processing",
            source=f"messages/incoming/{n}.png",
            content_type="image/png",
            size=10,
            original_name=f"{n}.png",
        )
    client.force_login(message.conversation.customer)
    url = reverse("messaging:message_files", args=[message.conversation.uuid, message.pk])
    with django_assert_max_num_queries(MESSAGE_FILES_BUDGET):
        response = client.get(url, HTTP_HX_REQUEST="true")
    assert response.text.count("Processing…") == count and 'hx-trigger="every 3s"' in response.text
