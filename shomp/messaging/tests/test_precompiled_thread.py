"""A thread's conversation (by uuid) and its latest messages come from SQL compiled once
(core.sql): each thread still gets its own, with what the page shows, and an unknown
uuid is still a 404."""

import uuid

import pytest
from django.http import Http404

from shomp.messaging import policies, selectors

from .factories import ConversationFactory, MessageFactory

pytestmark = pytest.mark.django_db


def test_each_thread_gets_its_own_conversation_and_messages():
    first, second = ConversationFactory(), ConversationFactory()
    MessageFactory(conversation=first, content="first one")
    MessageFactory(conversation=first, content="first two")
    MessageFactory(conversation=second, content="second one")

    for conversation in (first, second, first):
        for asked in (conversation.uuid, str(conversation.uuid)):
            found = policies.access_conversation(user=conversation.customer, conversation_uuid=asked)
            assert found.pk == conversation.pk
            assert (found.store.name, found.customer.username) == (
                conversation.store.name,
                conversation.customer.username,
            )
        page = selectors.thread_messages(conversation=conversation)
        expected = list(selectors._thread_messages(conversation.pk))[::-1]
        assert [(m.pk, m.content, m.sender.username) for m in page.messages] == [
            (m.pk, m.content, m.sender.username) for m in expected
        ]
    assert [m.content for m in selectors.thread_messages(conversation=first).messages] == ["first one", "first two"]

    with pytest.raises(Http404):
        policies.access_conversation(user=first.customer, conversation_uuid=uuid.uuid4())
    with pytest.raises(Http404):  # someone else's thread
        policies.access_conversation(user=first.customer, conversation_uuid=second.uuid)


def test_the_store_unread_count_is_each_user_s_own_stores():
    first = ConversationFactory(store_unread_count=2)
    ConversationFactory(store=first.store, store_unread_count=1)
    second = ConversationFactory(store_unread_count=5)
    ConversationFactory(store_unread_count=7)  # a third store's

    assert selectors.store_unread_count(user=first.store.owner) == 3
    assert selectors.store_unread_count(user=second.store.owner) == 5
    assert selectors.store_unread_count(user=first.customer) == 0  # no store
    second.store.owner.is_active = False
    assert selectors.store_unread_count(user=second.store.owner) == 0


def test_the_customer_inbox_head_is_each_customer_s_own_conversations():
    first, second = ConversationFactory(), ConversationFactory()
    ConversationFactory(customer=first.customer, customer_unread_count=4)
    for user in (first.customer, second.customer, first.customer):
        expected = selectors.get_conversations(user=user, side="customer")[:21]
        head = selectors.customer_conversations_head(user=user, count=21)
        assert [(c.pk, c.unread, c.store.name) for c in head] == [(c.pk, c.unread, c.store.name) for c in expected]
    assert len(selectors.customer_conversations_head(user=first.customer, count=21)) == 2
    assert len(selectors.customer_conversations_head(user=first.customer, count=1)) == 1
