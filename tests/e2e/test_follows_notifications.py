"""Following a store and hearing from it, live: two people, two browser contexts.

A buyer follows a store; its seller publishes a product; the buyer's open tab shows the bell's
new count without a reload, and the notification leads to the product. Then the seller sends
a sale announcement and sees how many followers it reached.
"""

import os
import re

from shomp.follows.models import Follow
from shomp.notifications.models import Notification

from . import builders
from .helpers import (
    accept_dialogs,
    assert_no_page_errors,
    assert_same_page,
    expect,
    horizontal_overflow,
    label,
    login,
    mark_page,
    screenshot,
    wait_for_htmx,
    wait_for_socket,
)


def bell_badge(page):
    return page.locator("#notifications-badge")


def test_follow_publish_bell_and_announcement(make_page, live_url):
    shop = builders.store(name="Fern & Kiln", slug="fern-kiln")
    fan = builders.user("mugfan")

    buyer = login(make_page(), live_url, fan.username, builders.PASSWORD)
    buyer.goto("/fern-kiln/")
    follow = buyer.get_by_role("button", name=re.compile(r"^Follow Fern & Kiln"))
    expect(buyer.locator(".follower-count")).to_have_text("0")
    follow.click()
    expect(buyer.get_by_role("button", name=re.compile(r"^Following Fern & Kiln"))).to_be_visible()
    expect(buyer.locator(".follower-count")).to_have_text("1")
    assert Follow.objects.filter(user=fan, store=shop).exists()
    wait_for_socket(buyer)
    expect(bell_badge(buyer)).to_be_hidden()  # the bell loaded: nothing unread
    mark_page(buyer)

    seller = login(make_page(), live_url, shop.owner.username, builders.PASSWORD)
    accept_dialogs(seller)
    seller.goto("/dashboard/products/new/")
    seller.get_by_label(label("Title")).fill("Speckled Mug")
    seller.get_by_label(label("Price")).fill("24")
    seller.get_by_label(label("Kind")).select_option(label="Physical")
    seller.get_by_label(label("Stock")).fill("5")
    seller.get_by_role("button", name="Save and publish").click()
    expect(seller.get_by_text("“Speckled Mug” is live.")).to_be_visible()

    # The buyer's open tab: the count arrives over the socket, no reload.
    expect(bell_badge(buyer)).to_have_text(re.compile(r"^1"))
    assert_same_page(buyer)
    buyer.get_by_role("button", name=re.compile(r"^Notifications")).click()
    item = buyer.get_by_role("link", name=re.compile(r"Fern & Kiln launched Speckled Mug"))
    expect(item).to_be_visible()
    item.click()
    expect(buyer).to_have_url(re.compile(r"/fern-kiln/products/speckled-mug/$"))
    expect(buyer.get_by_role("heading", name="Speckled Mug")).to_be_visible()
    expect(bell_badge(buyer)).to_be_hidden()  # opening it read it
    assert Notification.objects.get(user=fan).read_at is not None
    wait_for_socket(buyer)

    # A sale announcement: preview, send, and its reach.
    seller.goto("/dashboard/announcements/")
    seller.get_by_label("Sale or promotion").check()
    seller.get_by_label(label("Title")).fill("Seconds sale")
    seller.get_by_label(label("Text")).fill("Slightly wonky mugs at half price this weekend.")
    seller.get_by_role("button", name="Preview").click()
    expect(seller.get_by_text("Sale at Fern & Kiln: Seconds sale")).to_be_visible()
    seller.get_by_role("button", name="Send to 1 follower").click()
    expect(seller.get_by_text("“Seconds sale” is on its way to your followers.")).to_be_visible()
    sent = seller.locator("#announcement-list li").filter(has_text="Seconds sale")
    expect(sent).to_contain_text("Received by 1")
    expect(sent).to_contain_text("Read by 0")

    expect(bell_badge(buyer)).to_have_text(re.compile(r"^1"))  # live again, on the product page
    buyer.goto("/notifications/")
    buyer.get_by_role("link", name="Sale at Fern & Kiln: Seconds sale").click()
    expect(buyer.get_by_role("heading", name="Seconds sale")).to_be_visible()
    seller.reload()
    expect(seller.locator("#announcement-list li").filter(has_text="Seconds sale")).to_contain_text("Read by 1")
    for page in (buyer, seller):
        assert_no_page_errors(page)


