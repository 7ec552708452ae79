"""The seller's variant manager, driven through its real forms: every action works and says so,
and every bad input it can produce is explained next to its field and changes nothing."""

import html as htmllib
import re
from decimal import Decimal

import pytest

from shomp.catalog import services
from shomp.catalog.models import InventoryAdjustment, Product, ProductOption, ProductOptionValue, Variant
from shomp.catalog.tests.factories import ProductFactory, ProductImageFactory
from shomp.orders.models import Order
from shomp.orders.tests.factories import OrderFactory, OrderItemFactory
from shomp.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def store():
    return StoreFactory(name="Alpha", slug="alpha")


@pytest.fixture
def seller(client, store):
    client.force_login(store.owner)
    return client


@pytest.fixture
def product(store):
    return ProductFactory(store=store, title="Tee", price=Decimal("10.00"))


def url(product, rest: str = "") -> str:
    return f"/dashboard/products/{product.pk}/variants/{rest}"


def error_of(html: str, element_id: str) -> str:
    """The error shown next to a field (rendered as #<id>_error)."""
    match = re.search(rf'id="{re.escape(element_id)}_error"[^>]*>(.*?)</div>', html, re.S)
    return htmllib.unescape(re.sub(r"\s+", " ", match.group(1)).strip()) if match else ""


def define(product, **options) -> list[ProductOption]:
    return [services.add_product_option(product=product, name=name, values=values) for name, values in options.items()]


def size_colour(product) -> list[Variant]:
    define(product, Size=["S", "M", "L"], Colour=["Red", "Blue"])
    return services.generate_variants(product=product)


def variant(product, name: str) -> Variant:
    return Variant.objects.get(product=product, name=name, archived_at__isnull=True)


def snapshot(product) -> list[tuple]:
    """Everything the manager can change, to assert that a refused submission changed nothing."""
    rows = Variant.objects.filter(product=product).order_by("pk")
    values = ProductOptionValue.objects.filter(option__product=product).order_by("pk")
    product.refresh_from_db()
    return [
        (product.track_inventory, product.low_stock_threshold, product.has_variants),
        *[
            (
                v.pk,
                v.name,
                v.sku,
                v.inventory_count,
                v.price_modifier,
                v.options_price_modifier,
                v.is_enabled,
                v.image_id,
                v.archived_at,
            )
            for v in rows
        ],
        *[(value.pk, value.value, value.price_modifier) for value in values],
        InventoryAdjustment.objects.filter(variant__product=product).count(),
        ProductOption.objects.filter(product=product).count(),
    ]


def grid_post(product, rows: list[Variant], **changes) -> dict:
    """The grid form as the page renders it, with `changes` as {"v<pk>-field": value}."""
    data: dict = {"rows": [str(v.pk) for v in rows]}
    for v in rows:
        data |= {
            f"v{v.pk}-price_modifier": "" if v.price_modifier is None else str(v.price_modifier),
            f"v{v.pk}-sku": v.sku,
            f"v{v.pk}-inventory_count": str(v.inventory_count),
            f"v{v.pk}-image_id": str(v.image_id or ""),
        }
        if v.is_enabled:
            data[f"v{v.pk}-is_enabled"] = "on"
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


# The page -------------------------------------------------------------------------------


def test_a_product_without_options_shows_the_empty_states(seller, product):
    response = seller.get(url(product))

    assert response.status_code == 200
    assert "No options yet" in response.text
    assert "No variants yet" in response.text
    assert "Add an option" in response.text


def test_the_page_shows_options_with_swatches_and_the_grid(seller, product):
    size_colour(product)
    large = ProductOptionValue.objects.get(option__product=product, value="L")
    services.set_option_value_modifier(value=large, price_modifier="4")

    response = seller.get(url(product))

    html = response.text
    assert 'aria-label="Values of Size"' in html and 'aria-label="Values of Colour"' in html
    assert 'fill="#ff0000"' in html and 'fill="#0000ff"' in html  # swatches for the colour option only
    assert html.count('name="rows"') == 6
    assert "M / Red" in html
    l_red = re.search(rf'<tr id="variant-{variant(product, "L / Red").pk}".*?</tr>', html, re.S).group(0)
    assert 'placeholder="+4.00"' in l_red and "From options: +$4.00" in l_red and 'value="14.00"' in l_red
    assert html.count("From options:") == 2
    assert "Size × Colour" not in html  # the preview is asked for, not computed on load


