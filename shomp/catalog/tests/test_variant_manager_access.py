"""Every route of the variant manager, tried by a logged-out visitor, a user without a store,
another store's owner (with our ids, and with our ids under their own product), and the owner
with ids of another of their products: nothing leaks and nothing changes."""

from dataclasses import dataclass
from decimal import Decimal

import pytest

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog import services
from shomp.catalog.models import InventoryAdjustment, Product, ProductOption, ProductOptionValue, Variant
from shomp.catalog.tests.factories import ProductFactory
from shomp.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
CREATE_STORE = "/dashboard/stores/new/"
SECRET_SKU = "SECRET-SKU-1"


@dataclass
class Side:
    product: Product
    option: ProductOption
    value: ProductOptionValue
    variant: Variant


def make_side(store, title: str) -> Side:
    product = ProductFactory(store=store, title=title, price=Decimal("10.00"))
    services.add_product_option(product=product, name="Size", values=["S", "M"])
    option = services.add_product_option(product=product, name="Colour", values=["Red"])
    services.generate_variants(product=product)
    variant = product.variants.get(name="M / Red")
    return Side(product, option, option.values.get(), variant)


@pytest.fixture
def ours():
    side = make_side(StoreFactory(name="Alpha", slug="alpha"), "Secret tee")
    services.update_variant(variant=side.variant, sku=SECRET_SKU, inventory_count=4)
    return side


@pytest.fixture
def theirs():
    return make_side(StoreFactory(name="Beta", slug="beta"), "Beta tee")


def routes(product_id: int, *, option_id: int, value_id: int, variant_id: int) -> list[tuple[str, str, dict]]:
    """(method, url, data) of every variant manager route."""
    base = f"/dashboard/products/{product_id}/variants/"
    return [
        ("get", base, {}),
        ("get", f"{base}preview/", {}),
        ("post", f"{base}generate/", {}),
        ("post", f"{base}add/", {}),
        ("post", f"{base}options/", {"name": "Hijack", "values": "X"}),
        ("post", f"{base}options/{option_id}/values/", {f"option-{option_id}-values": "Hijack"}),
        ("post", f"{base}options/{option_id}/remove/", {}),
        ("post", f"{base}values/{value_id}/", {f"value-{value_id}-price_modifier": "99"}),
        ("post", f"{base}values/{value_id}/remove/", {}),
        ("post", f"{base}inventory-settings/", {"low_stock_threshold": "99"}),
        ("post", f"{base}grid/", {"rows": [variant_id], f"v{variant_id}-inventory_count": "999"}),
        (
            "post",
            f"{base}bulk/",
            {"bulk-field": "inventory_count", "bulk-inventory_count": "999", "bulk-variant_ids": [variant_id]},
        ),
        ("get", f"{base}{variant_id}/inventory/", {}),
        ("post", f"{base}{variant_id}/inventory/", {"action": "set", "quantity": "999"}),
    ]


def our_routes(side: Side) -> list[tuple[str, str, dict]]:
    return routes(side.product.pk, option_id=side.option.pk, value_id=side.value.pk, variant_id=side.variant.pk)


def with_sub_ids(routes_: list[tuple[str, str, dict]], side: Side) -> list[tuple[str, str, dict]]:
    """The routes whose URL names an option, a value or a variant of `side`."""
    parts = (f"/options/{side.option.pk}/", f"/values/{side.value.pk}/", f"/{side.variant.pk}/inventory/")
    found = [route for route in routes_ if any(part in route[1] for part in parts)]
    assert len(found) == 6
    return found


def state(side: Side) -> tuple:
    product = Product.objects.get(pk=side.product.pk)
    return (
        (product.track_inventory, product.low_stock_threshold, product.has_variants),
        list(ProductOption.objects.filter(product=product).values_list("pk", "name")),
        list(ProductOptionValue.objects.filter(option__product=product).values_list("pk", "value", "price_modifier")),
        list(Variant.objects.filter(product=product).values_list("pk", "sku", "inventory_count", "archived_at")),
        InventoryAdjustment.objects.filter(variant__product=product).count(),
    )


def test_a_logged_out_visitor_is_sent_to_log_in(client, ours):
    before = state(ours)

    for method, url, data in our_routes(ours):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302, (method, url)
        assert response["Location"].startswith(f"{LOGIN}?next="), (method, url)
    assert state(ours) == before


def test_a_user_without_a_store_is_sent_to_open_one(client, ours):
    client.force_login(UserFactory())
    before = state(ours)

    for method, url, data in our_routes(ours):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302, (method, url)
        assert response["Location"] == CREATE_STORE, (method, url)
    assert state(ours) == before


def test_another_stores_owner_gets_404_for_our_product(client, ours, theirs):
    client.force_login(theirs.product.store.owner)
    before = state(ours)

    for method, url, data in our_routes(ours):
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, (method, url)
        assert SECRET_SKU not in response.text and "Secret tee" not in response.text
    assert state(ours) == before


def test_another_stores_owner_gets_404_for_our_ids_under_their_own_product(client, ours, theirs):
    client.force_login(theirs.product.store.owner)
    before, theirs_before = state(ours), state(theirs)
    mixed = routes(theirs.product.pk, option_id=ours.option.pk, value_id=ours.value.pk, variant_id=ours.variant.pk)

    for method, url, data in with_sub_ids(mixed, ours):
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, (method, url)
        assert SECRET_SKU not in response.text
    # The grid and bulk edit take variant ids in the form: ours are ignored, or refused, there.
    for _method, url, data in mixed:
        if url.endswith(("/grid/", "/bulk/")):
            assert client.post(url, data).status_code in (200, 302)  # nothing to save; refused
    assert state(ours) == before
    assert state(theirs) == theirs_before


def test_the_owner_gets_404_for_a_variant_option_or_value_of_another_of_their_products(client, ours):
    other = make_side(ours.product.store, "Other tee")
    client.force_login(ours.product.store.owner)
    before, other_before = state(ours), state(other)
    mixed = routes(ours.product.pk, option_id=other.option.pk, value_id=other.value.pk, variant_id=other.variant.pk)

    for method, url, data in with_sub_ids(mixed, other):
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, (method, url)
    assert state(ours) == before and state(other) == other_before


def test_the_owner_reaches_every_page(client, ours):
    client.force_login(ours.product.store.owner)

    for method, url, _data in our_routes(ours):
        if method == "get":
            response = client.get(url)
            assert response.status_code == 200, url
            assert SECRET_SKU in response.text or "preview" in url
