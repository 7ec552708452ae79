"""Who may open what, for every orders route: a visitor, a stranger, another buyer, another
store's owner, the buyer and the seller. What someone may not see is a 404 that shows nothing."""

from dataclasses import dataclass

import pytest
from django.urls import reverse

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog.tests.factories import DigitalProductFactory, ProductFactory
from shomp.orders.models import Order
from shomp.stores.tests.factories import StoreFactory

from .factories import AddressFactory, CartFactory, CartItemFactory, OrderFactory, OrderItemFactory

pytestmark = pytest.mark.django_db

ACTORS = ["visitor", "stranger", "other_buyer", "other_seller", "buyer", "seller"]
NO_STORE = ["stranger", "other_buyer", "buyer"]


@dataclass
class World:
    users: dict
    order: Order
    other_order: Order
    digital_item: object
    physical_item: object
    cart_item: object
    product: object
    address: object = None


@pytest.fixture
def world() -> World:
    seller, other_seller = UserFactory(), UserFactory()
    buyer, other_buyer = UserFactory(), UserFactory()
    store, other_store = StoreFactory(owner=seller), StoreFactory(owner=other_seller)
    order = OrderFactory(
        buyer=buyer, store=store, ship_name="Robin Receiver", ship_line1="1 Quay Street", ship_city="Bristol"
    )
    digital_item = OrderItemFactory(order=order, product=DigitalProductFactory(store=store))
    physical_item = OrderItemFactory(order=order, product=ProductFactory(store=store))
    other_order = OrderFactory(buyer=other_buyer, store=other_store)
    OrderItemFactory(order=other_order)
    product = ProductFactory(store=store)
    cart_item = CartItemFactory(cart=CartFactory(user=buyer), product=product)
    users = {
        "visitor": None,
        "stranger": UserFactory(),
        "other_buyer": other_buyer,
        "other_seller": other_seller,
        "buyer": buyer,
        "seller": seller,
    }
    address = AddressFactory(user=buyer, name="Robin Receiver", line1="1 Quay Street")
    return World(users, order, other_order, digital_item, physical_item, cart_item, product, address)


def _order(w: World, name: str) -> str:
    return reverse(name, kwargs={"order_uuid": w.order.uuid})


# route name -> (method, url, data); and per actor what happens:
#   "login": redirected to log in; "create": a user without a store is sent to create one;
#   404; "shows"/"hides": 200 with or without the buyer's order in it; or (302, where).
ROUTES = {
    "cart": lambda w: ("get", reverse("orders:cart"), {}),
    "cart_add": lambda w: ("post", reverse("orders:cart_add"), {"product": w.product.pk, "quantity": 1}),
    "cart_update": lambda w: (
        "post",
        reverse("orders:cart_update", kwargs={"item_id": w.cart_item.pk}),
        {"quantity": 3},
    ),
    "checkout": lambda w: ("get", reverse("orders:checkout"), {}),
    "checkout_done": lambda w: (
        "get",
        reverse("orders:checkout_done", kwargs={"token": w.order.checkout.token}),
        {},
    ),
    "list": lambda w: ("get", reverse("orders:list"), {}),
    "detail": lambda w: ("get", _order(w, "orders:detail"), {}),
    "download": lambda w: (
        "get",
        reverse("orders:download", kwargs={"order_uuid": w.order.uuid, "item_id": w.digital_item.pk}),
        {},
    ),
    "dashboard_home": lambda w: ("get", reverse("orders:dashboard_home"), {}),
    "dashboard_orders": lambda w: ("get", reverse("orders:dashboard_orders"), {}),
    "dashboard_order_detail": lambda w: ("get", _order(w, "orders:dashboard_order_detail"), {}),
    "dashboard_order_status": lambda w: ("post", _order(w, "orders:dashboard_order_status"), {"action": "fulfil"}),
    "dashboard_shipping": lambda w: ("get", reverse("orders:dashboard_shipping"), {}),
    "addresses": lambda w: ("get", reverse("orders:addresses"), {}),
    "address_delete": lambda w: ("post", reverse("orders:address_delete", kwargs={"address_id": w.address.pk}), {}),
}

CART = (302, "/cart/")
EXPECTED = {
    "cart": dict.fromkeys(ACTORS, "hides") | {"buyer": "shows_cart"},
    # Added (the seller's own store: refused), and back to the product page either way.
    "cart_add": dict.fromkeys(ACTORS, "product") | {"seller": "own_store"},
    "cart_update": dict.fromkeys(ACTORS, 404) | {"buyer": CART},
    "checkout": dict.fromkeys(ACTORS, CART) | {"visitor": "login", "buyer": "shows_cart"},
    "checkout_done": dict.fromkeys(ACTORS, 404) | {"visitor": "login", "buyer": "shows"},
    "list": dict.fromkeys(ACTORS, "hides") | {"visitor": "login", "buyer": "shows"},
    "detail": dict.fromkeys(ACTORS, 404) | {"visitor": "login", "buyer": "shows"},
    "download": dict.fromkeys(ACTORS, 404) | {"visitor": "login", "buyer": "file"},
    "dashboard_home": dict.fromkeys(NO_STORE, "create")
    | {"visitor": "login", "other_seller": "hides", "seller": "shows"},
    "dashboard_orders": dict.fromkeys(NO_STORE, "create")
    | {"visitor": "login", "other_seller": "hides", "seller": "shows"},
    "dashboard_order_detail": dict.fromkeys(NO_STORE, "create")
    | {"visitor": "login", "other_seller": 404, "seller": "shows"},
    "dashboard_order_status": dict.fromkeys(NO_STORE, "create") | {"visitor": "login", "other_seller": 404},
}
EXPECTED["dashboard_order_status"]["seller"] = "status_changed"
EXPECTED["dashboard_shipping"] = dict.fromkeys(NO_STORE, "create") | {
    "visitor": "login",
    "other_seller": "hides",
    "seller": "hides",
}
EXPECTED["addresses"] = dict.fromkeys(ACTORS, "hides") | {"visitor": "login", "buyer": "shows_address"}
EXPECTED["address_delete"] = dict.fromkeys(ACTORS, 404) | {"visitor": "login", "buyer": (302, "/account/addresses/")}


