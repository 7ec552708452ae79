"""Opening and editing a store: what a seller sees in the store's address and in error messages."""

import re

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from shomp.accounts.tests.factories import UserFactory
from shomp.core.reserved import RESERVED_WORDS
from shomp.core.testing.images import image_upload
from shomp.core.uploads import process_image
from shomp.stores import services
from shomp.stores.models import SLUG_PATTERN, Store
from shomp.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


def errors_of(caught: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return caught.value.message_dict


# create_store ---------------------------------------------------------------------------


def test_create_store_derives_a_lower_case_slug_from_the_name():
    owner = UserFactory()

    store = services.create_store(owner=owner, name="  Clay & Co. Ceramics  ", description="  Pots.  ")

    store.refresh_from_db()
    assert store.slug == "clay-co-ceramics"
    assert store.name == "Clay & Co. Ceramics"
    assert store.description == "Pots."
    assert store.owner == owner
    assert store.get_absolute_url() == "/clay-co-ceramics/"


def test_create_store_derives_a_free_slug_when_the_name_is_taken():
    StoreFactory(name="Clay", slug="clay")

    second = services.create_store(owner=UserFactory(), name="Clay")
    third = services.create_store(owner=UserFactory(), name="CLAY")

    assert (second.slug, third.slug) == ("clay-2", "clay-3")


@pytest.mark.parametrize(("name", "slug"), [("my_shop", "my-shop"), ("Q", "q-shop"), ("Store", "store-shop")])
def test_create_store_opens_whatever_the_name_when_no_slug_is_chosen(name, slug):
    store = services.create_store(owner=UserFactory(), name=name)

    assert store.slug == slug


@pytest.mark.parametrize("name", ["🧶🧶🧶", "__", "日本の店", "★ ★"])
def test_a_name_that_makes_no_address_asks_the_seller_for_one(name):
    with pytest.raises(ValidationError) as caught:
        services.create_store(owner=UserFactory(), name=name)

    assert caught.value.message_dict == {"slug": [services.NO_ADDRESS_FROM_NAME]}
    assert not Store.objects.exists()


def test_the_same_name_opens_with_an_address_the_seller_chose():
    store = services.create_store(owner=UserFactory(), name="🧶🧶🧶", slug="yarn-corner")

    assert (store.name, store.slug) == ("🧶🧶🧶", "yarn-corner")


def test_create_store_takes_a_chosen_slug_lower_cased():
    store = services.create_store(owner=UserFactory(), name="Clay", slug="  My-Pots ")

    assert store.slug == "my-pots"


@pytest.mark.parametrize("word", ["dashboard", "stores", "admin", "api", "media", "Search", "CART"])
def test_create_store_refuses_a_reserved_slug_with_a_clear_message(word):
    with pytest.raises(ValidationError) as caught:
        services.create_store(owner=UserFactory(), name="Nice shop", slug=word)

    assert errors_of(caught) == {"slug": [f"“{word.lower()}” is reserved by Shomp. Please choose another address."]}
    assert not Store.objects.exists()


@pytest.mark.parametrize("word", ["dashboard", "admin", "stores", "media"])
def test_a_store_named_like_a_route_gets_an_unreserved_derived_slug(word):
    store = services.create_store(owner=UserFactory(), name=word.title())

    assert store.slug == f"{word}-shop"
    assert store.slug not in RESERVED_WORDS


def test_create_store_refuses_a_slug_that_is_taken_even_in_other_case():
    StoreFactory(slug="pottery")

    with pytest.raises(ValidationError) as caught:
        services.create_store(owner=UserFactory(), name="Other", slug="Pottery")

    assert errors_of(caught) == {"slug": ["The address “pottery” is taken. Please choose another."]}
    assert Store.objects.count() == 1


@pytest.mark.parametrize(
    "slug", ["has space", "under_score", "-leading", "trailing-", "ünïcode", "a" * 51, "dot.ted", "x"]
)
def test_create_store_refuses_a_malformed_slug(slug):
    with pytest.raises(ValidationError) as caught:
        services.create_store(owner=UserFactory(), name="Shop", slug=slug)

    assert set(errors_of(caught)) == {"slug"}
    assert not Store.objects.exists()


@pytest.mark.parametrize("name", ["", "   "])
def test_create_store_refuses_an_empty_name(name):
    with pytest.raises(ValidationError) as caught:
        services.create_store(owner=UserFactory(), name=name)

    assert errors_of(caught) == {"name": ["Give your store a name."]}
    assert not Store.objects.exists()


def test_create_store_refuses_a_name_over_80_characters():
    with pytest.raises(ValidationError) as caught:
        services.create_store(owner=UserFactory(), name="n" * 81)

    assert "name" in errors_of(caught)
    assert not Store.objects.exists()
    assert services.create_store(owner=UserFactory(), name="n" * 80).name == "n" * 80


def test_create_store_with_a_logo_keeps_it_and_a_thumbnail():
    logo = process_image(image_upload(size=(900, 600)))

    store = services.create_store(owner=UserFactory(), name="Logo shop", logo=logo)

    store.refresh_from_db()
    assert store.logo.name.startswith("stores/logos/")
    assert store.logo_thumbnail.name.startswith("stores/logos/thumbs/")
    assert store.logo_thumbnail.width <= 480


def test_one_owner_may_open_several_stores():
    owner = UserFactory()

    services.create_store(owner=owner, name="First")
    services.create_store(owner=owner, name="Second")

    assert list(owner.stores.values_list("slug", flat=True).order_by("slug")) == ["first", "second"]


# update_store ---------------------------------------------------------------------------


def test_update_store_changes_name_slug_and_description():
    store = StoreFactory(slug="old-address")

    services.update_store(store=store, name=" New name ", slug="New-Address", description=" About. ")

    store.refresh_from_db()
    assert (store.name, store.slug, store.description) == ("New name", "new-address", "About.")


def test_update_store_keeps_its_own_slug():
    store = StoreFactory(slug="mine")

    services.update_store(store=store, name="Renamed", slug="mine")

    store.refresh_from_db()
    assert (store.name, store.slug) == ("Renamed", "mine")


def test_update_store_refuses_another_stores_slug_and_a_reserved_one():
    StoreFactory(slug="taken")
    store = StoreFactory(slug="mine", name="Mine")

    with pytest.raises(ValidationError) as caught:
        services.update_store(store=store, name="Mine", slug="taken")
    assert errors_of(caught) == {"slug": ["The address “taken” is taken. Please choose another."]}

    with pytest.raises(ValidationError) as caught:
        services.update_store(store=store, name="Mine", slug="dashboard")
    assert errors_of(caught) == {"slug": ["“dashboard” is reserved by Shomp. Please choose another address."]}

    store.refresh_from_db()
    assert store.slug == "mine"


def test_update_store_refuses_an_empty_name():
    store = StoreFactory(name="Keep")

    with pytest.raises(ValidationError) as caught:
        services.update_store(store=store, name=" ", slug=store.slug)

    assert errors_of(caught) == {"name": ["Give your store a name."]}
    store.refresh_from_db()
    assert store.name == "Keep"


def test_update_store_replaces_and_removes_the_logo():
    store = services.create_store(
        owner=UserFactory(), name="Logo shop", logo=process_image(image_upload(color=(1, 2, 3)))
    )
    first_logo = store.logo.name

    services.update_store(store=store, name=store.name, slug=store.slug, logo=process_image(image_upload()))
    store.refresh_from_db()
    assert store.logo.name and store.logo.name != first_logo

    services.update_store(store=store, name=store.name, slug=store.slug, remove_logo=True)
    store.refresh_from_db()
    assert not store.logo
    assert not store.logo_thumbnail


# suggest_store_slug ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Clay & Co.", "clay-co"),
        ("Ünïcödé Störe", "unicode-store"),
        ("日本の店", ""),  # nothing left of the name: the seller chooses the address
        ("🧶🧶🧶", ""),
        ("Store", "store-shop"),  # "store" is reserved
        ("my_shop", "my-shop"),  # slugify keeps underscores; store addresses don't allow them
    ],
)
def test_suggest_store_slug_examples(name, expected):
    assert services.suggest_store_slug(name) == expected


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(max_size=120))
@example(name="a")
@example(name="_")
@example(name="a_b")
@example(name="Dashboard")
@example(name="taken")
@example(name="x" * 100)
def test_suggest_store_slug_is_always_a_valid_free_unreserved_address(name):
    """Whatever the seller calls the store, the derived address is one create_store accepts."""
    if not Store.objects.filter(slug="taken").exists():
        StoreFactory(slug="taken")

    slug = services.suggest_store_slug(name)
    if slug == "":  # nothing usable in the name: create_store asks the seller for an address
        return

    assert re.fullmatch(SLUG_PATTERN, slug)
    assert len(slug) >= 2
    assert slug not in RESERVED_WORDS
    assert not Store.objects.filter(slug=slug).exists()
    assert services.validate_store_slug(slug) == slug


