"""Renaming an option or a value fixes a typo ("Colur", "Rd") in place: live variants follow with
their stock, SKUs, history and price modifiers; archived variants keep their old text; bad or
duplicate text is refused next to its field and changes nothing; only the product's seller may."""

import html as htmllib
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from shomp.catalog import services
from shomp.catalog.models import InventoryAdjustment, ProductOption, ProductOptionValue, Variant, VariantOption
from shomp.catalog.tests.factories import ProductFactory
from shomp.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def product():
    product = ProductFactory(store=StoreFactory(name="Alpha", slug="alpha"), title="Tee", price=Decimal("10.00"))
    services.add_product_option(product=product, name="Size", values=["S", "M"])
    services.add_product_option(product=product, name="Colur", values=["Rd", "Blue", "Gone"])
    services.generate_variants(product=product)
    return product


def option(product, name: str) -> ProductOption:
    return product.options.get(name=name)


def value(product, text: str) -> ProductOptionValue:
    return ProductOptionValue.objects.get(option__product=product, value=text)


def live(product) -> dict[str, Variant]:
    return {v.name: v for v in Variant.objects.filter(product=product, archived_at__isnull=True)}


def snapshot(product) -> list[tuple]:
    """Everything a rename may touch, to assert that a refused one changed nothing."""
    return [
        *ProductOption.objects.filter(product=product).order_by("pk").values_list("pk", "name"),
        *ProductOptionValue.objects.filter(option__product=product).order_by("pk").values_list("pk", "value", "swatch"),
        *Variant.objects.filter(product=product).order_by("pk").values_list("pk", "name", "combination_key"),
        *VariantOption.objects.filter(variant__product=product)
        .order_by("pk")
        .values_list("pk", "option_name", "option_value"),
    ]


def error_of(text: str, element_id: str) -> str:
    match = re.search(rf'id="{re.escape(element_id)}_error"[^>]*>(.*?)</div>', text, re.S)
    return htmllib.unescape(re.sub(r"\s+", " ", match.group(1)).strip()) if match else ""


# Services ---------------------------------------------------------------------------------


def test_renaming_a_value_renames_its_live_variants_and_keeps_everything_else(product):
    seller = product.store.owner
    services.set_option_value_modifier(value=value(product, "Rd"), price_modifier="2.00")
    m_rd = live(product)["M / Rd"]
    services.update_variant(variant=m_rd, sku="TEE-M-RD", inventory_count=7, price_modifier=Decimal("1.50"))
    services.manage_inventory(variant=m_rd, action="restock", quantity=3, reason="batch", actor=seller)
    history = list(InventoryAdjustment.objects.filter(variant=m_rd).values_list("pk", flat=True))
    services.remove_option_value(value=value(product, "Gone"))  # archives S / Gone and M / Gone

    renamed = services.rename_option_value(value=value(product, "Rd"), new_value="  Red ")

    assert renamed.value == "Red"
    variants = live(product)
    assert set(variants) == {"S / Red", "M / Red", "S / Blue", "M / Blue"}
    m_red = variants["M / Red"]
    assert m_red.pk == m_rd.pk
    assert m_red.combination_key == "size=m|colur=red"
    assert (m_red.sku, m_red.inventory_count, m_red.price_modifier) == ("TEE-M-RD", 10, Decimal("1.50"))
    assert variants["S / Red"].options_price_modifier == Decimal("2.00")
    assert list(InventoryAdjustment.objects.filter(variant=m_red).values_list("pk", flat=True)) == history
    assert sorted(m_red.options.values_list("option_name", "option_value")) == [("Colur", "Red"), ("Size", "M")]
    archived = Variant.objects.filter(product=product, archived_at__isnull=False)
    assert sorted(archived.values_list("name", flat=True)) == ["M / Gone", "S / Gone"]


def archived(product) -> list[tuple]:
    variants = Variant.objects.filter(product=product, archived_at__isnull=False).order_by("pk")
    rows = VariantOption.objects.filter(variant__in=variants).order_by("pk")
    return [
        *variants.values_list("pk", "name", "combination_key"),
        *rows.values_list("pk", "option_name", "option_value"),
    ]


