"""After the sale: the seller ships with tracking and the buyer's open tab is told live; the
seller cancels an unshipped order and the buyer reads the refund. Two live clients each; the
seller's dashboard cards follow along without a reload. Screenshots of both order pages at
1280 and 375 px."""

import re

from shomp.orders.models import Order

from . import builders
from .helpers import (
    accept_dialogs,
    assert_no_page_errors,
    assert_same_page,
    expect,
    fill_card,
    horizontal_overflow,
    login,
    mark_page,
    page_errors,
    screenshot,
    wait_for_socket,
)


def bell_badge(page):
    return page.locator("#notifications-badge")


def card(page, name: str):
    return page.locator(f'#dashboard-overview-cards [data-card="{name}"]')


def test_seller_ships_with_tracking_and_the_buyer_is_notified_live(make_page, live_url, live_server_app):
    shop = builders.store(name="Glaze Lab", slug="glaze-lab")
    teapot = builders.product(shop, "Celadon Teapot", price="64.00", stock=3)
    buyer_user = builders.user("tea_drinker")

    seller = login(make_page(), live_url, shop.owner.username, builders.PASSWORD)
    seller.goto("/dashboard/")
    expect(card(seller, "to-ship")).to_have_text("0")
    wait_for_socket(seller)
    mark_page(seller)

    builders.place_order(live_server_app, buyer=buyer_user, lines=[(teapot, 1)])
    order = Order.objects.get(buyer=buyer_user)
    # The seller's cards count the new order live, with the row.
    expect(card(seller, "to-ship")).to_have_text("1")
    expect(card(seller, "orders")).to_have_text("1")
    expect(card(seller, "revenue")).to_contain_text("64.00")
    assert_same_page(seller)

    buyer = login(make_page(), live_url, buyer_user.username, builders.PASSWORD)
    buyer.goto(order.get_absolute_url())
    expect(buyer.get_by_role("heading", name=f"Order {order.number}")).to_be_visible()
    wait_for_socket(buyer)
    expect(bell_badge(buyer)).to_be_hidden()
    mark_page(buyer)

    seller.get_by_role("link", name=order.number).click()
    expect(seller.get_by_role("heading", name=re.compile(f"Order {order.number}"))).to_be_visible()
    screenshot(seller, "lifecycle-1280-seller-order-paid")
    seller.get_by_label("Carrier").select_option(label="USPS")
    seller.get_by_label("Tracking number").fill("9400 1000 0000 0000 0000 00")
    seller.get_by_role("button", name="Mark shipped").click()
    expect(seller.get_by_text(f"Order {order.number} marked shipped. The buyer has been told.")).to_be_visible()
    expect(seller.get_by_role("button", name="Mark delivered")).to_be_visible()

    # The buyer's open order page: the bell counts it over the socket, no reload.
    expect(bell_badge(buyer)).to_have_text(re.compile(r"^1"))
    assert_same_page(buyer)
    buyer.get_by_role("button", name=re.compile(r"^Notifications")).click()
    note = buyer.get_by_role("link", name=re.compile(f"Order {order.number} from Glaze Lab has shipped"))
    expect(note).to_be_visible()
    note.click()
    expect(buyer.get_by_text("On its way with USPS.")).to_be_visible()
    track = buyer.get_by_role("link", name=re.compile(r"^Track parcel 9400100000000000000000"))
    expect(track).to_have_attribute(
        "href", "https://tools.usps.com/go/TrackConfirmAction?tLabels=9400100000000000000000"
    )
    expect(buyer.get_by_role("link", name="Request cancellation")).to_have_count(0)
    expect(buyer.get_by_role("link", name="Write a review")).to_be_visible()
    screenshot(buyer, "lifecycle-1280-buyer-order-shipped")
    screenshot(seller, "lifecycle-1280-seller-order-shipped")

    phone = login(make_page(mobile=True), live_url, buyer_user.username, builders.PASSWORD)
    phone.goto(order.get_absolute_url())
    expect(phone.get_by_text("On its way with USPS.")).to_be_visible()
    assert horizontal_overflow(phone) <= 0
    screenshot(phone, "lifecycle-375-buyer-order-shipped")
    seller_phone = login(make_page(mobile=True), live_url, shop.owner.username, builders.PASSWORD)
    seller_phone.goto(f"/dashboard/orders/{order.uuid}/")
    expect(seller_phone.get_by_role("button", name="Mark delivered")).to_be_visible()
    assert horizontal_overflow(seller_phone) <= 0
    screenshot(seller_phone, "lifecycle-375-seller-order-shipped")
    seller_phone.get_by_text("Refund this line").click()
    expect(seller_phone.get_by_label("How many")).to_be_visible()
    assert horizontal_overflow(seller_phone) <= 0
    screenshot(seller_phone, "lifecycle-375-seller-refund-form")
    seller.get_by_text("Refund this line").click()
    seller.get_by_label("Reason (optional)").fill("Lid chipped in the post")
    seller.get_by_role("button", name="Refund", exact=True).click()
    expect(seller.get_by_text("Refunded 1 × “Celadon Teapot”. The buyer has been told.")).to_be_visible()
    expect(seller.get_by_test_id("refunded-total")).to_have_text("−$64.00")
    screenshot(seller, "lifecycle-1280-seller-order-refunded")
    for page in (seller, buyer, phone, seller_phone):
        assert_no_page_errors(page)