# Options and values -----------------------------------------------------------------------


def test_adding_an_option_with_comma_separated_values(seller, product):
    response = seller.post(url(product, "options/"), {"name": "Size", "values": "S, M , L,"}, follow=True)

    option = product.options.get()
    assert (option.name, [v.value for v in option.values.all()]) == ("Size", ["S", "M", "L"])
    assert "Added Size: S, M, L." in response.text


def test_duplicate_option_values_are_refused_next_to_the_values_field(seller, product):
    before = snapshot(product)

    response = seller.post(url(product, "options/"), {"name": "Size", "values": "S, M, s"})

    assert response.status_code == 200
    assert error_of(response.text, "id_values") == "“s” is listed twice: each value once, please."
    assert 'value="S, M, s"' in response.text  # what was typed stays, to be corrected
    assert snapshot(product) == before


def test_a_second_option_of_the_same_name_is_refused(seller, product):
    define(product, Size=["S"])
    before = snapshot(product)

    response = seller.post(url(product, "options/"), {"name": "size", "values": "M"})

    assert error_of(response.text, "id_name") == "This product already has an option called “size”."
    assert snapshot(product) == before


def test_adding_values_to_an_option(seller, product):
    (size,) = define(product, Size=["S", "M"])

    response = seller.post(
        url(product, f"options/{size.pk}/values/"), {f"option-{size.pk}-values": "L, XL"}, follow=True
    )

    assert [v.value for v in size.values.all()] == ["S", "M", "L", "XL"]
    assert "Added to Size: L, XL. Generate variants to add only the new combinations." in response.text


def test_a_value_the_option_already_has_is_refused_next_to_the_field(seller, product):
    (size,) = define(product, Size=["S", "M"])
    before = snapshot(product)

    response = seller.post(url(product, f"options/{size.pk}/values/"), {f"option-{size.pk}-values": "L, m"})

    assert error_of(response.text, f"id_option-{size.pk}-values") == "“m” is already a value of Size."
    assert snapshot(product) == before


def test_a_value_price_modifier_is_added_to_its_variants(seller, product):
    size_colour(product)
    large = ProductOptionValue.objects.get(option__product=product, value="L")

    response = seller.post(url(product, f"values/{large.pk}/"), {f"value-{large.pk}-price_modifier": "4"}, follow=True)

    assert "Size L adds $4.00." in response.text
    assert variant(product, "L / Red").price == Decimal("14.00")
    assert variant(product, "M / Red").price == Decimal("10.00")


def test_a_value_modifier_that_makes_a_price_negative_is_refused(seller, product):
    size_colour(product)
    large = ProductOptionValue.objects.get(option__product=product, value="L")
    before = snapshot(product)

    response = seller.post(url(product, f"values/{large.pk}/"), {f"value-{large.pk}-price_modifier": "-12.50"})

    error = error_of(response.text, f"id_value-{large.pk}-price_modifier")
    assert error.startswith("That makes “L / Red” cost -$2.50")
    assert 'value="-12.50"' in response.text
    assert snapshot(product) == before


def test_removing_a_value_archives_its_variants_after_saying_how_many(seller, product):
    size_colour(product)
    large = ProductOptionValue.objects.get(option__product=product, value="L")
    page = seller.get(url(product))
    assert "Remove L from Size? 2 variants with it will be archived (past orders keep them)." in page.text

    response = seller.post(url(product, f"values/{large.pk}/remove/"), follow=True)

    assert "Removed L from Size; 2 variants archived (past orders keep them)." in response.text
    archived = Variant.objects.filter(product=product, archived_at__isnull=False)
    assert sorted(v.name for v in archived) == ["L / Blue", "L / Red"]
    assert "Archived variants (2)" in response.text
    assert response.text.count('name="rows"') == 4


