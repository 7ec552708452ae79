"""The access matrix: every route, for a logged-out visitor, a stranger and another store's owner.

A thread (and all that hangs off it) belongs to its customer and its store's staff; anyone else
gets a 404 for every method, whatever ids they know, and nothing changes.
"""

import pytest
from django.conf import settings
from django.urls import reverse

from shomp.accounts.tests.factories import UserFactory
from shomp.messaging import services
from shomp.messaging.models import Block, Conversation, Message, Offer, Report, SavedReply
from shomp.stores.tests.factories import StoreFactory

from .conftest import png_upload, prepared

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(store, seller, customer):
    conversation = services.create_conversation(
        store=store,
        customer=customer,
        type="custom_order",
        subject="Teapot",
        content="Owls please",
        attachments=prepared(png_upload()),
    )
    offer = services.send_offer(conversation=conversation, sender=seller, title="Owl teapot", price="60")
    attachment = conversation.messages.first().attachments.get()
    services.process_attachments(message_id=attachment.message_id)  # the worker's turn: ready
    reply = SavedReply.objects.create(store=store, title="Hi", content="Hello!")
    block = Block.objects.create(store=store, user=UserFactory())
    return {"conversation": conversation, "offer": offer, "attachment": attachment, "reply": reply, "block": block}


def thread_routes(world):
    c, offer, attachment = world["conversation"], world["offer"], world["attachment"]
    u = c.uuid
    return [
        ("get", reverse("messaging:thread", args=[u]), {}),
        ("get", reverse("messaging:earlier", args=[u]) + "?before=999999", {}),
        ("post", reverse("messaging:send", args=[u]), {"content": "sneaky"}),
        ("post", reverse("messaging:read", args=[u]), {}),
        ("post", reverse("messaging:status", args=[u]), {"status": "archived"}),
        ("post", reverse("messaging:assign", args=[u]), {"assignee": c.store.owner_id}),
        ("post", reverse("messaging:offer_create", args=[u]), {"title": "Fake", "price": "1"}),
        ("post", reverse("messaging:offer_accept", args=[u, offer.pk]), {}),
        ("post", reverse("messaging:offer_withdraw", args=[u, offer.pk]), {}),
        ("post", reverse("messaging:block", args=[u]), {"action": "block"}),
        ("post", reverse("messaging:report", args=[u]), {"reason": "spam"}),
        ("get", reverse("messaging:attachment", args=[u, attachment.pk]), {}),
        ("get", reverse("messaging:attachment_thumbnail", args=[u, attachment.pk]), {}),
        ("get", reverse("messaging:message_files", args=[u, attachment.message_id]), {}),
    ]


def snapshot(world):
    c = Conversation.objects.get(pk=world["conversation"].pk)
    return (
        Message.objects.count(),
        c.status,
        c.assigned_to_id,
        c.store_unread_count,
        c.customer_unread_count,
        list(Offer.objects.values_list("status", flat=True)),
        Block.objects.count(),
        Report.objects.count(),
        SavedReply.objects.count(),
    )


def test_a_logged_out_visitor_is_sent_to_log_in_everywhere(client, world, store):
    before = snapshot(world)
    routes = [
        *thread_routes(world),
        ("get", reverse("messaging:contact", args=[store.slug]), {}),
        ("post", reverse("messaging:contact", args=[store.slug]), {"type": "general", "content": "x"}),
        ("get", reverse("messaging:inbox"), {}),
        ("get", reverse("messaging:badge"), {}),
        ("get", reverse("messaging:dashboard_inbox"), {}),
        ("get", reverse("messaging:dashboard_settings"), {}),
        ("post", reverse("messaging:dashboard_reply_delete", args=[world["reply"].pk]), {}),
        ("post", reverse("messaging:dashboard_unblock", args=[world["block"].pk]), {}),
    ]
    for method, url, data in routes:
        response = getattr(client, method)(url, data)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse(settings.LOGIN_URL)), url
    assert snapshot(world) == before


@pytest.mark.parametrize("who", ["stranger", "other_owner"])
def test_someone_elses_thread_is_a_404_for_every_route(client, world, who):
    outsider = UserFactory() if who == "stranger" else StoreFactory().owner
    client.force_login(outsider)
    before = snapshot(world)
    for method, url, data in thread_routes(world):
        assert getattr(client, method)(url, data).status_code == 404, url
    assert snapshot(world) == before


def test_another_store_owner_sees_only_their_own_inbox_and_tools(client, world, store):
    other = StoreFactory()
    mine = services.create_conversation(
        store=other, customer=UserFactory(), type="general", subject="Their own", content="Hi"
    )
    client.force_login(other.owner)
    page = client.get(reverse("messaging:dashboard_inbox")).text
    assert "Their own" in page and "Teapot" not in page
    # Naming our store in the filter shows nothing of it.
    page = client.get(reverse("messaging:dashboard_inbox"), {"store": store.pk}).text
    assert "Teapot" not in page
    assert "Hello!" not in client.get(reverse("messaging:dashboard_settings")).text
    before = snapshot(world)
    assert client.post(reverse("messaging:dashboard_reply_delete", args=[world["reply"].pk])).status_code == 404
    assert client.post(reverse("messaging:dashboard_unblock", args=[world["block"].pk])).status_code == 404
    assert snapshot(world) == before
    assert "Teapot" not in client.get(reverse("messaging:inbox")).text
    assert mine


def test_a_stranger_has_an_empty_inbox_and_no_dashboard(client, world):
    client.force_login(UserFactory())
    assert "Teapot" not in client.get(reverse("messaging:inbox")).text
    response = client.get(reverse("messaging:dashboard_inbox"))
    assert response.status_code == 302 and response.url == reverse("stores:create")


def test_a_malformed_or_unknown_uuid_is_a_404(client, customer):
    client.force_login(customer)
    assert client.get("/messages/not-a-uuid/").status_code == 404
    assert client.get("/messages/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_both_sides_reach_every_thread_route_they_are_meant_to(client, world, customer, seller):
    c = world["conversation"]
    client.force_login(customer)
    assert client.get(c.get_absolute_url()).status_code == 200
    assert client.get(reverse("messaging:attachment", args=[c.uuid, world["attachment"].pk])).status_code == 200
    files = reverse("messaging:message_files", args=[c.uuid, world["attachment"].message_id])
    assert client.get(files).status_code == 200
    client.force_login(seller)
    assert client.get(c.get_absolute_url()).status_code == 200
    assert client.get(reverse("messaging:attachment", args=[c.uuid, world["attachment"].pk])).status_code == 200
    assert client.post(reverse("messaging:offer_accept", args=[c.uuid, world["offer"].pk])).status_code == 404
