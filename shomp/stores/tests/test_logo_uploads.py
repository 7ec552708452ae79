"""Store logos are decoded in the seller's request, so their cost is bounded there: refused from
the header past the logo caps, decoded only once the rest of the form is valid, at a reduced
scale for a big JPEG, and stored to fit 1024 pixels."""

import pytest
from PIL import ImageFile

from shomp.accounts.tests.factories import UserFactory
from shomp.core.testing.images import image_upload
from shomp.core.tests import files
from shomp.stores.models import Store
from shomp.stores.tests.factories import StoreFactory

from .test_views import field_error

pytestmark = pytest.mark.django_db

MIME = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}


def count_decodes(monkeypatch) -> list:
    decodes = []
    load = ImageFile.ImageFile.load

    def counted(image):
        decodes.append(image.size)
        return load(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", counted)
    return decodes


@pytest.fixture
def seller(client):
    user = UserFactory()
    client.force_login(user)
    return user


@pytest.mark.parametrize(
    "image_format, width, height, cap, name",
    [
        ("JPEG", 6_400, 6_400, 40, "JPEG"),
        ("PNG", 4_001, 4_000, 16, "PNG"),
        ("PNG", 6_300, 6_300, 16, "PNG"),
        ("WEBP", 2_829, 2_829, 8, "WebP"),
        ("WEBP", 6_300, 6_300, 8, "WebP"),
        ("GIF", 2_829, 2_829, 8, "GIF"),
    ],
)
@pytest.mark.parametrize("page", ["new", "settings"])
def test_a_decompression_bomb_logo_is_refused_from_its_header(
    client, seller, monkeypatch, page, image_format, width, height, cap, name
):
    bomb = files.upload(files.image_bomb(image_format, width, height), "logo.img", MIME[image_format])
    store = StoreFactory(owner=seller, name="Clay", slug="clay") if page == "settings" else None
    decodes = count_decodes(monkeypatch)

    if page == "new":
        response = client.post("/dashboard/stores/new/", {"name": "Shop", "logo": bomb})
    else:
        response = client.post("/dashboard/store/", {"name": "Renamed", "slug": "clay", "logo": bomb})

    assert decodes == []
    assert field_error(response.text, "logo").replace("&#215;", "×") == (
        f"This image is too large ({width}×{height} pixels): at most {cap} million pixels are allowed in a "
        f"{name} image."
    )
    assert list(Store.objects.values_list("name", "logo")) == ([] if store is None else [("Clay", "")])


@pytest.mark.parametrize(
    "image_format, width, height",
    [("JPEG", 6_324, 6_324), ("PNG", 4_000, 4_000), ("WEBP", 2_828, 2_828), ("GIF", 2_828, 2_828)],
)
def test_a_logo_at_the_cap_is_taken_and_stored_to_fit_1024_pixels(client, seller, image_format, width, height):
    logo = files.upload(files.image_bomb(image_format, width, height), "logo.img", MIME[image_format])

    response = client.post("/dashboard/stores/new/", {"name": "Shop", "logo": logo})

    assert response.status_code == 302
    store = Store.objects.get(owner=seller)
    assert (store.logo.width, store.logo.height) == (1024, 1024)
    assert store.logo_thumbnail.width <= 480


def test_a_big_jpeg_logo_is_decoded_at_a_reduced_scale(client, seller, monkeypatch):
    decodes = count_decodes(monkeypatch)

    client.post("/dashboard/stores/new/", {"name": "Shop", "logo": image_upload("wide.jpg", size=(6000, 3000))})

    assert decodes and set(decodes) == {(1500, 750)}  # a quarter of each side: 1/16 of the pixels
    store = Store.objects.get(owner=seller)
    assert (store.logo.width, store.logo.height) == (1024, 512)


@pytest.mark.parametrize(
    "page, data",
    [
        ("/dashboard/stores/new/", {"name": ""}),
        ("/dashboard/stores/new/", {"name": "Shop", "slug": "x" * 51}),
        ("/dashboard/store/", {"name": "Clay", "slug": ""}),
    ],
    ids=["no-name", "long-address", "settings-no-address"],
)
def test_a_refused_store_form_decodes_no_logo(client, seller, monkeypatch, page, data):
    StoreFactory(owner=seller, name="Clay", slug="clay")
    decodes = count_decodes(monkeypatch)

    response = client.post(page, {**data, "logo": image_upload("logo.png", fmt="PNG", size=(2000, 1500))})

    assert response.status_code == 200 and decodes == []
    assert list(Store.objects.values_list("name", "logo")) == [("Clay", "")]
