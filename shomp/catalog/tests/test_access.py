"""The access matrix: every route of stores and catalog, tried by four kinds of visitor.

- a logged-out visitor: public pages work, private ones send to the login page;
- a stranger (logged in, no store): the dashboard sends them to open a store, and nothing of
  another store's leaks;
- another store's owner, using ids of a store that isn't theirs: 404, never data;
- the owner: everything works.
"""

from dataclasses import dataclass

import pytest
from django.test import Client

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog.models import Product, ProductImage
from shomp.catalog.tests.factories import ProductFactory, ProductImageFactory
from shomp.stores.models import Store
from shomp.stores.policies import ACTIVE_STORE_SESSION_KEY
from shomp.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db

SECRET = "Secret alpha prototype"  # the draft's title: must never reach anyone but its store
LOGIN = "/accounts/login/"
CREATE_STORE = "/dashboard/stores/new/"


@dataclass
class World:
    store: Store
    draft: Product
    published: Product
    image: ProductImage
    other_store: Store
    other_draft: Product

    @property
    def owner(self):
        return self.store.owner

    @property
    def other_owner(self):
        return self.other_store.owner


@pytest.fixture
def world() -> World:
    store = StoreFactory(name="Alpha", slug="alpha")
    draft = ProductFactory(store=store, title=SECRET, slug="prototype", status=Product.Status.DRAFT)
    published = ProductFactory(store=store, title="Alpha mug", slug="mug")
    image = ProductImageFactory(product=draft)
    other_store = StoreFactory(name="Beta", slug="beta")
    other_draft = ProductFactory(store=other_store, title="Beta sketch", status=Product.Status.DRAFT)
    return World(store, draft, published, image, other_store, other_draft)


def private_routes(w: World) -> list[tuple[str, str, dict]]:
    """(method, url, data) of every route that needs a login."""
    return [
        ("get", "/dashboard/store/", {}),
        ("post", "/dashboard/store/", {"name": "Hijacked", "slug": "hijacked"}),
        ("get", "/dashboard/stores/new/", {}),
        ("post", "/dashboard/stores/new/", {"name": "New shop"}),
        ("post", "/dashboard/switch/", {"store": w.store.pk}),
        ("get", "/dashboard/products/", {}),
        ("get", "/dashboard/products/new/", {}),
        ("post", "/dashboard/products/new/", {"title": "Sneaky", "price": "1", "kind": "digital"}),
        ("get", f"/dashboard/products/{w.draft.pk}/edit/", {}),
        ("post", f"/dashboard/products/{w.draft.pk}/edit/", {"title": "Hijacked", "price": "1", "kind": "digital"}),
        ("post", f"/dashboard/products/{w.draft.pk}/status/", {"action": "publish"}),
        ("post", f"/dashboard/products/{w.draft.pk}/images/{w.image.pk}/", {"action": "remove"}),
    ]


def assert_nothing_changed(w: World) -> None:
    w.draft.refresh_from_db()
    w.store.refresh_from_db()
    assert (w.draft.title, w.draft.status) == (SECRET, Product.Status.DRAFT)
    assert (w.store.name, w.store.slug) == ("Alpha", "alpha")
    assert ProductImage.objects.filter(pk=w.image.pk).exists()
    assert not Product.objects.filter(title__in=["Sneaky", "Hijacked"]).exists()
    assert not Store.objects.filter(name="New shop").exists()


# A logged-out visitor -------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/", "/stores/", "/alpha/", "/alpha/products/mug/", "/search/", "/search/?q=mug", "/stores/?q=alpha"]
)
def test_public_pages_are_open_to_a_logged_out_visitor(client, world, url):
    response = client.get(url)

    assert response.status_code == 200
    assert SECRET not in response.text


def test_every_private_route_sends_a_logged_out_visitor_to_log_in(client, world):
    for method, url, data in private_routes(world):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302, (method, url)
        assert response["Location"].startswith(f"{LOGIN}?next="), (method, url)
    assert_nothing_changed(world)


def test_a_logged_out_visitor_cannot_see_a_draft_by_slug_or_id(client, world):
    for ref in ("prototype", str(world.draft.pk)):
        response = client.get(f"/alpha/products/{ref}/")
        assert response.status_code == 404
        assert SECRET not in response.text


# A stranger: logged in, no store --------------------------------------------------------


def test_the_dashboard_sends_a_stranger_to_open_a_store(client, world):
    client.force_login(UserFactory())

    for method, url, data in private_routes(world):
        if url in {CREATE_STORE, "/dashboard/switch/"}:
            continue
        response = getattr(client, method)(url, data)
        assert response.status_code == 302, (method, url)
        assert response["Location"] == CREATE_STORE, (method, url)
    assert_nothing_changed(world)


def test_a_stranger_may_open_a_store(client, world):
    client.force_login(UserFactory())

    assert client.get(CREATE_STORE).status_code == 200


def test_a_stranger_cannot_switch_to_someone_elses_store(client, world):
    client.force_login(UserFactory())

    response = client.post("/dashboard/switch/", {"store": world.store.pk})

    assert response.status_code == 404
    assert ACTIVE_STORE_SESSION_KEY not in client.session
    assert client.get("/dashboard/products/")["Location"] == CREATE_STORE


def test_a_stranger_cannot_see_a_draft(client, world):
    client.force_login(UserFactory())

    for ref in ("prototype", str(world.draft.pk)):
        response = client.get(f"/alpha/products/{ref}/")
        assert response.status_code == 404
        assert SECRET not in response.text