def test_the_last_value_of_an_option_cannot_be_removed(seller, product):
    define(product, Size=["S"])
    services.generate_variants(product=product)
    small = ProductOptionValue.objects.get(option__product=product)
    before = snapshot(product)

    response = seller.post(url(product, f"values/{small.pk}/remove/"))

    assert error_of(response.text, f"id_value-{small.pk}-price_modifier") == (
        "Size needs at least one value: remove the option instead."
    )
    assert snapshot(product) == before


def test_removing_an_option_archives_every_variant(seller, product):
    size_colour(product)
    colour = product.options.get(name="Colour")

    response = seller.post(url(product, f"options/{colour.pk}/remove/"), follow=True)

    assert "Removed the option Colour; 6 variants archived (past orders keep them)." in response.text
    assert not Variant.objects.filter(product=product, archived_at__isnull=True).exists()
    product.refresh_from_db()
    assert not product.has_variants


# Preview and generate ---------------------------------------------------------------------


def test_the_preview_is_an_htmx_fragment_and_writes_nothing(seller, product):
    define(product, Size=["S", "M", "L"], Colour=["Red", "Blue"])

    response = seller.get(url(product, "preview/"), headers={"HX-Request": "true"})

    text = re.sub(r"\s+", " ", response.text)
    assert "Size × Colour</strong>: 6 combinations, 0 exist, 6 will be created." in text
    assert "<html" not in response.text and "Inventory at a glance" not in response.text
    assert not Variant.objects.exists()


def test_the_preview_without_htmx_is_the_whole_page(seller, product):
    define(product, Size=["S", "M"])

    response = seller.get(url(product, "preview/"))

    assert "Inventory at a glance" in response.text
    assert "2 combinations, 0 exist, 2 will be created." in re.sub(r"\s+", " ", response.text)


def test_generating_then_adding_a_value_generates_only_the_new_combinations(seller, product):
    (size, _colour) = define(product, Size=["S", "M", "L"], Colour=["Red", "Blue"])

    response = seller.post(url(product, "generate/"), follow=True)

    assert "Created 6 variants." in response.text
    first = set(Variant.objects.values_list("pk", flat=True))
    variant(product, "M / Red")
    seller.post(url(product, f"options/{size.pk}/values/"), {f"option-{size.pk}-values": "XL"})
    preview = seller.get(url(product, "preview/"), headers={"HX-Request": "true"})
    assert "8 combinations, 6 exist, 2 will be created." in re.sub(r"\s+", " ", preview.text)

    response = seller.post(url(product, "generate/"), follow=True)

    assert "Created 2 variants." in response.text
    now = set(Variant.objects.values_list("pk", flat=True))
    assert first < now and len(now) == 8
    assert sorted(Variant.objects.exclude(pk__in=first).values_list("name", flat=True)) == ["XL / Blue", "XL / Red"]
    again = seller.post(url(product, "generate/"), follow=True)
    assert "Nothing to create: every combination already has a variant." in again.text


def test_more_than_1000_combinations_are_refused_in_the_preview_and_on_generate(seller, product):
    define(
        product,
        A=[f"a{n}" for n in range(10)],
        B=[f"b{n}" for n in range(10)],
        C=[f"c{n}" for n in range(11)],
    )
    before = snapshot(product)
    message = (
        "10 × 10 × 11 values make 1,100 combinations; a product can have at most 1,000 variants. "
        "Remove some values or options first."
    )

    preview = seller.get(url(product, "preview/"), headers={"HX-Request": "true"})
    response = seller.post(url(product, "generate/"))

    assert message in preview.text
    assert 'role="alert" id="generate-error">' + message in response.text
    assert snapshot(product) == before


def test_adding_one_combination_that_already_exists_is_refused(seller, product):
    size_colour(product)
    size, colour = product.options.all()
    before = snapshot(product)

    response = seller.post(url(product, "add/"), {f"new-option_{size.pk}": "M", f"new-option_{colour.pk}": "Red"})

    assert "A variant for M / Red already exists." in response.text
    assert 'id="new-variant-error"' in response.text
    assert snapshot(product) == before


