"""Review photos and videos: cheap checks in the request, decoding in the worker ("processing"
until it is done), and the per-user rate limits on review writes and uploads."""

from html import unescape

import pytest
from django.core.files.storage import storages
from django.urls import reverse
from PIL import Image, ImageFile

from shomp.accounts.tests.factories import UserFactory
from shomp.core.tests import files
from shomp.core.uploads import check_image
from shomp.core.video import check_video
from shomp.reviews import services
from shomp.reviews.models import Review, ReviewPhoto
from shomp.reviews.services import media as review_media

from . import media

# The store takes reviews from anyone logged in, so `stranger` writes (unverified) reviews here;
# who may review, in both modes, is test_who_may_review.py's subject.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("anyone_may_review")]


def write_url(product) -> str:
    return reverse("reviews:write", kwargs={"product_id": product.pk})


def post_review(client, product, **data):
    fields = {"rating": "4", "title": "Nice", "content": "Would buy again."} | data
    return client.post(write_url(product), fields, follow=True)


def html(response) -> str:
    return unescape(response.content.decode())


def incoming() -> set[str]:
    """What waits for the worker in private storage (shared by the whole test run: compare)."""
    storage = storages["private"]
    return set(storage.listdir("reviews/incoming")[1]) if storage.exists("reviews/incoming") else set()


def basename(field) -> str:
    return field.name.rsplit("/", 1)[1]


def never_decoded(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("decoded in the request")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)
    monkeypatch.setattr(review_media, "process_video", refuse)
    monkeypatch.setattr(review_media, "process_image", refuse)


