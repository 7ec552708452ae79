"""Buyers hear what happens to their orders; a store's team hears of new orders, reviews,
conversations and sold-out variants: only those whose door allows the area, in the app (the
bell is pushed) and by email per their preferences. Seller types are listed only to teams."""

import uuid
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog.models import Variant
from shomp.catalog.tests.factories import ProductFactory
from shomp.messaging import services as messaging
from shomp.notifications.models import Notification, NotificationType
from shomp.orders.services import fulfilment, place_order, refunds
from shomp.orders.tests.factories import (
    CartFactory,
    CartItemFactory,
    OrderFactory,
    OrderItemFactory,
    product_with_variants,
    variant_of,
)
from shomp.orders.tests.helpers import SHIPPING, card
from shomp.organizations.tests.factories import add_member
from shomp.reviews import services as reviews
from shomp.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db

T = NotificationType
ADDRESS = {"ship_name": "Robin", "ship_line1": "1 Quay Street", "ship_city": "Bristol", "ship_country": "GB"}


def of_type(type, user=None):
    notes = Notification.objects.filter(type=type)
    return list(notes.filter(user=user) if user is not None else notes)


def team(store):
    """The owner and one member of each role that matters here."""
    return {role: add_member(store, role=role).user for role in ("fulfilment", "support", "analyst")} | {
        "owner": store.owner
    }


# Buyers -----------------------------------------------------------------------------------


def test_the_buyer_hears_the_order_shipped_with_its_tracking_link(django_capture_on_commit_callbacks, published):
    order = OrderFactory(**ADDRESS)
    OrderItemFactory(order=order)
    with django_capture_on_commit_callbacks(execute=True):
        fulfilment.mark_order_shipped(order=order, carrier="ups", tracking_number="1Z999AA10123456784")
    [note] = of_type(T.ORDER_SHIPPED, order.buyer)
    assert note.title == f"Order {order.number} from {order.store.name} has shipped"
    assert "UPS, tracking number 1Z999AA10123456784" in note.content
    assert "https://www.ups.com/track?tracknum=1Z999AA10123456784" in note.content
    assert note.data["url"] == order.get_absolute_url()
    assert f"user-notifications:{order.buyer_id}" in [topic for topic, _ in published]  # the bell, live
    assert [email.to for email in mail.outbox] == [[order.buyer.email]]  # emailed by default
    assert order.store.owner.email not in mail.outbox[0].body


def test_the_buyer_hears_delivered_cancelled_and_refunded(django_capture_on_commit_callbacks):
    shipped = OrderFactory(**ADDRESS, total=Decimal("20.00"))
    line = OrderItemFactory(order=shipped, unit_price=Decimal("10.00"), quantity=2)
    cancelled = OrderFactory(**ADDRESS, buyer=shipped.buyer, total=Decimal("7.00"))
    OrderItemFactory(order=cancelled, unit_price=Decimal("7.00"))
    with django_capture_on_commit_callbacks(execute=True):
        fulfilment.mark_order_shipped(order=shipped)
        fulfilment.mark_order_delivered(order=shipped)
        refunds.refund_order_item(order=shipped, item=line, quantity=1, reason="Chipped")
        refunds.cancel_order(order=cancelled, reason="Out of clay")
    buyer = shipped.buyer
    assert (
        of_type(T.ORDER_DELIVERED, buyer)[0].title == f"Order {shipped.number} from {shipped.store.name} was delivered"
    )
    refunded = of_type(T.ORDER_REFUNDED, buyer)[0]
    assert refunded.title == f"{shipped.store.name} refunded $10.00 on order {shipped.number}"
    assert refunded.content == f"1 × {line.title}. Reason: Chipped."
    gone = of_type(T.ORDER_CANCELLED, buyer)[0]
    assert gone.title == f"{cancelled.store.name} cancelled order {cancelled.number}"
    assert gone.content == "Reason: Out of clay. You have been refunded $7.00."
    assert not Notification.objects.exclude(user=buyer).exists()  # nobody else is told


def test_a_buyer_who_turned_a_type_off_hears_nothing(django_capture_on_commit_callbacks):
    order = OrderFactory(**ADDRESS)
    OrderItemFactory(order=order)
    from shomp.notifications.services import set_preferences

    set_preferences(user=order.buyer, preferences={T.ORDER_SHIPPED: (False, False)})
    with django_capture_on_commit_callbacks(execute=True):
        fulfilment.mark_order_shipped(order=order)
    assert of_type(T.ORDER_SHIPPED) == [] and mail.outbox == []


# Store teams ------------------------------------------------------------------------------


