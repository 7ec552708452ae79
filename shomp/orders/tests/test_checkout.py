"""Checkout, through the page and through the service: address, cards, one order per store,
snapshots, declines that leave everything as it was, double submits, and the confirmation email."""

import uuid
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog.models import Product
from shomp.catalog.tests.factories import DigitalProductFactory, ProductFactory
from shomp.core.exceptions import OutOfStock, PaymentDeclined
from shomp.orders import selectors, services
from shomp.orders.models import CartItem, Checkout, Order, OrderItem
from shomp.orders.tasks import send_order_confirmation_task
from shomp.stores.tests.factories import StoreFactory

from .factories import CartFactory, CartItemFactory
from .helpers import (
    DECLINE_CARD,
    SHIPPING,
    UNKNOWN_CARD,
    card,
    page_token,
    payment_data,
    shipping_data,
)

pytestmark = pytest.mark.django_db

CHECKOUT = reverse("orders:checkout")


@pytest.fixture
def cart(buyer):
    """Two stores: 2 mugs at $12.50 (stock 5) and a guide at $7.00 from one, a poster at $5.00 from another."""
    pottery, prints = StoreFactory(name="Pottery"), StoreFactory(name="Prints")
    cart = CartFactory(user=buyer)
    CartItemFactory(cart=cart, quantity=2, product=ProductFactory(store=pottery, title="Mug", price="12.50", stock=5))
    CartItemFactory(cart=cart, product=DigitalProductFactory(store=pottery, title="Guide", price="7.00"))
    CartItemFactory(cart=cart, product=ProductFactory(store=prints, title="Poster", price="5.00", stock=1))
    return cart


def stock_of(title: str) -> int | None:
    return Product.objects.get(title=title).stock


def cart_lines(cart) -> dict[str, int]:
    return {i.product.title: i.quantity for i in cart.items.select_related("product")}


# The page --------------------------------------------------------------------------------


def test_physical_items_ask_for_a_shipping_address(buyer_client, cart):
    page = buyer_client.get(CHECKOUT).content.decode()
    assert 'name="ship-line1"' in page
    assert "Test payments." in page and "4242 4242 4242 4242" in page


def test_a_digital_only_cart_asks_for_no_address(buyer_client, buyer, provider, django_capture_on_commit_callbacks):
    CartItemFactory(cart=CartFactory(user=buyer), product=DigitalProductFactory(title="Guide"))
    response = buyer_client.get(CHECKOUT)
    assert 'name="ship-line1"' not in response.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = buyer_client.post(CHECKOUT, payment_data(page_token(response)))
    assert response.status_code == 302
    order = Order.objects.get()
    assert not order.needs_shipping and order.ship_name == ""


def test_a_missing_address_is_explained_next_to_each_field(buyer_client, cart, provider):
    token = page_token(buyer_client.get(CHECKOUT))
    data = payment_data(token) | shipping_data() | {"ship-line1": "", "ship-city": ""}
    response = buyer_client.post(CHECKOUT, data)
    assert response.status_code == 200
    page = response.content.decode()
    for field in ("line1", "city"):
        assert f'<div class="invalid-feedback d-block" id="id_ship-{field}_error">This field is required.</div>' in page
    assert 'id="id_ship-name_error"' not in page
    assert 'value="Robin Receiver"' in page  # what was typed is kept
    assert not Checkout.objects.exists() and provider.calls == []
    assert stock_of("Mug") == 5


def test_an_empty_cart_goes_back_to_the_cart(buyer_client):
    response = buyer_client.get(CHECKOUT, follow=True)
    assert response.redirect_chain == [(reverse("orders:cart"), 302)]
    assert "Your cart is empty." in response.content.decode()


def test_paying_makes_one_order_per_store(buyer_client, buyer, cart, provider, django_capture_on_commit_callbacks):
    token = page_token(buyer_client.get(CHECKOUT))
    with django_capture_on_commit_callbacks(execute=True):
        response = buyer_client.post(CHECKOUT, payment_data(token) | shipping_data())
    assert response.status_code == 302
    assert response.url == reverse("orders:checkout_done", kwargs={"token": token})

    placed = Checkout.objects.get()
    assert (placed.token, placed.buyer, placed.amount, placed.card_last4) == (token, buyer, Decimal("37.00"), "4242")
    assert [call[:3] for call in provider.calls] == [(str(token), Decimal("37.00"), "4242424242424242")]
    orders = {o.store.name: o for o in placed.orders.all()}
    assert set(orders) == {"Pottery", "Prints"}
    assert orders["Pottery"].total == Decimal("32.00") and orders["Prints"].total == Decimal("5.00")
    assert all(o.status == Order.Status.PAID and o.buyer == buyer for o in orders.values())
    snapshot = {(i.title, i.unit_price, i.quantity, i.kind) for i in OrderItem.objects.filter(order=orders["Pottery"])}
    assert snapshot == {("Mug", Decimal("12.50"), 2, "physical"), ("Guide", Decimal("7.00"), 1, "digital")}
    assert (orders["Pottery"].ship_name, orders["Pottery"].ship_city) == ("Robin Receiver", "Bristol")
    assert (stock_of("Mug"), stock_of("Poster"), stock_of("Guide")) == (3, 0, None)
    assert not CartItem.objects.exists()

    done = buyer_client.get(response.url).content.decode()
    assert "Thank you for your order" in done and "the card ending 4242" in done
    for order in orders.values():
        assert order.number in done


