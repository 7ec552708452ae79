"""Opening, editing, switching and browsing stores through the real pages and forms."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog.tests.factories import ProductFactory
from shomp.core.testing.images import image_bytes, image_upload
from shomp.core.uploads import IMAGE_MAX_BYTES
from shomp.stores.models import Store
from shomp.stores.policies import ACTIVE_STORE_SESSION_KEY
from shomp.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db

SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
NOT_AN_IMAGE = "This file is not a JPEG, PNG, WebP or GIF image."


def field_error(html: str, field: str) -> str:
    match = re.search(rf'<div class="invalid-feedback d-block" id="id_{field}_error">(.*?)</div>', html, re.S)
    return match.group(1).strip() if match else ""


@pytest.fixture
def user(client):
    user = UserFactory()
    client.force_login(user)
    return user


# Opening a store ------------------------------------------------------------------------


def test_opening_a_store_derives_its_address_and_makes_it_active(client, user):
    response = client.post("/dashboard/stores/new/", {"name": "Clay & Co.", "description": "Pots."})

    store = Store.objects.get(owner=user)
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/products/new/"
    assert (store.name, store.slug, store.description) == ("Clay & Co.", "clay-co", "Pots.")
    assert client.session[ACTIVE_STORE_SESSION_KEY] == store.pk
    assert "Clay &amp; Co. is open." in client.get(response["Location"]).text
    assert client.get("/clay-co/").status_code == 200


def test_opening_a_store_with_a_chosen_address_and_logo(client, user):
    client.post(
        "/dashboard/stores/new/", {"name": "Clay", "slug": "Clay-Works", "logo": image_upload("logo.png", fmt="PNG")}
    )

    store = Store.objects.get(owner=user)
    assert store.slug == "clay-works"
    assert store.logo.name.endswith(".png")
    assert "logo" not in store.logo.name.removeprefix("stores/logos/")  # stored under a random name
    assert store.logo_thumbnail.url in client.get("/clay-works/").text


@pytest.mark.parametrize("word", ["dashboard", "stores", "admin", "api", "media", "search"])
def test_a_reserved_address_is_refused_next_to_the_field(client, user, word):
    response = client.post("/dashboard/stores/new/", {"name": "Nice", "slug": word})

    assert response.status_code == 200
    assert f"“{word}” is reserved by Shomp" in field_error(response.text, "slug")
    assert not Store.objects.exists()


def test_a_name_without_letters_or_digits_asks_for_an_address_next_to_the_field(client, user):
    response = client.post("/dashboard/stores/new/", {"name": "🧶🧶🧶"})

    assert response.status_code == 200
    assert "We can&#x27;t make a web address from this name" in field_error(response.text, "slug")
    assert not Store.objects.exists()

    client.post("/dashboard/stores/new/", {"name": "🧶🧶🧶", "slug": "yarn-corner"})

    assert Store.objects.get(owner=user).slug == "yarn-corner"


def test_a_taken_address_is_refused_next_to_the_field(client, user):
    StoreFactory(slug="clay")

    response = client.post("/dashboard/stores/new/", {"name": "Clay", "slug": "clay"})

    assert "The address “clay” is taken." in field_error(response.text, "slug")
    assert not Store.objects.filter(owner=user).exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "n" * 81}, "name"),
        ({"name": "Shop", "slug": "Not valid!"}, "slug"),
        ({"name": "Shop", "slug": "s" * 51}, "slug"),
    ],
)
def test_bad_store_input_is_refused_next_to_the_field(client, user, data, field):
    response = client.post("/dashboard/stores/new/", data)

    assert response.status_code == 200
    assert field_error(response.text, field)
    assert not Store.objects.exists()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("logo.png", b"I am only text pretending.", content_type="image/png"), NOT_AN_IMAGE),
        (SimpleUploadedFile("logo.svg", SVG, content_type="image/svg+xml"), NOT_AN_IMAGE),
        (SimpleUploadedFile("logo.png", SVG, content_type="image/png"), NOT_AN_IMAGE),
        (SimpleUploadedFile("logo.png", b"", content_type="image/png"), "The submitted file is empty."),
    ],
    ids=["text-named-png", "svg", "svg-named-png", "empty"],
)
def test_a_logo_that_is_not_a_safe_image_is_refused(client, user, upload, message):
    response = client.post("/dashboard/stores/new/", {"name": "Shop", "logo": upload})

    assert message in field_error(response.text, "logo")
    assert not Store.objects.exists()


def test_a_logo_over_ten_megabytes_is_refused(client, user):
    big = image_bytes(fmt="PNG") + b"\0" * (IMAGE_MAX_BYTES + 1)  # a real PNG, padded

    response = client.post(
        "/dashboard/stores/new/", {"name": "Shop", "logo": SimpleUploadedFile("big.png", big, "image/png")}
    )

    assert "Images can be at most 10 MB." in field_error(response.text, "logo")
    assert not Store.objects.exists()


def test_one_user_may_open_a_second_store(client, user):
    StoreFactory(owner=user, name="First")

    client.post("/dashboard/stores/new/", {"name": "Second"})

    assert set(user.stores.values_list("name", flat=True)) == {"First", "Second"}
    assert "Second" in client.get("/dashboard/store/").text  # the new store is the active one


# Editing --------------------------------------------------------------------------------


@pytest.fixture
def store(user):
    return StoreFactory(owner=user, name="Clay", slug="clay")


def test_the_settings_page_edits_the_active_store(client, store):
    response = client.post("/dashboard/store/", {"name": "Clay Works", "slug": "clay-works", "description": "New."})

    assert response["Location"] == "/dashboard/store/"
    store.refresh_from_db()
    assert (store.name, store.slug, store.description) == ("Clay Works", "clay-works", "New.")
    assert client.get("/clay-works/").status_code == 200
    assert client.get("/clay/").status_code == 404


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "Clay", "slug": "dashboard"}, "slug", "“dashboard” is reserved by Shomp"),
        ({"name": "Clay", "slug": "taken"}, "slug", "The address “taken” is taken."),
        ({"name": "Clay", "slug": ""}, "slug", "This field is required."),
        ({"name": "", "slug": "clay"}, "name", "This field is required."),
    ],
)
def test_bad_settings_show_a_message_and_change_nothing(client, store, data, field, message):
    StoreFactory(slug="taken")

    response = client.post("/dashboard/store/", data)

    assert response.status_code == 200
    assert message in field_error(response.text, field)
    store.refresh_from_db()
    assert (store.name, store.slug) == ("Clay", "clay")


def test_a_bad_logo_on_the_settings_page_changes_nothing(client, store):
    fake = SimpleUploadedFile("logo.png", b"text", content_type="image/png")

    response = client.post("/dashboard/store/", {"name": "Renamed", "slug": "clay", "logo": fake})

    assert NOT_AN_IMAGE in field_error(response.text, "logo")
    store.refresh_from_db()
    assert (store.name, store.logo.name) == ("Clay", "")


def test_the_logo_can_be_removed(client, store):
    client.post("/dashboard/store/", {"name": "Clay", "slug": "clay", "logo": image_upload()})
    store.refresh_from_db()
    assert store.logo

    client.post("/dashboard/store/", {"name": "Clay", "slug": "clay", "remove_logo": "on"})
    store.refresh_from_db()
    assert not store.logo


def test_the_settings_page_sets_who_may_review(client, store):
    page = client.get("/dashboard/store/").text
    assert '<label class="form-label" for="id_review_policy">Who may review</label>' in page
    assert 'aria-describedby="id_review_policy_helptext"' in page
    assert "Buyers only: a product review needs a paid order of that product" in page  # the help text
    assert re.search(r'<option value="buyers" selected>Buyers only', page)
    assert Store.objects.get(pk=store.pk).review_policy == "buyers"  # the default

    client.post("/dashboard/store/", {"name": "Clay", "slug": "clay", "review_policy": "anyone"})
    store.refresh_from_db()
    assert store.review_policy == Store.ReviewPolicy.ANYONE
    assert re.search(r'<option value="anyone" selected>Anyone logged in', client.get("/dashboard/store/").text)

    client.post("/dashboard/store/", {"name": "Clay", "slug": "clay", "review_policy": "buyers"})
    store.refresh_from_db()
    assert store.review_policy == Store.ReviewPolicy.BUYERS


def test_an_unknown_review_setting_is_refused_and_changes_nothing(client, store):
    response = client.post("/dashboard/store/", {"name": "Renamed", "slug": "clay", "review_policy": "everyone"})

    assert "Select a valid choice." in field_error(response.text, "review_policy")
    store.refresh_from_db()
    assert (store.name, store.review_policy) == ("Clay", "buyers")


# Switching ------------------------------------------------------------------------------


def test_switching_between_ones_own_stores(client, user):
    first = StoreFactory(owner=user, name="A first")
    second = StoreFactory(owner=user, name="B second")
    ProductFactory(store=second, title="Second's product")

    assert "Second&#x27;s product" not in client.get("/dashboard/products/").text  # the first store by default

    response = client.post("/dashboard/switch/", {"store": second.pk, "next": "/dashboard/products/"})
    assert response["Location"] == "/dashboard/products/"
    assert client.session[ACTIVE_STORE_SESSION_KEY] == second.pk
    assert "Second&#x27;s product" in client.get("/dashboard/products/").text

    client.post("/dashboard/switch/", {"store": first.pk, "next": "https://evil.example/"})
    assert client.session[ACTIVE_STORE_SESSION_KEY] == first.pk


@pytest.mark.parametrize("value", ["", "abc", "0", "999999"])
def test_switching_to_nothing_is_a_404(client, store, value):
    assert client.post("/dashboard/switch/", {"store": value}).status_code == 404


def test_switching_to_someone_elses_store_is_a_404_and_keeps_the_active_store(client, store):
    theirs = StoreFactory(name="Theirs")
    client.post("/dashboard/switch/", {"store": store.pk})

    response = client.post("/dashboard/switch/", {"store": theirs.pk})

    assert response.status_code == 404
    assert client.session[ACTIVE_STORE_SESSION_KEY] == store.pk
    assert "Theirs" not in client.get("/dashboard/store/").text


# /stores --------------------------------------------------------------------------------


def test_the_store_list_shows_stores_with_their_product_counts(client):
    store = StoreFactory(name="Clay Corner", description="Mugs and bowls.")
    ProductFactory.create_batch(2, store=store)
    StoreFactory(name="Paper Trail")

    response = client.get("/stores/")

    assert "Clay Corner" in response.text
    assert "2 products" in response.text
    assert "Paper Trail" in response.text
    assert "0 products" in response.text


def test_the_store_list_searches(client):
    StoreFactory(name="Clay Corner", description="Mugs and bowls.")
    StoreFactory(name="Paper Trail", description="Notebooks.")

    clay = client.get("/stores/", {"q": "clay"})
    assert "Clay Corner" in clay.text
    assert "Paper Trail" not in clay.text

    assert "Paper Trail" in client.get("/stores/", {"q": "notebooks"}).text
    assert "No stores match your search" in client.get("/stores/", {"q": "zeppelin"}).text


def test_the_store_list_answers_htmx_with_the_results_only(client):
    StoreFactory(name="Clay Corner")

    response = client.get("/stores/", {"q": "clay"}, headers={"HX-Request": "true"})

    assert "Clay Corner" in response.text
    assert "<html" not in response.text


def test_the_store_list_paginates(client):
    StoreFactory.create_batch(25)

    assert len(client.get("/stores/").context["page_obj"].object_list) == 24
    assert len(client.get("/stores/?page=2").context["page_obj"].object_list) == 1


def test_an_empty_marketplace_invites_to_open_a_store(client):
    assert "No stores yet" in client.get("/stores/").text
