"""Review of the variant manager and the product page: bad input on every form and query
parameter gets an answer, never a 500; ids that no database integer can hold, or digits Python
reads but `int()` refuses ("²"), are treated as "not one of yours"."""

import html as htmllib
import re
from decimal import Decimal

import pytest

from shomp.catalog import services
from shomp.catalog.models import InventoryAdjustment, Variant
from shomp.catalog.tests.factories import ProductFactory
from shomp.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db

HUGE = "9" * 30  # past a 64-bit integer: SQLite raised OverflowError on `pk__in`
BAD = ["", "abc", "-1", HUGE, "1e400", "NaN", "a\x00b", "²", "1.234", "\u00a0"]


@pytest.fixture
def tee(client):
    store = StoreFactory(name="Alpha", slug="alpha")
    client.force_login(store.owner)
    product = ProductFactory(store=store, title="Tee", price=Decimal("10.00"), status="published")
    services.add_product_option(product=product, name="Size", values=["S", "M"])
    services.add_product_option(product=product, name="Colour", values=["Red", "Blue"])
    services.generate_variants(product=product)
    return product


def url(product, rest: str = "") -> str:
    return f"/dashboard/products/{product.pk}/variants/{rest}"


def error_of(html: str, element_id: str) -> str:
    match = re.search(rf'id="{re.escape(element_id)}_error"[^>]*>(.*?)</div>', html, re.S)
    return htmllib.unescape(re.sub(r"\s+", " ", match.group(1)).strip()) if match else ""


def state(product) -> list[tuple]:
    return list(
        Variant.objects.filter(product=product)
        .order_by("pk")
        .values_list("pk", "sku", "inventory_count", "price_modifier", "is_enabled", "archived_at")
    )


@pytest.mark.parametrize("bad", BAD)
def test_no_form_or_parameter_of_the_manager_or_product_page_makes_a_500(client, tee, bad):
    option = tee.options.get(name="Colour")
    value = option.values.first()
    variant = tee.variants.first()
    posts = [
        ("options/", {"name": bad, "values": bad}),
        ("options/", {"name": "Fit", "values": bad}),
        (f"options/{option.pk}/values/", {f"option-{option.pk}-values": bad}),
        (f"values/{value.pk}/", {f"value-{value.pk}-price_modifier": bad}),
        ("inventory-settings/", {"low_stock_threshold": bad, "track_inventory": bad}),
        (
            "grid/",
            {
                "rows": [variant.pk, bad],
                f"v{variant.pk}-inventory_count": bad,
                f"v{variant.pk}-price_modifier": bad,
                f"v{variant.pk}-sku": bad,
                f"v{variant.pk}-image_id": bad,
            },
        ),
        ("bulk/", {"bulk-field": "inventory_count", "bulk-inventory_count": bad, "bulk-variant_ids": [bad]}),
        ("bulk/", {"bulk-field": "price_modifier", "bulk-price_modifier": bad, "bulk-variant_ids": [variant.pk]}),
        ("bulk/", {"bulk-field": bad, "bulk-variant_ids": [variant.pk]}),
        ("bulk/", {"bulk-field": "is_enabled", "bulk-all_on_page": "on", "bulk-page_ids": [bad]}),
        ("bulk/", {"bulk-field": "image_id", "bulk-image_id": bad, "bulk-variant_ids": [variant.pk]}),
        ("add/", {f"new-option_{option.pk}": bad}),
        (f"{variant.pk}/inventory/", {"action": "set", "quantity": bad, "reason": bad}),
        (f"{variant.pk}/inventory/", {"action": "adjust", "quantity": bad, "reason": "x"}),
        (f"{variant.pk}/inventory/", {"action": "restock", "quantity": bad}),
        (f"{variant.pk}/inventory/", {"action": bad, "quantity": "1"}),
        (f"generate/?page={bad}", {}),
    ]
    refused = "\x00" in bad  # NUL: a 400 before any view (shomp/core/middleware.py)
    for rest, data in posts:
        response = client.post(url(tee, rest), data)
        assert response.status_code in ((400,) if refused else (200, 302)), (rest, data, response.status_code)
    gets = [
        url(tee, f"?page={bad}"),
        url(tee, f"?archived_page={bad}"),
        url(tee, f"{variant.pk}/inventory/?page={bad}"),
        f"{tee.get_absolute_url()}?variant={bad}",
        f"{tee.get_absolute_url()}?o={bad}&o={value.pk}",
    ]
    for address in gets:
        response = client.get(address)
        assert response.status_code == (400 if refused else 200), (address, response.status_code)


@pytest.mark.parametrize("row_id", ["²", "١", HUGE, "-3", ""])
def test_the_grid_ignores_row_ids_that_cant_be_rows_and_saves_the_others(client, tee, row_id):
    variant = tee.variants.order_by("pk").first()
    response = client.post(
        url(tee, "grid/"),
        {
            "rows": [row_id, str(variant.pk)],
            f"v{variant.pk}-inventory_count": "8",
            f"v{variant.pk}-sku": "",
            f"v{variant.pk}-price_modifier": "",
            f"v{variant.pk}-is_enabled": "on",
        },
    )
    assert response.status_code == 302
    variant.refresh_from_db()
    assert variant.inventory_count == 8


@pytest.mark.parametrize("ids", [[HUGE], ["²"], ["0"], ["-5"], [HUGE, "1"]])
def test_bulk_edit_with_ids_no_database_can_hold_says_so_and_changes_nothing(client, tee, ids):
    before = state(tee)
    response = client.post(
        url(tee, "bulk/"), {"bulk-field": "inventory_count", "bulk-inventory_count": "9", "bulk-variant_ids": ids}
    )
    assert response.status_code == 200
    assert "Select variants from the list." in htmllib.unescape(response.content.decode())
    assert state(tee) == before


def test_select_all_with_a_forged_page_id_says_so_and_changes_nothing(client, tee):
    before = state(tee)
    response = client.post(
        url(tee, "bulk/"),
        {"bulk-field": "is_enabled", "bulk-is_enabled": "0", "bulk-all_on_page": "on", "bulk-page_ids": [HUGE]},
    )
    assert response.status_code == 200
    assert "Select variants from the list." in htmllib.unescape(response.content.decode())
    assert state(tee) == before


@pytest.mark.parametrize("ref", ["²", "١٢", HUGE])
def test_a_product_address_of_odd_digits_is_not_found(client, tee, ref):
    assert client.get(f"/alpha/products/{ref}/").status_code == 404


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("", "Enter a quantity."),
        ("abc", "Enter a whole number."),
        ("-1", "Stock can't be negative."),
        ("99999999999999999999", "Stock can be at most 1,000,000."),
    ],
)
def test_inventory_set_refusals_are_next_to_the_quantity(client, tee, quantity, message):
    variant = tee.variants.first()
    response = client.post(url(tee, f"{variant.pk}/inventory/"), {"action": "set", "quantity": quantity})
    assert response.status_code == 200
    assert error_of(response.content.decode(), "id_quantity") == message
    assert not InventoryAdjustment.objects.filter(variant=variant).exists()
