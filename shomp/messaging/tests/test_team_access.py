"""Messaging asks the permission door for "messages": the store inbox, a store-side thread,
saved replies, and the team-inbox topic. Each role against each route; another store's ids;
a lowered member loses access on the next request and the next push."""

import pytest
from asgiref.sync import sync_to_async
from django.urls import reverse

from shomp.accounts.tests.factories import UserFactory
from shomp.core import realtime
from shomp.core.consumers import CLOSE_FORBIDDEN
from shomp.messaging import events, services
from shomp.messaging.models import Conversation, SavedReply
from shomp.organizations.models import Membership
from shomp.organizations.services import manage_permissions
from shomp.organizations.tests.factories import add_member
from shomp.stores.tests.factories import StoreFactory

from .test_realtime import application, open_socket, ws  # noqa: F401 (the fixture)

ROLES = ["owner", "admin", "manager", "support", "fulfilment", "analyst"]
MESSAGERS = {"owner", "admin", "manager", "support"}


def _world():
    store = StoreFactory(name="Kiln & Co")
    customer = UserFactory()
    conversation = services.create_conversation(
        store=store, customer=customer, type=Conversation.Type.GENERAL, subject="Glaze", content="Is it food safe?"
    )
    users = {"owner": store.owner}
    for role in ROLES[1:]:
        users[role] = add_member(store, role=role).user
    return store, conversation, users


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_the_store_inbox_only_with_messages(client, role):
    store, conversation, users = _world()
    client.force_login(users[role])
    inbox = client.get(reverse("messaging:dashboard_inbox"))
    thread = client.get(reverse("messaging:thread", kwargs={"conversation_uuid": conversation.uuid}))
    tools = client.get(reverse("messaging:dashboard_settings"))
    added = client.post(reverse("messaging:dashboard_settings"), {"title": "Hi", "content": "Hello there"})
    if role in MESSAGERS:
        assert inbox.status_code == 200 and "Glaze" in inbox.content.decode()
        assert thread.status_code == 200 and tools.status_code == 200
        assert SavedReply.objects.filter(store=store, title="Hi").exists()
    else:
        assert inbox.status_code == 302 and tools.status_code == 302 and added.status_code == 302
        assert thread.status_code == 404
        assert not SavedReply.objects.filter(store=store).exists()
    topic = events.team_inbox_topic(users[role].pk)
    assert realtime.authorize_topic(users[role], topic) == (role in MESSAGERS)


@pytest.mark.django_db
def test_member_limited_to_store_a_cannot_use_store_b_ids(client):
    store_a = StoreFactory()
    store_b = StoreFactory(owner=store_a.owner, organization=store_a.organization)
    thread_b = services.create_conversation(
        store=store_b, customer=UserFactory(), type=Conversation.Type.GENERAL, subject="Other", content="Hello"
    )
    reply_b = SavedReply.objects.create(store=store_b, title="B", content="b", created_by=store_a.owner)
    member = add_member(store_a, role="support", stores=[store_a]).user
    client.force_login(member)
    assert client.get(reverse("messaging:thread", kwargs={"conversation_uuid": thread_b.uuid})).status_code == 404
    assert client.post(reverse("messaging:dashboard_reply_delete", kwargs={"reply_id": reply_b.pk})).status_code == 404
    assert SavedReply.objects.filter(pk=reply_b.pk).exists()
    assert "Other" not in client.get(reverse("messaging:dashboard_inbox") + f"?store={store_b.pk}").content.decode()
    assert not realtime.authorize_topic(member, events.team_inbox_topic(store_a.owner.pk))  # not theirs


@pytest.mark.django_db
def test_lowering_a_role_takes_effect_on_the_next_request(client):
    _store, conversation, users = _world()
    member = users["support"]
    client.force_login(member)
    url = reverse("messaging:thread", kwargs={"conversation_uuid": conversation.uuid})
    assert client.get(url).status_code == 200
    Membership.objects.filter(user=member).update(role="fulfilment")
    assert client.get(url).status_code == 404


@pytest.mark.asyncio
@ws
async def test_a_lowered_member_stops_receiving_the_team_inbox_at_the_next_push(application):  # noqa: F811
    store, _conversation, users = await sync_to_async(_world)()
    member = users["support"]
    topic = events.team_inbox_topic(member.pk)
    socket = await open_socket(application, topic, user=member)
    await sync_to_async(realtime.publish)(topic, "<p>first</p>")
    assert "first" in await socket.receive_from(timeout=5)

    membership = await sync_to_async(Membership.objects.get)(user=member)
    await sync_to_async(manage_permissions)(membership=membership, actor=store.owner, role="analyst")
    await sync_to_async(realtime.publish)(topic, "<p>second</p>")
    assert await socket.receive_output(timeout=5) == {"type": "websocket.close", "code": CLOSE_FORBIDDEN}