def test_archived_variants_keep_their_old_text(product):
    services.remove_option_value(value=value(product, "Gone"))  # archives S / Gone and M / Gone
    services.update_variant(variant=live(product)["M / Rd"], sku="TEE-M-RD")
    # Removing the Size option archives the rest; their colour rows still point at Rd and Blue.
    services.remove_product_option(option=option(product, "Size"))
    before = archived(product)
    assert len(before) == 6 + 12

    services.rename_option_value(value=value(product, "Rd"), new_value="Red")
    services.rename_product_option(option=option(product, "Colur"), name="Colour")

    assert archived(product) == before
    assert not live(product)
    assert ("Colur", "Rd") in [row[1:] for row in before]


def test_renaming_an_option_renames_keys_and_recomputes_swatches(product):
    colur = option(product, "Colur")
    assert not colur.is_colour
    assert set(colur.values.values_list("swatch", flat=True)) == {""}

    services.rename_product_option(option=colur, name="Colour")

    swatches = dict(option(product, "Colour").values.values_list("value", "swatch"))
    assert swatches == {"Rd": "", "Blue": "#0000ff", "Gone": ""}
    m_blue = live(product)["M / Blue"]
    assert m_blue.combination_key == "size=m|colour=blue"
    assert sorted(m_blue.options.values_list("option_name", flat=True)) == ["Colour", "Size"]

    services.rename_option_value(value=value(product, "Rd"), new_value="Red")
    assert value(product, "Red").swatch == "#ff0000"

    services.rename_product_option(option=option(product, "Colour"), name="Finish")
    assert set(option(product, "Finish").values.values_list("swatch", flat=True)) == {""}
    assert live(product)["M / Blue"].combination_key == "size=m|finish=blue"


def test_generating_after_a_rename_creates_nothing_new(product):
    services.rename_option_value(value=value(product, "Rd"), new_value="Red")
    services.rename_product_option(option=option(product, "Size"), name="Fit")

    assert services.preview_variants(product=product).to_create == 0
    assert services.generate_variants(product=product) == []
    assert len(live(product)) == 6


def test_a_change_of_case_only_is_allowed(product):
    services.rename_option_value(value=value(product, "Blue"), new_value="BLUE")
    services.rename_product_option(option=option(product, "Size"), name="SIZE")

    assert "M / BLUE" in live(product)
    assert live(product)["M / BLUE"].combination_key == "size=m|colur=blue"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("blue", "“blue” is already a value of Colur."),
        ("   ", "Enter a value."),
        ("x" * 51, "Keep a value to 50 characters."),
        ("Red|Blue", "A value can't contain “|” or “=”."),
        ("a=b", "A value can't contain “|” or “=”."),
    ],
)
def test_a_bad_value_is_refused_and_changes_nothing(product, text, message):
    before = snapshot(product)

    with pytest.raises(ValidationError) as caught:
        services.rename_option_value(value=value(product, "Rd"), new_value=text)

    assert caught.value.message_dict == {"value": [message]}
    assert snapshot(product) == before


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("size", "This product already has an option called “size”."),
        ("", "Enter the option's name."),
        ("x" * 51, "Keep the option's name to 50 characters."),
        ("A|B", "The option's name can't contain “|” or “=”."),
    ],
)
def test_a_bad_option_name_is_refused_and_changes_nothing(product, text, message):
    before = snapshot(product)

    with pytest.raises(ValidationError) as caught:
        services.rename_product_option(option=option(product, "Colur"), name=text)

    assert caught.value.message_dict == {"name": [message]}
    assert snapshot(product) == before


# Views ------------------------------------------------------------------------------------


def manager(product) -> str:
    return f"/dashboard/products/{product.pk}/variants/"


def test_the_manager_offers_rename_for_options_and_values(client, product):
    client.force_login(product.store.owner)
    rd = value(product, "Rd")

    page = client.get(manager(product)).text

    assert f'action="{manager(product)}options/{option(product, "Colur").pk}/rename/"' in page
    assert f'action="{manager(product)}values/{rd.pk}/rename/"' in page
    assert f'name="rename-value-{rd.pk}-value"' in page
    assert re.search(rf'<label[^>]*for="id_rename-value-{rd.pk}-value">Rename <span[^>]*>Rd</span> to</label>', page)


