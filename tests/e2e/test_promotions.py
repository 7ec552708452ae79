"""A cross-store sale, clicked through: a seller runs one promotion on two of their stores, a
follower of one store is told, and a buyer sees the sale price on the card, the product page,
the cart and the order. Screenshots of the promotions page, a card and a product page on sale."""

from shomp.catalog.models import Promotion
from shomp.follows.models import Follow
from shomp.notifications.models import Notification
from shomp.orders.models import OrderItem

from . import builders
from .helpers import (
    accept_dialogs,
    assert_no_page_errors,
    cart_badge,
    expect,
    fill_card,
    horizontal_overflow,
    label,
    login,
    screenshot,
)


def test_a_seller_runs_a_sale_on_two_stores_a_follower_hears_and_a_buyer_pays_the_sale_price(make_page, live_url):
    seller = builders.user("kilnmaker")
    kiln = builders.store(owner=seller, name="Fern & Kiln", slug="fern-kiln")
    prints = builders.store(owner=seller, name="Inkwell Prints", slug="inkwell-prints")
    assert kiln.organization_id == prints.organization_id  # one seller's stores: one organization
    guide = builders.product(kiln, "Glazing Guide", price="20.00", digital=True)
    builders.product(prints, "Harbour Print", price="10.00", digital=True)
    fan = builders.user("mugfan")
    Follow.objects.create(user=fan, store=kiln)
    buyer_user = builders.user("shopper")

    page = login(make_page(), live_url, seller.username, builders.PASSWORD)
    accept_dialogs(page)
    page.goto("/dashboard/promotions/")
    expect(page.get_by_text("No promotions yet")).to_be_visible()
    page.get_by_role("link", name="New promotion").first.click()
    page.get_by_label(label("Name buyers see")).fill("Autumn sale")
    page.get_by_label("Percentage off").check()
    page.get_by_label(label("How much off")).fill("150")
    page.get_by_label("Fern & Kiln").check()
    page.get_by_label("Inkwell Prints").check()
    page.get_by_role("button", name="Save promotion").click()
    expect(page.locator("#id_amount_error")).to_contain_text("A percentage is at most 100%")
    assert not Promotion.objects.exists()
    page.get_by_label(label("How much off")).fill("25")
    page.get_by_role("button", name="Save promotion").click()  # starts now (the form's default)
    expect(page.get_by_text("“Autumn sale” is saved.")).to_be_visible()
    row = page.locator("#promotion-list li").first
    expect(row).to_contain_text("25% off")
    expect(row).to_contain_text("Running")
    expect(row).to_contain_text("Fern & Kiln")
    expect(row).to_contain_text("Inkwell Prints")
    screenshot(page, "promotions-1280")
    phone = login(make_page(mobile=True), live_url, seller.username, builders.PASSWORD)
    phone.goto("/dashboard/promotions/")
    expect(phone.locator("#promotion-list")).to_contain_text("Autumn sale")
    assert horizontal_overflow(phone) <= 1
    screenshot(phone, "promotions-375")
    assert_no_page_errors(page)

    # The follower of Fern & Kiln is told (the worker started it: immediate tasks in tests).
    follower = login(make_page(), live_url, fan.username, builders.PASSWORD)
    follower.goto("/notifications/")
    expect(follower.get_by_role("link", name="Sale at Fern & Kiln: Autumn sale: 25% off")).to_be_visible()
    assert Notification.objects.filter(user=fan, type="sale").count() == 1

    # The buyer: card, product page, cart, order.
    buyer = login(make_page(), live_url, buyer_user.username, builders.PASSWORD)
    buyer.goto("/fern-kiln/")
    card = buyer.locator(".product-card").filter(has_text="Glazing Guide")
    expect(card).to_contain_text("$15.00")
    expect(card.locator("s")).to_contain_text("$20.00")
    expect(card).to_contain_text("Sale ends")
    card.screenshot(path=str(screenshot(buyer, "promotion-store-1280").with_name("promotion-card-1280.png")))
    buyer.goto("/inkwell-prints/")
    expect(buyer.locator(".product-card").filter(has_text="Harbour Print")).to_contain_text("$7.50")
    buyer.goto(guide.get_absolute_url())
    expect(buyer.locator("#product-price")).to_contain_text("$15.00")
    expect(buyer.locator("#product-price s")).to_contain_text("$20.00")
    expect(buyer.locator("#product-sale")).to_contain_text("You save $5.00")
    screenshot(buyer, "promotion-product-1280")
    buyer.get_by_role("button", name="Add to cart").click()
    expect(cart_badge(buyer)).to_have_text("1")
    buyer.goto("/cart/")
    expect(buyer.locator(".cart-sale").first).to_have_text("Autumn sale")
    expect(buyer.get_by_text("$15.00 each")).to_be_visible()
    buyer.goto("/checkout/")
    fill_card(buyer, "4242 4242 4242 4242")
    buyer.get_by_role("button", name="Pay $15.00").click()
    expect(buyer.get_by_text("Thank you for your order")).to_be_visible()
    item = OrderItem.objects.get(order__buyer=buyer_user)
    assert (str(item.unit_price), str(item.original_unit_price), item.promotion_name) == (
        "15.00",
        "20.00",
        "Autumn sale",
    )
    buyer.goto(item.order.get_absolute_url())
    expect(buyer.locator(".order-line-sale")).to_contain_text("$20.00")
    expect(buyer.locator(".order-discount")).to_contain_text("$5.00")
    assert_no_page_errors(buyer)

    mobile = login(make_page(mobile=True), live_url, buyer_user.username, builders.PASSWORD)
    mobile.goto("/fern-kiln/")
    expect(mobile.locator(".product-card").filter(has_text="Glazing Guide")).to_contain_text("Sale ends")
    assert horizontal_overflow(mobile) <= 1
    screenshot(mobile, "promotion-card-375")
    mobile.goto(guide.get_absolute_url())
    expect(mobile.locator("#product-sale")).to_be_visible()
    screenshot(mobile, "promotion-product-375")