def test_the_matrix_covers_every_route():
    from shomp.orders.urls import urlpatterns

    assert {p.name for p in urlpatterns} == set(ROUTES) == set(EXPECTED)
    assert all(set(by_actor) == set(ACTORS) for by_actor in EXPECTED.values())


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("route", list(ROUTES))
def test_access(client, world, route, actor):
    user = world.users[actor]
    if user is not None:
        client.force_login(user)
    method, url, data = ROUTES[route](world)
    response = getattr(client, method)(url, data)
    expected = EXPECTED[route][actor]
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode(errors="replace")
    mine = actor in {"buyer", "seller"}

    if expected == "login":
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login") + "?next=")
    elif expected == "create":
        assert (response.status_code, response.url) == (302, reverse("stores:create"))
    elif expected == 404:
        assert response.status_code == 404
    elif isinstance(expected, tuple):
        assert (response.status_code, response.url) == expected
    elif expected == "file":
        assert response.status_code == 200
        assert body == b"%PDF-1.4 test file"
    elif expected == "status_changed":
        assert response.status_code == 302
    elif expected in ("own_store", "product"):
        assert (response.status_code, response.url) == (302, world.product.get_absolute_url())
    else:
        assert response.status_code == 200
        if expected == "shows":
            assert world.order.number in text
        if expected == "shows_cart":
            assert world.product.title in text
        if expected == "shows_address":
            assert "1 Quay Street" in text

    world.order.refresh_from_db()
    assert world.order.status == (Order.Status.FULFILLED if expected == "status_changed" else Order.Status.PAID)
    world.cart_item.refresh_from_db()
    changed = {"cart_update": 3, "cart_add": 2} if actor == "buyer" else {}
    assert world.cart_item.quantity == changed.get(route, 1)  # nobody else touches the buyer's cart
    # The buyer's saved address: only the buyer sees or deletes it.
    assert world.address.__class__.objects.filter(pk=world.address.pk).exists() == (
        not (route == "address_delete" and actor == "buyer")
    )
    if route in {"addresses", "address_delete", "dashboard_shipping"} and actor != "buyer":
        assert "1 Quay Street" not in text
    if not mine:  # what isn't yours never shows, whatever the answer
        for secret in (world.order.number, str(world.order.uuid), "Robin Receiver", "1 Quay Street"):
            assert secret not in text
        if route in {"cart", "checkout"}:
            assert world.product.title not in text


def test_another_buyers_order_and_checkout_are_not_found(client, world):
    """The other way round too: the buyer can't open the other buyer's order or checkout."""
    client.force_login(world.users["buyer"])
    other = world.other_order
    other_item = other.items.get()
    for url in (
        reverse("orders:detail", kwargs={"order_uuid": other.uuid}),
        reverse("orders:checkout_done", kwargs={"token": other.checkout.token}),
        reverse("orders:download", kwargs={"order_uuid": other.uuid, "item_id": other_item.pk}),
        # my order's uuid with someone else's item id
        reverse("orders:download", kwargs={"order_uuid": world.order.uuid, "item_id": other_item.pk}),
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert other.number not in response.content.decode()


def test_another_stores_order_is_not_found_in_the_dashboard(client, world):
    client.force_login(world.users["seller"])
    other = world.other_order
    for method, name, data in [
        ("get", "orders:dashboard_order_detail", {}),
        ("post", "orders:dashboard_order_status", {"action": "fulfil"}),
        ("post", "orders:dashboard_order_status", {"action": "ship"}),
    ]:
        response = getattr(client, method)(reverse(name, kwargs={"order_uuid": other.uuid}), data)
        assert response.status_code == 404
        assert other.number not in response.content.decode()
    other.refresh_from_db()
    assert other.status == Order.Status.PAID
    for name in ("orders:dashboard_home", "orders:dashboard_orders"):
        assert other.number not in client.get(reverse(name)).content.decode()


def test_a_seller_with_two_stores_sees_only_the_active_stores_orders(client, world):
    seller = world.users["seller"]
    second = StoreFactory(owner=seller, name="Zz second store")  # sorts after the first
    theirs = OrderFactory(store=second)
    client.force_login(seller)
    listing = client.get(reverse("orders:dashboard_orders")).content.decode()
    assert world.order.number in listing and theirs.number not in listing

    # Opening the other store's order switches to that store (with a notice), then shows it.
    url = reverse("orders:dashboard_order_detail", kwargs={"order_uuid": theirs.uuid})
    response = client.get(url, follow=True)
    assert response.redirect_chain == [(url, 302)] and response.status_code == 200
    assert "Now managing Zz second store." in response.content.decode()
    assert client.session["active_store_id"] == second.pk
    listing = client.get(reverse("orders:dashboard_orders")).content.decode()
    assert theirs.number in listing and world.order.number not in listing
