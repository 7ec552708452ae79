"""The seller's product pages and the public catalog, driven through the real forms."""

import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shomp.catalog.models import Product
from shomp.catalog.tests.factories import ProductFactory, ProductImageFactory
from shomp.core.testing.images import image_upload, pdf_upload
from shomp.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def store():
    return StoreFactory(name="Alpha", slug="alpha")


@pytest.fixture
def seller(client, store):
    client.force_login(store.owner)
    return client


def field_error(html: str, field: str) -> str:
    """The error shown next to `field` (the component renders it as #id_<field>_error)."""
    match = re.search(rf'<div class="invalid-feedback d-block" id="id_{field}_error">(.*?)</div>', html, re.S)
    return match.group(1).strip() if match else ""


def valid(**overrides) -> dict:
    return {"title": "Blue mug", "price": "12.50", "kind": "physical", "stock": "3", "description": ""} | overrides


# Creating -------------------------------------------------------------------------------


def test_a_seller_creates_a_draft_product(seller, store):
    response = seller.post("/dashboard/products/new/", valid(description="Holds tea."))

    product = store.products.get()
    assert response.status_code == 302
    assert response["Location"] == f"/dashboard/products/{product.pk}/edit/"
    assert (product.title, product.slug, product.price, product.stock) == ("Blue mug", "blue-mug", Decimal("12.50"), 3)
    assert product.status == Product.Status.DRAFT
    page = seller.get(response["Location"])
    assert "“Blue mug” saved as a draft." in page.text


def test_a_seller_creates_and_publishes_with_images(seller, store, django_capture_on_commit_callbacks):
    data = valid(publish="1", images=[image_upload("a.jpg"), image_upload("b.png", fmt="PNG")])

    with django_capture_on_commit_callbacks(execute=True):  # and the worker decodes the images
        response = seller.post("/dashboard/products/new/", data)

    assert response.status_code == 302
    product = store.products.get()
    assert product.is_published
    assert product.images.count() == 2
    assert "is live" in seller.get(response["Location"]).text
    public = seller.get("/alpha/products/blue-mug/")
    assert public.status_code == 200
    cover = product.images.order_by("position").first()
    assert cover.image.url in public.text


def test_a_digital_product_with_a_file_can_be_published_at_once(seller, store):
    data = valid(kind="digital", stock="", publish="1", digital_file=pdf_upload("My Guide.pdf"))

    seller.post("/dashboard/products/new/", data)

    product = store.products.get()
    assert product.is_published
    assert product.digital_file_name == "My Guide.pdf"


def test_publishing_a_digital_product_without_its_file_says_why_and_keeps_nothing_live(seller, store):
    response = seller.post("/dashboard/products/new/", valid(kind="digital", stock="", publish="1"))

    assert response.status_code == 200
    assert "Upload the file buyers will download before publishing" in field_error(response.text, "digital_file")
    assert not store.products.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"title": "   "}, "title", "This field is required."),
        ({"price": "-1"}, "price", "The price can&#x27;t be negative."),
        ({"price": "1000001"}, "price", "The price can be at most 1,000,000.00."),
        ({"price": "abc"}, "price", "Enter an amount such as 12.50 or 12,50."),
        ({"price": "NaN"}, "price", "Enter an amount such as 12.50 or 12,50."),
        ({"price": "1.999"}, "price", "Is that a thousands separator or the cents?"),
        ({"price": "1.9999"}, "price", "Use at most two decimal places, such as 12.50."),
        ({"stock": ""}, "stock", "Enter how many you have in stock."),
        ({"stock": "-2"}, "stock", "Stock can&#x27;t be negative."),
        ({"kind": "service"}, "kind", "Select a valid choice."),
        ({"slug": "not a slug!"}, "slug", "Enter a valid “slug”"),
    ],
)
def test_bad_input_shows_a_message_next_to_the_field_and_saves_nothing(seller, store, changes, field, message):
    response = seller.post("/dashboard/products/new/", valid(**changes))

    assert response.status_code == 200
    assert message in field_error(response.text, field)
    assert not store.products.exists()


def test_a_slug_taken_in_the_store_is_refused_next_to_the_field(seller, store):
    ProductFactory(store=store, slug="mug")

    response = seller.post("/dashboard/products/new/", valid(slug="mug"))

    assert "Another product of this store already uses “mug”." in field_error(response.text, "slug")
    assert store.products.count() == 1


def test_a_slug_of_another_store_is_fine(seller, store):
    ProductFactory(slug="mug")

    seller.post("/dashboard/products/new/", valid(slug="mug"))

    assert store.products.get().slug == "mug"


def test_an_image_that_is_not_an_image_is_refused_next_to_the_field(seller, store):
    fake = SimpleUploadedFile("photo.png", b"just some text, honestly", content_type="image/png")

    response = seller.post("/dashboard/products/new/", valid(images=[fake]))

    assert "photo.png: This file is not a JPEG, PNG, WebP or GIF image." in field_error(response.text, "images")
    assert not store.products.exists()


