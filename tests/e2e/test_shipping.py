"""Checkout with shipping from two stores and a saved address: a buyer in the UK sees each
store's shipping and the total before paying, the second checkout preselects the address they
used, and the order pages show what was charged. The seller sets shipping with a decimal comma."""

import re
from decimal import Decimal

from shomp.orders.models import Order, ShippingSettings

from . import builders
from .helpers import (
    DESKTOP,
    MOBILE,
    assert_no_page_errors,
    expect,
    fill_card,
    fill_login_form,
    fill_shipping,
    label,
    screenshot,
)


def _shops():
    potter = builders.user("potter_uk")
    pots = builders.store(owner=potter, name="Muddy Wheel", slug="muddy-wheel")
    prints = builders.store(name="Ink Parade", slug="ink-parade")
    # A UK potter who doesn't ship abroad; a US print shop that does.
    ShippingSettings.objects.create(
        store=pots,
        ships_from="GB",
        domestic_rate=Decimal("4.00"),
        domestic_extra_item_rate=Decimal("1.00"),
        processing_days=2,
    )
    ShippingSettings.objects.create(
        store=prints,
        ships_from="US",
        domestic_rate=Decimal("3.00"),
        international_rate=Decimal("9.00"),
        international_extra_item_rate=Decimal("2.00"),
        free_over=Decimal("100.00"),
        processing_days=4,
    )
    bowl = builders.product(pots, "Ramen Bowl", price="18.00", stock=10)
    fox = builders.product(prints, "Fox Print", price="25.00", stock=10)
    return potter, bowl, fox


def _add(page, product, quantity=1):
    page.goto(product.get_absolute_url())
    if quantity != 1:
        page.get_by_label("Quantity").fill(str(quantity))
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_text(f"Added “{product.title}” to your cart.")).to_be_visible()