def damaged_png() -> bytes:
    """A PNG whose header is fine and whose pixels are cut short: only decoding finds out."""
    noise = files.image_bytes(Image.effect_noise((300, 200), 80).convert("RGB"), "PNG")
    return noise[: len(noise) // 2]


# The request: cheap checks only ---------------------------------------------------------------


def test_the_request_decodes_nothing_and_the_worker_shows_them_when_done(
    client, stranger, product, monkeypatch, django_capture_on_commit_callbacks
):
    client.force_login(stranger)
    waiting = incoming()
    with monkeypatch.context() as request_only:
        never_decoded(request_only)
        with django_capture_on_commit_callbacks() as worker:  # committed, but the worker hasn't run
            response = post_review(
                client, product, photos=[media.photo("wide.png", size=(3000, 1000))], video=media.video()
            )

    review = Review.objects.get()
    photo = review.photos.get()
    assert (photo.status, bool(photo.image), bool(photo.source)) == ("processing", False, True)
    assert (review.video_status, bool(review.video), bool(review.video_source)) == ("processing", False, True)
    assert not review.has_media
    assert photo.source.storage is storages["private"]  # still with its metadata: never public
    assert incoming() - waiting == {basename(photo.source), basename(review.video_source)}
    page = html(response)
    assert "Your photos and video appear once they are processed" in page
    assert "Photo 1 processing…" in page and "Video processing…" in page
    assert 'hx-trigger="every 3s"' in page  # the page checks back until they are ready
    media_tasks = [callback for callback in worker if "_process_on_commit" in callback.__qualname__]
    assert len(media_tasks) == 1  # one task for the whole review (the other callback tells the store)

    with django_capture_on_commit_callbacks(execute=True):
        media_tasks[0]()  # the worker's turn

    review.refresh_from_db()
    photo.refresh_from_db()
    assert (photo.status, photo.width, photo.height, photo.source.name) == ("ready", 2048, 683, "")
    assert review.video_status == "ready" and review.video and review.video_poster and not review.video_source
    assert review.has_media
    page = html(client.get(review.get_absolute_url()))
    assert photo.thumbnail.url in page and review.video.url in page
    assert "processing" not in page and "every 3s" not in page
    assert incoming() == waiting  # the sources are deleted


def test_a_refused_form_decodes_and_stores_nothing(client, stranger, product, monkeypatch):
    client.force_login(stranger)
    never_decoded(monkeypatch)
    waiting = incoming()

    response = post_review(
        client, product, title="x" * 121, photos=[media.photo(f"p{n}.png") for n in range(6)], video=media.video()
    )
    assert "The title can be at most 120 characters." in html(response)
    assert not Review.objects.exists() and incoming() == waiting


def test_photos_with_too_many_pixels_are_refused_from_their_header(client, stranger, product, monkeypatch):
    client.force_login(stranger)
    never_decoded(monkeypatch)
    # 6300×6300 in a few kilobytes: under the 40 megapixels of product images, over a review photo's 25.
    bombs = [files.upload(files.png_bomb(6_300, 6_300), f"big{n}.png", "image/png") for n in range(6)]

    page = html(post_review(client, product, photos=bombs))
    assert (
        "big0.png: This image is too large (6300×6300 pixels): at most 25 million pixels are allowed in a PNG image."
    ) in page
    assert not Review.objects.exists()


# The worker --------------------------------------------------------------------------------


def test_the_task_is_idempotent_and_skips_what_was_removed_meanwhile(
    stranger, product, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():  # the worker doesn't run
        review = services.create_review(
            user=stranger, product=product, rating=4, photos=[check_image(media.photo()), check_image(media.photo())]
        )
    first, second = review.photos.all()
    with django_capture_on_commit_callbacks(execute=True):  # the author removes one before the worker gets to it
        services.update_review(review=review, rating=4, remove_photo_ids=[first.pk])
    assert basename(first.source) not in incoming()

    assert services.process_review_media(review_id=review.pk) == 1
    assert services.process_review_media(review_id=review.pk) == 0  # a retry changes nothing
    second.refresh_from_db()
    assert second.status == "ready" and list(review.photos.all()) == [second]


def test_a_video_replaced_while_the_worker_rebuilt_it_is_not_overwritten(
    stranger, product, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        review = services.create_review(user=stranger, product=product, rating=4, video=check_video(media.video()))
    real = review_media.process_video

    def replaced_meanwhile(upload):
        result = real(upload)
        Review.objects.filter(pk=review.pk).update(video_source="reviews/incoming/newer.mp4")
        return result

    monkeypatch.setattr(review_media, "process_video", replaced_meanwhile)
    assert services.process_review_media(review_id=review.pk) == 0
    review.refresh_from_db()
    assert (review.video_status, review.video_source.name, bool(review.video)) == (
        "processing",
        "reviews/incoming/newer.mp4",
        False,
    )


def test_what_the_worker_refuses_fails_with_its_reason_shown_to_the_author_only(
    client, stranger, product, django_capture_on_commit_callbacks
):
    client.force_login(stranger)
    waiting = incoming()
    with django_capture_on_commit_callbacks(execute=True):
        post_review(client, product, photos=[files.upload(damaged_png(), "cut.png", "image/png"), media.photo()])
    review = Review.objects.get()
    failed = review.photos.get(status="failed")
    assert failed.error == "This image is damaged or incomplete. Please save it again and upload the new file."
    assert not failed.source and incoming() == waiting
    assert review.photos.filter(status="ready").count() == 1 and review.has_media

    own_page = html(client.get(review.get_absolute_url()))
    assert "Some of what you uploaded couldn't be processed" in own_page
    assert own_page.count('class="review-photo rounded border"') == 1  # only the ready photo is shown
    edit_page = html(client.get(reverse("reviews:edit", kwargs={"review_id": review.pk})))
    assert "Couldn't process: This image is damaged or incomplete." in edit_page

    client.force_login(UserFactory())
    assert "couldn't be processed" not in html(client.get(review.get_absolute_url()))


def test_a_failed_photo_can_be_removed(client, stranger, product, django_capture_on_commit_callbacks):
    client.force_login(stranger)
    with django_capture_on_commit_callbacks(execute=True):
        post_review(client, product, photos=[files.upload(damaged_png(), "cut.png", "image/png")])
    review = Review.objects.get()
    failed = review.photos.get()
    client.post(
        reverse("reviews:edit", kwargs={"review_id": review.pk}),
        {"rating": "4", "title": "Nice", "content": "Would buy again.", "remove_photos": [failed.pk]},
    )
    assert not ReviewPhoto.objects.exists()


# Rate limits --------------------------------------------------------------------------------


def test_review_writes_are_limited_per_user_with_a_message_on_the_form(client, stranger, product):
    client.force_login(stranger)
    post_review(client, product)
    review = Review.objects.get()
    edit = reverse("reviews:edit", kwargs={"review_id": review.pk})
    for n in range(services.REVIEW_WRITES_PER_HOUR - 1):
        client.post(edit, {"rating": "4", "title": f"Take {n}", "content": ""})
    review.refresh_from_db()
    assert review.title == f"Take {services.REVIEW_WRITES_PER_HOUR - 2}"

    page = html(client.post(edit, {"rating": "4", "title": "One too many", "content": ""}))
    assert services.REVIEW_WRITE_RATE_TEXT in page
    review.refresh_from_db()
    assert review.title != "One too many"

    other = UserFactory()
    client.force_login(other)
    post_review(client, product)
    assert Review.objects.filter(user=other).exists()  # per user


def test_uploads_are_limited_per_user_and_a_refusal_takes_nothing(client, stranger, product):
    client.force_login(stranger)
    post_review(client, product, photos=[media.photo() for _ in range(6)])
    review = Review.objects.get()
    edit = reverse("reviews:edit", kwargs={"review_id": review.pk})

    def replace_all_photos(count: int):
        data = {
            "rating": "4",
            "title": "Nice",
            "content": "",
            "remove_photos": list(review.photos.values_list("pk", flat=True)),
        }
        return client.post(edit, data | {"photos": [media.photo() for _ in range(count)]})

    for _ in range(services.REVIEW_UPLOADS_PER_HOUR // 6 - 1):
        replace_all_photos(6)  # 30 photos in all
    page = html(replace_all_photos(6))
    assert services.REVIEW_UPLOAD_RATE_TEXT in page
    assert review.photos.count() == 6

    assert services.REVIEW_UPLOAD_RATE_TEXT in html(replace_all_photos(1))  # full up: even one more
    response = client.post(edit, {"rating": "5", "title": "Still fine", "content": ""})
    assert response.status_code == 302  # writing without uploads still works
