"""Sellers in comma countries type "12,50": every seller price field takes it, or says why not."""

import re
from decimal import Decimal

import pytest

from shomp.catalog import services
from shomp.catalog.models import Product, ProductOptionValue, Variant
from shomp.catalog.tests.factories import ProductFactory
from shomp.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def store():
    return StoreFactory(name="Alpha", slug="alpha")


@pytest.fixture
def seller(client, store):
    client.force_login(store.owner)
    return client


def error_of(html: str, element_id: str) -> str:
    match = re.search(rf'id="{re.escape(element_id)}_error"[^>]*>(.*?)</div>', html, re.S)
    return re.sub(r"\s+", " ", match.group(1)).strip() if match else ""


def new_product(**overrides) -> dict:
    return {"title": "Blue mug", "price": "12,50", "kind": "physical", "stock": "3"} | overrides


def test_a_new_product_priced_with_a_decimal_comma_costs_that(seller):
    response = seller.post("/dashboard/products/new/", new_product(), follow=True)

    assert response.status_code == 200
    assert Product.objects.get(title="Blue mug").price == Decimal("12.50")


def test_a_thousands_price_with_both_marks_reads_right(seller, store):
    product = ProductFactory(store=store, price=Decimal("5.00"))

    seller.post(
        f"/dashboard/products/{product.pk}/edit/",
        {"title": product.title, "price": "1.234,50", "kind": product.kind, "stock": "3"},
    )

    product.refresh_from_db()
    assert product.price == Decimal("1234.50")


def test_an_ambiguous_price_is_refused_next_to_the_field_and_nothing_is_made(seller):
    response = seller.post("/dashboard/products/new/", new_product(price="1,234"))

    assert response.status_code == 200
    message = error_of(response.text, "id_price")
    assert message.startswith("Is that a thousands separator or the cents?")
    assert "required" not in message
    assert not Product.objects.exists()


def test_the_price_box_keeps_a_typed_comma(seller):
    html = seller.get("/dashboard/products/new/").text

    box = re.search(r'<input[^>]*name="price"[^>]*>', html).group(0)
    assert 'type="text"' in box and 'inputmode="decimal"' in box


def test_variant_and_option_value_modifiers_take_decimal_commas(seller, store):
    product = ProductFactory(store=store, title="Tee", price=Decimal("10.00"))
    services.add_product_option(product=product, name="Size", values=["S", "L"])
    services.generate_variants(product=product)
    large = ProductOptionValue.objects.get(option__product=product, value="L")
    small = Variant.objects.get(product=product, name="S")
    base = f"/dashboard/products/{product.pk}/variants/"

    seller.post(f"{base}values/{large.pk}/", {f"value-{large.pk}-price_modifier": "4,50"})
    seller.post(
        f"{base}grid/",
        {
            "rows": [str(small.pk)],
            f"v{small.pk}-price_modifier": "-1,25",
            f"v{small.pk}-sku": small.sku,
            f"v{small.pk}-inventory_count": str(small.inventory_count),
            f"v{small.pk}-image_id": "",
            f"v{small.pk}-is_enabled": "on",
        },
    )

    large.refresh_from_db()
    small.refresh_from_db()
    assert large.price_modifier == Decimal("4.50")
    assert small.price_modifier == Decimal("-1.25")


def test_the_grid_takes_a_direct_price_as_the_modifier_from_the_base_price(seller, store):
    product = ProductFactory(store=store, title="Tee", price=Decimal("20.00"))
    services.add_product_option(product=product, name="Size", values=["S", "L"])
    services.generate_variants(product=product)
    large = Variant.objects.get(product=product, name="L")
    base = f"/dashboard/products/{product.pk}/variants/"
    row = {
        "rows": [str(large.pk)],
        f"v{large.pk}-price_modifier": "",
        f"v{large.pk}-sku": "",
        f"v{large.pk}-inventory_count": str(large.inventory_count),
        f"v{large.pk}-image_id": "",
        f"v{large.pk}-is_enabled": "on",
    }

    page = seller.get(base).text
    assert re.search(rf'name="v{large.pk}-price"[^>]*value="20.00"', page)  # the price, editable

    seller.post(f"{base}grid/", row | {f"v{large.pk}-price": "24,50"})
    large.refresh_from_db()
    assert large.price_modifier == Decimal("4.50")
    assert large.price == Decimal("24.50")

    # Both changed at once: which one? Refused next to the price, nothing saved.
    response = seller.post(f"{base}grid/", row | {f"v{large.pk}-price": "30", f"v{large.pk}-price_modifier": "1"})
    assert "Change the price or the price modifier, not both." in response.text
    large.refresh_from_db()
    assert large.price_modifier == Decimal("4.50")


def test_a_long_modifier_placeholder_fits_its_box(seller, store):
    product = ProductFactory(store=store, title="Lamp", price=Decimal("100.00"))
    services.add_product_option(product=product, name="Shade", values=["Brass"])
    brass = ProductOptionValue.objects.get(option__product=product)
    services.set_option_value_modifier(value=brass, price_modifier="1250")
    services.generate_variants(product=product)
    row = Variant.objects.get(product=product)

    html = seller.get(f"/dashboard/products/{product.pk}/variants/").text

    box = re.search(rf'<input[^>]*name="v{row.pk}-price_modifier"[^>]*>', html).group(0)
    placeholder = re.search(r'placeholder="([^"]*)"', box).group(1)
    assert placeholder == "+1250.00"
    assert int(re.search(r'size="(\d+)"', box).group(1)) > len(placeholder)