def test_adding_one_combination_after_it_was_archived(seller, product):
    size_colour(product)
    large = ProductOptionValue.objects.get(option__product=product, value="L")
    services.remove_option_value(value=large)
    services.add_option_values(option=product.options.get(name="Size"), values=["L"])
    size, colour = product.options.all()

    response = seller.post(
        url(product, "add/"), {f"new-option_{size.pk}": "L", f"new-option_{colour.pk}": "Blue"}, follow=True
    )

    assert "Added the variant L / Blue." in response.text
    assert variant(product, "L / Blue").inventory_count == 0


# The grid ---------------------------------------------------------------------------------


def test_editing_the_grid_in_place_saves_the_changed_rows(seller, product, store):
    rows = size_colour(product)
    image = ProductImageFactory(product=product)
    m_red, l_blue = variant(product, "M / Red"), variant(product, "L / Blue")

    response = seller.post(
        url(product, "grid/"),
        grid_post(
            product,
            rows,
            **{
                f"v{m_red.pk}-sku": "TEE-M-RED",
                f"v{m_red.pk}-inventory_count": "7",
                f"v{m_red.pk}-image_id": str(image.pk),
                f"v{l_blue.pk}-price_modifier": "2.50",
                f"v{l_blue.pk}-is_enabled": None,
            },
        ),
        follow=True,
    )

    assert "Saved 2 variants." in response.text
    m_red.refresh_from_db()
    l_blue.refresh_from_db()
    assert (m_red.sku, m_red.inventory_count, m_red.image_id) == ("TEE-M-RED", 7, image.pk)
    assert (l_blue.price_modifier, l_blue.price, l_blue.is_enabled) == (Decimal("2.50"), Decimal("12.50"), False)
    record = InventoryAdjustment.objects.get(variant=m_red)
    assert (record.kind, record.delta, record.actor) == ("set", 7, store.owner)
    assert re.search(rf'name="v{l_blue.pk}-price"[^>]*value="12.50"', response.text)


def test_an_unchanged_grid_saves_nothing(seller, product):
    rows = size_colour(product)
    before = snapshot(product)

    response = seller.post(url(product, "grid/"), grid_post(product, rows), follow=True)

    assert "Nothing to save: no field was changed." in response.text
    assert snapshot(product) == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("inventory_count", "-3", "Stock can't be negative."),
        ("inventory_count", "lots", "Enter a whole number."),
        ("price_modifier", "-10.01", "That makes “L / Blue” cost -$0.01"),
        ("price_modifier", "abc", "Enter an amount such as 4.00 or -2.50."),
        ("sku", "TAKEN-1", "Another variant in your store already uses the SKU “TAKEN-1”."),
    ],
)
def test_a_bad_value_in_one_row_saves_nothing_of_the_submission(seller, product, store, field, value, message):
    rows = size_colour(product)
    other = ProductFactory(store=store)
    define(other, Size=["One"])
    (taken,) = services.generate_variants(product=other)
    services.update_variant(variant=taken, sku="taken-1")
    m_red, l_blue = variant(product, "M / Red"), variant(product, "L / Blue")
    before = snapshot(product)

    response = seller.post(
        url(product, "grid/"),
        grid_post(product, rows, **{f"v{m_red.pk}-sku": "GOOD-SKU", f"v{m_red.pk}-inventory_count": "4"})
        | {f"v{l_blue.pk}-{field}": value},
    )

    assert response.status_code == 200
    assert "Nothing was saved: correct the fields marked below." in response.text
    assert error_of(response.text, f"id_v{l_blue.pk}-{field}").startswith(message)
    assert f'value="{value}"' in response.text and 'value="GOOD-SKU"' in response.text  # both rows kept as typed
    assert snapshot(product) == before


def test_the_same_new_sku_on_two_rows_saves_neither(seller, product):
    rows = size_colour(product)
    m_red, l_blue = variant(product, "M / Red"), variant(product, "L / Blue")
    before = snapshot(product)

    response = seller.post(
        url(product, "grid/"), grid_post(product, rows, **{f"v{m_red.pk}-sku": "DUP", f"v{l_blue.pk}-sku": "dup"})
    )

    assert "already uses the SKU “dup”" in error_of(response.text, f"id_v{l_blue.pk}-sku")
    assert snapshot(product) == before


