"""The buyer's option picker (selectors.variant_picker): what is selected, what can be bought,
where each value's link goes, and that a bad selection is ignored."""

from decimal import Decimal

import pytest
from django.http import QueryDict

from shomp.catalog import services
from shomp.catalog.models import Product, ProductOptionValue, Variant
from shomp.catalog.selectors.variant_picker import (
    CHOOSE,
    IN_STOCK,
    LOW,
    OUT,
    UNAVAILABLE,
    build_variant_picker,
)
from shomp.catalog.tests.factories import ProductFactory, ProductImageFactory

pytestmark = pytest.mark.django_db


def tee(**fields) -> Product:
    """A T-shirt in S, M, L × Red, Blue: six variants with 5 in stock each, base price 20.00."""
    product = ProductFactory(title="Tee", slug="tee", price=Decimal("20.00"), store__slug="shop", **fields)
    services.add_product_option(product=product, name="Size", values=["S", "M", "L"])
    services.add_product_option(product=product, name="Colour", values=["Red", "Blue"])
    services.generate_variants(product=product)
    Variant.objects.filter(product=product).update(inventory_count=5)
    product.refresh_from_db()
    return product


def value(product: Product, text: str) -> ProductOptionValue:
    return ProductOptionValue.objects.get(option__product=product, value=text)


def variant(product: Product, name: str) -> Variant:
    return Variant.objects.get(product=product, name=name, archived_at__isnull=True)


def pick(product: Product, query: str = ""):
    return build_variant_picker(product=Product.objects.get(pk=product.pk), params=QueryDict(query))


def buttons(picker, option_name: str) -> dict[str, object]:
    option = next(option for option in picker.options if option.name == option_name)
    return {v.value: v for v in option.values}


def availability(picker, option_name: str) -> dict[str, bool]:
    return {name: button.available for name, button in buttons(picker, option_name).items()}


# Nothing chosen yet --------------------------------------------------------------------------


def test_without_a_selection_every_value_is_offered_in_order_and_nothing_is_chosen():
    product = tee()

    picker = pick(product)

    assert [option.name for option in picker.options] == ["Size", "Colour"]
    assert list(buttons(picker, "Size")) == ["S", "M", "L"]
    assert availability(picker, "Colour") == {"Red": True, "Blue": True}
    assert not any(button.selected for option in picker.options for button in option.values)
    assert picker.variant is None
    assert picker.status == CHOOSE
    assert picker.hint == "Choose a size and colour"
    assert not picker.can_buy
    assert picker.price == Decimal("20.00")
    assert not picker.price_is_from
    assert picker.url == "/shop/products/tee/"


def test_a_colour_option_has_swatches():
    picker = pick(tee())

    colour = next(option for option in picker.options if option.name == "Colour")
    assert colour.is_colour and colour.has_swatches
    assert [v.swatch for v in colour.values] == ["#ff0000", "#0000ff"]
    assert not next(option for option in picker.options if option.name == "Size").has_swatches


def test_links_keep_the_other_choice_and_name_the_variant_once_it_is_complete():
    product = tee()
    red, blue, m = value(product, "Red"), value(product, "Blue"), value(product, "M")

    picker = pick(product, f"o={red.pk}")

    assert buttons(picker, "Colour")["Red"].selected
    assert picker.missing == ["Size"] and picker.hint == "Choose a size"
    # Picking M with Red chosen makes a full, existing variant: its address.
    assert buttons(picker, "Size")["M"].url == f"/shop/products/tee/?variant={variant(product, 'M / Red').pk}"
    # Switching colour keeps the selection partial: both chosen values are kept.
    assert buttons(picker, "Colour")["Blue"].url == f"/shop/products/tee/?o={blue.pk}"
    assert buttons(picker, "Colour")["Red"].url == f"/shop/products/tee/?o={red.pk}"
    # From a partial size choice, the colour links keep the size.
    picker = pick(product, f"o={m.pk}")
    assert buttons(picker, "Colour")["Blue"].url == f"/shop/products/tee/?variant={variant(product, 'M / Blue').pk}"


# A full choice ---------------------------------------------------------------------------------


