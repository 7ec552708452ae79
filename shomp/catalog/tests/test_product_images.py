"""Product images: checked from their headers in the seller's request, decoded by the worker
("processing" until it is done, shown only once ready), and limited per store and hour."""

import io
import re
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageFile

from shomp.catalog import services
from shomp.catalog.models import ImageStatus, Product, ProductImage
from shomp.catalog.services import products as product_services
from shomp.catalog.tests.factories import ProductFactory, ProductImageFactory
from shomp.core.tests import files
from shomp.core.uploads import check_image
from shomp.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def store():
    return StoreFactory(name="Alpha", slug="alpha")


@pytest.fixture
def seller(client, store):
    client.force_login(store.owner)
    return client


def png(name: str = "photo.png", size=(40, 30), color=(20, 120, 200)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def damaged_png(name: str = "cut.png") -> SimpleUploadedFile:
    """A PNG whose header is fine and whose pixels are cut short: only decoding finds out."""
    noise = files.image_bytes(Image.effect_noise((300, 200), 80).convert("RGB"), "PNG")
    return SimpleUploadedFile(name, noise[: len(noise) // 2], content_type="image/png")


def valid(**overrides) -> dict:
    return {"title": "Blue mug", "price": "12.50", "kind": "physical", "stock": "3", "description": ""} | overrides


def html(response) -> str:
    return unescape(response.content.decode())


def text(response) -> str:
    """The page's words, without tags or runs of spaces."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html(response))).replace(" :", ":").replace(" .", ".")


def incoming() -> set[str]:
    """What waits for the worker in private storage (shared by the whole test run: compare)."""
    storage = storages["private"]
    return set(storage.listdir("products/incoming")[1]) if storage.exists("products/incoming") else set()


def count_decodes(monkeypatch) -> list:
    """Every image decode from now on (process_image turns an exception in a decode into a
    refusal, so they are counted rather than refused)."""
    decodes = []
    load = ImageFile.ImageFile.load

    def counted(image):
        decodes.append(image.size)
        return load(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", counted)
    return decodes


def field_error(page: str, field: str) -> str:
    match = re.search(rf'<div class="invalid-feedback d-block" id="id_{field}_error">(.*?)</div>', page, re.S)
    return match.group(1).strip() if match else ""


# The request: cheap checks only ---------------------------------------------------------------


def test_the_request_decodes_nothing_and_the_worker_shows_the_images_when_done(
    seller, store, monkeypatch, django_capture_on_commit_callbacks
):
    waiting = incoming()
    with monkeypatch.context() as request_only:
        decodes = count_decodes(request_only)
        with django_capture_on_commit_callbacks() as worker:  # committed, but the worker hasn't run
            response = seller.post(
                "/dashboard/products/new/",
                valid(publish="1", images=[png("wide.png", size=(4000, 1000)), png("small.png")]),
                follow=True,
            )

    assert decodes == []
    product = store.products.get()
    assert product.is_published
    wide, small = product.images.order_by("position")
    assert (wide.status, bool(wide.image), bool(wide.source)) == ("processing", False, True)
    assert wide.source.storage is storages["private"]  # as received, metadata and all: never public
    assert incoming() - waiting == {wide.source.name.rsplit("/", 1)[1], small.source.name.rsplit("/", 1)[1]}
    assert product.cover is None
    page = html(response)
    assert "New images appear once they are processed" in page
    assert "Cover: processing…" in page and "Image 2: processing…" in page
    assert 'hx-trigger="every 3s"' in page  # the dashboard checks back until they are ready
    public = html(seller.get(product.get_absolute_url()))
    assert "/media/products/" not in public  # nothing to show yet, and no broken picture

    with django_capture_on_commit_callbacks(execute=True):
        for callback in worker:  # the worker's turn (and the first publish's hooks)
            callback()

    wide.refresh_from_db()
    small.refresh_from_db()
    assert (wide.status, wide.width, wide.height, wide.source.name) == ("ready", 2560, 640, "")
    assert (small.status, small.width, small.height) == ("ready", 40, 30)
    assert incoming() == waiting  # the sources are deleted once processed
    assert wide.image.url in html(seller.get(product.get_absolute_url()))
    assert wide.thumbnail.url in html(seller.get(f"/{store.slug}/"))  # the card's cover
    dashboard = html(seller.get(f"/dashboard/products/{product.pk}/edit/"))
    assert "processing" not in dashboard and "every 3s" not in dashboard


def test_a_refused_product_form_decodes_and_stores_nothing(seller, store, monkeypatch):
    decodes = count_decodes(monkeypatch)
    waiting = incoming()

    response = seller.post("/dashboard/products/new/", valid(title="", images=[png(f"{n}.png") for n in range(10)]))

    assert field_error(html(response), "title")
    assert decodes == []
    assert not store.products.exists() and incoming() == waiting


def test_images_over_the_pixel_cap_are_refused_from_their_header(seller, store, monkeypatch):
    decodes = count_decodes(monkeypatch)
    # 6300×6300 in a few kilobytes: under the 40 megapixels of a JPEG, over a PNG's 25 (a PNG is
    # decoded whole, and the worker's memory follows its pixels).
    bomb = SimpleUploadedFile("big.png", files.png_bomb(6_300, 6_300), content_type="image/png")

    response = seller.post("/dashboard/products/new/", valid(images=[bomb]))

    assert (
        "big.png: This image is too large (6300×6300 pixels): at most 25 million pixels are allowed in a PNG image."
    ) in field_error(html(response), "images")
    assert not store.products.exists() and decodes == []


# The worker -------------------------------------------------------------------------------------


def test_an_image_the_worker_refuses_is_marked_failed_with_the_reason_for_the_seller(
    seller, store, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        seller.post("/dashboard/products/new/", valid(images=[damaged_png(), png()]))

    product = store.products.get()
    broken, good = product.images.order_by("position")
    assert (broken.status, bool(broken.image), broken.source.name) == ("failed", False, "")
    assert "damaged or incomplete" in broken.error
    assert good.status == "ready"
    assert product.cover == good  # the first image that can be shown
    dashboard = text(seller.get(f"/dashboard/products/{product.pk}/edit/"))
    assert "Cover: not added. This image is damaged or incomplete." in dashboard
    public = html(seller.get(product.get_absolute_url()))
    assert good.image.url in public and 'data-bs-slide-to="1"' not in public  # one image in the gallery


def test_the_task_is_idempotent_and_skips_what_was_removed_meanwhile(store, django_capture_on_commit_callbacks):
    product = ProductFactory(store=store)
    with django_capture_on_commit_callbacks():  # the worker doesn't run
        first, second = services.add_product_images(product=product, images=[check_image(png()), check_image(png())])
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_product_image(product=product, image_id=second.pk)
    assert not storages["private"].exists(second.source.name)  # its upload went with it

    with django_capture_on_commit_callbacks(execute=True):
        assert services.process_product_images(product_id=product.pk) == 1
        assert services.process_product_images(product_id=product.pk) == 0  # run again: nothing left
    first.refresh_from_db()
    assert first.status == ImageStatus.READY and first.image


def test_processed_images_are_ready_at_once(store):
    from shomp.core.uploads import process_image

    product = ProductFactory(store=store)
    (image,) = services.add_product_images(product=product, images=[process_image(png())])
    assert image.status == ImageStatus.READY and image.image and not image.source


def test_an_image_still_processing_cannot_be_a_variants_picture(store, django_capture_on_commit_callbacks):
    from shomp.catalog import selectors

    product = ProductFactory(store=store)
    ready = ProductImageFactory(product=product)
    with django_capture_on_commit_callbacks():
        (waiting,) = services.add_product_images(product=product, images=[check_image(png())])
    services.add_product_option(product=product, name="Size", values=["S"])
    variant = services.create_variant(product=product, options={"Size": "S"})

    assert selectors.variants.product_images(product=product) == [ready]  # the grid's choices
    with pytest.raises(ValidationError) as refused:
        services.update_variant(variant=variant, image_id=waiting.pk)
    assert refused.value.message_dict == {"image": ["Choose one of this product's images."]}
    services.update_variant(variant=variant, image_id=ready.pk)
    variant.refresh_from_db()
    assert variant.image == ready


# The limit --------------------------------------------------------------------------------------


def test_a_store_adds_at_most_its_hourly_number_of_images(seller, store, monkeypatch):
    monkeypatch.setattr(product_services, "IMAGE_UPLOADS_PER_HOUR", 3)
    product = ProductFactory(store=store, title="Blue mug", slug="blue-mug", stock=3)
    url = f"/dashboard/products/{product.pk}/edit/"

    seller.post(url, valid(images=[png(), png()]))
    response = seller.post(url, valid(title="Renamed", images=[png(), png()]))

    assert "the most images we take in an hour (3)" in field_error(html(response), "images")
    assert product.images.count() == 2
    product.refresh_from_db()
    assert product.title == "Blue mug"  # a refused edit keeps none of it
    seller.post(url, valid(images=[png()]))  # what is left of the hour still goes in
    assert product.images.count() == 3
    assert Product.objects.count() == 1 and ProductImage.objects.filter(status="processing").count() == 3