def test_checkout_with_shipping_from_two_stores_with_a_saved_address(page, live_url, new_page):
    potter, bowl, fox = _shops()
    buyer = builders.user("uk_buyer")
    page.goto("/accounts/login/")
    fill_login_form(page, buyer.username, builders.PASSWORD)
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    _add(page, bowl, 2)
    _add(page, fox)

    # The cart: each store's shipping once a country is chosen, and the total with it.
    page.goto("/cart/")
    summary = page.get_by_role("complementary")
    expect(summary).to_contain_text("Choose a country")
    page.get_by_label("Ship to").select_option(label="United Kingdom")
    pots_card = page.get_by_role("region", name="Muddy Wheel")
    prints_card = page.get_by_role("region", name="Ink Parade")
    expect(pots_card).to_contain_text("Shipping to United Kingdom")
    expect(pots_card).to_contain_text("$5.00")  # $4 + $1 for the second bowl
    expect(pots_card).to_contain_text("Ships within 2 days")
    expect(prints_card).to_contain_text("$9.00")
    expect(prints_card).to_contain_text("Ships within 4 days")
    expect(page.locator("#cart-shipping")).to_have_text("$14.00")
    expect(page.locator("#cart-total")).to_have_text("$75.00")
    assert_no_page_errors(page)
    for size, viewport in (("1280", DESKTOP), ("375", MOBILE)):
        page.set_viewport_size(viewport)
        screenshot(page, f"shipping-cart-{size}")
    page.set_viewport_size(DESKTOP)

    # Checkout with a new address: the summary shows shipping per store and the total before paying.
    page.get_by_role("link", name="Check out").click()
    expect(page).to_have_url(re.compile(r"/checkout/$"))
    checkout_summary = page.locator("#checkout-summary")
    expect(checkout_summary).to_contain_text("Choose a country")
    fill_shipping(page)
    expect(page.locator("#checkout-shipping")).to_have_text("$14.00")
    expect(page.get_by_role("button", name="Pay $75.00")).to_be_enabled()
    fill_card(page, "4242 4242 4242 4242")
    for size, viewport in (("1280", DESKTOP), ("375", MOBILE)):
        page.set_viewport_size(viewport)
        screenshot(page, f"shipping-checkout-new-address-{size}")
    page.set_viewport_size(DESKTOP)
    page.get_by_role("button", name="Pay $75.00").click()
    expect(page.get_by_role("heading", name="Thank you for your order")).to_be_visible()
    expect(page.get_by_text("Paid $75.00")).to_be_visible()
    expect(page.get_by_text("incl. $5.00 shipping")).to_be_visible()
    orders = {o.store.name: o for o in Order.objects.filter(buyer=buyer).select_related("store")}
    assert orders["Muddy Wheel"].shipping_total == Decimal("5.00") and orders["Muddy Wheel"].total == Decimal("41.00")
    assert orders["Ink Parade"].shipping_total == Decimal("9.00") and orders["Ink Parade"].total == Decimal("34.00")

    # The buyer's order page shows the shipping that was charged.
    page.goto(orders["Muddy Wheel"].get_absolute_url())
    shipping_row = page.get_by_role("row", name=re.compile("Shipping to United Kingdom"))
    expect(shipping_row).to_contain_text("$5.00")
    expect(page.get_by_role("row", name=re.compile("^Total"))).to_contain_text("$41.00")

    # A second checkout: the address used is preselected, shipping and total shown at once.
    _add(page, fox)
    page.goto("/checkout/")
    saved = page.get_by_role("radio", name=re.compile("1 Kiln Lane"))
    expect(saved).to_be_checked()
    expect(page.get_by_label(label("Full name"))).to_be_hidden()  # the new address form waits
    expect(page.locator("#checkout-shipping")).to_have_text("$9.00")
    expect(page.get_by_role("button", name="Pay $34.00")).to_be_visible()

    # A country the potter doesn't ship to (this time only prints: both ship) then back.
    page.get_by_role("radio", name="A new address").check()
    page.get_by_label(label("Country")).select_option(label="France")
    expect(page.locator("#checkout-shipping")).to_have_text("$9.00")
    saved.check()
    expect(page.get_by_role("button", name="Pay $34.00")).to_be_enabled()
    for size, viewport in (("1280", DESKTOP), ("375", MOBILE)):
        page.set_viewport_size(viewport)
        screenshot(page, f"shipping-checkout-saved-address-{size}")
    page.set_viewport_size(DESKTOP)
    fill_card(page, "4242 4242 4242 4242")
    page.get_by_role("button", name="Pay $34.00").click()
    expect(page.get_by_role("heading", name="Thank you for your order")).to_be_visible()
    assert Order.objects.filter(buyer=buyer).count() == 3
    assert_no_page_errors(page)

    # The account's Addresses page lists the saved address (one, however often it was used).
    page.goto("/account/addresses/")
    expect(page.get_by_role("main").locator("address")).to_have_count(1)
    expect(page.get_by_role("main").locator("address")).to_contain_text("1 Kiln Lane")
    for size, viewport in (("1280", DESKTOP), ("375", MOBILE)):
        page.set_viewport_size(viewport)
        screenshot(page, f"shipping-addresses-{size}")
    page.set_viewport_size(DESKTOP)

    # A bowl to France: the potter doesn't ship there, the checkout says so and won't take payment.
    _add(page, bowl)
    page.goto("/checkout/")
    page.get_by_role("radio", name="A new address").check()
    page.get_by_label(label("Country")).select_option(label="France")
    expect(page.locator("#checkout-summary").get_by_role("alert").first).to_contain_text(
        "Muddy Wheel doesn't ship to France."
    )
    expect(page.get_by_role("button", name=re.compile("^Pay"))).to_be_disabled()

    # The seller's order page shows the shipping charged; the seller sets shipping with a comma.
    seller = new_page()
    seller.goto("/accounts/login/")
    fill_login_form(seller, potter.username, builders.PASSWORD)
    expect(seller).not_to_have_url(re.compile(r"/accounts/login/"))
    seller.goto(f"/dashboard/orders/{orders['Muddy Wheel'].uuid}/")
    expect(seller.get_by_role("row", name=re.compile("Shipping to United Kingdom"))).to_contain_text("$5.00")
    seller.goto("/dashboard/store/shipping/")
    seller.get_by_label(label("Domestic rate")).fill("4,50")
    seller.get_by_label(label("Free shipping over")).fill("-3")
    seller.get_by_role("button", name="Save").click()
    expect(seller.get_by_text("The amount can't be negative.")).to_be_visible()
    seller.get_by_label(label("Free shipping over")).fill("60")
    for size, viewport in (("1280", DESKTOP), ("375", MOBILE)):
        seller.set_viewport_size(viewport)
        screenshot(seller, f"shipping-settings-{size}")
    seller.set_viewport_size(DESKTOP)
    seller.get_by_role("button", name="Save").click()
    expect(seller.get_by_text("Shipping saved.")).to_be_visible()
    settings = ShippingSettings.objects.get(store=bowl.store)
    assert (settings.domestic_rate, settings.free_over) == (Decimal("4.50"), Decimal("60.00"))
    assert_no_page_errors(seller)
