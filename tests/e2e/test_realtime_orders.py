"""The real-time proof: a sale shows up on the seller's open dashboard, and nowhere else.

Three people, three browser contexts: the seller watching /dashboard/, a buyer checking out, and
another store's owner watching their own dashboard. Nothing reloads; the row arrives over the
page's WebSocket as an out-of-band swap.
"""

import re

from shomp.orders.models import Order

from . import builders
from .helpers import (
    assert_no_page_errors,
    assert_same_page,
    expect,
    fill_card,
    fill_shipping,
    login,
    mark_page,
    switch_store,
    wait_for_socket,
)

EMPTY = "No orders yet. New orders appear here as they come in."


def test_a_new_order_appears_live_on_its_sellers_dashboard_only(make_page, live_url):
    shop = builders.store(name="Glaze Lab", slug="glaze-lab")
    teapot = builders.product(shop, "Celadon Teapot", price="64.00", stock=3)
    rival_shop = builders.store(name="Other Pots", slug="other-pots")
    builders.product(rival_shop, "Plain Jug", price="20.00")
    buyer_user = builders.user("tea_drinker")

    seller = login(make_page(), live_url, shop.owner.username, builders.PASSWORD)
    rival = login(make_page(mobile=True), live_url, rival_shop.owner.username, builders.PASSWORD)
    for page, name in ((seller, "Glaze Lab"), (rival, "Other Pots")):
        page.goto("/dashboard/")
        expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
        expect(page.get_by_text(EMPTY)).to_be_visible()
        wait_for_socket(page)
        mark_page(page)

    buyer = login(make_page(), live_url, buyer_user.username, builders.PASSWORD)
    buyer.goto(teapot.get_absolute_url())
    buyer.get_by_role("button", name="Add to cart").click()
    buyer.get_by_role("link", name="View cart").click()  # Add to cart keeps the buyer on the product
    buyer.get_by_role("link", name="Check out").click()
    fill_shipping(buyer)
    fill_card(buyer, "4242 4242 4242 4242")
    buyer.get_by_role("button", name="Pay $64.00").click()
    expect(buyer.get_by_role("heading", name="Thank you for your order")).to_be_visible()
    order = Order.objects.get(buyer=buyer_user)

    # On the seller's open page, without a reload: the order's number and the buyer's handle.
    row = seller.get_by_role("row").filter(has=seller.get_by_role("link", name=order.number))
    expect(row).to_be_visible()
    expect(row).to_contain_text("tea_drinker")
    expect(row).to_contain_text("$64.00")
    expect(row).to_contain_text("Paid")
    expect(seller.get_by_text(EMPTY)).to_be_hidden()
    assert_same_page(seller)
    row.get_by_role("link", name=order.number).click()  # and the pushed link works
    expect(seller.get_by_role("heading", level=1)).to_contain_text(f"Order {order.number}")

    # The other store's owner, watching the whole time, got nothing. The seller's push came
    # first, so had it been routed to the rival's socket too, it would have landed by now.
    expect(rival.get_by_text(EMPTY)).to_be_visible()
    expect(rival.get_by_text(order.number)).to_have_count(0)
    expect(rival.get_by_text("tea_drinker")).to_have_count(0)
    assert_same_page(rival)
    assert rival.evaluate("window.__shompWsClose.length") == 0  # still connected, just not told
    for page in (seller, rival, buyer):
        assert_no_page_errors(page)


def test_the_live_orders_list_follows_the_store_switcher(make_page, live_url, live_server_app):
    """A seller with two stores watches one; a sale in the other doesn't appear there."""
    owner = builders.user("two_shops")
    watched = builders.store(owner=owner, name="Alpha Ceramics", slug="alpha-ceramics")
    other = builders.store(owner=owner, name="Beta Prints", slug="beta-prints")
    print_ = builders.product(other, "Beta Poster", price="15.00")
    bowl = builders.product(watched, "Alpha Bowl", price="22.00")

    page = login(make_page(), live_url, owner.username, builders.PASSWORD)
    page.goto("/dashboard/")
    expect(page.get_by_role("heading", name="Alpha Ceramics", level=1)).to_be_visible()
    wait_for_socket(page)
    mark_page(page)

    builders.place_order(live_server_app, buyer=builders.user("b1"), lines=[(print_, 1)])
    builders.place_order(live_server_app, buyer=builders.user("b2"), lines=[(bowl, 1)])
    expect(page.get_by_role("cell", name="b2", exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name="b1", exact=True)).to_have_count(0)
    assert_same_page(page)

    switch_store(page, "Beta Prints")
    expect(page.get_by_role("heading", name="Beta Prints", level=1)).to_be_visible()
    expect(page.get_by_role("cell", name="b1", exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name=re.compile("^b2$"))).to_have_count(0)
