"""After the sale: the buyer's orders and download, the seller's fulfilment, the confirmation email."""

import re

from django.core import mail

from shomp.orders.models import Order

from . import builders
from .helpers import assert_no_page_errors, expect, login


def test_buyer_downloads_and_seller_ships_then_fulfils(make_page, live_url, live_server_app):
    shop = builders.store(name="Pattern Press", slug="pattern-press")
    pattern = builders.product(shop, "Sock Pattern", price="6.50", digital=True)
    kit = builders.product(shop, "Yarn Kit", price="30.00", stock=4)
    buyer_user = builders.user("knit_fan")
    builders.place_order(live_server_app, buyer=buyer_user, lines=[(pattern, 1), (kit, 1)])
    order = Order.objects.get(buyer=buyer_user)

    # The confirmation email went out through the task, once, to the buyer only; the store's
    # owner is emailed the new order (their notification).
    assert [m.to for m in mail.outbox if m.to == [buyer_user.email]] == [[buyer_user.email]]
    assert [m.to for m in mail.outbox if m.to != [buyer_user.email]] == [[shop.owner.email]]
    confirmation = next(m for m in mail.outbox if m.to == [buyer_user.email])
    assert confirmation.subject == "Your Shomp order (1 order)"
    assert f"Order {order.number} from Pattern Press: $36.50" in confirmation.body
    assert "Sock Pattern  $6.50 (download from your order page)" in confirmation.body
    assert order.get_absolute_url() in confirmation.body

    buyer = login(make_page(), live_url, buyer_user.username, builders.PASSWORD)
    buyer.get_by_role("banner").get_by_role("button", name=buyer_user.username).click()
    buyer.get_by_role("link", name="My orders").click()
    expect(buyer.get_by_role("heading", name="My orders")).to_be_visible()
    listed = buyer.get_by_role("link", name=re.compile(f"Order {order.number}"))
    expect(listed).to_contain_text("Pattern Press")
    expect(listed).to_contain_text("2 items")
    expect(listed).to_contain_text("Paid")
    listed.click()
    expect(buyer.get_by_role("heading", name=f"Order {order.number}")).to_be_visible()
    expect(buyer.get_by_text("1 Kiln Lane")).to_be_visible()
    with buyer.expect_download() as download_info:
        buyer.get_by_role("link", name="Download").click()
    download = download_info.value
    assert download.suggested_filename == "sock-pattern.pdf"
    with open(download.path(), "rb") as downloaded:
        assert downloaded.read() == builders.pdf_bytes()
    assert_no_page_errors(buyer)

    seller = login(make_page(), live_url, shop.owner.username, builders.PASSWORD)
    seller.goto("/dashboard/")
    seller.get_by_role("link", name="Orders", exact=True).click()
    expect(seller.get_by_role("heading", name="Orders", level=1)).to_be_visible()
    row = seller.get_by_role("row").filter(has_text=order.number)
    expect(row).to_contain_text("knit_fan")
    expect(row).to_contain_text("$36.50")
    row.get_by_role("link", name=order.number).click()
    heading = seller.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(rf"Order {order.number}\s+Paid"))
    expect(seller.get_by_text("Buyer knit_fan")).to_be_visible()

    seller.get_by_role("button", name="Mark shipped").click()
    expect(seller.get_by_text(f"Order {order.number} marked shipped.")).to_be_visible()
    expect(heading).to_have_text(re.compile(rf"Order {order.number}\s+Shipped"))
    expect(seller.get_by_role("button", name="Mark shipped")).to_have_count(0)
    seller.get_by_role("button", name="Mark fulfilled").click()
    expect(heading).to_have_text(re.compile(rf"Order {order.number}\s+Fulfilled"))
    expect(seller.get_by_role("button", name="Mark fulfilled")).to_have_count(0)
    assert_no_page_errors(seller)

    buyer.reload()
    expect(buyer.locator(".badge").get_by_text("Fulfilled", exact=True)).to_be_visible()
    expect(buyer.get_by_role("region", name="Status history")).to_contain_text("Fulfilled")
    # Shipping is news to the buyer (their notification, emailed by default); fulfilling is not.
    assert [m.subject for m in mail.outbox if m.to == [buyer_user.email]] == [
        "Your Shomp order (1 order)",
        f"Order {order.number} from Pattern Press has shipped",
    ]


def test_someone_else_cannot_open_an_order_or_its_download(make_page, live_url, live_server_app):
    shop = builders.store()
    pattern = builders.product(shop, "Hat Pattern", digital=True)
    buyer = builders.user("owner_of_it")
    builders.place_order(live_server_app, buyer=buyer, lines=[(pattern, 1)])
    order = Order.objects.get(buyer=buyer)
    item = order.items.get()

    stranger = login(make_page(), live_url, builders.user("stranger").username, builders.PASSWORD)
    for url in (order.get_absolute_url(), f"/orders/{order.uuid}/items/{item.pk}/download/"):
        response = stranger.goto(url)
        assert response.status == 404
        expect(stranger.get_by_role("heading", name="We couldn't find that page")).to_be_visible()
