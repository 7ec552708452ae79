"""The pages: starting a conversation, the thread, the composer, attachments, the inboxes."""

import io
import re

import pytest
from django.urls import reverse

from shomp.catalog.tests.factories import ProductFactory
from shomp.core.testing.images import image_bytes
from shomp.core.tests.files import upload as raw_upload
from shomp.messaging import services
from shomp.messaging.models import Attachment, Conversation, Message, SavedReply
from shomp.orders.tests.factories import OrderFactory
from shomp.stores.tests.factories import StoreFactory

from .conftest import PDF, pdf_upload, png_upload

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def contact_url(store, **params):
    url = reverse("messaging:contact", args=[store.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def state():
    return (Conversation.objects.count(), Message.objects.count(), Attachment.objects.count())


def test_contact_routes_live_under_stores_and_the_list_still_works(client, store):
    assert client.get("/stores/").status_code == 200
    assert reverse("messaging:contact", args=["kiln"]) == "/stores/kiln/contact/"
    assert client.get("/stores/kiln/contact/").status_code == 302  # log in first


def test_ask_a_question_from_a_product(client, customer, store, product):
    client.force_login(customer)
    page = client.get(product.get_absolute_url()).text
    assert 'href="/stores/kiln/contact/?product=blue-mug"' in page
    response = client.get(contact_url(store, product="blue-mug"))
    assert response.status_code == 200
    assert 'value="Question about Blue mug"' in response.text and 'value="pre_purchase" selected' in response.text
    response = client.post(
        contact_url(store),
        {"type": "pre_purchase", "subject": "Size?", "content": "How tall is it?", "product": "blue-mug"},
    )
    conversation = Conversation.objects.get()
    assert response.status_code == 302 and response.url == conversation.get_absolute_url()
    assert conversation.product == product and conversation.type == "pre_purchase"


def test_get_help_with_an_order(client, customer, store):
    order = OrderFactory(buyer=customer, store=store)
    client.force_login(customer)
    assert "Get help with this order" in client.get(order.get_absolute_url()).text
    response = client.get(contact_url(store, order=order.uuid))
    assert 'value="support" selected' in response.text and order.number in response.text
    client.post(contact_url(store), {"type": "support", "subject": "", "content": "Broken", "order": order.uuid})
    assert Conversation.objects.get().order == order


def test_another_buyers_order_on_get_help_is_a_404(client, customer, store):
    theirs = OrderFactory(store=store)
    client.force_login(customer)
    assert client.get(contact_url(store, order=theirs.uuid)).status_code == 404
    response = client.post(contact_url(store), {"type": "support", "content": "Hi", "order": theirs.uuid})
    assert response.status_code == 404 and state() == (0, 0, 0)
    assert client.get(contact_url(store, order="not-a-uuid")).status_code == 404
    other_store_order = OrderFactory(buyer=customer)
    assert client.get(contact_url(store, order=other_store_order.uuid)).status_code == 404


def test_a_product_of_another_store_or_a_draft_is_a_404(client, customer, store):
    client.force_login(customer)
    elsewhere = ProductFactory(slug="elsewhere")
    ProductFactory(store=store, slug="secret", status="draft")
    assert client.get(contact_url(store, product="elsewhere")).status_code == 404
    assert client.get(contact_url(store, product="secret")).status_code == 404
    assert elsewhere


def test_messaging_ones_own_store_changes_nothing(client, seller, store):
    client.force_login(seller)
    assert "Ask a question" not in client.get(ProductFactory(store=store).get_absolute_url()).text
    response = client.post(contact_url(store), {"type": "general", "subject": "Me", "content": "Hi me"}, follow=True)
    assert "can't send a message to your own store" in response.text.replace("&#x27;", "'")
    assert state() == (0, 0, 0)


def test_a_custom_request_with_budget_and_date(client, customer, store):
    client.force_login(customer)
    response = client.post(
        contact_url(store),
        {"type": "custom_order", "subject": "", "content": "A vase like a wave", "budget": "120", "wanted_by": ""},
    )
    conversation = Conversation.objects.get()
    assert response.status_code == 302 and conversation.custom_request.budget == 120
    page = client.get(conversation.get_absolute_url()).text
    assert "Custom order request" in page and "$120.00" in page


def test_the_thread_renders_escaped_text_with_links_and_breaks(client, customer, conversation, seller):
    services.send_message(
        conversation=conversation,
        sender=seller,
        content='<script>alert("x")</script>\nSee https://example.com/a?b=1&c=2 <b>bold</b>',
    )
    client.force_login(customer)
    page = client.get(conversation.get_absolute_url()).text
    assert "<script>alert" not in page and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<br>" in page
    assert '<a href="https://example.com/a?b=1&amp;c=2" rel="nofollow">' in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page


def test_opening_the_thread_marks_it_read_and_shows_seen(client, customer, seller, conversation):
    client.force_login(seller)
    client.get(conversation.get_absolute_url())
    conversation.refresh_from_db()
    assert conversation.store_unread_count == 0
    assert conversation.messages.get().read_at is not None
    client.force_login(customer)
    assert "Seen" in client.get(conversation.get_absolute_url()).text


def test_send_with_htmx_returns_a_fresh_composer_and_the_message(client, customer, conversation):
    client.force_login(customer)
    response = client.post(reverse("messaging:send", args=[conversation.uuid]), {"content": "Thanks!"}, **HTMX)
    assert response.status_code == 200
    assert 'id="message-form"' in response.text and 'hx-swap-oob="beforeend:#thread-messages"' in response.text
    assert "Thanks!" in response.text
    assert conversation.messages.count() == 2


def test_send_without_js_redirects(client, customer, conversation):
    client.force_login(customer)
    response = client.post(reverse("messaging:send", args=[conversation.uuid]), {"content": "Plain"})
    assert response.status_code == 302 and response.url == conversation.get_absolute_url()


@pytest.mark.parametrize(
    "data, files, error",
    [
        ({"content": "   "}, [], "Write a message or attach a file."),
        ({"content": "x" * 5001}, [], "at most 5,000 characters"),
        ({"content": "six"}, [lambda n: png_upload(f"p{n}.png") for _ in range(6)], "at most 5 files"),
        (
            {"content": "svg"},
            [
                lambda n: raw_upload(
                    b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "cat.png", "image/png"
                )
            ],
            "cat.png: only JPEG, PNG, WebP or GIF images and PDF files can be attached.",
        ),
        (
            {"content": "html"},
            [lambda n: raw_upload(b"<html><body onload=alert(1)>hi</body></html>", "page.png", "image/png")],
            "page.png: only JPEG, PNG, WebP or GIF images and PDF files can be attached.",
        ),
        (
            {"content": "big"},
            [lambda n: pdf_upload("huge.pdf", PDF + b"0" * (10 * 1024 * 1024 + 1 - len(PDF)))],
            "huge.pdf: each file can be at most 10 MB.",
        ),
    ],
    ids=["empty", "too-long", "sixth-file", "svg-named-png", "html-named-png", "10MB-plus-one"],
)
def test_bad_input_gets_a_clear_message_and_changes_nothing(client, customer, conversation, data, files, error):
    client.force_login(customer)
    before = state()
    payload = data | ({"attachments": [make(n) for n, make in enumerate(files)]} if files else {})
    response = client.post(reverse("messaging:send", args=[conversation.uuid]), payload, **HTMX)
    assert response.status_code == 200
    assert error in response.text.replace("&#x27;", "'")
    assert state() == before


def test_exactly_ten_megabytes_is_accepted(client, customer, conversation):
    client.force_login(customer)
    data = PDF + b"0" * (10 * 1024 * 1024 - len(PDF))
    response = client.post(
        reverse("messaging:send", args=[conversation.uuid]), {"attachments": [pdf_upload("max.pdf", data)]}, **HTMX
    )
    assert response.status_code == 200 and Attachment.objects.get().size == 10 * 1024 * 1024


def test_attachments_upload_and_are_served_to_both_sides_only(
    client, customer, seller, stranger, conversation, django_capture_on_commit_callbacks
):
    client.force_login(customer)
    with django_capture_on_commit_callbacks(execute=True):  # and the worker processes the image
        client.post(
            reverse("messaging:send", args=[conversation.uuid]),
            {"content": "Pictures", "attachments": [png_upload("cat.png", size=(800, 600)), pdf_upload("plan.pdf")]},
            **HTMX,
        )
    image, pdf = Attachment.objects.order_by("pk")
    page = client.get(conversation.get_absolute_url()).text
    image_url = reverse("messaging:attachment", args=[conversation.uuid, image.pk])
    thumb_url = reverse("messaging:attachment_thumbnail", args=[conversation.uuid, image.pk])
    pdf_url = reverse("messaging:attachment", args=[conversation.uuid, pdf.pk])
    assert image_url in page and thumb_url in page and pdf_url in page and "plan.pdf" in page
    for user in (customer, seller):
        client.force_login(user)
        response = client.get(image_url)
        assert response.status_code == 200 and response["Content-Type"] == "image/png"
        assert response["X-Content-Type-Options"] == "nosniff" and response["Content-Disposition"].startswith("inline")
        assert b"".join(response.streaming_content).startswith(b"\x89PNG")
        response = client.get(pdf_url)
        assert (
            response["Content-Disposition"].startswith("attachment")
            and 'filename="plan.pdf"' in response["Content-Disposition"]
        )
        assert client.get(thumb_url).status_code == 200
    client.force_login(stranger)
    for url in (image_url, thumb_url, pdf_url):
        assert client.get(url).status_code == 404
    other = services.create_conversation(
        store=StoreFactory(), customer=stranger, type="general", subject="Mine", content="Hi"
    )
    # The stranger's own thread uuid with another thread's attachment id: still a 404.
    assert client.get(reverse("messaging:attachment", args=[other.uuid, image.pk])).status_code == 404
    client.logout()
    assert client.get(image_url).status_code == 302


def test_image_metadata_is_stripped(client, customer, conversation, django_capture_on_commit_callbacks):
    from PIL import Image

    from shomp.core.tests.files import SECRET, upload

    client.force_login(customer)
    exif = Image.Exif()
    exif[0x010E] = SECRET.decode()  # ImageDescription
    data = image_bytes(fmt="JPEG")
    image = Image.open(io.BytesIO(data))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes())
    assert SECRET in buffer.getvalue()
    with django_capture_on_commit_callbacks(execute=True):  # and the worker processes the image
        client.post(
            reverse("messaging:send", args=[conversation.uuid]),
            {"attachments": [upload(buffer.getvalue(), "gps.jpg", "image/jpeg")]},
            **HTMX,
        )
    stored = Attachment.objects.get()
    with stored.file.open("rb") as handle:
        assert SECRET not in handle.read()


def test_the_store_side_tools(client, seller, customer, conversation):
    SavedReply.objects.create(store=conversation.store, title="Shipping", content="2-3 days")
    client.force_login(seller)
    page = client.get(conversation.get_absolute_url()).text
    assert 'data-insert-reply="2-3 days"' in page and "Block buyer" in page
    response = client.post(reverse("messaging:status", args=[conversation.uuid]), {"status": "resolved"})
    assert response.status_code == 302
    conversation.refresh_from_db()
    assert conversation.status == "resolved"
    client.post(reverse("messaging:block", args=[conversation.uuid]), {"action": "block"})
    assert conversation.store.blocks.filter(user=customer).exists()
    client.force_login(customer)
    page = client.get(conversation.get_absolute_url()).text
    assert "isn't accepting messages from you" in page.replace("&#x27;", "'") and 'id="message-form"' not in page
    response = client.post(reverse("messaging:send", args=[conversation.uuid]), {"content": "Let me in"}, **HTMX)
    assert (
        "isn't accepting messages from you" in response.text.replace("&#x27;", "'")
        and conversation.messages.count() == 1
    )


def test_the_customer_cannot_use_store_tools(client, customer, conversation):
    client.force_login(customer)
    for name, data in [("status", {"status": "resolved"}), ("block", {"action": "block"})]:
        assert client.post(reverse(f"messaging:{name}", args=[conversation.uuid]), data).status_code == 404
    assert "Saved replies" not in client.get(conversation.get_absolute_url()).text


def test_offer_accept_flow_over_http(client, customer, seller, store):
    conversation = services.create_conversation(
        store=store, customer=customer, type="custom_order", subject="Vase", content="A blue vase"
    )
    client.force_login(seller)
    response = client.post(
        reverse("messaging:offer_create", args=[conversation.uuid]), {"title": "Blue vase", "price": "55"}
    )
    assert response.status_code == 302
    offer = conversation.offers.get()
    client.force_login(customer)
    page = client.get(conversation.get_absolute_url()).text
    assert "Accept and add to cart" in page and "$55.00" in page
    response = client.post(reverse("messaging:offer_accept", args=[conversation.uuid, offer.pk]))
    assert response.status_code == 302 and response.url == reverse("orders:cart")
    assert "Blue vase" in client.get(reverse("orders:cart")).text


def test_report_a_conversation(client, customer, conversation):
    client.force_login(customer)
    response = client.post(reverse("messaging:report", args=[conversation.uuid]), {"reason": "spam"}, follow=True)
    assert "our team will look" in response.text
    assert conversation.reports.count() == 1


def test_dashboard_inbox_filters_and_search(client, seller, store, customer, stranger):
    a = services.create_conversation(store=store, customer=customer, type="general", subject="Shipping", content="Hi")
    b = services.create_conversation(
        store=store, customer=stranger, type="custom_order", subject="Commission", content="A teapot with owls"
    )
    services.set_status(conversation=a, actor=seller, status="resolved")
    second = StoreFactory(owner=seller, name="Second shop", slug="second")
    c = services.create_conversation(store=second, customer=customer, type="general", subject="Other", content="Yo")
    client.force_login(seller)
    url = reverse("messaging:dashboard_inbox")

    def shown(**params):
        text = client.get(url, params).text
        return {x.subject for x in (a, b, c) if f'id="inbox-row-{x.uuid}"' in text}

    assert shown() == {"Shipping", "Commission", "Other"}
    assert shown(status="resolved") == {"Shipping"}
    services.set_status(conversation=a, actor=seller, status="archived")
    assert shown() == {"Commission", "Other"}  # "Active": everything but the archive
    assert shown(status="archived") == {"Shipping"}
    assert shown(type="custom_order") == {"Commission"}
    assert shown(q="owls") == {"Commission"}  # message text
    assert shown(q="commis") == {"Commission"}  # subject
    assert shown(store=second.pk) == {"Other"}
    client.get(b.get_absolute_url())  # read
    assert shown(unread="1") == {"Other"}
    assert "stranger" in client.get(url).text and stranger.email not in client.get(url).text


def test_customer_inbox_lists_only_their_threads(client, customer, stranger, conversation):
    services.create_conversation(
        store=StoreFactory(), customer=stranger, type="general", subject="Not yours", content="x"
    )
    client.force_login(customer)
    page = client.get(reverse("messaging:inbox")).text
    assert "Hello" in page and "Not yours" not in page
    assert "Kiln &amp; Co" in page


def test_the_badge_counts_both_sides(client, customer, seller, conversation):
    client.force_login(seller)
    response = client.get(reverse("messaging:badge"))
    assert re.search(r'id="messages-badge"[^>]*>1<', response.text)
    services.send_message(conversation=conversation, sender=seller, content="Hi back")
    client.force_login(customer)
    assert re.search(r'id="messages-badge"[^>]*>1<', client.get(reverse("messaging:badge")).text)
    assert 'hx-get="/messages/badge/"' in client.get("/").text


def test_saved_replies_and_unblock_in_dashboard(client, seller, store, customer):
    client.force_login(seller)
    url = reverse("messaging:dashboard_settings")
    client.post(url, {"title": "Thanks", "content": "Thank you for your order!"})
    reply = SavedReply.objects.get(store=store)
    block = services.block_user(store=store, user=customer, actor=seller)
    page = client.get(url).text
    assert "Thank you for your order!" in page and "buyer" in page
    client.post(reverse("messaging:dashboard_unblock", args=[block.pk]))
    client.post(reverse("messaging:dashboard_reply_delete", args=[reply.pk]))
    assert not store.blocks.exists() and not store.saved_replies.exists()


def test_store_page_shows_contact_and_typical_reply_time(client, store, customer, seller):
    conversation = services.create_conversation(
        store=store, customer=customer, type="general", subject="S", content="Q"
    )
    services.send_message(conversation=conversation, sender=seller, content="A")
    page = client.get(store.get_absolute_url()).text
    assert "/stores/kiln/contact/" in page and "Typically replies within an hour" in page