def test_later_product_edits_do_not_change_the_order(buyer_client, cart, provider):
    token = page_token(buyer_client.get(CHECKOUT))
    buyer_client.post(CHECKOUT, payment_data(token) | shipping_data())
    Product.objects.filter(title="Mug").update(title="Giant Mug", price="99.00")
    order = Order.objects.get(store__name="Pottery")

    item = order.items.get(kind="physical")
    assert (item.title, item.unit_price, item.line_total) == ("Mug", Decimal("12.50"), Decimal("25.00"))
    page = buyer_client.get(order.get_absolute_url()).content.decode()
    assert "Mug" in page and "$12.50" in page and "$32.00" in page
    assert "Giant Mug" not in page and "$99.00" not in page


def test_a_declined_card_changes_nothing(buyer_client, cart, provider, published, django_capture_on_commit_callbacks):
    token = page_token(buyer_client.get(CHECKOUT))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = buyer_client.post(CHECKOUT, payment_data(token, number=DECLINE_CARD) | shipping_data())
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="checkout-error">Your card was declined. Try another card.' in page
    assert len(provider.calls) == 1
    assert not Checkout.objects.exists() and not Order.objects.exists() and not OrderItem.objects.exists()
    assert (stock_of("Mug"), stock_of("Poster")) == (5, 1)
    assert cart_lines(cart) == {"Mug": 2, "Guide": 1, "Poster": 1}
    assert callbacks == [] and published == [] and mail.outbox == []
    # The next attempt is a fresh one, and it goes through.
    retry = page_token(response)
    assert retry != token
    buyer_client.post(CHECKOUT, payment_data(retry) | shipping_data())
    assert Checkout.objects.get().token == retry


def test_an_unknown_card_explains_the_test_cards(buyer_client, cart, provider):
    token = page_token(buyer_client.get(CHECKOUT))
    response = buyer_client.post(CHECKOUT, payment_data(token, number=UNKNOWN_CARD) | shipping_data())
    assert "use card 4242 4242 4242 4242 to pay" in response.content.decode()
    assert not Order.objects.exists() and stock_of("Mug") == 5


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("card_number", "4242", "Enter the card number: 12 to 19 digits."),
        ("card_number", "4242 4242 abcd 4242", "Enter the card number: 12 to 19 digits."),
        ("expiry", "13/30", "Enter the expiry as MM/YY, e.g. 12/30."),
        ("expiry", "2030-12", "Enter the expiry as MM/YY, e.g. 12/30."),
        ("expiry", "01/20", "This card has expired."),
        ("cvc", "12", "Enter the 3 or 4 digits on the back of the card."),
        ("cvc", "abc", "Enter the 3 or 4 digits on the back of the card."),
        ("cvc", "", "This field is required."),
    ],
)
def test_bad_card_details_are_explained_next_to_the_field(buyer_client, cart, provider, field, value, message):
    token = page_token(buyer_client.get(CHECKOUT))
    response = buyer_client.post(CHECKOUT, payment_data(token) | shipping_data() | {field: value})
    assert response.status_code == 200
    assert f'id="id_{field}_error">{message}</div>' in response.content.decode()
    assert provider.calls == [] and not Checkout.objects.exists()


def test_the_same_checkout_submitted_twice_is_placed_once(buyer_client, cart, provider):
    token = page_token(buyer_client.get(CHECKOUT))
    data = payment_data(token) | shipping_data()
    first = buyer_client.post(CHECKOUT, data)
    orders = set(Order.objects.values_list("pk", flat=True))
    second = buyer_client.post(CHECKOUT, data)

    done = reverse("orders:checkout_done", kwargs={"token": token})
    assert (first.status_code, first.url) == (302, done)
    assert (second.status_code, second.url) == (302, done)
    assert Checkout.objects.count() == 1 and len(provider.calls) == 1
    assert set(Order.objects.values_list("pk", flat=True)) == orders and len(orders) == 2
    assert stock_of("Mug") == 3