def test_a_variant_in_the_url_selects_its_values_with_price_sku_and_image():
    product = tee()
    image = ProductImageFactory(product=product)
    ProductImageFactory(product=product)
    chosen = variant(product, "L / Blue")
    services.update_variant(variant=chosen, price_modifier="4.50", sku="TEE-L-BLU", image_id=image.pk)

    picker = pick(product, f"variant={chosen.pk}")

    assert picker.variant == chosen
    assert buttons(picker, "Size")["L"].selected and buttons(picker, "Colour")["Blue"].selected
    assert picker.price == Decimal("24.50")
    assert picker.variant.sku == "TEE-L-BLU"
    assert picker.image == image
    assert picker.status == IN_STOCK and picker.can_buy
    assert picker.available_count == 5
    assert picker.summary == "L / Blue"
    assert picker.url == f"/shop/products/tee/?variant={chosen.pk}"
    # The selected value's link stays on the same choice.
    assert buttons(picker, "Size")["L"].url == picker.url


def test_a_full_choice_by_values_finds_its_variant():
    product = tee()

    picker = pick(product, f"o={value(product, 'S').pk}&o={value(product, 'Red').pk}")

    assert picker.variant == variant(product, "S / Red")
    assert picker.url == f"/shop/products/tee/?variant={picker.variant.pk}"


def test_at_or_below_the_low_stock_threshold_it_says_only_n_left():
    product = tee(low_stock_threshold=3)
    chosen = variant(product, "M / Red")
    Variant.objects.filter(pk=chosen.pk).update(inventory_count=3)

    picker = pick(product, f"variant={chosen.pk}")

    assert picker.status == LOW and picker.available_count == 3 and picker.can_buy
    Variant.objects.filter(pk=chosen.pk).update(inventory_count=4)
    assert pick(product, f"variant={chosen.pk}").status == IN_STOCK


# Greying out -------------------------------------------------------------------------------------


def test_sold_out_combinations_are_greyed_out_with_the_other_choice():
    product = tee()
    Variant.objects.filter(pk=variant(product, "M / Red").pk).update(inventory_count=0)

    # Red chosen: M is greyed (its only Red variant is sold out); S and L are fine.
    picker = pick(product, f"o={value(product, 'Red').pk}")
    assert availability(picker, "Size") == {"S": True, "M": False, "L": True}
    # The other option's values are judged with the size (none chosen): all available.
    assert availability(picker, "Colour") == {"Red": True, "Blue": True}
    # Blue chosen: M is available again.
    assert availability(pick(product, f"o={value(product, 'Blue').pk}"), "Size") == {"S": True, "M": True, "L": True}


def test_a_sold_out_variant_is_shown_sold_out_and_cannot_be_bought():
    product = tee()
    sold_out = variant(product, "M / Red")
    Variant.objects.filter(pk=sold_out.pk).update(inventory_count=0)

    picker = pick(product, f"variant={sold_out.pk}")

    assert picker.variant == sold_out
    assert picker.status == OUT
    assert not picker.can_buy
    # Its own values are greyed against each other, and the link still opens it (to say "Sold out").
    assert not buttons(picker, "Size")["M"].available
    assert not buttons(picker, "Colour")["Red"].available
    assert buttons(picker, "Size")["M"].url == picker.url


def test_a_value_sold_out_everywhere_is_greyed_without_a_selection():
    product = tee()
    Variant.objects.filter(product=product, name__startswith="L /").update(inventory_count=0)

    picker = pick(product)

    assert availability(picker, "Size") == {"S": True, "M": True, "L": False}


def test_a_combination_that_does_not_exist_is_greyed_and_unavailable():
    product = tee()
    missing = variant(product, "S / Blue")
    services.remove_option_value(value=value(product, "S"))  # archives S / Red and S / Blue
    services.add_option_values(option=product.options.get(name="Size"), values=["S"])
    services.create_variant(product=product, options={"Size": "S", "Colour": "Red"}, inventory_count=2)
    s = value(product, "S")

    picker = pick(product, f"o={value(product, 'Blue').pk}")
    assert availability(picker, "Size") == {"M": True, "L": True, "S": False}
    # Its link is a partial selection (no variant to name), and the page says it isn't available.
    assert buttons(picker, "Size")["S"].url == f"/shop/products/tee/?o={s.pk}&o={value(product, 'Blue').pk}"
    picker = pick(product, f"o={s.pk}&o={value(product, 'Blue').pk}")
    assert picker.variant is None
    assert picker.status == UNAVAILABLE
    assert not picker.can_buy
    assert not picker.missing
    # The archived variant is not offered by its old id either.
    assert pick(product, f"variant={missing.pk}").variant is None


