"""Messaging in two live browsers: a buyer and a seller, each in their own context.

Run alone: `SHOMP_TESTING=1 .venv/bin/pytest tests/e2e/test_messaging.py -q`.
"""

from __future__ import annotations

import re
import time
from datetime import timedelta

from django.utils import timezone

from shomp.messaging.models import Attachment, Conversation, Offer
from shomp.orders.models import Order

from . import builders
from .helpers import (
    assert_no_page_errors,
    assert_same_page,
    expect,
    fill_card,
    fill_shipping,
    label,
    login,
    mark_page,
    screenshot,
    upload,
    wait_for_socket,
)


def badge(page):
    return page.locator("#messages-badge")


def composer(page):
    return page.get_by_label("Message", exact=True)


def test_a_buyer_asks_about_a_product_and_sees_the_answer_live(make_page, live_url):
    seller = builders.user("mira_makes")
    buyer = builders.user("sam_asks")
    shop = builders.store(owner=seller, name="Fern & Kiln", slug="fern-kiln")
    mug = builders.product(shop, "Speckled Mug", price="24.00")

    # The seller watches the store inbox (live) before anything arrives.
    seller_page = login(make_page(), live_url, seller.username, builders.PASSWORD)
    seller_page.goto("/dashboard/messages/")
    expect(seller_page.get_by_text("No messages yet")).to_be_visible()
    wait_for_socket(seller_page)
    mark_page(seller_page)

    # The buyer asks from the product page.
    buyer_page = login(make_page(), live_url, buyer.username, builders.PASSWORD)
    buyer_page.goto(mug.get_absolute_url())
    buyer_page.get_by_role("link", name="Ask a question").click()
    expect(buyer_page.get_by_role("heading", name="Message Fern & Kiln")).to_be_visible()
    expect(buyer_page.get_by_label(label("Subject"))).to_have_value("Question about Speckled Mug")
    buyer_page.get_by_label(label("Message")).fill("Is the glaze food safe?\nAnd dishwasher safe?")
    buyer_page.get_by_role("button", name="Send message").click()
    expect(buyer_page).to_have_url(re.compile(r"/messages/[0-9a-f-]{36}/$"))
    expect(buyer_page.locator(".msg").last).to_contain_text("Is the glaze food safe?")
    assert_no_page_errors(buyer_page)
    wait_for_socket(buyer_page)
    conversation = Conversation.objects.get()
    assert conversation.product == mug

    # The seller's inbox shows it at the top, and the header badge counts it, without a reload.
    row = seller_page.locator(f"#inbox-row-{conversation.uuid}")
    expect(row).to_contain_text("sam_asks")
    expect(row).to_contain_text("Question about Speckled Mug")
    expect(badge(seller_page)).to_have_text("1")
    expect(seller_page.get_by_text("No messages yet")).to_be_hidden()
    assert_same_page(seller_page)

    # The seller opens the thread: the buyer sees "Seen" under their message, live.
    mark_page(buyer_page)
    row.click()
    expect(seller_page.get_by_role("heading", name="Question about Speckled Mug")).to_be_visible()
    expect(buyer_page.locator(".msg").last.locator(".msg-receipt")).to_contain_text("Seen")
    expect(badge(seller_page)).to_be_hidden()
    wait_for_socket(seller_page)

    # Shift+Enter makes a new line; Enter sends.
    box = composer(seller_page)
    box.click()
    box.type("Yes, lead-free and food safe.")
    box.press("Shift+Enter")
    box.type("Dishwasher safe too: https://fern.example/care")
    expect(box).to_have_value("Yes, lead-free and food safe.\nDishwasher safe too: https://fern.example/care")
    box.press("Enter")
    expect(seller_page.locator(".msg")).to_have_count(2)
    expect(box).to_have_value("")

    # The buyer sees the answer in the open thread without a reload, with the line break and link.
    answer = buyer_page.locator(".msg").last
    expect(answer).to_contain_text("Yes, lead-free and food safe.")
    expect(answer.locator("br")).to_have_count(1)
    expect(answer.get_by_role("link", name="https://fern.example/care")).to_be_visible()
    assert_same_page(buyer_page)
    # The open thread marks it read at once: the seller sees "Seen", the buyer's badge stays clear.
    expect(seller_page.locator(".msg").last.locator(".msg-receipt")).to_contain_text("Seen")
    expect(badge(buyer_page)).to_be_hidden()
    assert_no_page_errors(seller_page)
    assert_no_page_errors(buyer_page)

    # The buyer's inbox moves the thread to the top when the seller writes again.
    other = builders.store(name="Other Shop", slug="other-shop")
    builders_conversation(other, buyer)
    buyer_page.goto("/messages/")
    wait_for_socket(buyer_page)
    expect(buyer_page.locator("#inbox-list > a").first).to_contain_text("Other Shop")
    mark_page(buyer_page)
    seller_page.get_by_label("Message", exact=True).fill("PS: we restock on Friday.")
    seller_page.get_by_role("button", name="Send").click()
    expect(buyer_page.locator("#inbox-list > a").first).to_contain_text("Fern & Kiln")
    expect(buyer_page.locator("#inbox-list > a").first).to_contain_text("PS: we restock on Friday.")
    expect(buyer_page.locator("#inbox-list > a")).to_have_count(2)
    expect(badge(buyer_page)).to_have_text("1")
    assert_same_page(buyer_page)
    assert_no_page_errors(buyer_page)
    for page, name in [(buyer_page, "inbox"), (seller_page, "thread-store")]:
        screenshot(page, f"messaging-{name}-1280")