# Another store's owner ------------------------------------------------------------------


@pytest.fixture
def rival(client, world) -> Client:
    client.force_login(world.other_owner)
    return client


def test_another_owner_gets_404_for_every_product_route_with_our_ids(rival, world):
    routes = [r for r in private_routes(world) if "/dashboard/products/" in r[1] and str(world.draft.pk) in r[1]]
    assert len(routes) == 4

    for method, url, data in routes:
        response = getattr(rival, method)(url, data)
        assert response.status_code == 404, (method, url)
        assert SECRET not in response.text
    assert_nothing_changed(world)


def test_another_owner_gets_404_for_our_image_even_through_their_own_product(rival, world):
    response = rival.post(f"/dashboard/products/{world.other_draft.pk}/images/{world.image.pk}/", {"action": "remove"})

    assert response.status_code == 302  # their product's page, with an error message
    assert ProductImage.objects.filter(pk=world.image.pk).exists()
    page = rival.get(response["Location"])
    assert "That image is not part of this product." in page.text


def test_another_owner_cannot_switch_to_our_store(rival, world):
    session = rival.session
    session[ACTIVE_STORE_SESSION_KEY] = world.other_store.pk
    session.save()

    response = rival.post("/dashboard/switch/", {"store": world.store.pk, "next": "/dashboard/products/"})

    assert response.status_code == 404
    assert rival.session[ACTIVE_STORE_SESSION_KEY] == world.other_store.pk
    products = rival.get("/dashboard/products/")
    assert "Beta sketch" in products.text
    assert SECRET not in products.text


def test_a_forged_active_store_in_the_session_falls_back_to_the_users_own_store(rival, world):
    session = rival.session
    session[ACTIVE_STORE_SESSION_KEY] = world.store.pk  # as if the session were tampered with
    session.save()

    response = rival.get("/dashboard/products/")

    assert response.status_code == 200
    assert "Beta sketch" in response.text
    assert SECRET not in response.text
    assert "Alpha mug" not in response.text


def test_another_owners_dashboard_shows_their_store_only(rival, world):
    for url in ["/dashboard/store/", "/dashboard/products/", "/dashboard/products/new/"]:
        response = rival.get(url)
        assert response.status_code == 200
        assert "Beta" in response.text
        assert SECRET not in response.text
        assert 'value="alpha"' not in response.text


def test_another_owner_cannot_see_our_draft(rival, world):
    for ref in ("prototype", str(world.draft.pk)):
        response = rival.get(f"/alpha/products/{ref}/")
        assert response.status_code == 404
        assert SECRET not in response.text
    assert SECRET not in rival.get("/alpha/").text


def test_product_ids_of_another_store_do_not_resolve_under_ours(client, world):
    """/alpha/products/<id of a beta product>/ is not found, even for beta's owner."""
    client.force_login(world.other_owner)

    assert client.get(f"/alpha/products/{world.other_draft.pk}/").status_code == 404


# The owner ------------------------------------------------------------------------------


def test_the_owner_reaches_every_route(client, world):
    client.force_login(world.owner)

    for url in [
        "/dashboard/store/",
        "/dashboard/stores/new/",
        "/dashboard/products/",
        "/dashboard/products/new/",
        f"/dashboard/products/{world.draft.pk}/edit/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
    assert SECRET in client.get("/dashboard/products/").text

    assert client.post("/dashboard/switch/", {"store": world.store.pk}).status_code == 302
    assert client.session[ACTIVE_STORE_SESSION_KEY] == world.store.pk


def test_the_owner_sees_the_draft_marked_as_such_and_others_do_not(client, world):
    client.force_login(world.owner)

    response = client.get("/alpha/products/prototype/")

    assert response.status_code == 200
    assert SECRET in response.text
    assert "only your store can see it" in response.text
    assert "Add to cart" not in response.text


@pytest.mark.parametrize("who", ["anonymous", "owner"])
def test_a_numeric_id_redirects_to_the_slug_address(client, world, who):
    if who == "owner":
        client.force_login(world.owner)
    product = world.published if who == "anonymous" else world.draft

    response = client.get(f"/alpha/products/{product.pk}/")

    assert response.status_code == 302
    assert response["Location"] == f"/alpha/products/{product.slug}/"


def test_unknown_store_and_product_are_404(client, world):
    assert client.get("/no-such-store/").status_code == 404
    assert client.get("/alpha/products/no-such-thing/").status_code == 404
    assert client.get("/alpha/products/999999/").status_code == 404


def test_the_store_slug_is_case_insensitive(client, world):
    assert client.get("/ALPHA/").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/dashboard/switch/",
        "/dashboard/products/{pk}/status/",
        "/dashboard/products/{pk}/images/{image}/",
    ],
)
def test_post_only_routes_refuse_get(client, world, url):
    client.force_login(world.owner)

    response = client.get(url.format(pk=world.draft.pk, image=world.image.pk))

    assert response.status_code == 405


# CSRF -----------------------------------------------------------------------------------


def test_every_post_without_a_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.owner)

    for method, url, data in private_routes(world):
        if method != "post":
            continue
        response = client.post(url, data)
        assert response.status_code == 403, url
    assert_nothing_changed(world)
    assert Store.objects.filter(owner=world.owner).count() == 1


def test_logout_without_a_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.owner)

    assert client.post("/accounts/logout/").status_code == 403
    assert client.get("/dashboard/products/").status_code == 200  # still logged in
