"""A seller's email and full name never appear on public pages; their username may."""

import pytest

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog.tests.factories import ProductFactory, ProductImageFactory
from shomp.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = ["/", "/stores/", "/stores/?q=clay", "/clay/", "/clay/products/mug/", "/search/?q=mug", "/search/"]


@pytest.fixture
def owner():
    owner = UserFactory(username="clayhands", email="hidden.seller@example.com")
    store = StoreFactory(owner=owner, name="Clay", slug="clay", description="Mugs.")
    product = ProductFactory(store=store, title="Blue mug", slug="mug")
    ProductImageFactory(product=product)
    return owner


def assert_private(html: str, owner) -> None:
    assert owner.email not in html
    assert "hidden.seller" not in html
    assert "Private Person" not in html
    assert f"{owner.first_name} {owner.last_name}" not in html


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_pages_never_show_the_sellers_email_or_full_name(client, owner, url):
    response = client.get(url)

    assert response.status_code == 200
    assert_private(response.text, owner)


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_nor_to_another_logged_in_user(client, owner, url):
    client.force_login(UserFactory())

    assert_private(client.get(url).text, owner)


def test_names_that_are_not_the_factory_default_stay_private_too(client):
    owner = UserFactory(first_name="Zenobia", last_name="Quillfeather", email="zq@example.com")
    StoreFactory(owner=owner, slug="zq")
    ProductFactory(store__owner=owner, slug="thing")

    for url in ["/stores/", "/zq/", "/search/", "/"]:
        html = client.get(url).text
        assert "Zenobia" not in html
        assert "Quillfeather" not in html
        assert "zq@example.com" not in html


def test_the_logged_in_header_shows_the_username_not_the_email(client, owner):
    client.force_login(owner)

    html = client.get("/clay/").text

    assert "clayhands" in html
    assert_private(html, owner)
