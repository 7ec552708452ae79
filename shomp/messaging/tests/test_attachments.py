"""Image attachments: checked from their headers in the request, decoded by the worker.

Until the worker is done an image is "processing" for both sides: named in the thread, never
downloadable (the upload as received, metadata and all, waits in private storage). Once ready it
is pushed live to both sides of the open thread; a page that missed the push checks back.
"""

import io
import re
from html import unescape

import pytest
from django.core.files.storage import storages
from django.urls import reverse
from PIL import Image, ImageFile

from shomp.accounts.tests.factories import UserFactory
from shomp.core.tests import files
from shomp.messaging import events, services
from shomp.messaging.models import Attachment
from shomp.stores.tests.factories import StoreFactory

from .conftest import pdf_upload, png_upload

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
MIME = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}


def count_decodes(monkeypatch) -> list:
    """Every image decode from now on (process_image would turn a refusing spy into a refusal)."""
    decodes = []
    load = ImageFile.ImageFile.load

    def counted(image):
        decodes.append(image.size)
        return load(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", counted)
    return decodes


def text(response) -> str:
    return unescape(response.content.decode())


def urls(conversation, attachment) -> tuple[str, str]:
    return (
        reverse("messaging:attachment", args=[conversation.uuid, attachment.pk]),
        reverse("messaging:attachment_thumbnail", args=[conversation.uuid, attachment.pk]),
    )


def files_url(conversation, message) -> str:
    return reverse("messaging:message_files", args=[conversation.uuid, message.pk])


def incoming() -> set[str]:
    storage = storages["private"]
    return set(storage.listdir("messages/incoming")[1]) if storage.exists("messages/incoming") else set()


def run_worker(callbacks, django_capture_on_commit_callbacks) -> None:
    """What was queued on commit, run now: the pushes, then the worker's task (and its pushes)."""
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()


# Refused from the header -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "image_format, width, height, cap, name",
    [
        ("JPEG", 6_400, 6_400, 40, "JPEG"),
        ("PNG", 6_300, 6_300, 25, "PNG"),  # the benchmark's PNG: under the old 40 MP cap
        ("WEBP", 6_300, 6_300, 12, "WebP"),  # 69 KB that took the request 680 MB
        ("WEBP", 3_465, 3_465, 12, "WebP"),
        ("GIF", 3_465, 3_465, 12, "GIF"),
    ],
)
def test_a_decompression_bomb_is_refused_from_its_header_in_every_format(
    client, customer, conversation, monkeypatch, image_format, width, height, cap, name
):
    bomb = files.image_bomb(image_format, width, height)
    client.force_login(customer)
    decodes = count_decodes(monkeypatch)

    response = client.post(
        reverse("messaging:send", args=[conversation.uuid]),
        {"content": "Look", "attachments": [files.upload(bomb, "bomb.img", MIME[image_format])]},
        **HTMX,
    )
    assert decodes == []
    assert (
        f"bomb.img: This image is too large ({width}×{height} pixels): at most {cap} million pixels are "
        f"allowed in a {name} image."
    ) in text(response)
    assert conversation.messages.count() == 1 and not Attachment.objects.exists()


def test_starting_a_conversation_checks_attachments_from_their_headers_too(client, customer, store, monkeypatch):
    bomb = files.image_bomb("PNG", 6_300, 6_300)
    client.force_login(customer)
    decodes = count_decodes(monkeypatch)

    response = client.post(
        reverse("messaging:contact", args=[store.slug]),
        {"type": "general", "content": "Hi", "attachments": [files.upload(bomb, "big.png", "image/png")] * 5},
    )
    assert response.status_code == 200 and decodes == []
    assert "big.png: This image is too large (6300×6300 pixels)" in text(response)
    assert not store.conversations.exists()


def test_a_refused_message_decodes_no_attachment(client, customer, store, monkeypatch):
    client.force_login(customer)
    decodes = count_decodes(monkeypatch)

    response = client.post(
        reverse("messaging:contact", args=[store.slug]),
        {"type": "", "content": "Hi", "attachments": [png_upload("a.png", size=(2000, 1500))]},
    )
    assert response.status_code == 200 and decodes == []
    assert not store.conversations.exists() and not Attachment.objects.exists()


# Processing, then ready --------------------------------------------------------------------------