def test_a_resubmitted_form_after_refilling_the_cart_is_still_placed_once(buyer_client, buyer, cart, provider):
    token = page_token(buyer_client.get(CHECKOUT))
    data = payment_data(token) | shipping_data()
    buyer_client.post(CHECKOUT, data)
    CartItemFactory(cart=cart, product=ProductFactory(title="Jug"))  # a second tab, another item
    response = buyer_client.post(CHECKOUT, data)
    assert response.url == reverse("orders:checkout_done", kwargs={"token": token})
    assert Checkout.objects.count() == 1 and len(provider.calls) == 1
    assert cart_lines(cart) == {"Jug": 1}


def test_a_second_tab_submitted_after_the_first_shows_the_first_order(buyer_client, cart, provider):
    """Two tabs, two tokens: the second submit pays nothing and lands on the first's confirmation."""
    tokens = [page_token(buyer_client.get(CHECKOUT)) for _ in range(2)]
    buyer_client.post(CHECKOUT, payment_data(tokens[0]) | shipping_data())
    response = buyer_client.post(CHECKOUT, payment_data(tokens[1]) | shipping_data(), follow=True)

    done = reverse("orders:checkout_done", kwargs={"token": tokens[0]})
    assert response.redirect_chain == [(done, 302)]
    assert "Your cart was already paid for in another tab or window: this is that order." in (response.content.decode())
    assert Checkout.objects.get().token == tokens[0] and len(provider.calls) == 1
    assert stock_of("Mug") == 3


def test_place_order_on_a_cart_a_recent_checkout_emptied_returns_that_checkout(buyer, cart, provider):
    first = services.place_order(buyer=buyer, cart=cart, token=uuid.uuid4(), card=card(), shipping=SHIPPING)
    with pytest.raises(services.AlreadyPlaced) as already:
        services.place_order(buyer=buyer, cart=cart, token=uuid.uuid4(), card=card(), shipping=SHIPPING)
    assert already.value.checkout == first
    assert Checkout.objects.count() == 1 and len(provider.calls) == 1


def test_an_empty_cart_long_after_the_last_checkout_is_just_empty(buyer_client, buyer, cart, provider):
    first = services.place_order(buyer=buyer, cart=cart, token=uuid.uuid4(), card=card(), shipping=SHIPPING)
    Checkout.objects.filter(pk=first.pk).update(created_at=first.created_at - selectors.ALREADY_PLACED_WINDOW)

    with pytest.raises(ValidationError, match=r"Your cart is empty\."):
        services.place_order(buyer=buyer, cart=cart, token=uuid.uuid4(), card=card(), shipping=SHIPPING)
    response = buyer_client.post(CHECKOUT, payment_data(uuid.uuid4()) | shipping_data(), follow=True)
    assert response.redirect_chain == [(reverse("orders:cart"), 302)]
    assert "Your cart is empty." in response.content.decode()
    assert Checkout.objects.count() == 1 and len(provider.calls) == 1


def test_someone_elses_checkout_token_is_not_reused(buyer_client, buyer, cart, provider):
    other = UserFactory()
    theirs = services.place_order(
        buyer=other,
        cart=CartItemFactory(cart=CartFactory(user=other), product=DigitalProductFactory()).cart,
        token=uuid.uuid4(),
        card=card(),
    )
    response = buyer_client.post(CHECKOUT, payment_data(theirs.token) | shipping_data())
    assert response.status_code == 200
    assert "This checkout form is no longer valid. Please try again." in response.content.decode()
    assert Checkout.objects.get() == theirs and not Order.objects.filter(buyer=buyer).exists()
    assert stock_of("Mug") == 5 and len(cart_lines(cart)) == 3


# The confirmation email ------------------------------------------------------------------


def test_the_buyer_gets_one_confirmation_email(buyer_client, buyer, cart, provider, django_capture_on_commit_callbacks):
    token = page_token(buyer_client.get(CHECKOUT))
    with django_capture_on_commit_callbacks(execute=True):
        buyer_client.post(CHECKOUT, payment_data(token) | shipping_data())
    placed = Checkout.objects.get()
    to_buyer = [email for email in mail.outbox if email.to == [buyer.email]]
    assert len(to_buyer) == 1  # (each store's owner is emailed their new order)
    email = to_buyer[0]
    assert email.to == [buyer.email]
    assert email.subject == "Your Shomp order (2 orders)"
    for order in placed.orders.all():
        assert f"Order {order.number} from {order.store.name}" in email.body
        assert order.get_absolute_url() in email.body
    assert "2 x Mug" in email.body and "1 x Poster" in email.body
    placed.refresh_from_db()
    assert placed.confirmation_sent_at is not None

    # A retried task, or the service run again, sends nothing more.
    assert services.send_order_confirmation(checkout_id=placed.pk) is False
    send_order_confirmation_task.enqueue(checkout_id=placed.pk)
    assert len([email for email in mail.outbox if email.to == [buyer.email]]) == 1