def builders_conversation(store, customer):
    from shomp.messaging import services

    return services.create_conversation(
        store=store, customer=customer, type="general", subject="Gift wrap?", content="Do you gift wrap?"
    )


def test_a_custom_order_goes_from_request_to_offer_to_checkout(make_page, live_url):
    seller = builders.user("ola_throws")
    buyer = builders.user("kim_commissions")
    shop = builders.store(owner=seller, name="Ola Ceramics", slug="ola-ceramics")
    builders.product(shop, "Plain Bowl")

    buyer_page = login(make_page(), live_url, buyer.username, builders.PASSWORD)
    buyer_page.goto("/ola-ceramics/")
    buyer_page.get_by_role("link", name="Contact").click()
    buyer_page.get_by_label(label("What is it about?")).select_option("custom_order")
    expect(buyer_page.get_by_label(label("Budget"))).to_be_visible()
    buyer_page.get_by_label(label("Subject")).fill("A teapot with owls")
    buyer_page.get_by_label(label("Message")).fill("A teapot for six with owls painted on it.")
    buyer_page.get_by_label(label("Budget")).fill("90")
    wanted = (timezone.localdate() + timedelta(days=40)).isoformat()
    buyer_page.get_by_label(label("Wanted by")).fill(wanted)
    buyer_page.get_by_role("button", name="Send message").click()
    expect(buyer_page.get_by_role("heading", name="A teapot with owls")).to_be_visible()
    expect(buyer_page.get_by_role("heading", name="Custom order request")).to_be_visible()
    expect(buyer_page.locator(".custom-request")).to_contain_text("$90.00")
    wait_for_socket(buyer_page)
    mark_page(buyer_page)

    seller_page = login(make_page(), live_url, seller.username, builders.PASSWORD)
    seller_page.goto("/dashboard/messages/")
    seller_page.get_by_role("link", name=re.compile("A teapot with owls")).click()
    panel = seller_page.locator("#offer-panel")
    panel.get_by_label(label("What you'll make")).fill("Owl teapot for six")
    panel.get_by_label(label("Price")).fill("85.00")
    panel.get_by_role("button", name="Send offer").click()
    expect(seller_page.get_by_text("Offer sent.")).to_be_visible()

    # The offer card appears live in the buyer's open thread.
    card = buyer_page.locator(".offer-card")
    expect(card).to_contain_text("Owl teapot for six")
    expect(card).to_contain_text("$85.00")
    expect(card).to_contain_text("Sent")
    assert_same_page(buyer_page)
    screenshot(buyer_page, "messaging-offer-1280")
    card.get_by_role("button", name="Accept and add to cart").click()
    expect(buyer_page).to_have_url(re.compile(r"/cart/$"))
    expect(buyer_page.get_by_text("“Owl teapot for six” is in your cart, reserved for you.")).to_be_visible()
    offer = Offer.objects.get()
    assert offer.status == "accepted" and offer.product.reserved_for == buyer

    # The seller's open thread shows the acceptance without a reload.
    expect(seller_page.locator(".offer-card")).to_contain_text("Accepted")

    buyer_page.get_by_role("link", name=re.compile("Checkout|Check out")).first.click()
    fill_shipping(buyer_page)
    fill_card(buyer_page, "4242 4242 4242 4242")
    buyer_page.get_by_role("button", name=re.compile("Pay")).click()
    expect(buyer_page).to_have_url(re.compile(r"/checkout/done/"))
    order = Order.objects.get(buyer=buyer)
    assert order.items.get().title == "Owl teapot for six" and str(order.total) == "85.00"

    # Nobody else can see the reserved product; it is not listed in the store.
    seller_page.goto("/ola-ceramics/")
    expect(seller_page.get_by_role("heading", name="Ola Ceramics")).to_be_visible()
    expect(seller_page.get_by_role("main").get_by_text("Owl teapot for six")).to_have_count(0)
    assert_no_page_errors(buyer_page)
    assert_no_page_errors(seller_page)