def test_pages_fit_a_phone_and_work_by_keyboard(make_page, live_url):
    shop = builders.store(name="Loom Room", slug="loom-room")
    fan = builders.user("weaver")
    builders.product(shop, "Indigo Wall Hanging With A Rather Long Name For A Small Screen", price="85.00")
    page = login(make_page(mobile=True), live_url, fan.username, builders.PASSWORD)

    # Follow by keyboard: focus the button, press Enter.
    page.goto("/loom-room/")
    button = page.get_by_role("button", name=re.compile(r"^Follow Loom Room"))
    wait_for_htmx(button)  # the button is a fragment loaded after the page
    button.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name=re.compile(r"^Following Loom Room"))).to_be_focused()
    seller = login(make_page(), live_url, shop.owner.username, builders.PASSWORD)
    accept_dialogs(seller)
    seller.goto("/dashboard/announcements/")
    seller.get_by_label(label("Title")).fill("Studio news: a much longer headline that has to wrap on a phone")
    seller.get_by_label(label("Text")).fill("We moved.\n" * 40)
    seller.get_by_role("button", name=re.compile(r"^Send to")).click()
    expect(seller.get_by_text("Received by 1")).to_be_visible()

    shots = os.environ.get("SHOMP_SCREENSHOTS") == "1"
    pages = ["/notifications/", "/notifications/preferences/", "/account/following/", "/loom-room/"]
    for path in pages:
        page.goto(path)
        assert horizontal_overflow(page) == 0, path
        if shots:
            screenshot(page, f"follows-375{path.replace('/', '-')}")
    # The mobile bell is a link to the centre with the unread count.
    expect(page.locator("#notifications-badge-mobile")).to_have_text(re.compile(r"^1"))
    for path in ["/dashboard/followers/", "/dashboard/announcements/"]:
        seller.set_viewport_size({"width": 375, "height": 812})
        seller.goto(path)
        assert horizontal_overflow(seller) == 0, path
        if shots:
            screenshot(seller, f"follows-375{path.replace('/', '-')}")
            seller.set_viewport_size({"width": 1280, "height": 800})
            seller.goto(path)
            screenshot(seller, f"follows-1280{path.replace('/', '-')}")

    # The centre by keyboard: the notification's link is reachable and opens the announcement.
    page.goto("/notifications/")
    link = page.get_by_role("link", name=re.compile(r"^Loom Room: Studio news"))
    link.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=re.compile(r"^Studio news"))).to_be_visible()
    if shots:
        screenshot(page, "follows-375-announcement")
        desktop = login(make_page(), live_url, fan.username, builders.PASSWORD)
        for path in pages:
            desktop.goto(path)
            screenshot(desktop, f"follows-1280{path.replace('/', '-')}")
        desktop.get_by_role("button", name=re.compile(r"^Notifications")).click()
        screenshot(desktop, "follows-1280-bell", full_page=False)
    assert_no_page_errors(page)


def test_a_visitors_follow_survives_logging_in(make_page, live_url):
    """Logged out, Follow on a product page asks to log in; after logging in the store is followed
    and the visitor is back on the page they pressed it on."""
    shop = builders.store(name="Fern & Kiln", slug="fern-kiln")
    mug = builders.product(shop, "Speckled Mug", images=0)
    fan = builders.user("latefan")

    page = make_page()
    page.goto(f"{live_url}{mug.get_absolute_url()}")
    page.get_by_role("button", name=re.compile(r"^Follow Fern & Kiln \(log in first\)")).click()
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/stores/follow/pending/$"))
    form = page.locator("form").filter(has=page.locator('input[name="login"]'))
    form.locator('input[name="login"]').fill(fan.username)
    form.locator('input[name="password"]').fill(builders.PASSWORD)
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()

    expect(page).to_have_url(re.compile(re.escape(mug.get_absolute_url()) + "$"))
    expect(page.get_by_text("You follow Fern & Kiln: you'll hear about its new products and sales.")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"^Following Fern & Kiln"))).to_be_visible()
    assert Follow.objects.filter(user=fan, store=shop).exists()
    assert_no_page_errors(page)
