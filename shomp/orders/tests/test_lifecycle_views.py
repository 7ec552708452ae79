"""The order pages' lifecycle actions: the seller's forms (ship with tracking, cancel with a
reason, refund a line), what the buyer then reads, who may do what (a stranger, a buyer, another
store's owner, support), the buyer's cancellation request, the thank-you page's downloads, the
live cards, and the pages' query budgets."""

from decimal import Decimal

import pytest
from django.urls import reverse

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog.tests.factories import DigitalProductFactory, ProductFactory
from shomp.messaging.models import Conversation
from shomp.orders.models import Order, Refund
from shomp.orders.services import fulfilment, refunds
from shomp.organizations.tests.factories import add_member
from shomp.stores.tests.factories import StoreFactory

from .factories import OrderFactory, OrderItemFactory

pytestmark = pytest.mark.django_db

ADDRESS = {"ship_name": "Robin", "ship_line1": "1 Quay Street", "ship_city": "Bristol", "ship_country": "GB"}


def status_url(order) -> str:
    return reverse("orders:dashboard_order_status", kwargs={"order_uuid": order.uuid})


def seller_url(order) -> str:
    return reverse("orders:dashboard_order_detail", kwargs={"order_uuid": order.uuid})


def cancel_request_url(order) -> str:
    return reverse("messaging:request_cancellation", kwargs={"order_uuid": order.uuid})


@pytest.fixture
def order():
    order = OrderFactory(**ADDRESS, total=Decimal("29.00"), shipping_total=Decimal("4.00"))
    OrderItemFactory(
        order=order, product=ProductFactory(store=order.store, title="Mug"), unit_price="12.50", quantity=2
    )
    return order


# The seller -------------------------------------------------------------------------------


def test_the_seller_ships_with_tracking_and_the_buyer_gets_the_link(client, order):
    client.force_login(order.store.owner)
    page = client.get(seller_url(order)).content.decode()
    assert "Ship this order" in page and 'name="carrier"' in page and 'name="tracking_number"' in page

    response = client.post(
        status_url(order),
        {"action": "ship", "carrier": "royal_mail", "tracking_number": "AB 1234 5678 GB"},
        follow=True,
    )
    assert f"Order {order.number} marked shipped. The buyer has been told." in response.content.decode()
    order.refresh_from_db()
    assert order.status == Order.Status.SHIPPED and order.tracking_number == "AB12345678GB"

    client.force_login(order.buyer)
    page = client.get(order.get_absolute_url()).content.decode()
    assert "https://www.royalmail.com/track-your-item#/tracking-results/AB12345678GB" in page
    assert "On its way with Royal Mail" in page and "Status history" in page
    assert "Request cancellation" not in page  # shipped: too late