def test_an_image_waits_for_the_worker_unseen_and_unserved_then_appears_live_on_both_sides(
    client, customer, seller, conversation, monkeypatch, published, django_capture_on_commit_callbacks
):
    photo = files.jpeg_with_metadata(size=(1200, 800))  # EXIF with GPS, XMP, a comment, an ICC profile
    assert files.SECRET in photo
    waiting = incoming()
    client.force_login(customer)
    with monkeypatch.context() as request_only:
        decodes = count_decodes(request_only)
        with django_capture_on_commit_callbacks() as queued:  # committed; the worker hasn't run
            response = client.post(
                reverse("messaging:send", args=[conversation.uuid]),
                {"content": "My kitchen", "attachments": [files.upload(photo, "kitchen.jpg", "image/jpeg")]},
                **HTMX,
            )

    assert decodes == []
    image = Attachment.objects.get()
    message = image.message
    assert (image.status, bool(image.file), bool(image.thumbnail), bool(image.source)) == (
        "processing",
        False,
        False,
        True,
    )
    assert image.source.storage is storages["private"]
    assert incoming() - waiting == {image.source.name.rsplit("/", 1)[1]}
    assert (image.kind, image.content_type, image.original_name) == ("image", "image/jpeg", "kitchen.jpg")
    file_url, thumb_url = urls(conversation, image)
    sent = text(response)
    assert "kitchen.jpg" in sent and "Processing" in sent
    assert file_url not in sent and thumb_url not in sent
    assert f'hx-get="{files_url(conversation, message)}"' in sent  # checks back if it misses the push
    for user in (customer, seller):
        client.force_login(user)
        page = text(client.get(conversation.get_absolute_url()))
        assert "kitchen.jpg" in page and "Processing" in page and file_url not in page
        assert client.get(file_url).status_code == 404
        assert client.get(thumb_url).status_code == 404
        assert "Processing" in text(client.get(files_url(conversation, message)))

    published.clear()
    run_worker(queued, django_capture_on_commit_callbacks)

    image.refresh_from_db()
    assert (image.status, bool(image.file), bool(image.thumbnail), bool(image.source)) == ("ready", True, True, False)
    assert (image.width, image.height, image.content_type) == (1200, 800, "image/jpeg")
    assert image.size == image.file.size and incoming() == waiting  # the upload as received is gone
    # Pushed to the thread's topic (both sides' open pages): the new message, its image
    # processing; then the files, ready, replacing the "processing" list in place.
    topic = events.conversation_topic(conversation.uuid)
    frames = [html for name, html in published if name == topic and f'id="message-files-{message.pk}"' in html]
    assert len(frames) == 2
    sent_frame, ready_frame = frames
    assert "beforeend:#thread-messages" in sent_frame and "Processing" in sent_frame and file_url not in sent_frame
    assert f'<ul id="message-files-{message.pk}"' in ready_frame and 'hx-swap-oob="true"' in ready_frame
    assert file_url in ready_frame and thumb_url in ready_frame
    assert "Processing" not in ready_frame and "hx-trigger" not in ready_frame
    for user in (customer, seller):
        client.force_login(user)
        response = client.get(file_url)
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
        stored = b"".join(response.streaming_content)
        assert stored.startswith(b"\xff\xd8") and files.SECRET not in stored
        assert Image.open(io.BytesIO(stored)).getexif() == {}
        assert client.get(thumb_url).status_code == 200
        page = text(client.get(conversation.get_absolute_url()))
        assert file_url in page and "Processing" not in page
        assert "hx-trigger" not in text(client.get(files_url(conversation, message)))


