"""Shipping: what a store charges (rates, extra items, free over, abroad or not, digital never
ships), what place_order charges and keeps, and the seller's settings service."""

import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog.tests.factories import DigitalProductFactory, ProductFactory
from shomp.core.countries import country_choices, country_name
from shomp.orders import services
from shomp.orders.models import Address, Order, ShippingSettings
from shomp.orders.services.shipping import ShippableLine, quote_shipping
from shomp.organizations.models import AuditLogEntry
from shomp.organizations.tests.factories import add_member
from shomp.stores.tests.factories import StoreFactory

from .factories import CartFactory, CartItemFactory, ShippingSettingsFactory
from .helpers import card

pytestmark = pytest.mark.django_db

D = Decimal


def physical(quantity=1, amount="10.00"):
    return ShippableLine(is_digital=False, quantity=quantity, amount=D(amount))


def digital(amount="7.00"):
    return ShippableLine(is_digital=True, quantity=1, amount=D(amount))


@pytest.fixture
def us_store():
    return ShippingSettingsFactory(store=StoreFactory(name="Pottery")).store


# The quote ----------------------------------------------------------------------------------


def test_domestic_first_item_pays_the_rate_each_extra_item_the_extra_rate(us_store):
    assert quote_shipping(store=us_store, lines=[physical()], country="US").amount == D("5.00")
    # 2 + 1 items: $5 + 2 × $1
    quote = quote_shipping(store=us_store, lines=[physical(2), physical(1)], country="US")
    assert quote.amount == D("7.00")
    assert quote.ships and quote.needs_shipping and quote.processing_days == 3


def test_international_rates_apply_abroad(us_store):
    assert quote_shipping(store=us_store, lines=[physical(3)], country="GB").amount == D("21.00")  # 15 + 2 × 3


def test_a_store_that_doesnt_ship_abroad_refuses_other_countries_with_a_message(us_store):
    ShippingSettings.objects.filter(store=us_store).update(international_rate=None)
    us_store.refresh_from_db()
    quote = quote_shipping(store=us_store, lines=[physical()], country="FR")
    assert not quote.ships
    assert quote.refusal == "Pottery doesn't ship to France."
    assert quote_shipping(store=us_store, lines=[physical()], country="US").amount == D("5.00")


def test_free_over_counts_the_physical_items_only(us_store):
    ShippingSettings.objects.filter(store=us_store).update(free_over=D("50.00"))
    us_store.refresh_from_db()
    under = quote_shipping(store=us_store, lines=[physical(1, "45.00"), digital("20.00")], country="US")
    assert under.amount == D("5.00") and not under.free_applied  # the download doesn't count
    reached = quote_shipping(store=us_store, lines=[physical(2, "50.00")], country="GB")
    assert reached.amount == D("0.00") and reached.free_applied


def test_digital_items_never_ship(us_store):
    quote = quote_shipping(store=us_store, lines=[digital(), digital()], country="")
    assert quote.amount == D("0.00") and not quote.needs_shipping
    ShippingSettings.objects.filter(store=us_store).update(international_rate=None)
    us_store.refresh_from_db()
    assert quote_shipping(store=us_store, lines=[digital()], country="FR").ships  # downloads go anywhere
    assert quote_shipping(store=us_store, lines=[digital(), physical(2)], country="US").amount == D("6.00")


def test_no_country_yet_shows_no_amount_but_no_refusal(us_store):
    quote = quote_shipping(store=us_store, lines=[physical()], country="")
    assert quote.amount is None and quote.refusal == "" and quote.needs_shipping


def test_a_store_without_settings_ships_free_everywhere():
    store = StoreFactory()
    quote = quote_shipping(store=store, lines=[physical(4)], country="JP")
    assert quote.amount == D("0.00") and quote.ships


def test_countries_are_real_and_sorted_by_name():
    choices = country_choices()
    assert len(choices) > 240
    names = [name for _, name in choices]
    assert names == sorted(names, key=str.casefold)
    assert country_name("GB") == "United Kingdom" and country_name("TW") == "Taiwan"
    assert country_name("BO") == "Bolivia"


# Checkout charges it ----------------------------------------------------------------------


def gb(**kwargs):
    fields = {"name": "Robin", "line1": "1 Quay Street", "line2": "", "city": "Bristol", "postal_code": "BS1"}
    return services.ShippingAddress(**(fields | {"country": "GB"} | kwargs))


@pytest.fixture
def two_store_cart():
    """Pottery (US: $5 + $1, abroad $15 + $3): 2 mugs at $12.50 and a $7 guide; Prints (GB: £-free
    store without international: $2 + $0.50, free over $30): a $5 poster ×2."""
    buyer = UserFactory()
    pottery = ShippingSettingsFactory(store=StoreFactory(name="Pottery")).store
    prints = ShippingSettingsFactory(
        store=StoreFactory(name="Prints"),
        ships_from="GB",
        domestic_rate=D("2.00"),
        domestic_extra_item_rate=D("0.50"),
        international_rate=None,
        free_over=D("30.00"),
    ).store
    cart = CartFactory(user=buyer)
    CartItemFactory(cart=cart, quantity=2, product=ProductFactory(store=pottery, title="Mug", price="12.50", stock=5))
    CartItemFactory(cart=cart, product=DigitalProductFactory(store=pottery, title="Guide", price="7.00"))
    CartItemFactory(cart=cart, quantity=2, product=ProductFactory(store=prints, title="Poster", price="5.00", stock=9))
    return buyer, cart, pottery, prints


