"""Cart and checkout, clicked through by a visitor who logs in on the way to paying."""

import re

from django.core import mail

from shomp.catalog.models import Product
from shomp.orders.models import Order

from . import builders
from .helpers import (
    assert_no_page_errors,
    assert_same_page,
    cart_badge,
    cart_line,
    expect,
    fill_card,
    fill_login_form,
    fill_shipping,
    label,
    mark_page,
)


def test_cart_from_two_stores_then_log_in_and_pay(page, live_url):
    pots = builders.store(name="Muddy Wheel", slug="muddy-wheel")
    prints = builders.store(name="Ink Parade", slug="ink-parade")
    bowl = builders.product(pots, "Ramen Bowl", price="18.00", stock=5)
    fox = builders.product(prints, "Fox Print", price="25.00", stock=10)
    buyer = builders.user("sam_buys")

    # An anonymous visitor fills a cart from two stores.
    page.goto(bowl.get_absolute_url())
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_text("Added “Ramen Bowl” to your cart.")).to_be_visible()
    expect(cart_badge(page)).to_have_text("1")
    page.goto("/ink-parade/")
    page.get_by_role("link", name="Fox Print").click()
    page.get_by_role("button", name="Add to cart").click()
    page.get_by_role("link", name="View cart").click()  # Add to cart keeps the buyer on the product
    expect(page).to_have_url(re.compile(r"/cart/$"))
    expect(cart_badge(page)).to_have_text("2")
    expect(page.get_by_role("heading", name="Muddy Wheel")).to_be_visible()
    expect(page.get_by_role("heading", name="Ink Parade")).to_be_visible()
    assert_no_page_errors(page)

    # Changing a quantity updates the line, the total and the header badge in place (HTMX).
    mark_page(page)
    line = cart_line(page, "Ramen Bowl")
    line.get_by_label("Quantity of Ramen Bowl").fill("3")
    line.get_by_role("button", name="Update").click()
    expect(line).to_contain_text("$54.00")
    expect(cart_badge(page)).to_have_text("4")
    expect(page.get_by_role("complementary")).to_contain_text("$79.00")

    # More than the stock: a clear message on that line, nothing changed.
    line.get_by_label("Quantity of Ramen Bowl").fill("9")
    line.get_by_role("button", name="Update").click()
    expect(line.get_by_role("alert")).to_have_text("Only 5 of “Ramen Bowl” left in stock.")
    quantity = line.get_by_label("Quantity of Ramen Bowl")
    expect(quantity).to_have_attribute("aria-invalid", "true")
    expect(quantity).to_have_accessible_description("Only 5 of “Ramen Bowl” left in stock.")
    expect(cart_badge(page)).to_have_text("4")
    assert_same_page(page)
    assert_no_page_errors(page)

    # Checkout asks to log in first; the cart comes along.
    page.get_by_role("link", name="Check out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/checkout/"))
    fill_login_form(page, buyer.username, builders.PASSWORD)
    expect(page).to_have_url(re.compile(r"/checkout/$"))
    summary = page.get_by_role("complementary")
    expect(summary).to_contain_text("3 × Ramen Bowl")
    expect(summary).to_contain_text("1 × Fox Print")
    expect(cart_badge(page)).to_have_text("4")

    # A declined card: the provider's message, no order, no stock taken.
    fill_shipping(page)
    fill_card(page, "4000 0000 0000 0002")
    page.get_by_role("button", name="Pay $79.00").click()
    expect(page.get_by_role("alert")).to_contain_text("Your card was declined.")
    assert Order.objects.count() == 0
    assert Product.objects.get(pk=bowl.pk).stock == 5
    expect(page.get_by_label(label("Full name"))).to_have_value("Sam Buyer")  # nothing to type again

    fill_card(page, "4242 4242 4242 4242")
    page.get_by_role("button", name="Pay $79.00").click()
    expect(page.get_by_role("heading", name="Thank you for your order")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Paid \$79\.00 with the card ending 4242"))).to_be_visible()
    placed = page.get_by_role("main").get_by_role("link", name=re.compile(r"Order [0-9A-F]{8}"))
    expect(placed).to_have_count(2)
    expect(placed.filter(has_text="Muddy Wheel")).to_contain_text("$54.00")
    expect(placed.filter(has_text="Ink Parade")).to_contain_text("$25.00")
    expect(cart_badge(page)).to_have_text("0")
    assert_no_page_errors(page)

    orders = Order.objects.filter(buyer=buyer)
    assert sorted(o.store.slug for o in orders) == ["ink-parade", "muddy-wheel"]
    assert Product.objects.get(pk=bowl.pk).stock == 2
    assert Product.objects.get(pk=fox.pk).stock == 9
    # The confirmation email, sent by the task after commit.
    confirmations = [m for m in mail.outbox if m.to == [buyer.email]]
    assert len(confirmations) == 1
    assert confirmations[0].subject == "Your Shomp order (2 orders)"
    for order in orders:
        assert f"Order {order.number} from {order.store.name}" in confirmations[0].body


def test_stock_that_ran_out_before_paying_is_explained(page, live_url):
    vase = builders.product(builders.store(), "Moon Vase", price="40.00", stock=2)
    buyer = builders.user("late_buyer")
    page.goto("/accounts/login/")
    fill_login_form(page, buyer.username, builders.PASSWORD)
    # Wait for the login to land: navigating away mid-login would race its session rotation.
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    page.goto(vase.get_absolute_url())
    page.get_by_label("Quantity").fill("2")
    page.get_by_role("button", name="Add to cart").click()
    expect(cart_badge(page)).to_have_text("2")
    page.get_by_role("link", name="View cart").click()  # Add to cart keeps the buyer on the product

    Product.objects.filter(pk=vase.pk).update(stock=1)  # someone else bought one meanwhile
    page.get_by_role("link", name="Check out").click()
    fill_shipping(page)
    fill_card(page, "4242 4242 4242 4242")
    page.get_by_role("button", name=re.compile(r"^Pay ")).click()
    expect(page.get_by_role("alert")).to_contain_text("Only 1 of “Moon Vase” left in stock.")
    assert Order.objects.count() == 0
    assert Product.objects.get(pk=vase.pk).stock == 1