def test_the_grid_ignores_rows_of_another_product(seller, product, store):
    rows = size_colour(product)
    other = ProductFactory(store=store)
    define(other, Size=["One"])
    (foreign,) = services.generate_variants(product=other)

    seller.post(
        url(product, "grid/"),
        grid_post(product, rows)
        | {"rows": [str(v.pk) for v in rows] + [str(foreign.pk)]}
        | {f"v{foreign.pk}-inventory_count": "99", f"v{foreign.pk}-sku": "HIJACK"},
    )

    foreign.refresh_from_db()
    assert (foreign.inventory_count, foreign.sku) == (0, "")


def test_the_grid_shows_units_sold_and_revenue_from_orders_that_are_not_cancelled(seller, product, store):
    size_colour(product)
    m_red = variant(product, "M / Red")
    for status, quantity in [(Order.Status.PAID, 2), (Order.Status.FULFILLED, 1), (Order.Status.CANCELLED, 5)]:
        order = OrderFactory(store=store, status=status)
        OrderItemFactory(order=order, product=product, variant=m_red, unit_price=Decimal("12.00"), quantity=quantity)

    response = seller.get(url(product))

    rows = response.context["rows"]
    sold = {v.name: (v.units_sold, v.revenue) for v, _form in rows}
    assert sold["M / Red"] == (3, Decimal("36.00"))
    assert sold["S / Red"] == (0, Decimal("0"))
    row = re.search(rf'<tr id="variant-{m_red.pk}".*?</tr>', response.text, re.S).group(0)
    assert "$36.00" in row


def test_archived_variants_are_listed_read_only_with_their_sales(seller, product, store):
    size_colour(product)
    l_red = variant(product, "L / Red")
    OrderItemFactory(order=OrderFactory(store=store), product=product, variant=l_red, unit_price=10, quantity=4)
    services.remove_option_value(value=ProductOptionValue.objects.get(option__product=product, value="L"))

    response = seller.get(url(product))

    archived = re.search(r'<details id="archived-variants".*?</details>', response.text, re.S).group(0)
    assert "L / Red" in archived and "$40.00" in archived
    assert "<input" not in archived  # read-only


def test_the_grid_paginates_50_a_page(seller, product):
    define(product, A=[f"a{n}" for n in range(11)], B=[f"b{n}" for n in range(10)])
    services.generate_variants(product=product)

    first = seller.get(url(product))
    last = seller.get(url(product), {"page": 3})

    assert first.text.count('name="rows"') == 50
    assert last.text.count('name="rows"') == 10
    assert "Page 3 of 3" in last.text


# Bulk edit --------------------------------------------------------------------------------


def test_bulk_setting_stock_on_selected_rows(seller, product):
    size_colour(product)
    chosen = [variant(product, "S / Red"), variant(product, "M / Blue")]

    response = seller.post(
        url(product, "bulk/"),
        {"bulk-field": "inventory_count", "bulk-inventory_count": "12", "bulk-variant_ids": [v.pk for v in chosen]},
        follow=True,
    )

    assert "Stock set to 12 on 2 variants." in response.text
    counts = dict(Variant.objects.filter(product=product).values_list("name", "inventory_count"))
    assert counts == {"S / Red": 12, "M / Blue": 12} | dict.fromkeys(["S / Blue", "M / Red", "L / Red", "L / Blue"], 0)


def test_bulk_select_all_on_the_page(seller, product):
    rows = size_colour(product)

    response = seller.post(
        url(product, "bulk/"),
        {
            "bulk-field": "is_enabled",
            "bulk-is_enabled": "0",
            "bulk-all_on_page": "on",
            "bulk-page_ids": [v.pk for v in rows],
        },
        follow=True,
    )

    assert "Disabled 6 variants." in response.text
    assert not Variant.objects.filter(product=product, is_enabled=True).exists()


