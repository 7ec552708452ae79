"""The variant manager and the inventory page cost the same number of queries with 1 variant
(or adjustment) as with 200, and the grid stays flat and paginated up to 1,000 variants."""

from decimal import Decimal

import pytest

from shomp.catalog import services
from shomp.catalog.models import Variant
from shomp.catalog.tests.factories import ProductFactory, ProductImageFactory
from shomp.orders.tests.factories import OrderFactory, OrderItemFactory

pytestmark = pytest.mark.django_db

# session, user, managed stores, the product; options, their values (with live-variant counts);
# images; inventory summary; grid count, grid page (with images and sales); archived count and
# page; the owner's cart (header)
MANAGER_BUDGET = 13
# session, user, managed stores, product, variant, history count and page, cart
INVENTORY_BUDGET = 8


def product_with_variants(count: int, *, archived: bool = True):
    """A product with `count` live variants (Size x Colour; with `archived`, a removed colour
    archived count / 10 more), three images, sales of every variant and a cancelled order."""
    sizes, colours = (1, 1) if count == 1 else (count // 10, 10)
    product = ProductFactory(price=Decimal("10.00"))
    ProductImageFactory.create_batch(3, product=product)
    services.add_product_option(product=product, name="Size", values=[f"s{n}" for n in range(sizes)])
    values = [f"c{n}" for n in range(colours)] + (["Gone"] if archived else [])
    colour = services.add_product_option(product=product, name="Colour", values=values)
    services.generate_variants(product=product)
    if archived:
        services.remove_option_value(value=colour.values.get(value="Gone"))
    order = OrderFactory(store=product.store)
    for variant in Variant.objects.filter(product=product):
        OrderItemFactory(order=order, product=product, variant=variant, quantity=2)
    OrderItemFactory(order=OrderFactory(store=product.store, status="cancelled"), product=product, variant=variant)
    return product


@pytest.mark.parametrize("size", [1, 200])
def test_the_variant_manager(client, django_assert_max_num_queries, size):
    product = product_with_variants(size)
    client.force_login(product.store.owner)

    with django_assert_max_num_queries(MANAGER_BUDGET):
        response = client.get(f"/dashboard/products/{product.pk}/variants/")

    assert response.status_code == 200
    assert len(response.context["rows"]) == min(size, 50)
    assert response.context["archived"].paginator.count == max(1, size // 10)
    assert all(variant.units_sold == 2 for variant, _form in response.context["rows"])


@pytest.mark.parametrize("page", [1, 20])
def test_the_grid_stays_flat_and_paginated_with_1000_variants(client, django_assert_max_num_queries, page):
    product = ProductFactory(price=Decimal("10.00"))
    ProductImageFactory.create_batch(3, product=product)
    services.add_product_option(product=product, name="A", values=[f"a{n}" for n in range(10)])
    services.add_product_option(product=product, name="B", values=[f"b{n}" for n in range(10)])
    services.add_product_option(product=product, name="C", values=[f"c{n}" for n in range(10)])
    assert len(services.generate_variants(product=product)) == 1000
    client.force_login(product.store.owner)

    with django_assert_max_num_queries(MANAGER_BUDGET):
        response = client.get(f"/dashboard/products/{product.pk}/variants/", {"page": page})

    assert response.context["page_obj"].paginator.num_pages == 20
    assert len(response.context["rows"]) == 50
    assert f"Page {page} of 20" in response.text


@pytest.mark.parametrize("size", [1, 200])
def test_the_preview_fragment(client, django_assert_max_num_queries, size):
    product = product_with_variants(size, archived=False)
    client.force_login(product.store.owner)

    # session, user, managed stores, product, options, values, live keys, option names, cart
    with django_assert_max_num_queries(9):
        response = client.get(f"/dashboard/products/{product.pk}/variants/preview/", headers={"HX-Request": "true"})

    assert f"{size} combination" in response.text


@pytest.mark.parametrize("size", [1, 200])
def test_the_inventory_page(client, django_assert_max_num_queries, size):
    product = product_with_variants(1, archived=False)
    variant = product.variants.get()
    for n in range(size):
        services.manage_inventory(
            variant=variant, action="restock", quantity=1, reason=f"batch {n}", actor=product.store.owner
        )
    client.force_login(product.store.owner)

    with django_assert_max_num_queries(INVENTORY_BUDGET):
        response = client.get(f"/dashboard/products/{product.pk}/variants/{variant.pk}/inventory/")

    assert response.status_code == 200
    assert len(response.context["page_obj"].object_list) == min(size, 25)
    assert product.store.owner.username in response.text


@pytest.mark.parametrize("size", [1, 60])
def test_the_product_list_with_variant_stock(client, django_assert_max_num_queries, size):
    store = ProductFactory().store
    for _ in range(size):
        product = ProductFactory(store=store)
        ProductImageFactory(product=product)
        services.add_product_option(product=product, name="Size", values=["S", "M"])
        services.generate_variants(product=product)
    client.force_login(store.owner)

    # session, user, managed stores, count, products (with variant stock), images, cart
    with django_assert_max_num_queries(7):
        response = client.get("/dashboard/products/")

    assert response.context["page_obj"].paginator.count == size + 1