def test_no_email_before_commit_nor_for_a_declined_payment(buyer, cart, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.place_order(buyer=buyer, cart=cart, token=uuid.uuid4(), card=card(), shipping=SHIPPING)
    assert mail.outbox == []  # still inside the transaction
    for callback in callbacks:
        callback()
    assert len([email for email in mail.outbox if email.to == [buyer.email]]) == 1

    CartItemFactory(cart=cart, product=DigitalProductFactory())
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PaymentDeclined):
        services.place_order(buyer=buyer, cart=cart, token=uuid.uuid4(), card=card(DECLINE_CARD))
    assert len(mail.outbox) == 1


# The service -----------------------------------------------------------------------------


def test_place_order_requires_an_address_for_physical_items(buyer, cart):
    with pytest.raises(ValidationError, match="Enter a shipping address"):
        services.place_order(buyer=buyer, cart=cart, token=uuid.uuid4(), card=card())
    assert not Checkout.objects.exists() and stock_of("Mug") == 5


def test_place_order_refuses_more_than_the_stock_and_takes_none(buyer, cart):
    Product.objects.filter(title="Poster").update(stock=0)  # sold out since it was added
    with pytest.raises(OutOfStock, match="“Poster” sold out"):
        services.place_order(buyer=buyer, cart=cart, token=uuid.uuid4(), card=card(), shipping=SHIPPING)
    Product.objects.filter(title="Poster").update(stock=1)
    cart.items.filter(product__title="Mug").update(quantity=6)
    with pytest.raises(OutOfStock, match=r"Only 5 of “Mug” left in stock\."):
        services.place_order(buyer=buyer, cart=cart, token=uuid.uuid4(), card=card(), shipping=SHIPPING)
    assert not Checkout.objects.exists() and not Order.objects.exists()
    assert (stock_of("Mug"), stock_of("Poster")) == (5, 1)
    assert len(cart_lines(cart)) == 3


def test_place_order_refuses_a_product_no_longer_for_sale(buyer, cart):
    Product.objects.filter(title="Guide").update(status=Product.Status.ARCHIVED)
    with pytest.raises(OutOfStock, match="“Guide” is no longer for sale"):
        services.place_order(buyer=buyer, cart=cart, token=uuid.uuid4(), card=card(), shipping=SHIPPING)
    assert not Order.objects.exists() and stock_of("Mug") == 5


def test_the_checkout_page_shows_a_stock_refusal(buyer_client, cart, provider):
    token = page_token(buyer_client.get(CHECKOUT))
    Product.objects.filter(title="Poster").update(stock=0)
    response = buyer_client.post(CHECKOUT, payment_data(token) | shipping_data())
    assert "“Poster” sold out. Remove it from your cart." in response.content.decode()
    assert provider.calls == [] and not Order.objects.exists()


def test_place_order_with_the_same_token_twice_returns_the_first(buyer, cart, provider):
    token = uuid.uuid4()
    placed = services.place_order(buyer=buyer, cart=cart, token=token, card=card(), shipping=SHIPPING)
    CartItemFactory(cart=cart, product=ProductFactory())
    with pytest.raises(services.AlreadyPlaced) as already:
        services.place_order(buyer=buyer, cart=cart, token=token, card=card(), shipping=SHIPPING)
    assert already.value.checkout == placed
    assert Checkout.objects.count() == 1 and Order.objects.count() == 2 and len(provider.calls) == 1


@pytest.mark.django_db
def test_a_cart_mixing_currencies_is_refused_and_nothing_is_taken():
    import uuid as _uuid

    from django.core.exceptions import ValidationError

    from shomp.accounts.tests.factories import UserFactory
    from shomp.catalog.tests.factories import ProductFactory
    from shomp.orders import services
    from shomp.orders.models import Checkout
    from shomp.orders.tests.helpers import SHIPPING, card

    buyer = UserFactory()
    dollars = ProductFactory(store__currency="USD", stock=3)
    euros = ProductFactory(store__currency="EUR", stock=3)
    cart = services.get_or_create_cart(user=buyer, session={})
    services.add_to_cart(cart=cart, product=dollars)
    services.add_to_cart(cart=cart, product=euros)
    with pytest.raises(ValidationError, match="different currencies"):
        services.place_order(buyer=buyer, cart=cart, token=_uuid.uuid4(), card=card(), shipping=SHIPPING)
    dollars.refresh_from_db()
    euros.refresh_from_db()
    assert (dollars.stock, euros.stock) == (3, 3)
    assert not Checkout.objects.exists()
    assert cart.items.count() == 2