def test_attachments_upload_and_show_on_both_sides(make_page, live_url):
    seller = builders.user("pat_prints")
    buyer = builders.user("lee_sends")
    shop = builders.store(owner=seller, name="Pat Prints", slug="pat-prints")
    conversation = builders_conversation(shop, buyer)

    seller_page = login(make_page(), live_url, seller.username, builders.PASSWORD)
    seller_page.goto(conversation.get_absolute_url())
    wait_for_socket(seller_page)
    mark_page(seller_page)

    buyer_page = login(make_page(mobile=True), live_url, buyer.username, builders.PASSWORD)
    buyer_page.goto(conversation.get_absolute_url())
    composer(buyer_page).fill("Here is the photo and the sketch.")
    buyer_page.get_by_label("Attach files").set_input_files(
        [
            upload("room.png", builders.png_bytes(size=(640, 480)), "image/png"),
            upload("sketch.pdf", builders.pdf_bytes(), "application/pdf"),
        ]
    )
    previews = buyer_page.locator("#message-previews li")
    expect(previews).to_have_count(2)
    expect(previews.first.locator("img")).to_have_attribute("src", re.compile(r"^data:image/png"))
    expect(previews.nth(1)).to_contain_text("sketch.pdf")
    screenshot(buyer_page, "messaging-attachments-375")
    buyer_page.get_by_role("button", name="Send").click()
    expect(previews).to_have_count(0)

    for page in (buyer_page, seller_page):
        message = page.locator(".msg").last
        expect(message).to_contain_text("Here is the photo and the sketch.")
        image = message.get_by_role("img", name="room.png")
        expect(image).to_be_visible()
        page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle())
        expect(message.get_by_role("link", name=re.compile("sketch.pdf"))).to_be_visible()
    assert_same_page(seller_page)
    assert Attachment.objects.count() == 2

    # A file that only pretends to be an image is refused with a clear message.
    buyer_page.get_by_label("Attach files").set_input_files(
        [upload("cat.png", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', "image/png")]
    )
    buyer_page.get_by_role("button", name="Send").click()
    expect(buyer_page.get_by_role("alert")).to_contain_text("cat.png: only JPEG, PNG, WebP or GIF images")
    assert Attachment.objects.count() == 2
    assert_no_page_errors(buyer_page)
    assert_no_page_errors(seller_page)
    screenshot(buyer_page, "messaging-thread-375")


def test_an_image_is_processing_on_both_sides_until_the_worker_is_done_then_appears_live(
    make_page, live_url, live_server_app, monkeypatch
):
    from shomp.messaging import services
    from shomp.messaging.services import attachments

    queued: list[int] = []  # the worker waits: the test runs it when it wants
    monkeypatch.setattr(attachments, "_enqueue_processing", queued.append)
    seller = builders.user("vi_frames")
    buyer = builders.user("bo_asks")
    shop = builders.store(owner=seller, name="Vi Frames", slug="vi-frames")
    conversation = builders_conversation(shop, buyer)

    pages = []
    for user, mobile in ((seller, False), (buyer, True)):
        page = login(make_page(mobile=mobile), live_url, user.username, builders.PASSWORD)
        page.goto(conversation.get_absolute_url())
        wait_for_socket(page)
        mark_page(page)
        pages.append(page)
    buyer_page = pages[1]
    composer(buyer_page).fill("The wall it goes on")
    buyer_page.get_by_label("Attach files").set_input_files(
        [upload("wall.png", builders.png_bytes(size=(640, 480)), "image/png")]
    )
    buyer_page.get_by_role("button", name="Send").click()

    for page in pages:
        message = page.locator(".msg").last
        expect(message).to_contain_text("The wall it goes on")
        expect(message.get_by_role("status")).to_contain_text("wall.png Processing…")
        expect(message.get_by_role("img", name="wall.png")).to_have_count(0)
    # The push can beat the end of the sender's request, whose on-commit work queues the image
    # after the pushes (and the inbox rows' team lookup): wait for it.
    deadline = time.monotonic() + 10
    while not queued and time.monotonic() < deadline:
        time.sleep(0.05)
    (message_id,) = queued
    attachment = Attachment.objects.get(message_id=message_id)
    assert attachment.status == "processing" and not attachment.file

    live_server_app.call(services.process_attachments, message_id=message_id)  # the worker's turn

    for page in pages:
        message = page.locator(".msg").last
        image = message.get_by_role("img", name="wall.png")
        expect(image).to_be_visible()
        page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle())
        expect(message.get_by_role("status")).to_have_count(0)
        assert_same_page(page)  # pushed, not reloaded
        assert_no_page_errors(page)


def test_messaging_pages_fit_a_phone(make_page, live_url):
    from .helpers import horizontal_overflow

    seller = builders.user("nia_weaves")
    buyer = builders.user("joe_browses")
    shop = builders.store(owner=seller, name="Nia Weaves", slug="nia-weaves")
    scarf = builders.product(shop, "Wool Scarf")
    conversation = builders_conversation(shop, buyer)
    from shomp.messaging import services

    services.send_message(
        conversation=conversation,
        sender=seller,
        content="Yes! A long link: https://nia.example/" + "x" * 80 + "\nand a second line.",
    )
    for mobile in (True,):
        width = 375
        buyer_page = login(make_page(mobile=mobile), live_url, buyer.username, builders.PASSWORD)
        seller_page = login(make_page(mobile=mobile), live_url, seller.username, builders.PASSWORD)
        for page, url, name in [
            (buyer_page, f"/stores/nia-weaves/contact/?product={scarf.slug}", "contact"),
            (buyer_page, "/messages/", "inbox"),
            (buyer_page, conversation.get_absolute_url(), "thread-buyer"),
            (seller_page, "/dashboard/messages/", "dashboard-inbox"),
            (seller_page, conversation.get_absolute_url(), "thread-seller"),
            (seller_page, "/dashboard/messages/settings/", "settings"),
        ]:
            page.goto(url)
            expect(page.locator("main h1")).to_be_visible()
            assert horizontal_overflow(page) == 0, f"{url} overflows at {width}px"
            assert_no_page_errors(page)
            screenshot(page, f"messaging-{name}-{width}")