def test_place_order_charges_each_stores_shipping_and_keeps_it_on_the_order(two_store_cart, provider):
    buyer, cart, pottery, prints = two_store_cart
    placed = services.place_order(buyer=buyer, cart=cart, token=uuid.uuid4(), card=card(), shipping=gb())
    orders = {order.store_id: order for order in placed.orders.all()}
    # Pottery abroad: $15 + $3 for the 2nd mug; Prints at home: $2 + $0.50.
    assert (orders[pottery.pk].shipping_total, orders[pottery.pk].total) == (D("18.00"), D("50.00"))
    assert (orders[prints.pk].shipping_total, orders[prints.pk].total) == (D("2.50"), D("12.50"))
    assert placed.amount == D("62.50")
    assert provider.calls[-1][1] == D("62.50")  # what the card was charged
    order = orders[pottery.pk]
    assert (order.ship_country, order.ship_country_code) == ("United Kingdom", "GB")


def test_a_country_a_store_doesnt_ship_to_places_nothing(two_store_cart, provider):
    buyer, cart, *_ = two_store_cart
    with pytest.raises(ValidationError) as refused:
        services.place_order(buyer=buyer, cart=cart, token=uuid.uuid4(), card=card(), shipping=gb(country="US"))
    assert refused.value.messages == ["Prints doesn't ship to United States."]
    assert not Order.objects.exists() and not provider.calls and cart.items.count() == 3
    assert not Address.objects.exists()


def test_an_unknown_country_is_refused(two_store_cart, provider):
    buyer, cart, *_ = two_store_cart
    with pytest.raises(ValidationError) as refused:
        services.place_order(buyer=buyer, cart=cart, token=uuid.uuid4(), card=card(), shipping=gb(country="UK"))
    assert refused.value.message_dict == {"country": ["Choose a country from the list."]}
    assert not Order.objects.exists() and not provider.calls


def test_checkout_saves_the_address_once_and_marks_it_used(provider):
    buyer = UserFactory()
    for spaces in ("1 Quay Street", " 1  quay street "):  # the same address, typed differently
        cart = CartFactory(user=buyer) if not hasattr(buyer, "cart") else buyer.cart
        CartItemFactory(cart=cart, product=ProductFactory(price="4.00", stock=5))
        services.place_order(buyer=buyer, cart=cart, token=uuid.uuid4(), card=card(), shipping=gb(line1=spaces))
    saved = list(Address.objects.filter(user=buyer))
    assert len(saved) == 1 and saved[0].line1 == "1 Quay Street" and saved[0].last_used_at is not None


def test_a_digital_only_checkout_saves_no_address_and_charges_no_shipping(provider):
    buyer = UserFactory()
    store = ShippingSettingsFactory().store
    cart = CartFactory(user=buyer)
    CartItemFactory(cart=cart, product=DigitalProductFactory(store=store, price="7.00"))
    placed = services.place_order(buyer=buyer, cart=cart, token=uuid.uuid4(), card=card())
    order = placed.orders.get()
    assert (order.shipping_total, order.total, placed.amount) == (D("0.00"), D("7.00"), D("7.00"))
    assert not Address.objects.exists()


# The seller's settings ------------------------------------------------------------------------


def test_update_shipping_settings_saves_and_writes_the_audit_log():
    store = StoreFactory(name="Pottery")
    settings = services.update_shipping_settings(
        store=store,
        actor=store.owner,
        ships_from="FR",
        domestic_rate=D("4.5"),
        international_rate=None,
        free_over=D("80"),
        processing_days=2,
    )
    assert (settings.ships_from, settings.domestic_rate, settings.international_rate) == ("FR", D("4.50"), None)
    entry = AuditLogEntry.objects.filter(organization=store.organization).order_by("-pk").first()
    assert entry.actor == store.owner and entry.action == AuditLogEntry.Action.SHIPPING_CHANGED
    assert entry.object == "Pottery"


def test_the_team_log_reads_that_the_shipping_settings_changed(client):
    store = StoreFactory(name="Pottery")
    services.update_shipping_settings(store=store, actor=store.owner, ships_from="FR", domestic_rate=D("4.5"))
    client.force_login(store.owner)
    html = client.get("/dashboard/organization/settings/").content.decode()
    assert "changed the shipping settings of “Pottery”" in html and "bulk edit" not in html


@pytest.mark.parametrize(
    ("field", "value"),
    [("domestic_rate", D("-1")), ("free_over", D("-0.01")), ("ships_from", "XX"), ("processing_days", -1)],
)
def test_update_shipping_settings_refuses_bad_values_and_changes_nothing(field, value):
    store = StoreFactory()
    data = {"ships_from": "US", "domestic_rate": D("5"), "processing_days": 3} | {field: value}
    with pytest.raises(ValidationError) as refused:
        services.update_shipping_settings(store=store, actor=store.owner, **data)
    assert field in refused.value.message_dict
    assert not ShippingSettings.objects.exists()


@pytest.mark.parametrize("role", ["support", "fulfilment", "analyst"])
def test_only_who_may_change_store_settings_sets_shipping(role):
    store = StoreFactory()
    member = add_member(store, role=role).user
    with pytest.raises(ValidationError):
        services.update_shipping_settings(store=store, actor=member, ships_from="US", domestic_rate=D("5"))
    with pytest.raises(ValidationError):
        services.update_shipping_settings(store=store, actor=UserFactory(), ships_from="US", domestic_rate=D("5"))
    assert not ShippingSettings.objects.exists()


def test_the_confirmation_email_shows_each_orders_shipping(two_store_cart, provider, mailoutbox):
    buyer, cart, *_ = two_store_cart
    placed = services.place_order(buyer=buyer, cart=cart, token=uuid.uuid4(), card=card(), shipping=gb())
    services.send_order_confirmation(checkout_id=placed.pk)
    body = mailoutbox[-1].body
    assert "You paid $62.50" in body
    assert "Shipping to United Kingdom  $18.00" in body and "Shipping to United Kingdom  $2.50" in body