def test_every_top_level_route_is_a_reserved_store_address():
    """A store at /<slug>/ named like a route would be unreachable: every route's first segment is reserved."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def first_segments(patterns):
        for pattern in patterns:
            route = str(pattern.pattern).lstrip("^")
            segment = route.split("/", 1)[0]
            if segment.startswith("<") or segment.startswith("(?P<"):
                continue  # the /<store_slug>/ catch-all itself
            if segment:
                yield segment
            elif isinstance(pattern, URLResolver):  # include("...") mounted at the root
                yield from first_segments(pattern.url_patterns)
            elif not isinstance(pattern, URLPattern):
                raise AssertionError(pattern)

    segments = set(first_segments(get_resolver().url_patterns))

    assert {"admin", "accounts", "stores", "dashboard", "search", "cart", "orders"} <= segments
    assert segments <= RESERVED_WORDS


def test_update_store_sets_who_may_review_and_keeps_it_when_not_given():
    store = StoreFactory()
    assert store.review_policy == Store.ReviewPolicy.BUYERS

    services.update_store(store=store, name=store.name, slug=store.slug, review_policy=Store.ReviewPolicy.ANYONE)
    store.refresh_from_db()
    assert store.review_policy == "anyone"

    services.update_store(store=store, name="Renamed", slug=store.slug)
    store.refresh_from_db()
    assert (store.name, store.review_policy) == ("Renamed", "anyone")

    with pytest.raises(ValidationError) as caught:
        services.update_store(store=store, name=store.name, slug=store.slug, review_policy="everyone")
    assert list(errors_of(caught)) == ["review_policy"]
    store.refresh_from_db()
    assert store.review_policy == "anyone"
