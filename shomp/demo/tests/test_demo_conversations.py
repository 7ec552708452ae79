import io

import pytest
from django.core.management import call_command

from shomp.messaging.models import Attachment, Conversation, Message, Offer


@pytest.mark.django_db
def test_demo_has_conversations_of_every_type_once():
    call_command("seed_demo", products_per_store=2, stdout=io.StringIO())
    conversations = Conversation.objects.filter(customer__username="demo-buyer")
    assert set(conversations.values_list("type", flat=True)) == set(Conversation.Type.values)
    assert Offer.objects.filter(status="sent").exists() and Attachment.objects.exists()
    assert conversations.filter(status="resolved").exists() and conversations.filter(first_reply_at__isnull=False)
    counts = (Conversation.objects.count(), Message.objects.count(), Offer.objects.count())
    call_command("seed_demo", products_per_store=2, stdout=io.StringIO())
    assert (Conversation.objects.count(), Message.objects.count(), Offer.objects.count()) == counts