def test_more_than_ten_images_at_once_are_refused(seller, store):
    response = seller.post("/dashboard/products/new/", valid(images=[image_upload(f"{n}.jpg") for n in range(11)]))

    assert "at most 10 images" in field_error(response.text, "images")
    assert not store.products.exists()


# Editing --------------------------------------------------------------------------------


@pytest.fixture
def product(store):
    return ProductFactory(store=store, title="Blue mug", slug="blue-mug", price=Decimal("12.50"), stock=3)


def test_a_seller_edits_a_product(seller, product):
    response = seller.post(
        f"/dashboard/products/{product.pk}/edit/", valid(title="Big mug", slug="big-mug", price="20", stock="0")
    )

    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.title, product.slug, product.price, product.stock) == ("Big mug", "big-mug", Decimal("20.00"), 0)
    assert seller.get("/alpha/products/big-mug/").status_code == 200
    assert "Sold out" in seller.get("/alpha/products/big-mug/").text


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"price": "-1"}, "price"),
        ({"price": "1000001"}, "price"),
        ({"slug": "taken"}, "slug"),
    ],
)
def test_bad_edits_show_a_message_and_change_nothing(seller, store, product, changes, field):
    ProductFactory(store=store, slug="taken")

    response = seller.post(f"/dashboard/products/{product.pk}/edit/", valid(**changes))

    assert response.status_code == 200
    assert field_error(response.text, field)
    product.refresh_from_db()
    assert (product.title, product.slug, product.price) == ("Blue mug", "blue-mug", Decimal("12.50"))


def test_adding_images_beyond_ten_is_refused_on_edit(seller, product):
    ProductImageFactory.create_batch(9, product=product)

    response = seller.post(f"/dashboard/products/{product.pk}/edit/", valid(images=[image_upload(), image_upload()]))

    assert "at most 10 images" in field_error(response.text, "images")
    assert product.images.count() == 9


# Status ---------------------------------------------------------------------------------


def test_status_actions_publish_unpublish_archive(seller, product):
    url = f"/dashboard/products/{product.pk}/status/"

    seller.post(url, {"action": "unpublish"})
    product.refresh_from_db()
    assert product.status == Product.Status.DRAFT
    assert seller.get("/alpha/").context["page_obj"].paginator.count == 0

    response = seller.post(url, {"action": "publish", "next": f"/dashboard/products/{product.pk}/edit/"})
    assert response["Location"] == f"/dashboard/products/{product.pk}/edit/"
    product.refresh_from_db()
    assert product.status == Product.Status.PUBLISHED

    seller.post(url, {"action": "archive"})
    product.refresh_from_db()
    assert product.status == Product.Status.ARCHIVED


def test_status_action_never_redirects_off_the_dashboard(seller, product):
    response = seller.post(
        f"/dashboard/products/{product.pk}/status/", {"action": "archive", "next": "https://evil.example/"}
    )

    assert response["Location"] == "/dashboard/products/"


def test_an_unknown_status_action_changes_nothing_and_says_so(seller, product):
    response = seller.post(f"/dashboard/products/{product.pk}/status/", {"action": "delete"}, follow=True)

    assert "Unknown action." in response.text
    product.refresh_from_db()
    assert product.status == Product.Status.PUBLISHED


def test_publishing_a_digital_product_without_a_file_shows_why(seller, store):
    product = ProductFactory(store=store, kind="digital", stock=None, status=Product.Status.DRAFT)

    response = seller.post(f"/dashboard/products/{product.pk}/status/", {"action": "publish"}, follow=True)

    assert "Upload the file buyers will download before publishing" in response.text
    product.refresh_from_db()
    assert product.status == Product.Status.DRAFT


@pytest.mark.parametrize("status", [Product.Status.DRAFT, Product.Status.ARCHIVED])
def test_unpublished_products_leave_the_store_page_search_and_home(client, product, status):
    product.status = status
    product.save()

    for url in ["/alpha/", "/search/?q=mug", "/"]:
        assert "Blue mug" not in client.get(url).text, url
    assert client.get("/alpha/products/blue-mug/").status_code == 404


# Images ---------------------------------------------------------------------------------


def test_images_are_reordered_and_removed_from_the_dashboard(seller, product):
    a, b, c = ProductImageFactory.create_batch(3, product=product)
    url = f"/dashboard/products/{product.pk}/images/{{}}/"

    seller.post(url.format(c.pk), {"action": "up"})
    seller.post(url.format(a.pk), {"action": "down"})
    assert list(product.images.values_list("pk", flat=True)) == [c.pk, a.pk, b.pk]

    response = seller.post(url.format(a.pk), {"action": "remove"})
    assert response["Location"] == f"/dashboard/products/{product.pk}/edit/"
    assert list(product.images.values_list("pk", flat=True)) == [c.pk, b.pk]

    page = seller.get(f"/dashboard/products/{product.pk}/edit/")
    assert page.text.index(c.thumbnail.url) < page.text.index(b.thumbnail.url)