def test_seller_cancels_and_the_buyer_sees_the_refund(make_page, live_url, live_server_app):
    shop = builders.store(name="Inkwell & Ash", slug="inkwell-ash")
    print_ = builders.product(shop, "Harbour Print", price="30.00", stock=2)
    buyer_user = builders.user("print_fan")
    builders.place_order(live_server_app, buyer=buyer_user, lines=[(print_, 2)])
    order = Order.objects.get(buyer=buyer_user)

    buyer = login(make_page(), live_url, buyer_user.username, builders.PASSWORD)
    buyer.goto(order.get_absolute_url())
    expect(buyer.get_by_role("link", name="Request cancellation")).to_be_visible()
    wait_for_socket(buyer)
    mark_page(buyer)

    seller = login(make_page(), live_url, shop.owner.username, builders.PASSWORD)
    accept_dialogs(seller)
    seller.goto("/dashboard/")
    expect(card(seller, "to-ship")).to_have_text("1")
    wait_for_socket(seller)
    mark_page(seller)
    home = seller

    worker = login(make_page(), live_url, shop.owner.username, builders.PASSWORD)
    accept_dialogs(worker)
    worker.goto(f"/dashboard/orders/{order.uuid}/")
    # A reason is needed: refused next to the field, nothing changed.
    worker.get_by_role("button", name="Cancel and refund").click()
    expect(worker.get_by_text("Say why, for the buyer.")).to_be_visible()
    worker.get_by_label("Reason (the buyer sees it)").fill("The kiln cracked the last two")
    worker.get_by_role("button", name="Cancel and refund").click()
    expect(worker.get_by_text("cancelled and refunded; its stock is back")).to_be_visible()

    # The seller's other tab: the cards drop the cancelled order live.
    expect(card(home, "to-ship")).to_have_text("0")
    expect(card(home, "orders")).to_have_text("0")
    assert_same_page(home)

    # The buyer is told live, and their page shows the refund.
    expect(bell_badge(buyer)).to_have_text(re.compile(r"^1"))
    assert_same_page(buyer)
    buyer.reload()
    expect(
        buyer.get_by_text("cancelled this order: “The kiln cracked the last two”. You have been refunded $60.00.")
    ).to_be_visible()
    expect(buyer.get_by_test_id("refunded-total")).to_have_text("−$60.00")
    expect(buyer.get_by_test_id("refund")).to_contain_text("$60.00, the whole order")
    expect(buyer.get_by_role("link", name="Request cancellation")).to_have_count(0)
    screenshot(buyer, "lifecycle-1280-buyer-order-cancelled")
    screenshot(worker, "lifecycle-1280-seller-order-cancelled")
    phone = login(make_page(mobile=True), live_url, buyer_user.username, builders.PASSWORD)
    phone.goto(order.get_absolute_url())
    expect(phone.get_by_test_id("refunded-total")).to_be_visible()
    assert horizontal_overflow(phone) <= 0
    screenshot(phone, "lifecycle-375-buyer-order-cancelled")
    print_.refresh_from_db()
    assert print_.stock == 2  # back on the shelf
    for page in (buyer, home, phone):
        assert_no_page_errors(page)
    # The refused form answered 400 Bad Request, which the browser logs; nothing else went wrong.
    assert all("400 (Bad Request)" in error for error in page_errors(worker)), page_errors(worker)


def test_the_thank_you_page_downloads_the_digital_item(make_page, live_url):
    shop = builders.store(name="Pattern Press", slug="pattern-press")
    pattern = builders.product(shop, "Sock Pattern", price="6.50", digital=True)
    for width, page in ((1280, make_page()), (375, make_page(mobile=True))):
        login(page, live_url, builders.user(f"knit_fan_{width}").username, builders.PASSWORD)
        page.goto(pattern.get_absolute_url())
        page.get_by_role("button", name="Add to cart").click()
        expect(page.get_by_text("Added “Sock Pattern” to your cart.")).to_be_visible()
        page.goto("/checkout/")
        fill_card(page, "4242 4242 4242 4242")
        page.get_by_role("button", name="Pay $6.50").click()
        expect(page.get_by_role("heading", name="Thank you for your order")).to_be_visible()
        with page.expect_download() as download_info:
            page.get_by_role("link", name="Download Sock Pattern").click()
        with open(download_info.value.path(), "rb") as downloaded:
            assert downloaded.read() == builders.pdf_bytes()
        assert horizontal_overflow(page) <= 0
        screenshot(page, f"lifecycle-{width}-thank-you-download")
        assert_no_page_errors(page)