def test_bulk_image_and_modifier(seller, product):
    rows = size_colour(product)
    image = ProductImageFactory(product=product)
    ids = [v.pk for v in rows[:2]]

    seller.post(url(product, "bulk/"), {"bulk-field": "image_id", "bulk-image_id": image.pk, "bulk-variant_ids": ids})
    response = seller.post(
        url(product, "bulk/"),
        {"bulk-field": "price_modifier", "bulk-price_modifier": "3", "bulk-variant_ids": ids},
        follow=True,
    )

    assert "Price modifier set to $3.00 on 2 variants." in response.text
    assert set(Variant.objects.filter(pk__in=ids).values_list("image_id", "price_modifier")) == {
        (image.pk, Decimal("3.00"))
    }


@pytest.mark.parametrize(
    ("data", "element", "message"),
    [
        (
            {"bulk-field": "inventory_count", "bulk-inventory_count": "-1"},
            "inventory_count",
            "Stock can't be negative.",
        ),
        ({"bulk-field": "price_modifier", "bulk-price_modifier": "-11"}, "price_modifier", "That makes"),
        ({"bulk-field": "inventory_count", "bulk-inventory_count": ""}, "inventory_count", "Enter the new stock."),
    ],
)
def test_a_refused_bulk_edit_changes_nothing(seller, product, data, element, message):
    rows = size_colour(product)
    before = snapshot(product)

    response = seller.post(url(product, "bulk/"), data | {"bulk-variant_ids": [v.pk for v in rows]})

    assert error_of(response.text, f"id_bulk-{element}").startswith(message)
    assert response.text.count('name="bulk-variant_ids" value=') == 6
    assert response.text.count(" checked>") >= 6  # the selection is kept
    assert snapshot(product) == before


def test_bulk_edit_without_a_selection_or_with_another_products_variant_is_refused(seller, product, store):
    size_colour(product)
    other = ProductFactory(store=store)
    define(other, Size=["One"])
    (foreign,) = services.generate_variants(product=other)
    before = snapshot(product)

    nothing = seller.post(url(product, "bulk/"), {"bulk-field": "inventory_count", "bulk-inventory_count": "5"})
    foreign_id = seller.post(
        url(product, "bulk/"),
        {"bulk-field": "inventory_count", "bulk-inventory_count": "5", "bulk-variant_ids": [foreign.pk]},
    )

    assert "Select at least one variant" in nothing.text
    assert "Some selected variants are not variants of this product." in foreign_id.text
    assert snapshot(product) == before
    foreign.refresh_from_db()
    assert foreign.inventory_count == 0


# Inventory --------------------------------------------------------------------------------


def test_inventory_at_a_glance_counts_in_stock_low_and_out(seller, product):
    size_colour(product)
    for name, count in [("S / Red", 10), ("M / Red", 2), ("L / Red", 3)]:
        services.update_variant(variant=variant(product, name), inventory_count=count)

    summary = seller.get(url(product)).context["summary"]

    assert (summary.units, summary.in_stock, summary.low, summary.out) == (15, 1, 2, 3)


def test_inventory_settings_turn_tracking_off_and_change_the_threshold(seller, product):
    size_colour(product)

    response = seller.post(url(product, "inventory-settings/"), {"low_stock_threshold": "5"}, follow=True)

    product.refresh_from_db()
    assert (product.track_inventory, product.low_stock_threshold) == (False, 5)
    assert "Inventory settings saved." in response.text
    assert response.text.count("Not tracked") >= 6


def test_a_negative_low_stock_threshold_is_refused(seller, product):
    before = snapshot(product)

    response = seller.post(url(product, "inventory-settings/"), {"track_inventory": "on", "low_stock_threshold": "-1"})

    assert error_of(response.text, "id_low_stock_threshold") == "The threshold can't be negative."
    assert snapshot(product) == before