def test_a_new_order_tells_those_who_handle_orders(django_capture_on_commit_callbacks):
    store = StoreFactory(name="Fern & Kiln")
    people = team(store)
    buyer = UserFactory(username="mugfan")
    cart = CartFactory(user=buyer)
    CartItemFactory(cart=cart, product=ProductFactory(store=store, title="Mug", price=Decimal("12.00")), quantity=2)
    with django_capture_on_commit_callbacks(execute=True):
        placed = place_order(buyer=buyer, cart=cart, token=uuid.uuid4(), card=card(), shipping=SHIPPING)
    order = placed.orders.get()
    told = {note.user for note in of_type(T.NEW_ORDER)}
    assert told == {people["owner"], people["fulfilment"]}  # support reads orders, doesn't handle them
    note = of_type(T.NEW_ORDER, people["owner"])[0]
    assert note.title.startswith(f"New order {order.number} in Fern & Kiln: $")
    assert note.content.startswith("mugfan ordered 2 × Mug.")
    assert buyer.email not in note.content
    assert note.data["url"] == reverse("orders:dashboard_order_detail", kwargs={"order_uuid": order.uuid})
    assert people["owner"].email in [address for email in mail.outbox for address in email.to]


def test_a_sale_that_empties_a_variant_tells_those_who_manage_products(django_capture_on_commit_callbacks):
    buyer = UserFactory()
    tee = product_with_variants(inventory=1, title="Tee")
    people = team(tee.store)
    cart = CartFactory(user=buyer)
    CartItemFactory(cart=cart, product=tee, variant=variant_of(tee, "M / Red"))
    Variant.objects.filter(pk=variant_of(tee, "S / Red").pk).update(inventory_count=5)
    CartItemFactory(cart=cart, product=tee, variant=variant_of(tee, "S / Red"))
    with django_capture_on_commit_callbacks(execute=True):
        place_order(buyer=buyer, cart=cart, token=uuid.uuid4(), card=card(), shipping=SHIPPING)
    notes = of_type(T.OUT_OF_STOCK)
    assert {note.user for note in notes} == {people["owner"]}  # only the owner manages products here
    assert notes[0].title == f"Tee (M / Red) sold out in {tee.store.name}"  # S / Red has 4 left: no news
    assert notes[0].data["url"] == reverse("catalog:dashboard_variants", kwargs={"product_id": tee.pk})


def test_a_new_review_tells_those_who_answer_reviews(django_capture_on_commit_callbacks):
    store = StoreFactory(review_policy="anyone")
    people = team(store)
    product = ProductFactory(store=store, title="Mug")
    with django_capture_on_commit_callbacks(execute=True):
        reviews.create_review(user=UserFactory(username="critic"), product=product, rating=4, content="Lovely glaze.")
    told = {note.user for note in of_type(T.NEW_REVIEW)}
    assert told == {people["owner"], people["support"]}
    note = of_type(T.NEW_REVIEW, people["owner"])[0]
    assert note.title == "New 4-star review of Mug" and "critic" in note.content and "Lovely glaze." in note.content


def test_a_new_conversation_tells_those_who_answer_messages_once(django_capture_on_commit_callbacks):
    store = StoreFactory(name="Inkwell")
    people = team(store)
    customer = UserFactory(username="asker")
    with django_capture_on_commit_callbacks(execute=True):
        conversation = messaging.create_conversation(
            store=store, customer=customer, type="general", subject="Framing?", content="Do you frame prints?"
        )
    told = {note.user for note in of_type(T.NEW_CONVERSATION)}
    assert told == {people["owner"], people["support"]}
    note = of_type(T.NEW_CONVERSATION, people["owner"])[0]
    assert note.title == "New conversation with Inkwell: Framing?"
    assert note.content == "asker wrote: Do you frame prints?"
    assert note.data["url"] == conversation.get_absolute_url()
    assert of_type(T.MESSAGE_REPLY) == []  # not also a "reply"


# Preferences ------------------------------------------------------------------------------


def test_seller_types_are_listed_only_to_store_teams(client):
    seller_label = str(T.NEW_ORDER.label)
    buyer = UserFactory()
    client.force_login(buyer)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert str(T.ORDER_SHIPPED.label) in page and seller_label not in page and "stores you work on" not in page

    store = StoreFactory()
    client.force_login(store.owner)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert seller_label in page and str(T.OUT_OF_STOCK.label) in page and "For the stores you work on" in page
    support = add_member(store, role="support").user
    client.force_login(support)
    assert seller_label in client.get(reverse("notifications:preferences")).content.decode()
