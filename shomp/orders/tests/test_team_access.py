"""The orders dashboard asks the permission door for its own areas: "orders.view" to list and
read orders, "orders" to ship or fulfil them. Each role against each route; another store's
ids; a lowered or removed member loses access on the next request and the next push."""

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.urls import reverse

from shomp.core import realtime
from shomp.core.consumers import CLOSE_FORBIDDEN
from shomp.messaging.tests.test_realtime import open_socket
from shomp.orders import events
from shomp.orders.models import Order
from shomp.organizations.models import AuditLogEntry, Membership
from shomp.organizations.services import manage_permissions
from shomp.organizations.tests.factories import add_member
from shomp.stores.tests.factories import StoreFactory

from .factories import OrderFactory, OrderItemFactory

ROLES = ["owner", "admin", "manager", "support", "fulfilment", "analyst"]
READERS = {"owner", "admin", "manager", "support", "fulfilment"}
WRITERS = {"owner", "admin", "manager", "fulfilment"}


def _world():
    store = StoreFactory()
    order = OrderFactory(store=store, status=Order.Status.PAID)
    OrderItemFactory(order=order)
    users = {"owner": store.owner}
    for role in ROLES[1:]:
        users[role] = add_member(store, role=role).user
    return store, order, users


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_each_role_reads_orders_only_with_orders_view(client, role):
    _store, order, users = _world()
    client.force_login(users[role])
    listing = client.get(reverse("orders:dashboard_orders"))
    detail = client.get(reverse("orders:dashboard_order_detail", kwargs={"order_uuid": order.uuid}))
    if role in READERS:
        assert listing.status_code == 200 and order.number in listing.content.decode()
        assert detail.status_code == 200
        assert ("Mark fulfilled" in detail.content.decode()) == (role in WRITERS)
    else:  # no store where they may read orders: sent to the team page, nothing shown
        assert listing.status_code == 302 and order.number not in listing.content.decode()
        assert detail.status_code == 302
    home = client.get(reverse("orders:dashboard_home"))
    assert home.status_code == 200  # every member lands on the dashboard
    assert (order.number in home.content.decode()) == (role in READERS)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_only_roles_with_orders_change_an_order(client, role):
    _store, order, users = _world()
    client.force_login(users[role])
    response = client.post(
        reverse("orders:dashboard_order_status", kwargs={"order_uuid": order.uuid}), {"action": "fulfil"}
    )
    order.refresh_from_db()
    if role in WRITERS:
        assert response.status_code == 302 and order.status == Order.Status.FULFILLED
    else:
        assert response.status_code in (302, 404) and order.status == Order.Status.PAID
        if role == "support":  # may read it, may not change it: the same 404 as a stranger
            assert response.status_code == 404


@pytest.mark.django_db
def test_fulfilment_is_written_in_the_organizations_audit_log_and_the_owner_reads_it(client):
    store, order, users = _world()
    client.force_login(users["fulfilment"])
    status_url = reverse("orders:dashboard_order_status", kwargs={"order_uuid": order.uuid})
    client.post(status_url, {"action": "ship"})
    client.post(status_url, {"action": "fulfil"})
    order.refresh_from_db()
    assert order.status == Order.Status.FULFILLED
    entries = AuditLogEntry.objects.filter(organization_id=store.organization_id, object__startswith=order.number)
    expected = [AuditLogEntry.Action.ORDER_SHIPPED] if order.shipped_at else []  # a digital order doesn't ship
    assert [(e.action, e.actor_id) for e in entries.order_by("pk")] == [
        (action, users["fulfilment"].pk) for action in [*expected, AuditLogEntry.Action.ORDER_FULFILLED]
    ]
    client.force_login(store.owner)
    page = client.get(reverse("organizations:settings")).content.decode()
    assert f"marked order {order.number} ({store.name}) fulfilled" in page
    assert users["fulfilment"].email not in page


@pytest.mark.django_db
def test_member_limited_to_store_a_cannot_use_store_b_ids(client):
    store_a = StoreFactory()
    store_b = StoreFactory(owner=store_a.owner, organization=store_a.organization)
    order_b = OrderFactory(store=store_b, status=Order.Status.PAID)
    member = add_member(store_a, role="manager", stores=[store_a]).user
    client.force_login(member)
    url = reverse("orders:dashboard_order_detail", kwargs={"order_uuid": order_b.uuid})
    assert client.get(url).status_code == 404
    status_url = reverse("orders:dashboard_order_status", kwargs={"order_uuid": order_b.uuid})
    assert client.post(status_url, {"action": "fulfil"}).status_code == 404
    order_b.refresh_from_db()
    assert order_b.status == Order.Status.PAID
    assert not realtime.authorize_topic(member, events.store_orders_topic(store_b.pk))


@pytest.mark.django_db
def test_lowering_a_role_or_removing_takes_effect_on_the_next_request(client):
    _store, order, users = _world()
    member = users["fulfilment"]
    client.force_login(member)
    detail = reverse("orders:dashboard_order_detail", kwargs={"order_uuid": order.uuid})
    status = reverse("orders:dashboard_order_status", kwargs={"order_uuid": order.uuid})
    assert client.get(detail).status_code == 200
    Membership.objects.filter(user=member).update(role="support")
    assert client.post(status, {"action": "fulfil"}).status_code == 404
    assert client.get(detail).status_code == 200
    Membership.objects.filter(user=member).delete()
    assert client.get(detail).status_code in (302, 404)
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


@pytest_asyncio.fixture
async def application():
    from shomp.asgi import application

    layer = get_channel_layer()
    if hasattr(layer, "flush") and "InMemory" in type(layer).__name__:
        await layer.flush()
    return application


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_removed_member_stops_receiving_store_orders_at_the_next_push(application):
    store = await sync_to_async(StoreFactory)()
    membership = await sync_to_async(add_member)(store, role="support")
    topic = events.store_orders_topic(store.pk)
    socket = await open_socket(application, topic, user=membership.user)
    await sync_to_async(realtime.publish)(topic, "<p>first</p>")
    assert "first" in await socket.receive_from(timeout=5)

    # Lowered by the owner: the socket is told and re-asks the door before anything else.
    await sync_to_async(manage_permissions)(membership=membership, actor=store.owner, role="analyst")
    await sync_to_async(realtime.publish)(topic, "<p>second</p>")
    assert await socket.receive_output(timeout=5) == {"type": "websocket.close", "code": CLOSE_FORBIDDEN}
