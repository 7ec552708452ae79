"""The phone header: at 375 px the unread-message badge shows in the closed header (the menu
need not be opened to see that someone wrote), and a new message bumps it live."""

import threading

from django.db import connection

from shomp.messaging import services

from . import builders
from .helpers import assert_no_page_errors, expect, horizontal_overflow, login, screenshot, wait_for_socket


def send_in_thread(**kwargs) -> None:
    def send():
        try:
            services.send_message(**kwargs)
        finally:
            connection.close()

    thread = threading.Thread(target=send)
    thread.start()
    thread.join()


def test_the_phone_header_badge(make_page, live_url):
    seller = builders.user("nia_weaves")
    buyer = builders.user("joe_browses")
    shop = builders.store(owner=seller, name="Nia Weaves", slug="nia-weaves")
    conversation = services.create_conversation(
        store=shop, customer=buyer, type="general", subject="Gift wrap?", content="Do you gift wrap?"
    )
    services.send_message(conversation=conversation, sender=seller, content="Yes, in brown paper.")

    page = login(make_page(mobile=True), live_url, buyer.username, builders.PASSWORD)
    page.goto("/")
    wait_for_socket(page)
    expect(page.locator("#main-nav")).to_be_hidden()  # the menu is closed
    phone_link = page.locator("#messages-link-mobile")
    expect(phone_link).to_be_visible()
    expect(phone_link.locator("#messages-badge-mobile")).to_be_visible()
    expect(phone_link.locator("#messages-badge-mobile")).to_have_text("1")
    screenshot(page, "phone-header-375", full_page=False)

    # Sent from another thread, as a web process would: Playwright's loop owns this one.
    send_in_thread(conversation=conversation, sender=seller, content="And a ribbon.")
    expect(page.locator("#messages-badge-mobile")).to_have_text("2")  # live, no reload

    box = phone_link.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    assert horizontal_overflow(page) == 0
    phone_link.click()
    expect(page).to_have_url(f"{live_url}/messages/")
    assert_no_page_errors(page)


def test_the_desktop_header_keeps_one_messages_link(make_page, live_url):
    buyer = builders.user("joe_desk")
    page = login(make_page(), live_url, buyer.username, builders.PASSWORD)
    page.goto("/")
    expect(page.locator("#messages-link-mobile")).to_be_hidden()
    expect(page.locator("#messages-link")).to_be_visible()
    screenshot(page, "phone-header-1280", full_page=False)
    assert_no_page_errors(page)
