"""The seller's Shipping page, the buyer's Addresses page, and shipping in the cart and at
checkout: what a person sees and what happens with bad input."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog.tests.factories import ProductFactory
from shomp.orders.models import Address, Order, ShippingSettings
from shomp.organizations.tests.factories import add_member
from shomp.stores.tests.factories import StoreFactory

from .factories import AddressFactory, CartFactory, CartItemFactory, ShippingSettingsFactory
from .helpers import page_token, payment_data, shipping_data

pytestmark = pytest.mark.django_db

SHIPPING_PAGE = reverse("orders:dashboard_shipping")
ADDRESSES = reverse("orders:addresses")
CART = reverse("orders:cart")
CHECKOUT = reverse("orders:checkout")

GOOD = {
    "ships_from": "FR",
    "domestic_rate": "4,50",
    "domestic_extra_item_rate": "1,25",
    "ships_abroad": "on",
    "international_rate": "12.50",
    "international_extra_item_rate": "",
    "free_over": "80",
    "processing_days": "2",
}


def field_error(html: str, field: str) -> str:
    match = re.search(rf'id="id_{field}_error">([^<]*)<', html)
    return match.group(1) if match else ""


# The seller's Shipping page ----------------------------------------------------------------


def test_the_seller_sets_shipping_with_decimal_commas(client):
    store = StoreFactory()
    client.force_login(store.owner)
    page = client.get(SHIPPING_PAGE).content.decode()
    assert "ship free to every country" in page and '<option value="FR">France</option>' in page
    response = client.post(SHIPPING_PAGE, GOOD)
    assert (response.status_code, response.url) == (302, SHIPPING_PAGE)
    settings = ShippingSettings.objects.get(store=store)
    assert (settings.ships_from, settings.domestic_rate, settings.domestic_extra_item_rate) == (
        "FR",
        Decimal("4.50"),
        Decimal("1.25"),
    )
    assert (settings.international_rate, settings.international_extra_item_rate) == (Decimal("12.50"), Decimal("0"))
    assert (settings.free_over, settings.processing_days) == (Decimal("80.00"), 2)
    page = client.get(SHIPPING_PAGE).content.decode()
    assert 'value="4.50"' in page and '<option value="FR" selected>France</option>' in page


def test_unticking_ship_abroad_stops_international_shipping(client):
    store = ShippingSettingsFactory().store
    client.force_login(store.owner)
    client.post(SHIPPING_PAGE, GOOD | {"ships_abroad": ""})
    assert ShippingSettings.objects.get(store=store).international_rate is None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("domestic_rate", "-5", "The amount can't be negative."),
        ("domestic_rate", "", "Enter an amount, such as 12.50."),
        ("domestic_rate", "cheap", "Enter an amount such as 12.50 or 12,50."),
        ("free_over", "1,234", "Is that a thousands separator"),
        ("international_rate", "", "Enter the international rate, or untick “Ship to other countries”."),
        ("ships_from", "XX", "Choose a country from the list."),
        ("processing_days", "-1", "The processing time can't be negative."),
        ("processing_days", "two", "Enter a whole number of days, such as 3."),
    ],
)
def test_bad_input_gets_a_message_next_to_its_field_and_changes_nothing(client, field, value, message):
    store = ShippingSettingsFactory().store
    before = ShippingSettings.objects.values().get(store=store)
    client.force_login(store.owner)
    response = client.post(SHIPPING_PAGE, GOOD | {field: value})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in field_error(html, field).replace("&#x27;", "'").replace("&quot;", '"')
    assert "This field is required" not in html
    assert ShippingSettings.objects.values().get(store=store) == before


def test_a_member_without_store_settings_cannot_open_or_post_the_shipping_page(client):
    store = StoreFactory()
    member = add_member(store, role="fulfilment").user
    client.force_login(member)
    # The door sends a member without the area away (to the pages every member sees), no form.
    for response in (client.get(SHIPPING_PAGE), client.post(SHIPPING_PAGE, GOOD)):
        assert response.status_code == 302 and response.url != SHIPPING_PAGE
    assert not ShippingSettings.objects.exists()


def test_another_stores_owner_changes_only_their_own_store(client):
    mine, theirs = StoreFactory(), ShippingSettingsFactory().store
    client.force_login(mine.owner)
    client.post(SHIPPING_PAGE, GOOD)
    assert ShippingSettings.objects.get(store=theirs).ships_from == "US"
    assert ShippingSettings.objects.get(store=mine).ships_from == "FR"


def test_the_shipping_page_is_in_the_dashboard_menu(client):
    store = StoreFactory()
    client.force_login(store.owner)
    assert f'href="{SHIPPING_PAGE}"' in client.get(reverse("orders:dashboard_home")).content.decode()


@pytest.mark.parametrize("configured", [False, True])
def test_shipping_page_query_budget(client, django_assert_max_num_queries, configured):
    store = ShippingSettingsFactory().store if configured else StoreFactory()
    client.force_login(store.owner)
    with django_assert_max_num_queries(8):
        assert client.get(SHIPPING_PAGE).status_code == 200


# The buyer's Addresses page ----------------------------------------------------------------------


def test_the_buyer_adds_lists_and_deletes_addresses(client):
    buyer = UserFactory()
    client.force_login(buyer)
    assert "No saved addresses" in client.get(ADDRESSES).content.decode()
    response = client.post(ADDRESSES, shipping_data())
    assert (response.status_code, response.url) == (302, ADDRESSES)
    page = client.get(ADDRESSES).content.decode()
    assert "1 Quay Street" in page and "United Kingdom" in page
    address = Address.objects.get(user=buyer)
    client.post(reverse("orders:address_delete", kwargs={"address_id": address.pk}))
    assert not Address.objects.filter(user=buyer).exists()


def test_an_address_without_a_real_country_is_refused_next_to_the_field(client):
    client.force_login(UserFactory())
    response = client.post(ADDRESSES, shipping_data() | {"ship-country": "Narnia"})
    assert "Choose a country from the list." in response.content.decode()
    assert not Address.objects.exists()


def test_someone_elses_address_cannot_be_deleted(client):
    address = AddressFactory()
    client.force_login(UserFactory())
    assert client.post(reverse("orders:address_delete", kwargs={"address_id": address.pk})).status_code == 404
    assert Address.objects.filter(pk=address.pk).exists()


@pytest.mark.parametrize("count", [1, 20])
def test_addresses_page_query_budget(client, django_assert_max_num_queries, count):
    buyer = UserFactory()
    AddressFactory.create_batch(count, user=buyer)
    client.force_login(buyer)
    with django_assert_max_num_queries(5):
        page = client.get(ADDRESSES).content.decode()
    assert page.count("<address") == count


# Cart and checkout -------------------------------------------------------------------------------


@pytest.fixture
def buyer_with_cart():
    """A US store ($5 + $1, abroad $15 + $3) with 2 mugs at $10, a UK store without international
    shipping ($2) with a $5 print."""
    buyer = UserFactory()
    us = ShippingSettingsFactory(store=StoreFactory(name="Pottery")).store
    uk = ShippingSettingsFactory(
        store=StoreFactory(name="Prints"), ships_from="GB", domestic_rate=Decimal("2.00"), international_rate=None
    ).store
    cart = CartFactory(user=buyer)
    CartItemFactory(cart=cart, quantity=2, product=ProductFactory(store=us, title="Mug", price="10.00", stock=9))
    CartItemFactory(cart=cart, product=ProductFactory(store=uk, title="Print", price="5.00", stock=9))
    return buyer


def test_the_cart_shows_shipping_per_store_to_the_chosen_country(client, buyer_with_cart):
    client.force_login(buyer_with_cart)
    page = client.get(CART).content.decode()
    assert "choose your country to see it" in page and "Ships within 3 days" in page
    page = client.get(CART, {"country": "GB"}).content.decode()
    assert "Shipping to United Kingdom" in page
    assert re.search(r'id="cart-shipping">\$20\.00<', page)  # $15 + $3 and $2
    assert re.search(r'id="cart-total">\$45\.00<', page)
    page = client.get(CART, {"country": "US"}).content.decode()
    assert "Prints doesn&#x27;t ship to United States." in page


def test_checkout_preselects_the_last_used_address_and_charges_its_shipping(client, buyer_with_cart, provider):
    AddressFactory(user=buyer_with_cart, line1="9 Old Road", country="US")
    AddressFactory(user=buyer_with_cart, line1="1 Quay Street", country="GB").__class__.objects.filter(
        line1="1 Quay Street"
    ).update(last_used_at="2026-01-01T00:00:00Z")
    gb = Address.objects.get(line1="1 Quay Street")
    client.force_login(buyer_with_cart)
    page = client.get(CHECKOUT).content.decode()
    assert re.search(rf'value="{gb.pk}"\s+checked', page)
    assert "Pay $45.00" in page
    response = client.post(CHECKOUT, payment_data(page_token(client.get(CHECKOUT))) | {"ship-address": gb.pk})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert sorted(Order.objects.values_list("shipping_total", flat=True)) == [Decimal("2.00"), Decimal("18.00")]
    assert provider.calls[-1][1] == Decimal("45.00")


def test_checkout_to_a_country_a_store_doesnt_ship_to_is_refused(client, buyer_with_cart, provider):
    us_address = AddressFactory(user=buyer_with_cart, country="US")
    client.force_login(buyer_with_cart)
    page = client.get(CHECKOUT).content.decode()
    assert "Prints doesn&#x27;t ship to United States." in page and 'id="place-order" disabled' in page
    response = client.post(
        CHECKOUT, payment_data(page_token(page_response := client.get(CHECKOUT))) | {"ship-address": us_address.pk}
    )
    assert page_response.status_code == 200
    assert response.status_code == 200 and "doesn&#x27;t ship to United States" in response.content.decode()
    assert not Order.objects.exists() and not provider.calls


def test_checkout_with_a_new_address_saves_it(client, buyer_with_cart, provider):
    AddressFactory(user=buyer_with_cart, line1="9 Old Road", country="GB")
    client.force_login(buyer_with_cart)
    token = page_token(client.get(CHECKOUT))
    data = payment_data(token) | shipping_data() | {"ship-address": "new", "ship-line1": "2 New Street"}
    assert client.post(CHECKOUT, data).status_code == 302
    assert Address.objects.get(user=buyer_with_cart, line1="2 New Street").last_used_at is not None
    assert Address.objects.filter(user=buyer_with_cart).count() == 2


def test_the_checkout_summary_follows_the_chosen_address_over_htmx(client, buyer_with_cart):
    client.force_login(buyer_with_cart)
    response = client.get(CHECKOUT, {"ship-address": "new", "ship-country": "GB"}, headers={"HX-Request": "true"})
    fragment = response.content.decode()
    assert "<html" not in fragment and "Pay $45.00" in fragment


def test_someone_elses_saved_address_cannot_be_used_at_checkout(client, buyer_with_cart, provider):
    theirs = AddressFactory(country="GB")
    AddressFactory(user=buyer_with_cart, country="GB")
    client.force_login(buyer_with_cart)
    token = page_token(client.get(CHECKOUT))
    response = client.post(CHECKOUT, payment_data(token) | {"ship-address": theirs.pk})
    assert response.status_code == 200 and "Choose one of your addresses." in response.content.decode()
    assert theirs.line1 not in response.content.decode()
    assert not Order.objects.exists() and not provider.calls


def shown(page) -> dict:
    """The checkout form as the page sent it: its token and the amounts it showed."""
    html = page.content.decode()
    amounts = dict(re.findall(r'name="(expected_\w+)" value="([\d.]+)"', html))
    assert "expected_shipping_total" in amounts
    return payment_data(page_token(page)) | amounts


def test_shipping_changed_after_the_page_showed_it_charges_nothing(client, buyer_with_cart, provider):
    address = AddressFactory(user=buyer_with_cart, country="GB")
    client.force_login(buyer_with_cart)
    page = client.get(CHECKOUT)
    assert "Pay $45.00" in page.content.decode()
    ShippingSettings.objects.filter(ships_from="US").update(international_rate=Decimal("20.00"))
    response = client.post(CHECKOUT, shown(page) | {"ship-address": address.pk})
    html = response.content.decode()
    assert "Shipping changed while you were checking out: it now comes to $25.00. Nothing was charged." in html
    assert "Pay $50.00" in html  # the page now shows the new total
    assert not Order.objects.exists() and not provider.calls
    again = client.post(CHECKOUT, shown(response) | {"ship-address": address.pk})
    assert again.status_code == 302 and provider.calls[-1][1] == Decimal("50.00")


def test_staff_read_a_stores_shipping_in_the_admin(admin_client):
    settings = ShippingSettingsFactory(store=StoreFactory(name="Pottery"))
    page = admin_client.get(reverse("admin:orders_shippingsettings_changelist")).content.decode()
    assert "Pottery" in page and "US" in page
    assert admin_client.get(reverse("admin:orders_shippingsettings_change", args=[settings.pk])).status_code == 200