def test_a_seller_renames_a_value_and_an_option(client, product):
    client.force_login(product.store.owner)
    rd, colur = value(product, "Rd"), option(product, "Colur")

    response = client.post(
        f"{manager(product)}values/{rd.pk}/rename/", {f"rename-value-{rd.pk}-value": "Red"}, follow=True
    )
    assert "Renamed Rd to Red in Colur." in response.text
    assert response.redirect_chain[-1][0] == f"{manager(product)}#option-{colur.pk}"

    response = client.post(
        f"{manager(product)}options/{colur.pk}/rename/", {f"rename-option-{colur.pk}-name": "Colour"}, follow=True
    )
    assert "Renamed the option Colur to Colour." in response.text
    assert "M / Red" in live(product)
    assert live(product)["M / Red"].combination_key == "size=m|colour=red"
    assert value(product, "Red").swatch == "#ff0000"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("BLUE", "“BLUE” is already a value of Colur."),
        ("", "Enter a value."),
        ("R|d", "A value can't contain “|” or “=”."),
        ("x" * 51, "Keep a value to 50 characters."),
    ],
)
def test_a_refused_value_rename_shows_its_error_and_changes_nothing(client, product, text, message):
    client.force_login(product.store.owner)
    rd = value(product, "Rd")
    before = snapshot(product)

    response = client.post(f"{manager(product)}values/{rd.pk}/rename/", {f"rename-value-{rd.pk}-value": text})

    assert response.status_code == 200
    assert error_of(response.text, f"id_rename-value-{rd.pk}-value") == message
    assert f'aria-describedby="id_rename-value-{rd.pk}-value_error"' in response.text
    assert f'value="{htmllib.escape(text)}"' in response.text  # kept as typed
    assert snapshot(product) == before


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("SIZE", "This product already has an option called “SIZE”."),
        ("", "Enter the option's name."),
        ("a=b", "The option's name can't contain “|” or “=”."),
    ],
)
def test_a_refused_option_rename_shows_its_error_and_changes_nothing(client, product, text, message):
    client.force_login(product.store.owner)
    colur = option(product, "Colur")
    before = snapshot(product)

    response = client.post(f"{manager(product)}options/{colur.pk}/rename/", {f"rename-option-{colur.pk}-name": text})

    assert response.status_code == 200
    assert error_of(response.text, f"id_rename-option-{colur.pk}-name") == message
    assert snapshot(product) == before


# Access -----------------------------------------------------------------------------------


def rename_posts(product, *, option_id: int, value_id: int) -> list[tuple[str, dict]]:
    return [
        (f"{manager(product)}options/{option_id}/rename/", {f"rename-option-{option_id}-name": "Hijack"}),
        (f"{manager(product)}values/{value_id}/rename/", {f"rename-value-{value_id}-value": "Hijack"}),
    ]


def test_a_logged_out_visitor_is_sent_to_log_in(client, product):
    before = snapshot(product)

    for url, data in rename_posts(product, option_id=option(product, "Colur").pk, value_id=value(product, "Rd").pk):
        response = client.post(url, data)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    assert snapshot(product) == before


def test_another_stores_owner_gets_404(client, product):
    client.force_login(StoreFactory(name="Beta", slug="beta").owner)
    before = snapshot(product)

    for url, data in rename_posts(product, option_id=option(product, "Colur").pk, value_id=value(product, "Rd").pk):
        assert client.post(url, data).status_code == 404
    assert snapshot(product) == before


def test_ids_of_another_product_of_the_same_seller_get_404(client, product):
    other = ProductFactory(store=product.store, title="Hat")
    services.add_product_option(product=other, name="Colour", values=["Red"])
    services.generate_variants(product=other)
    client.force_login(product.store.owner)
    before, before_other = snapshot(product), snapshot(other)

    # Our product's URL with the other product's option and value.
    colour = option(other, "Colour")
    for url, data in rename_posts(product, option_id=colour.pk, value_id=colour.values.get().pk):
        assert client.post(url, data).status_code == 404
    # The other product's URL with our option and value.
    for url, data in rename_posts(other, option_id=option(product, "Colur").pk, value_id=value(product, "Rd").pk):
        assert client.post(url, data).status_code == 404
    assert (snapshot(product), snapshot(other)) == (before, before_other)


# Query budget -----------------------------------------------------------------------------


def test_a_refused_rename_re_renders_within_the_managers_budget(client, django_assert_max_num_queries, product):
    from shomp.catalog.tests.test_variant_manager_queries import MANAGER_BUDGET

    client.force_login(product.store.owner)
    rd = value(product, "Rd")

    # The manager's queries, plus the value's lookup, the lock and the savepoint around the service.
    with django_assert_max_num_queries(MANAGER_BUDGET + 6):
        response = client.post(f"{manager(product)}values/{rd.pk}/rename/", {f"rename-value-{rd.pk}-value": "blue"})

    assert "is already a value of Colur" in response.text
