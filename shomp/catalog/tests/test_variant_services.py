"""Options, variants and inventory: the services sellers and checkout write through."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog import services
from shomp.catalog.models import InventoryAdjustment, Product, ProductOption, Variant, VariantOption
from shomp.catalog.tests.factories import ProductFactory, ProductImageFactory
from shomp.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


def tee(**fields) -> Product:
    return ProductFactory(title="Tee", price=Decimal("20.00"), **fields)


def size_by_colour(product: Product) -> list[Variant]:
    services.add_product_option(product=product, name="Size", values=["S", "M", "L"])
    services.add_product_option(product=product, name="Colour", values=["Red", "Blue"])
    return services.generate_variants(product=product)


def live(product: Product) -> list[str]:
    return list(product.variants.filter(archived_at__isnull=True).order_by("position").values_list("name", flat=True))


def field_error(excinfo, field: str) -> str:
    return " ".join(excinfo.value.message_dict[field])


# Options -----------------------------------------------------------------------------------


def test_an_option_keeps_its_values_in_the_order_given_and_colours_get_swatches():
    product = tee()

    size = services.add_product_option(product=product, name="  Size ", values=["S", " M ", "", "L"])
    colour = services.add_product_option(product=product, name="Colour", values=["Red", "navy", "Sunset"])

    assert size.name == "Size" and [v.value for v in size.values.all()] == ["S", "M", "L"]
    assert [v.swatch for v in size.values.all()] == ["", "", ""]  # not a colour option
    assert [(v.value, v.swatch) for v in colour.values.all()] == [
        ("Red", "#ff0000"),
        ("navy", "#000080"),
        ("Sunset", ""),
    ]
    assert colour.is_colour and not size.is_colour


def test_duplicate_option_values_are_refused_and_nothing_is_written():
    product = tee()

    with pytest.raises(ValidationError) as excinfo:
        services.add_product_option(product=product, name="Size", values=["S", "M", "m"])

    assert "“m” is listed twice" in field_error(excinfo, "values")
    assert not ProductOption.objects.filter(product=product).exists()


def test_adding_a_value_an_option_already_has_is_refused():
    product = tee()
    size = services.add_product_option(product=product, name="Size", values=["S", "M"])

    with pytest.raises(ValidationError) as excinfo:
        services.add_option_values(option=size, values=["L", "s"])

    assert "“s” is already a value of Size" in field_error(excinfo, "values")
    assert [v.value for v in size.values.all()] == ["S", "M"]


def test_option_names_are_unique_per_product_ignoring_case():
    product = tee()
    services.add_product_option(product=product, name="Size", values=["S"])

    with pytest.raises(ValidationError) as excinfo:
        services.add_product_option(product=product, name="SIZE", values=["M"])

    assert "already has an option called “SIZE”" in field_error(excinfo, "name")
    # Another product may use the same name.
    services.add_product_option(product=tee(), name="Size", values=["S"])


@pytest.mark.parametrize(
    ("name", "values", "field", "message"),
    [
        ("", ["S"], "name", "Enter the option's name."),
        ("Size", ["", "  "], "values", "Enter at least one value"),
        ("Size = Fit", ["S"], "name", "can't contain “|” or “=”"),
        ("Size", ["S|M"], "values", "can't contain"),
        ("Size", ["x" * 51], "values", "Keep a value to 50 characters"),
        ("Size", [str(n) for n in range(51)], "values", "at most 50 values"),
    ],
)
def test_bad_options_get_a_clear_message(name, values, field, message):
    product = tee()

    with pytest.raises(ValidationError) as excinfo:
        services.add_product_option(product=product, name=name, values=values)

    assert message in field_error(excinfo, field)
    assert not product.options.exists()


def test_a_product_has_at_most_five_options():
    product = tee()
    for name in ["A", "B", "C", "D", "E"]:
        services.add_product_option(product=product, name=name, values=["1"])

    with pytest.raises(ValidationError) as excinfo:
        services.add_product_option(product=product, name="F", values=["1"])

    assert "at most 5 options" in field_error(excinfo, "name")
    assert product.options.count() == 5


# Generating --------------------------------------------------------------------------------


def test_generate_makes_every_combination_in_option_order():
    product = tee()

    created = size_by_colour(product)

    assert len(created) == 6
    assert live(product) == ["S / Red", "S / Blue", "M / Red", "M / Blue", "L / Red", "L / Blue"]
    product.refresh_from_db()
    assert product.has_variants
    m_blue = product.variants.get(name="M / Blue")
    assert list(m_blue.options.values_list("option_name", "option_value")) == [("Size", "M"), ("Colour", "Blue")]
    assert (m_blue.inventory_count, m_blue.sku, m_blue.price) == (0, "", Decimal("20.00"))


def test_preview_counts_before_anything_is_written():
    product = tee()
    services.add_product_option(product=product, name="Size", values=["S", "M", "L"])
    services.add_product_option(product=product, name="Colour", values=["Red", "Blue"])

    plan = services.preview_variants(product=product)

    assert (plan.combinations, plan.existing, plan.to_create, plan.error) == (6, 0, 6, "")
    assert not product.variants.exists()


def test_adding_a_value_later_generates_only_the_new_combinations():
    product = tee()
    size_by_colour(product)
    first = {v.name: v.pk for v in product.variants.all()}
    services.update_variant(variant=product.variants.get(name="S / Red"), sku="TEE-S-R", inventory_count=4)
    size = product.options.get(name="Size")
    services.add_option_values(option=size, values=["XL"])

    assert services.preview_variants(product=product).to_create == 2
    created = services.generate_variants(product=product)

    assert sorted(v.name for v in created) == ["XL / Blue", "XL / Red"]
    assert {v.name: v.pk for v in product.variants.exclude(pk__in=[v.pk for v in created])} == first
    kept = product.variants.get(name="S / Red")
    assert (kept.sku, kept.inventory_count) == ("TEE-S-R", 4)
    assert services.generate_variants(product=product) == []  # nothing left to make


def test_more_than_a_thousand_combinations_is_refused_and_nothing_is_written():
    product = tee()
    services.add_product_option(product=product, name="A", values=[f"a{n}" for n in range(50)])
    services.add_product_option(product=product, name="B", values=[f"b{n}" for n in range(21)])

    plan = services.preview_variants(product=product)
    with pytest.raises(ValidationError) as excinfo:
        services.generate_variants(product=product)

    assert plan.to_create == 0 and "1,050 combinations" in plan.error
    assert "at most 1,000 variants" in " ".join(excinfo.value.messages)
    assert not product.variants.exists()


def test_exactly_a_thousand_combinations_are_made():
    product = tee()
    services.add_product_option(product=product, name="A", values=[f"a{n}" for n in range(50)])
    services.add_product_option(product=product, name="B", values=[f"b{n}" for n in range(20)])

    assert len(services.generate_variants(product=product)) == 1000
    assert VariantOption.objects.filter(variant__product=product).count() == 2000


@hypothesis_settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(counts=st.lists(st.integers(min_value=1, max_value=4), min_size=1, max_size=3))
def test_generate_makes_the_product_of_the_value_counts(counts):
    product = tee()
    for index, count in enumerate(counts):
        services.add_product_option(product=product, name=f"O{index}", values=[f"v{n}" for n in range(count)])

    created = services.generate_variants(product=product)

    expected = 1
    for count in counts:
        expected *= count
    assert len(created) == expected
    assert len({v.combination_key for v in created}) == expected


def test_a_new_option_gives_existing_variants_its_first_value():
    product = tee()
    size_by_colour(product)

    services.add_product_option(product=product, name="Fit", values=["Slim", "Loose"])

    assert live(product)[:2] == ["S / Red / Slim", "S / Blue / Slim"]
    assert services.preview_variants(product=product).to_create == 6
    services.generate_variants(product=product)
    assert product.variants.filter(archived_at__isnull=True).count() == 12


def test_removing_a_value_archives_its_variants_and_keeps_them():
    product = tee()
    size_by_colour(product)
    size = product.options.get(name="Size")

    archived = services.remove_option_value(value=size.values.get(value="L"))

    assert archived == 2
    assert live(product) == ["S / Red", "S / Blue", "M / Red", "M / Blue"]
    gone = product.variants.get(name="L / Red")
    assert gone.is_archived and not gone.is_enabled
    assert list(gone.options.values_list("option_name", "option_value")) == [("Size", "L"), ("Colour", "Red")]
    # Adding L back makes fresh variants; the archived ones stay for order history.
    services.add_option_values(option=size, values=["L"])
    services.generate_variants(product=product)
    assert product.variants.filter(name="L / Red").count() == 2


def test_the_last_value_of_an_option_cannot_be_removed():
    product = tee()
    option = services.add_product_option(product=product, name="Size", values=["One size"])

    with pytest.raises(ValidationError, match="needs at least one value"):
        services.remove_option_value(value=option.values.get())


def test_removing_an_option_archives_every_variant():
    product = tee()
    size_by_colour(product)

    archived = services.remove_product_option(option=product.options.get(name="Colour"))

    product.refresh_from_db()
    assert archived == 6 and not product.has_variants
    assert list(product.options.values_list("name", "position")) == [("Size", 0)]
    services.generate_variants(product=product)
    assert live(product) == ["S", "M", "L"]


# create_variant ----------------------------------------------------------------------------


def test_create_variant_makes_one_combination():
    product = tee()
    services.add_product_option(product=product, name="Size", values=["S", "M"])
    services.add_product_option(product=product, name="Colour", values=["Red"])

    variant = services.create_variant(
        product=product, options={"size": "m", "Colour": "RED"}, sku="TEE-M", inventory_count=3, price_modifier="2"
    )

    assert (variant.name, variant.sku, variant.inventory_count, variant.price) == (
        "M / Red",
        "TEE-M",
        3,
        Decimal("22.00"),
    )
    assert variant.adjustments.get().delta == 3


def test_an_option_combination_that_already_exists_is_refused():
    product = tee()
    size_by_colour(product)

    with pytest.raises(ValidationError) as excinfo:
        services.create_variant(product=product, options={"Size": "M", "Colour": "Red"})

    assert "A variant for M / Red already exists" in field_error(excinfo, "options")
    assert product.variants.count() == 6


def test_the_database_keeps_one_live_variant_per_combination():
    product = tee()
    variant = size_by_colour(product)[0]

    with pytest.raises(IntegrityError), transaction.atomic():
        Variant.objects.create(
            product=product, store=product.store, name="again", combination_key=variant.combination_key
        )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"Size": "M"}, "Choose a value for Colour."),
        ({"Size": "XXL", "Colour": "Red"}, "“XXL” is not a value of Size."),
        ({"Size": "M", "Colour": "Red", "Fit": "Slim"}, "no option called “fit”"),
    ],
)
def test_create_variant_needs_one_known_value_per_option(options, message):
    product = tee()
    services.add_product_option(product=product, name="Size", values=["S", "M"])
    services.add_product_option(product=product, name="Colour", values=["Red"])

    with pytest.raises(ValidationError) as excinfo:
        services.create_variant(product=product, options=options)

    assert message in field_error(excinfo, "options")
    assert not product.variants.exists()


# Prices ------------------------------------------------------------------------------------


def test_value_modifiers_add_up_and_a_variants_own_modifier_overrides_the_sum():
    product = tee()
    size_by_colour(product)
    size, colour = product.options.get(name="Size"), product.options.get(name="Colour")
    services.set_option_value_modifier(value=size.values.get(value="L"), price_modifier="4.00")
    services.set_option_value_modifier(value=colour.values.get(value="Blue"), price_modifier="1.50")

    l_blue = product.variants.get(name="L / Blue")
    assert services.calculate_price(product=product, variant=l_blue) == Decimal("25.50")
    assert services.calculate_price(product=product, variant=product.variants.get(name="S / Red")) == Decimal("20.00")

    services.update_variant(variant=l_blue, price_modifier="-5")
    l_blue.refresh_from_db()
    assert services.calculate_price(product=product, variant=l_blue) == Decimal("15.00")
    # Blank goes back to the sum of its values' modifiers.
    services.update_variant(variant=l_blue, price_modifier="")
    l_blue.refresh_from_db()
    assert l_blue.price == Decimal("25.50")


def test_a_modifier_that_makes_a_price_negative_is_refused():
    product = tee()
    size_by_colour(product)
    variant = product.variants.get(name="S / Red")

    with pytest.raises(ValidationError) as excinfo:
        services.update_variant(variant=variant, price_modifier="-20.01", sku="NEW")

    assert "cost -$0.01" in field_error(excinfo, "price_modifier")
    variant.refresh_from_db()
    assert (variant.price_modifier, variant.sku) == (None, "")


def test_a_value_modifier_that_makes_a_variant_negative_is_refused():
    product = tee()
    size_by_colour(product)
    value = product.options.get(name="Size").values.get(value="S")

    with pytest.raises(ValidationError) as excinfo:
        services.set_option_value_modifier(value=value, price_modifier="-25")

    assert "“S / Red” cost -$5.00" in field_error(excinfo, "price_modifier")
    value.refresh_from_db()
    assert value.price_modifier == Decimal("0")
    assert set(product.variants.values_list("options_price_modifier", flat=True)) == {Decimal("0")}


def test_calculate_price_never_goes_below_zero():
    product = tee()
    size_by_colour(product)
    variant = product.variants.get(name="S / Red")
    services.update_variant(variant=variant, price_modifier="-15")
    Product.objects.filter(pk=product.pk).update(price=Decimal("10.00"))  # the base price dropped later
    product.refresh_from_db()
    variant.refresh_from_db()

    assert services.calculate_price(product=product, variant=variant) == Decimal("0.00")
    assert services.calculate_price(product=product) == Decimal("10.00")


# SKUs, stock and images --------------------------------------------------------------------


def test_a_duplicate_sku_in_the_same_store_is_refused_but_other_stores_may_use_it():
    store = StoreFactory()
    first, second = tee(store=store), tee(store=store)
    services.update_variant(variant=size_by_colour(first)[0], sku="TEE-1")
    variant = size_by_colour(second)[0]

    with pytest.raises(ValidationError) as excinfo:
        services.update_variant(variant=variant, sku="tee-1", inventory_count=9)

    assert "already uses the SKU “tee-1”" in field_error(excinfo, "sku")
    variant.refresh_from_db()
    assert (variant.sku, variant.inventory_count) == ("", 0)
    services.update_variant(variant=size_by_colour(tee())[0], sku="TEE-1")  # another store


def test_the_database_keeps_skus_unique_per_store():
    product = tee()
    first, second = size_by_colour(product)[:2]
    services.update_variant(variant=first, sku="X")

    with pytest.raises(IntegrityError), transaction.atomic():
        Variant.objects.filter(pk=second.pk).update(sku="X")


def test_negative_stock_is_refused_by_the_service_and_the_database():
    variant = size_by_colour(tee())[0]

    with pytest.raises(ValidationError) as excinfo:
        services.update_variant(variant=variant, inventory_count=-1)
    assert "can't be negative" in field_error(excinfo, "inventory_count")
    with pytest.raises(IntegrityError), transaction.atomic():
        Variant.objects.filter(pk=variant.pk).update(inventory_count=-1)


def test_a_variant_image_must_be_one_of_the_products_images():
    product = tee()
    variant = size_by_colour(product)[0]
    own, foreign = ProductImageFactory(product=product), ProductImageFactory()

    services.update_variant(variant=variant, image_id=own.pk)
    with pytest.raises(ValidationError) as excinfo:
        services.update_variant(variant=variant, image_id=foreign.pk)

    assert "one of this product's images" in field_error(excinfo, "image")
    variant.refresh_from_db()
    assert variant.image == own


# Inventory ---------------------------------------------------------------------------------


def test_manage_inventory_sets_restocks_and_adjusts_with_a_history():
    seller = UserFactory()
    variant = size_by_colour(tee())[0]

    services.manage_inventory(variant=variant, action="set", quantity=10, actor=seller)
    services.manage_inventory(variant=variant, action="restock", quantity=5, reason="Spring delivery", actor=seller)
    services.manage_inventory(variant=variant, action="adjust", quantity=-2, reason="Damaged in storage", actor=seller)

    variant.refresh_from_db()
    assert variant.inventory_count == 13
    history = list(
        variant.adjustments.order_by("pk").values_list("kind", "delta", "resulting_count", "reason", "actor")
    )
    assert history == [
        ("set", 10, 10, "Stock count", seller.pk),
        ("restock", 5, 15, "Spring delivery", seller.pk),
        ("adjust", -2, 13, "Damaged in storage", seller.pk),
    ]


@pytest.mark.parametrize(
    ("action", "quantity", "reason", "field", "message"),
    [
        ("set", -1, "", "quantity", "can't be negative"),
        ("restock", 0, "", "quantity", "Restock at least 1"),
        ("adjust", -4, "Lost", "quantity", "That would leave -1 in stock: there are only 3."),
        ("adjust", 2, "", "reason", "Say why"),
        ("adjust", "many", "x", "quantity", "whole number"),
        ("sell", 1, "", "action", "Choose set, restock or adjust."),
    ],
)
def test_bad_inventory_changes_are_refused_and_change_nothing(action, quantity, reason, field, message):
    variant = size_by_colour(tee())[0]
    services.manage_inventory(variant=variant, action="set", quantity=3)

    with pytest.raises(ValidationError) as excinfo:
        services.manage_inventory(variant=variant, action=action, quantity=quantity, reason=reason)

    assert message in field_error(excinfo, field)
    variant.refresh_from_db()
    assert variant.inventory_count == 3 and variant.adjustments.count() == 1


def test_sell_variant_stock_takes_only_what_is_left_and_records_the_sale():
    variant = size_by_colour(tee())[0]
    services.manage_inventory(variant=variant, action="set", quantity=2)

    assert services.sell_variant_stock(variant_id=variant.pk, quantity=2, reason="Order ABC")
    assert not services.sell_variant_stock(variant_id=variant.pk, quantity=1, reason="Order DEF")

    variant.refresh_from_db()
    assert variant.inventory_count == 0 and variant.stock_status == "out"
    sale = variant.adjustments.get(kind=InventoryAdjustment.Kind.SALE)
    assert (sale.delta, sale.resulting_count, sale.reason) == (-2, 0, "Order ABC")


def test_stock_status_follows_the_threshold_and_the_tracking_switch():
    product = tee()
    variant = size_by_colour(product)[0]
    services.set_inventory_settings(product=product, track_inventory=True, low_stock_threshold=3)

    statuses = []
    for count in (0, 3, 4):
        services.manage_inventory(variant=variant, action="set", quantity=count)
        variant = Variant.objects.select_related("product").get(pk=variant.pk)
        statuses.append(variant.stock_status)
    services.set_inventory_settings(product=product, track_inventory=False, low_stock_threshold=3)
    services.manage_inventory(variant=variant, action="set", quantity=0)
    untracked = Variant.objects.select_related("product").get(pk=variant.pk)

    assert statuses == ["out", "low", "in_stock"]
    assert (untracked.stock_status, untracked.available_count, untracked.is_buyable) == ("in_stock", None, True)


# Bulk edit ---------------------------------------------------------------------------------


def test_bulk_edit_sets_one_field_on_the_selected_variants():
    product = tee()
    variants = size_by_colour(product)
    chosen = [v.pk for v in variants[:3]]

    changed = services.bulk_update_variants(product=product, variant_ids=chosen, field="inventory_count", value=7)
    services.bulk_update_variants(product=product, variant_ids=chosen[:1], field="is_enabled", value=False)

    assert changed == 3
    assert sorted(product.variants.filter(inventory_count=7).values_list("pk", flat=True)) == sorted(chosen)
    assert list(product.variants.filter(is_enabled=False).values_list("pk", flat=True)) == chosen[:1]


def test_bulk_edit_with_another_products_variant_changes_nothing():
    product = tee()
    own = size_by_colour(product)[0]
    foreign = size_by_colour(tee())[0]

    with pytest.raises(ValidationError) as excinfo:
        services.bulk_update_variants(
            product=product, variant_ids=[own.pk, foreign.pk], field="inventory_count", value=5
        )

    assert "not variants of this product" in field_error(excinfo, "variant_ids")
    assert Variant.objects.filter(inventory_count=5).count() == 0


def test_a_refused_bulk_edit_changes_no_variant():
    product = tee()
    variants = size_by_colour(product)
    services.update_variant(variant=variants[1], price_modifier="-10")

    with pytest.raises(ValidationError) as excinfo:
        services.bulk_update_variants(
            product=product, variant_ids=[v.pk for v in variants[:2]], field="price_modifier", value="-25"
        )

    assert "cost -$5.00" in field_error(excinfo, "price_modifier")
    modifiers = product.variants.order_by("position").values_list("price_modifier", flat=True)
    assert list(modifiers[:2]) == [None, Decimal("-10.00")]


def test_lowering_the_base_price_below_a_variants_discount_is_refused():
    product = tee()
    variant = size_by_colour(product)[0]
    services.update_variant(variant=variant, price_modifier="-15")
    product.refresh_from_db()

    with pytest.raises(ValidationError) as excinfo:
        services.update_product(product=product, title="Tee", price=Decimal("10.00"), kind="physical", stock=None)

    assert "“S / Red” would cost less than nothing" in field_error(excinfo, "price")
    product.refresh_from_db()
    assert product.price == Decimal("20.00")
    services.update_product(product=product, title="Tee", price=Decimal("15.00"), kind="physical", stock=None)
    product.refresh_from_db()
    assert (product.price, product.stock) == (Decimal("15.00"), 0)  # stock is counted per variant


def test_an_archived_variants_sku_can_be_given_to_its_successor():
    product = tee()
    size_by_colour(product)
    size = product.options.get(name="Size")
    services.update_variant(variant=product.variants.get(name="L / Red"), sku="TEE-L-RED")
    services.remove_option_value(value=size.values.get(value="L"))
    services.add_option_values(option=size, values=["L"])
    services.generate_variants(product=product)

    successor = product.variants.get(name="L / Red", archived_at__isnull=True)
    services.update_variant(variant=successor, sku="TEE-L-RED")

    assert Variant.objects.filter(sku="TEE-L-RED").count() == 2  # the archived one and its successor
    with pytest.raises(ValidationError):  # but two live ones may not share it
        services.update_variant(variant=product.variants.get(name="S / Red"), sku="tee-l-red")


def test_a_product_with_variants_keeps_no_stock_of_its_own():
    """Once stock is counted per variant, removing every variant must not put an old product
    count back on sale."""
    product = tee(stock=10)
    size_by_colour(product)
    product.refresh_from_db()
    assert (product.has_variants, product.stock) == (True, 0)

    services.remove_product_option(option=product.options.get(name="Colour"))

    product.refresh_from_db()
    assert (product.has_variants, product.stock, product.in_stock) == (False, 0, False)


def test_setting_the_count_it_already_has_records_nothing():
    variant = size_by_colour(tee())[0]
    services.manage_inventory(variant=variant, action="set", quantity=4)

    services.manage_inventory(variant=variant, action="set", quantity=4)

    assert list(variant.adjustments.values_list("delta", flat=True)) == [4]