def test_disabled_variants_are_greyed_and_their_id_is_ignored():
    product = tee()
    disabled = variant(product, "L / Red")
    services.update_variant(variant=disabled, is_enabled=False)

    picker = pick(product, f"o={value(product, 'L').pk}")
    assert availability(picker, "Colour") == {"Red": False, "Blue": True}
    assert buttons(picker, "Colour")["Red"].url.endswith(f"?o={value(product, 'L').pk}&o={value(product, 'Red').pk}")

    picker = pick(product, f"variant={disabled.pk}")
    assert picker.variant is None
    assert not any(button.selected for option in picker.options for button in option.values)


def test_untracked_inventory_is_never_sold_out():
    product = tee(track_inventory=False)
    Variant.objects.filter(product=product).update(inventory_count=0)
    chosen = variant(product, "M / Red")

    picker = pick(product, f"variant={chosen.pk}")

    assert picker.status == IN_STOCK and picker.can_buy
    assert picker.available_count is None
    assert all(button.available for option in picker.options for button in option.values)


def test_digital_products_never_run_out():
    product = tee(kind=Product.Kind.DIGITAL, stock=None)
    Variant.objects.filter(product=product).update(inventory_count=0)

    picker = pick(product, f"variant={variant(product, 'S / Red').pk}")

    assert picker.can_buy and picker.available_count is None


def test_everything_matching_a_partial_choice_sold_out_says_sold_out():
    product = tee()
    Variant.objects.filter(product=product, name__endswith="/ Red").update(inventory_count=0)

    picker = pick(product, f"o={value(product, 'Red').pk}")

    assert picker.status == OUT
    assert availability(picker, "Size") == {"S": False, "M": False, "L": False}


# Prices and pictures of a partial choice --------------------------------------------------------


def test_a_partial_choice_shows_the_lowest_price_of_its_variants_as_from():
    product = tee()
    services.set_option_value_modifier(value=value(product, "L"), price_modifier="4.00")
    services.update_variant(variant=variant(product, "S / Blue"), price_modifier="-2.00")

    everything = pick(product)
    assert (everything.price, everything.price_is_from) == (Decimal("18.00"), True)
    large = pick(product, f"o={value(product, 'L').pk}")
    assert (large.price, large.price_is_from) == (Decimal("24.00"), False)
    small = pick(product, f"o={value(product, 'S').pk}")
    assert (small.price, small.price_is_from) == (Decimal("18.00"), True)


def test_a_partial_choice_shows_the_picture_its_variants_share():
    product = tee()
    red_photo, blue_photo = ProductImageFactory(product=product), ProductImageFactory(product=product)
    for item in Variant.objects.filter(product=product):
        services.update_variant(variant=item, image_id=(red_photo if item.name.endswith("Red") else blue_photo).pk)

    assert pick(product, f"o={value(product, 'Blue').pk}").image == blue_photo
    assert pick(product, f"o={value(product, 'M').pk}").image is None  # M comes in both colours
    assert pick(product).image is None


# Bad selections are ignored ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["variant=abc", "variant=-1", "variant=99999999", "variant=", "variant=१२", "o=x&o=9999"]
)
def test_garbage_selects_nothing(query):
    product = tee()

    picker = pick(product, query)

    assert picker.variant is None
    assert not any(button.selected for option in picker.options for button in option.values)
    assert picker.status == CHOOSE


def test_a_variant_or_value_of_another_product_selects_nothing():
    product = tee()
    other = ProductFactory(store=product.store, slug="mug")
    services.add_product_option(product=other, name="Size", values=["S", "M"])
    services.generate_variants(product=other)
    foreign = other.variants.first()

    picker = pick(product, f"variant={foreign.pk}")
    assert picker.variant is None
    picker = pick(product, f"o={foreign.options.get().value_id}")
    assert not any(button.selected for option in picker.options for button in option.values)


def test_one_value_per_option_the_first_wins():
    product = tee()

    picker = pick(product, f"o={value(product, 'S').pk}&o={value(product, 'L').pk}")

    assert [name for name, button in buttons(picker, "Size").items() if button.selected] == ["S"]


def test_every_variant_disabled_is_sold_out_without_an_error():
    product = tee()
    Variant.objects.filter(product=product).update(is_enabled=False)

    picker = pick(product)

    assert picker.status == OUT and not picker.can_buy
    assert not any(button.available for option in picker.options for button in option.values)
    assert pick(product, f"o={value(product, 'S').pk}").status == UNAVAILABLE