def test_restocking_a_variant_with_a_reason_keeps_a_history(seller, product, store):
    size_colour(product)
    m_red = variant(product, "M / Red")
    page = url(product, f"{m_red.pk}/inventory/")

    response = seller.post(page, {"action": "restock", "quantity": "5", "reason": "Spring batch"}, follow=True)

    m_red.refresh_from_db()
    assert m_red.inventory_count == 5
    assert "M / Red: 5 in stock now." in response.text
    history = re.search(r'<section id="inventory-history".*?</section>', response.text, re.S).group(0)
    assert "Spring batch" in history and store.owner.username in history and "+5" in history
    assert store.owner.email not in response.text
    assert "Private Person" not in response.text


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"action": "set", "quantity": "-1"}, "quantity", "Stock can't be negative."),
        ({"action": "adjust", "quantity": "-9", "reason": "Broken"}, "quantity", "That would leave -4 in stock"),
        ({"action": "adjust", "quantity": "2", "reason": ""}, "reason", "Say why"),
        ({"action": "restock", "quantity": "0"}, "quantity", "Restock at least 1."),
        ({"action": "melt", "quantity": "1"}, "action", "Select a valid choice."),
    ],
)
def test_a_refused_stock_change_changes_nothing(seller, product, data, field, message):
    size_colour(product)
    m_red = variant(product, "M / Red")
    services.manage_inventory(variant=m_red, action="set", quantity=5)
    before = snapshot(product)

    response = seller.post(url(product, f"{m_red.pk}/inventory/"), data)

    assert error_of(response.text, f"id_{field}").startswith(message)
    assert snapshot(product) == before


def test_an_archived_variants_history_is_read_only(seller, product):
    size_colour(product)
    l_red = variant(product, "L / Red")
    services.remove_option_value(value=ProductOptionValue.objects.get(option__product=product, value="L"))

    page = seller.get(url(product, f"{l_red.pk}/inventory/"))
    response = seller.post(url(product, f"{l_red.pk}/inventory/"), {"action": "restock", "quantity": "3"}, follow=True)

    assert "Archived on" in page.text and "Save stock" not in page.text
    assert "This variant is archived: its stock can&#x27;t change." in response.text
    l_red.refresh_from_db()
    assert l_red.inventory_count == 0


# Product create, edit and list -------------------------------------------------------------


def test_creating_a_product_with_options_needs_no_stock_and_opens_the_variant_manager(seller, store):
    response = seller.post(
        "/dashboard/products/new/",
        {"title": "Hoodie", "price": "40", "kind": "physical", "stock": "", "has_options": "on"},
    )

    product = store.products.get()
    assert response["Location"] == url(product)
    assert product.stock == 0


def test_without_options_the_stock_is_still_required(seller, store):
    response = seller.post("/dashboard/products/new/", {"title": "Hoodie", "price": "40", "kind": "physical"})

    assert error_of(response.text, "id_stock") == "Enter how many you have in stock."
    assert not store.products.exists()


def test_the_edit_page_has_an_options_card_and_counts_stock_per_variant(seller, product):
    size_colour(product)
    services.update_variant(variant=variant(product, "M / Red"), inventory_count=2)
    edit = f"/dashboard/products/{product.pk}/edit/"

    page = seller.get(edit)

    card = re.search(r'<section class="card mb-4" id="variants-card".*?</section>', page.text, re.S).group(0)
    assert "6 variants" in card and "1 low" in card and "5 out" in card
    assert "Manage options and variants" in card
    assert 'name="stock"' not in page.text and "Stock is counted per variant" in page.text
    response = seller.post(edit, {"title": "Tee", "price": "11", "kind": "physical"})
    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.price, product.stock) == (Decimal("11.00"), 0)  # no stock of its own with variants


def test_the_product_list_shows_summed_variant_stock_and_badges(seller, product, store):
    size_colour(product)
    for name, count in [("S / Red", 10), ("M / Red", 2)]:
        services.update_variant(variant=variant(product, name), inventory_count=count)
    ProductFactory(store=store, title="Plain mug", stock=4)

    response = seller.get("/dashboard/products/")

    row = re.search(rf'<tr id="product-row-{product.pk}">.*?</tr>', response.text, re.S).group(0)
    assert ">12<" in row and "4 out" in row and "1 low" in row
    assert url(product) in row
    plain = next(p for p in response.context["page_obj"] if p.title == "Plain mug")
    assert (plain.variant_stock, plain.variants_out, plain.variants_low) == (0, 0, 0)


def test_a_draft_product_is_managed_too(seller, store):
    draft = ProductFactory(store=store, status=Product.Status.DRAFT)

    assert seller.get(url(draft)).status_code == 200