def test_an_unknown_image_action_changes_nothing(seller, product):
    image = ProductImageFactory(product=product)

    response = seller.post(f"/dashboard/products/{product.pk}/images/{image.pk}/", {"action": "explode"}, follow=True)

    assert "Unknown action." in response.text
    assert product.images.count() == 1


# Public pages ---------------------------------------------------------------------------


def test_the_store_page_lists_published_products_with_prices_and_covers(client, store):
    mug = ProductFactory(store=store, title="Blue mug", price=Decimal("1234.5"))
    cover = ProductImageFactory(product=mug)
    ProductFactory(store=store, title="Hidden draft", status=Product.Status.DRAFT)

    response = client.get("/alpha/")

    assert "Blue mug" in response.text
    assert "$1,234.50" in response.text
    assert cover.thumbnail.url in response.text
    assert "Hidden draft" not in response.text
    assert "Edit store" not in response.text


def test_the_store_page_shows_the_owner_an_edit_link(seller, store):
    assert "Edit store" in seller.get("/alpha/").text


def test_the_store_page_paginates(client, store):
    ProductFactory.create_batch(25, store=store)

    first, second = client.get("/alpha/"), client.get("/alpha/?page=2")

    assert len(first.context["page_obj"].object_list) == 24
    assert len(second.context["page_obj"].object_list) == 1
    assert client.get("/alpha/?page=99").context["page_obj"].number == 2


def test_search_page_shows_matches_and_an_empty_state(client, store):
    ProductFactory(store=store, title="Blue mug")

    found = client.get("/search/", {"q": "mug"})
    assert "Blue mug" in found.text
    assert "Results for “mug”" in found.text

    none = client.get("/search/", {"q": "zeppelin"})
    assert "No products found" in none.text


def test_search_answers_htmx_with_the_results_fragment_only(client, store):
    ProductFactory(store=store, title="Blue mug")

    response = client.get("/search/", {"q": "mug"}, headers={"HX-Request": "true"})

    assert "Blue mug" in response.text
    assert "<html" not in response.text


def test_home_shows_the_newest_published_products(client, store):
    ProductFactory(store=store, title="Blue mug")
    ProductFactory(store=store, title="Secret", status=Product.Status.DRAFT)

    response = client.get("/")

    assert "Blue mug" in response.text
    assert "Secret" not in response.text


def test_dashboard_product_list_filters_by_status_and_search(seller, store):
    ProductFactory(store=store, title="Blue mug")
    ProductFactory(store=store, title="Red mug draft", status=Product.Status.DRAFT)

    drafts = seller.get("/dashboard/products/", {"status": "draft"})
    assert "Red mug draft" in drafts.text
    assert "Blue mug" not in drafts.text

    blue = seller.get("/dashboard/products/", {"q": "blue"})
    assert "Blue mug" in blue.text
    assert "Red mug draft" not in blue.text

    assert "No products match" in seller.get("/dashboard/products/", {"q": "zeppelin"}).text


# Partial saves ---------------------------------------------------------------------------


def test_a_refused_publish_then_a_corrected_resubmit_leaves_one_product(seller, store):
    """ "Save and publish" of a digital product without its file shows the form again; fixing it
    and submitting must not leave a stray draft behind."""
    first = seller.post("/dashboard/products/new/", valid(kind="digital", stock="", publish="1"))
    assert "Upload the file buyers will download before publishing" in first.text

    seller.post("/dashboard/products/new/", valid(kind="digital", stock="", publish="1", digital_file=pdf_upload()))

    assert list(store.products.values_list("slug", "status")) == [("blue-mug", Product.Status.PUBLISHED)]


def test_a_refused_edit_saves_none_of_it(seller, product):
    """The page shows the form with an error: nothing of that submission may have been kept."""
    ProductImageFactory.create_batch(9, product=product)

    response = seller.post(
        f"/dashboard/products/{product.pk}/edit/",
        valid(title="Renamed", price="99", images=[image_upload(), image_upload()]),
    )

    assert "at most 10 images" in field_error(response.text, "images")
    product.refresh_from_db()
    assert (product.title, product.price) == ("Blue mug", Decimal("12.50"))


def test_an_oversized_product_image_is_refused_next_to_the_field(seller, store, monkeypatch):
    from shomp.catalog.forms import ProductForm

    monkeypatch.setattr(ProductForm.base_fields["images"], "max_bytes", 1024)

    response = seller.post("/dashboard/products/new/", valid(images=[image_upload("big.jpg", size=(400, 400))]))

    assert "big.jpg: Images can be at most 1 KB." in field_error(response.text, "images")
    assert not store.products.exists()
