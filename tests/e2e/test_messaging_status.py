"""A conversation's status reads the same in the thread's badge and the store's status select
after any change, live; the customer reads it in a customer's words."""

import threading

from django.db import connection

from shomp.messaging import services

from . import builders
from .helpers import assert_no_page_errors, expect, login, screenshot, wait_for_socket


def in_thread(function, **kwargs) -> None:
    """A service call from another thread, as a web process would: Playwright's loop owns this one."""

    def run():
        try:
            function(**kwargs)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()


def test_status_badge_and_select_agree_live_and_the_customer_reads_customer_words(make_page, live_url):
    seller = builders.user("nia_weaves")
    buyer = builders.user("joe_browses")
    shop = builders.store(owner=seller, name="Nia Weaves", slug="nia-weaves")
    conversation = services.create_conversation(
        store=shop, customer=buyer, type="general", subject="Gift wrap?", content="Do you gift wrap?"
    )
    url = conversation.get_absolute_url()

    store_page = login(make_page(), live_url, seller.username, builders.PASSWORD)
    store_page.goto(url)
    customer_page = login(make_page(), live_url, buyer.username, builders.PASSWORD)
    customer_page.goto(url)
    wait_for_socket(store_page)
    wait_for_socket(customer_page)
    store_badge, customer_badge = (
        store_page.locator("#conversation-status"),
        customer_page.locator("#conversation-status"),
    )
    select = store_page.locator("#thread-status")
    expect(store_badge).to_have_text("Open", use_inner_text=True)
    expect(select).to_have_value("open")

    # The store answers (from elsewhere): waiting on the customer, on both of the store's readings.
    in_thread(services.send_message, conversation=conversation, sender=seller, content="Yes, in brown paper.")
    expect(store_badge).to_have_text("Waiting on customer", use_inner_text=True)
    expect(select).to_have_value("waiting")
    expect(customer_badge).to_have_text("Waiting for your reply", use_inner_text=True)
    expect(customer_page.get_by_text("Waiting on customer")).to_be_hidden()

    # The customer replies: open again, live on the store's page.
    in_thread(services.send_message, conversation=conversation, sender=buyer, content="Lovely, thanks.")
    expect(store_badge).to_have_text("Open", use_inner_text=True)
    expect(select).to_have_value("open")

    # Another team member (here, the same owner elsewhere) archives it.
    in_thread(services.set_status, conversation=conversation, actor=seller, status="archived")
    expect(store_badge).to_have_text("Archived", use_inner_text=True)
    expect(select).to_have_value("archived")
    expect(customer_badge).to_have_text("Closed", use_inner_text=True)
    screenshot(customer_page, "messaging-status-customer-1280", full_page=False)
    assert_no_page_errors(store_page)
    assert_no_page_errors(customer_page)