def test_bad_tracking_is_shown_next_to_the_field_and_changes_nothing(client, order):
    client.force_login(order.store.owner)
    response = client.post(status_url(order), {"action": "ship", "carrier": "ups", "tracking_number": "#!"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_tracking_number_error"' in page and "A tracking number is 4 to 60 letters" in page
    assert 'aria-describedby="id_tracking_number_error"' in page
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


def test_the_seller_cancels_with_a_reason_and_the_buyer_sees_the_refund(client, order):
    client.force_login(order.store.owner)
    response = client.post(status_url(order), {"action": "cancel", "reason": ""})
    assert response.status_code == 400 and "Say why, for the buyer." in response.content.decode()
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID

    response = client.post(status_url(order), {"action": "cancel", "reason": "Kiln broke"}, follow=True)
    assert "cancelled and refunded; its stock is back" in response.content.decode()
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED and order.refunded_total == Decimal("29.00")

    assert "Refund this line" not in client.get(seller_url(order)).content.decode()  # nothing left to refund
    client.force_login(order.buyer)
    page = client.get(order.get_absolute_url()).content.decode()
    assert "cancelled this order: “Kiln broke”. You have been refunded $29.00." in page
    assert 'data-testid="refunded-total">−$29.00' in page


def test_the_seller_refunds_a_line_and_too_many_is_refused_next_to_it(client, order):
    item = order.items.get()
    client.force_login(order.store.owner)
    form = {"action": "refund", "item": item.pk, "seen_refunded": 0, "reason": "Chipped"}
    response = client.post(status_url(order), form | {"quantity": 5})
    assert response.status_code == 400
    assert f'id="refund-err-{item.pk}">Refund between 1 and 2 of “Mug”.' in response.content.decode()
    assert not Refund.objects.exists()

    response = client.post(status_url(order), form | {"quantity": 1}, follow=True)
    assert "Refunded 1 × “Mug”. The buyer has been told." in response.content.decode()
    response = client.post(status_url(order), form | {"quantity": 1})  # the same form again
    assert response.status_code == 400 and "was refunded meanwhile" in response.content.decode()
    assert Refund.objects.get().amount == Decimal("12.50")

    client.force_login(order.buyer)
    page = client.get(order.get_absolute_url()).content.decode()
    assert "Refunded 1 of 2" in page and "$12.50 for 1 × Mug · Chipped" in page


def test_a_refund_for_another_orders_line_is_refused(client, order):
    client.force_login(order.store.owner)
    other = OrderItemFactory()
    response = client.post(status_url(order), {"action": "refund", "item": other.pk, "seen_refunded": 0, "quantity": 1})
    assert response.status_code == 400 and "That line is not part of this order." in response.content.decode()
    assert not Refund.objects.exists()


# Who may ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["visitor", "buyer", "stranger", "other_owner", "support"])
@pytest.mark.parametrize(
    "action",
    [
        {"action": "ship", "carrier": "usps", "tracking_number": "94001000"},
        {"action": "cancel", "reason": "x"},
        {"action": "deliver"},
        {"action": "refund", "item": 0, "seen_refunded": 0, "quantity": 1},
    ],
)
def test_only_the_stores_order_handlers_change_an_order(client, order, who, action):
    users = {
        "buyer": order.buyer,
        "stranger": UserFactory(),
        "other_owner": StoreFactory().owner,
        "support": add_member(order.store, role="support").user,
    }
    if who != "visitor":
        client.force_login(users[who])
    if action["action"] == "refund":
        action = action | {"item": order.items.get().pk}
    response = client.post(status_url(order), action)
    if who == "visitor":
        assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    elif who in {"buyer", "stranger"}:  # no store: sent to make one, nothing shown
        assert response.status_code in {302, 404} and order.number not in response.content.decode()
    else:
        assert response.status_code == 404
    order.refresh_from_db()
    assert order.status == Order.Status.PAID and not Refund.objects.exists()


def test_support_reads_the_order_without_the_forms(client, order):
    client.force_login(add_member(order.store, role="support").user)
    page = client.get(seller_url(order)).content.decode()
    assert order.number in page and "Status history" in page
    assert "Ship this order" not in page and "Cancel and refund" not in page and "Refund this line" not in page


# The buyer's cancellation request ---------------------------------------------------------


def test_the_buyer_requests_a_cancellation_as_a_support_conversation(client, order):
    client.force_login(order.buyer)
    page = client.get(order.get_absolute_url()).content.decode()
    assert cancel_request_url(order) in page
    response = client.post(cancel_request_url(order), {"reason": ""})
    assert response.status_code == 400 and "Tell the store why you want to cancel." in response.content.decode()
    assert not Conversation.objects.exists()

    response = client.post(cancel_request_url(order), {"reason": "Ordered it twice"})
    conversation = Conversation.objects.get()
    assert response.url == conversation.get_absolute_url()
    assert conversation.type == Conversation.Type.SUPPORT and conversation.order == order
    assert conversation.subject == f"Cancellation request for order {order.number}"
    assert "Ordered it twice" in conversation.messages.get().content


def test_a_shipped_order_cannot_be_asked_to_cancel(client, order):
    fulfilment.mark_order_shipped(order=order)
    client.force_login(order.buyer)
    assert "can no longer be cancelled" in client.get(cancel_request_url(order)).content.decode()
    response = client.post(cancel_request_url(order), {"reason": "Please"})
    assert response.status_code == 400 and "can no longer be cancelled" in response.content.decode()
    assert not Conversation.objects.exists()


@pytest.mark.parametrize("who", ["visitor", "stranger", "seller"])
def test_only_the_buyer_asks_to_cancel(client, order, who):
    if who != "visitor":
        client.force_login(UserFactory() if who == "stranger" else order.store.owner)
    response = client.post(cancel_request_url(order), {"reason": "Please"})
    if who == "visitor":
        assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    else:
        assert response.status_code == 404
    assert not Conversation.objects.exists()


# Reviews and downloads --------------------------------------------------------------------


def test_each_line_links_to_write_a_review_until_the_order_is_cancelled(client, order):
    item = order.items.get()
    client.force_login(order.buyer)
    page = client.get(order.get_absolute_url()).content.decode()
    assert reverse("reviews:write", kwargs={"product_id": item.product_id}) in page and "Write a review" in page
    refunds.cancel_order(order=order, reason="Kiln broke")
    assert "Write a review" not in client.get(order.get_absolute_url()).content.decode()


def test_the_thank_you_page_has_the_download_buttons(client, buyer):
    order = OrderFactory(buyer=buyer)
    guide = OrderItemFactory(order=order, product=DigitalProductFactory(store=order.store, title="Glaze guide"))
    OrderItemFactory(order=order, product=ProductFactory(store=order.store))
    client.force_login(buyer)
    page = client.get(reverse("orders:checkout_done", kwargs={"token": order.checkout.token})).content.decode()
    download = reverse("orders:download", kwargs={"order_uuid": order.uuid, "item_id": guide.pk})
    assert (
        page.count('href="/orders/') >= 2
        and download in page
        and 'Download<span class="visually-hidden"> Glaze guide' in page
    )
    assert page.count("checkout-download") == 1  # the physical line has none


# Live cards -------------------------------------------------------------------------------


def test_a_shipped_order_pushes_its_row_and_the_cards(order, published, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        fulfilment.mark_order_shipped(order=order)
    frames = [html for topic, html in published if topic == f"store-orders:{order.store_id}"]
    row, cards = frames
    assert row.lstrip().startswith(f'<tr id="order-row-{order.uuid}"') and 'hx-swap-oob="true"' in row
    assert "Shipped" in row
    assert 'id="dashboard-overview-cards"' in cards and 'data-card="to-ship">0<' in cards


def test_the_dashboard_home_shows_the_live_cards(client, order):
    client.force_login(order.store.owner)
    page = client.get(reverse("orders:dashboard_home")).content.decode()
    assert 'id="dashboard-overview-cards"' in page and 'data-card="to-ship">1<' in page
    assert 'data-card="revenue">$29.00<' in page


def test_the_overview_counts_what_the_store_kept_and_has_to_ship(client, order):
    store = order.store
    client.force_login(store.owner)
    empty = client.get(reverse("orders:dashboard_home")).content.decode()
    OrderFactory(store=store, total=Decimal("100.00"), refunded_total=Decimal("40.00"), status=Order.Status.SHIPPED)
    OrderFactory(store=store, total=Decimal("500.00"), status=Order.Status.CANCELLED)  # not counted
    OrderFactory(total=Decimal("700.00"))  # another store's
    ProductFactory(store=store, status="draft")
    page = client.get(reverse("orders:dashboard_home")).content.decode()
    assert 'data-card="to-ship">1<' in page and 'data-card="orders">2<' in page
    assert 'data-card="revenue">$89.00<' in page  # 29 + (100 - 40)
    assert "1 draft<" in page and "1 draft<" not in empty
    assert 'data-card="revenue">$29.00<' in empty and 'data-card="orders">1<' in empty


def test_a_store_without_orders_shows_zeros(client):
    store = ProductFactory(title="Mug").store
    client.force_login(store.owner)
    page = client.get(reverse("orders:dashboard_home")).content.decode()
    assert 'data-card="to-ship">0<' in page and 'data-card="orders">0<' in page
    assert 'data-card="revenue">$0.00<' in page


# Query budgets ----------------------------------------------------------------------------


@pytest.mark.parametrize("lines", [1, 50])
def test_lifecycle_pages_query_budget(client, django_assert_max_num_queries, lines):
    order = OrderFactory(**ADDRESS, total=Decimal("1000.00"))
    for _ in range(lines):
        item = OrderItemFactory(order=order, product=ProductFactory(store=order.store), unit_price="10.00", quantity=2)
        Refund.objects.create(order=order, item=item, amount="10.00", quantity=1, reason="Chipped")
    fulfilment.mark_order_shipped(order=order, carrier="fedex", tracking_number="123456789012")
    client.force_login(order.buyer)
    with django_assert_max_num_queries(8):
        page = client.get(order.get_absolute_url()).content.decode()
    assert page.count('data-testid="refund"') == lines
    client.force_login(order.store.owner)
    with django_assert_max_num_queries(8):
        page = client.get(seller_url(order)).content.decode()
    assert page.count("Refund this line") == lines


def test_the_admin_shows_refunds_read_only(client, order):
    refunds.cancel_order(order=order, reason="Kiln broke")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()
    assert "Kiln broke" in page and "29.00" in page
    assert "refunds-TOTAL_FORMS" in page and 'name="refunds-0-amount"' not in page  # shown, not editable