def test_a_big_image_is_stored_at_most_2560_pixels_wide(conversation, customer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = services.send_message(
            conversation=conversation,
            sender=customer,
            content="",
            attachments=[services_upload(png_upload("wide.png", size=(4000, 1000)))],
        )
    image = message.attachments.get()
    assert (image.status, image.width, image.height) == ("ready", 2560, 640)


def services_upload(upload):
    from shomp.messaging.forms import prepare_attachment

    return prepare_attachment(upload)


def test_a_gif_is_stored_as_a_png_named_so(client, customer, conversation, django_capture_on_commit_callbacks):
    gif = files.animated_gif()
    client.force_login(customer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("messaging:send", args=[conversation.uuid]),
            {"attachments": [files.upload(gif, "wave.gif", "image/gif")]},
            **HTMX,
        )
    image = Attachment.objects.get()
    assert (image.status, image.content_type, image.original_name) == ("ready", "image/png", "wave.png")
    assert image.file.name.endswith(".png")


def test_a_damaged_image_fails_with_its_reason_and_is_never_served(
    client, customer, seller, conversation, django_capture_on_commit_callbacks
):
    noise = files.image_bytes(Image.effect_noise((300, 200), 80).convert("RGB"), "PNG")
    client.force_login(customer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("messaging:send", args=[conversation.uuid]),
            {
                "content": "Two files",
                "attachments": [
                    files.upload(noise[: len(noise) // 2], "cut.png", "image/png"),
                    png_upload("fine.png", size=(300, 200)),
                    pdf_upload("plan.pdf"),
                ],
            },
            **HTMX,
        )
    cut, fine, pdf = Attachment.objects.order_by("pk")
    assert (cut.status, bool(cut.file), bool(cut.source)) == ("failed", False, False)
    assert "damaged or incomplete" in cut.error
    assert (fine.status, pdf.status) == ("ready", "ready")
    for user in (customer, seller):
        client.force_login(user)
        page = text(client.get(conversation.get_absolute_url()))
        assert "cut.png couldn't be attached" in page and "damaged or incomplete" in page
        assert urls(conversation, cut)[0] not in page and urls(conversation, fine)[0] in page
        assert [client.get(url).status_code for url in urls(conversation, cut)] == [404, 404]
        assert client.get(urls(conversation, pdf)[0]).status_code == 200


def test_the_worker_is_idempotent_and_leaves_a_deleted_message_alone(
    conversation, customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        message = services.send_message(
            conversation=conversation, sender=customer, content="", attachments=[services_upload(png_upload())]
        )
    run_worker(queued, django_capture_on_commit_callbacks)
    image = message.attachments.get()
    stored = (image.status, image.file.name, image.thumbnail.name)
    assert stored[0] == "ready"
    with django_capture_on_commit_callbacks(execute=True):
        assert services.process_attachments(message_id=message.pk) == 0
    image.refresh_from_db()
    assert (image.status, image.file.name, image.thumbnail.name) == stored

    with django_capture_on_commit_callbacks() as queued:
        other = services.send_message(
            conversation=conversation, sender=customer, content="", attachments=[services_upload(png_upload())]
        )
    source = other.attachments.get().source.name
    other.delete()
    assert services.process_attachments(message_id=other.pk) == 0
    assert storages["private"].exists(source)  # the periodic sweep of unreferenced files takes it


# Who may see it --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["stranger", "other_owner"])
def test_someone_elses_attachment_is_a_404_processing_or_ready(
    client, conversation, customer, who, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        message = services.send_message(
            conversation=conversation, sender=customer, content="", attachments=[services_upload(png_upload())]
        )
    image = message.attachments.get()
    outsider = UserFactory() if who == "stranger" else StoreFactory().owner
    client.force_login(outsider)
    routes = [*urls(conversation, image), files_url(conversation, message)]
    assert [client.get(url).status_code for url in routes] == [404, 404, 404]
    run_worker(queued, django_capture_on_commit_callbacks)
    client.force_login(outsider)
    assert [client.get(url).status_code for url in routes] == [404, 404, 404]
    # Their own thread's uuid with this message or attachment id: still a 404.
    mine = services.create_conversation(
        store=StoreFactory(), customer=outsider, type="general", subject="M", content="x"
    )
    assert client.get(reverse("messaging:attachment", args=[mine.uuid, image.pk])).status_code == 404
    assert client.get(files_url(mine, message)).status_code == 404


# Limits ------------------------------------------------------------------------------------------


def test_images_for_the_worker_are_limited_per_sender_and_hour(client, customer, conversation):
    client.force_login(customer)
    url = reverse("messaging:send", args=[conversation.uuid])
    per_message = 5
    for _ in range(services.IMAGE_ATTACHMENTS_PER_HOUR // per_message):
        response = client.post(url, {"attachments": [png_upload(f"{n}.png") for n in range(per_message)]}, **HTMX)
        assert "composer-errors" not in response.text
    stored = Attachment.objects.count()
    assert stored == services.IMAGE_ATTACHMENTS_PER_HOUR

    response = client.post(url, {"content": "One more", "attachments": [png_upload("late.png")]}, **HTMX)
    assert services.IMAGE_ATTACHMENT_RATE_TEXT in text(response)
    assert Attachment.objects.count() == stored
    # Words and PDFs still go through.
    response = client.post(url, {"content": "Words only", "attachments": [pdf_upload()]}, **HTMX)
    assert "composer-errors" not in response.text and Attachment.objects.count() == stored + 1
    assert re.search(r"Words only", text(client.get(conversation.get_absolute_url())))
