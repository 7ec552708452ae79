"""Conversations made cheaply for list and budget tests (services are tested on their own)."""

import factory
from django.utils import timezone

from shomp.accounts.tests.factories import UserFactory
from shomp.messaging.models import Conversation, Message, Side
from shomp.stores.tests.factories import StoreFactory


class ConversationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Conversation

    store = factory.SubFactory(StoreFactory)
    customer = factory.SubFactory(UserFactory)
    subject = factory.Sequence(lambda n: f"Question {n}")
    type = Conversation.Type.GENERAL
    last_message_at = factory.LazyFunction(timezone.now)
    last_message_preview = "Hello there"
    last_sender_type = Side.CUSTOMER


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    conversation = factory.SubFactory(ConversationFactory)
    sender = factory.LazyAttribute(
        lambda m: m.conversation.customer if m.sender_type == Side.CUSTOMER else m.conversation.store.owner
    )
    sender_type = Side.CUSTOMER
    content = factory.Sequence(lambda n: f"Message number {n}")
