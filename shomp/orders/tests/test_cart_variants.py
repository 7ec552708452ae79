"""The cart with variants: one line per chosen version, each refusal of issue 3 with its message
and nothing changed, quantities capped by the variant's stock, the merge at login, and the
cart and checkout pages within the same query budget for 1 and 50 variant lines."""

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog import services as catalog_services
from shomp.catalog.models import Product, Variant
from shomp.catalog.tests.factories import ProductFactory, ProductImageFactory
from shomp.orders import services
from shomp.orders.models import Cart, CartItem
from shomp.stores.tests.factories import StoreFactory

from .factories import CartFactory, CartItemFactory, product_with_variants, variant_of

pytestmark = pytest.mark.django_db

CART = reverse("orders:cart")
ADD = reverse("orders:cart_add")
CHECKOUT = reverse("orders:checkout")
HTMX = {"HTTP_HX_REQUEST": "true"}
UNAVAILABLE = "That option isn't available for this product."

# The cart's budget (test_queries.CART_BUDGET) plus one query for the variants' options.
CART_VARIANT_BUDGET = 10  # + the running promotions of the lines (one query), the saved addresses


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def lines(user=None, *, cart=None) -> dict[tuple[str, str], int]:
    """{(product title, variant name or ""): quantity} of a user's (or a given) cart."""
    items = CartItem.objects.filter(cart=cart) if cart else CartItem.objects.filter(cart__user=user)
    return {
        (i.product.title, i.variant.name if i.variant else ""): i.quantity
        for i in items.select_related("product", "variant")
    }


@pytest.fixture
def tee():
    """A $20.00 tee in Size S, M × Colour Red, Blue; 3 of each; M / Red costs $2.50 more."""
    product = product_with_variants(title="Tee", price="20.00", inventory=3)
    catalog_services.update_variant(variant=variant_of(product, "M / Red"), price_modifier="2.50")
    return product


def add(client, product, variant=None, quantity=1, **extra):
    data = {"product": product.pk, "quantity": quantity}
    if variant is not None:
        data["variant"] = variant if isinstance(variant, str | int) else variant.pk
    return client.post(ADD, data, **extra)


# Adding ----------------------------------------------------------------------------------


def test_add_a_variant_shows_its_options_and_price(buyer_client, buyer, tee):
    red = variant_of(tee, "M / Red")
    response = add(buyer_client, tee, red, 2)
    assert response.status_code == 302 and response.url == f"{tee.get_absolute_url()}?variant={red.pk}"
    assert messages_of(response) == ['Added “Tee — M / Red” to your cart. <a href="/cart/">View cart</a>']
    assert lines(buyer) == {("Tee", "M / Red"): 2}

    page = buyer_client.get(CART).content.decode()
    assert "Size: M · Colour: Red" in page
    assert "$22.50 each" in page
    assert '<span id="cart-total">$45.00</span>' in page
    assert f"{tee.get_absolute_url()}?variant={red.pk}" in page  # the line opens the same choice
    summary = buyer_client.get(CHECKOUT).content.decode()
    assert "Size: M · Colour: Red" in summary and "$45.00" in summary


def test_one_line_per_variant(buyer_client, buyer, tee):
    red, blue = variant_of(tee, "M / Red"), variant_of(tee, "M / Blue")
    for variant, quantity in [(red, 1), (blue, 2), (red, 1)]:
        add(buyer_client, tee, variant, quantity)
    assert lines(buyer) == {("Tee", "M / Red"): 2, ("Tee", "M / Blue"): 2}
    page = buyer_client.get(CART).content.decode()
    assert '<span id="cart-count">4</span>' in page
    assert '<span id="cart-total">$85.00</span>' in page  # 2 x 22.50 + 2 x 20.00


def test_the_variants_image_is_the_lines_picture(buyer_client, tee):
    image = ProductImageFactory(product=tee, thumbnail="products/thumbs/red-tee.jpg")
    catalog_services.update_variant(variant=variant_of(tee, "M / Red"), image_id=image.pk)
    add(buyer_client, tee, variant_of(tee, "M / Red"))
    assert "products/thumbs/red-tee.jpg" in buyer_client.get(CART).content.decode()


def test_a_product_with_variants_needs_a_choice(buyer_client, buyer, tee):
    response = add(buyer_client, tee, quantity=1)
    assert response.status_code == 302 and response.url == tee.get_absolute_url()
    assert messages_of(response) == ["Choose an option first: Size and Colour."]
    assert not CartItem.objects.exists()


def test_the_choice_names_every_option():
    product = product_with_variants(options={"Size": ["S"], "Colour": ["Red"], "Sleeve": ["Long"]})
    with pytest.raises(ValidationError) as refused:
        services.add_to_cart(cart=CartFactory(), product=product)
    assert refused.value.message_dict == {"variant": ["Choose an option first: Size, Colour and Sleeve."]}
    assert not CartItem.objects.exists()


def bad_variants(tee) -> dict[str, Variant]:
    """Each way a posted variant id can be wrong for the tee."""
    same_store = product_with_variants(title="Hoodie", store=tee.store)
    other_store = product_with_variants(title="Cap", store=StoreFactory())
    archived, disabled = variant_of(tee, "S / Red"), variant_of(tee, "S / Blue")
    Variant.objects.filter(pk=archived.pk).update(archived_at=timezone.now(), is_enabled=False)
    catalog_services.update_variant(variant=disabled, is_enabled=False)
    return {
        "another product": variant_of(same_store, "M / Red"),
        "another store": variant_of(other_store, "M / Red"),
        "archived": archived,
        "disabled": disabled,
    }


@pytest.mark.parametrize("case", ["another product", "another store", "archived", "disabled"])
def test_a_variant_that_isnt_this_products_is_refused(buyer_client, buyer, tee, case):
    variant = bad_variants(tee)[case]
    CartItemFactory(cart=CartFactory(user=buyer), product=tee, variant=variant_of(tee, "M / Blue"))
    before = lines(buyer)

    response = add(buyer_client, tee, variant, 1)

    assert response.status_code == 302
    assert response.url == tee.get_absolute_url()  # back to the product page, not to a foreign choice
    assert messages_of(response) == [UNAVAILABLE]
    assert lines(buyer) == before
    with pytest.raises(ValidationError) as refused:  # and the service on its own
        services.add_to_cart(cart=buyer.cart, product=tee, variant=Variant.objects.get(pk=variant.pk))
    assert refused.value.message_dict == {"variant": [UNAVAILABLE]}
    assert lines(buyer) == before


@pytest.mark.parametrize("posted", ["999999", "abc", "0", "-4", "1" * 30])
def test_a_variant_id_that_is_no_variant_is_refused(buyer_client, tee, posted):
    response = add(buyer_client, tee, posted, 1, HTTP_REFERER=f"http://testserver{tee.get_absolute_url()}")
    assert response.status_code == 302 and response.url.endswith(tee.get_absolute_url())
    assert messages_of(response) == [UNAVAILABLE]
    assert not CartItem.objects.exists()


def test_a_variant_for_a_product_without_variants_is_refused(buyer_client, tee):
    mug = ProductFactory(title="Mug", store=tee.store)
    response = add(buyer_client, mug, variant_of(tee, "M / Red"), 1)
    assert messages_of(response) == [UNAVAILABLE]
    assert not CartItem.objects.exists()


def test_a_variant_whose_values_were_removed_is_refused(buyer_client, tee):
    red = variant_of(tee, "M / Red")
    catalog_services.remove_option_value(value=tee.options.get(name="Colour").values.get(value="Red"))
    response = add(buyer_client, tee, red, 1)
    assert messages_of(response) == [UNAVAILABLE]
    assert not CartItem.objects.exists()


def test_more_than_the_variants_stock_is_refused(buyer_client, buyer, tee):
    red = variant_of(tee, "M / Red")
    response = add(buyer_client, tee, red, 4)
    assert messages_of(response) == ["Only 3 of “Tee — M / Red” left in stock."]
    assert response.url == f"{tee.get_absolute_url()}?variant={red.pk}"  # the same choice, picked again
    assert lines(buyer) == {}

    add(buyer_client, tee, red, 2)
    response = add(buyer_client, tee, red, 2)  # 2 + 2 > 3
    assert messages_of(response)[-1] == "Only 3 of “Tee — M / Red” left in stock."
    assert lines(buyer) == {("Tee", "M / Red"): 2}


def test_a_sold_out_variant_cannot_be_added(buyer_client, buyer, tee):
    catalog_services.manage_inventory(variant=variant_of(tee, "S / Red"), action="set", quantity=0)
    response = add(buyer_client, tee, variant_of(tee, "S / Red"), 1)
    assert messages_of(response) == ["“Tee — S / Red” is sold out."]
    assert lines(buyer) == {}


def test_the_products_own_stock_does_not_count_for_a_variant(buyer_client, buyer):
    tee = product_with_variants(title="Tee", stock=0, inventory=4)
    add(buyer_client, tee, variant_of(tee, "S / Red"), 4)
    assert lines(buyer) == {("Tee", "S / Red"): 4}


def test_untracked_inventory_has_no_stock_cap(buyer_client, buyer):
    tee = product_with_variants(title="Made to order", inventory=0)
    catalog_services.set_inventory_settings(product=tee, track_inventory=False, low_stock_threshold=3)
    response = add(buyer_client, tee, variant_of(tee, "S / Red"), 40)
    assert messages_of(response) == ['Added “Made to order — S / Red” to your cart. <a href="/cart/">View cart</a>']
    add(buyer_client, tee, variant_of(tee, "S / Red"), 40)
    assert lines(buyer) == {("Made to order", "S / Red"): 80}


def test_an_anonymous_visitor_adds_a_variant(client, tee):
    add(client, tee, variant_of(tee, "S / Blue"), 2)
    assert "Size: S · Colour: Blue" in client.get(CART).content.decode()
    assert lines(cart=Cart.objects.get(user=None)) == {("Tee", "S / Blue"): 2}


# Changing ----------------------------------------------------------------------------------


@pytest.fixture
def red_line(buyer, tee):
    return CartItemFactory(cart=CartFactory(user=buyer), product=tee, variant=variant_of(tee, "M / Red"), quantity=1)


def update(client, item, quantity, **headers):
    return client.post(reverse("orders:cart_update", kwargs={"item_id": item.pk}), {"quantity": quantity}, **headers)


def test_change_a_variant_lines_quantity(buyer_client, red_line):
    page = update(buyer_client, red_line, "3", **HTMX).content.decode()
    assert '<span id="cart-total">$67.50</span>' in page and "Size: M · Colour: Red" in page
    red_line.refresh_from_db()
    assert red_line.quantity == 3


def test_a_variant_line_is_capped_by_its_stock(buyer_client, red_line):
    page = update(buyer_client, red_line, "4", **HTMX).content.decode()
    assert "Only 3 of “Tee — M / Red” left in stock." in page
    assert 'class="invalid-feedback d-block" role="alert"' in page
    red_line.refresh_from_db()
    assert red_line.quantity == 1


def test_a_line_whose_variant_was_disabled_says_so_and_can_only_be_removed(buyer_client, buyer, red_line):
    catalog_services.update_variant(variant=red_line.variant, is_enabled=False)
    assert "This option is no longer available: remove it from your cart." in buyer_client.get(CART).content.decode()
    page = update(buyer_client, red_line, "2", **HTMX).content.decode()
    assert escape(UNAVAILABLE) in page
    red_line.refresh_from_db()
    assert red_line.quantity == 1
    buyer_client.post(reverse("orders:cart_update", kwargs={"item_id": red_line.pk}), {"remove": "1"})
    assert lines(buyer) == {}


def test_a_line_above_the_variants_stock_since_says_so(buyer_client, red_line):
    CartItem.objects.filter(pk=red_line.pk).update(quantity=3)
    catalog_services.manage_inventory(variant=red_line.variant, action="set", quantity=2)
    assert "Only 2 left: lower the quantity." in buyer_client.get(CART).content.decode()
    catalog_services.manage_inventory(variant=red_line.variant, action="set", quantity=0)
    assert "Sold out: remove it from your cart." in buyer_client.get(CART).content.decode()


def test_a_line_from_before_the_product_had_variants_asks_for_a_choice(buyer_client, buyer):
    mug = ProductFactory(title="Mug", stock=None)
    line = CartItemFactory(cart=CartFactory(user=buyer), product=mug)
    catalog_services.add_product_option(product=mug, name="Glaze", values=["Blue", "White"])
    catalog_services.generate_variants(product=mug)
    assert "Choose an option on the product page" in buyer_client.get(CART).content.decode()
    assert "Choose an option first: Glaze." in update(buyer_client, line, "2", **HTMX).content.decode()
    line.refresh_from_db()
    assert line.quantity == 1


# The anonymous cart at login ---------------------------------------------------------------


def test_merge_by_product_and_variant_capped_by_the_variants_stock(tee):
    user = UserFactory()
    red, blue, small = variant_of(tee, "M / Red"), variant_of(tee, "M / Blue"), variant_of(tee, "S / Red")
    mine = CartFactory(user=user)
    CartItemFactory(cart=mine, product=tee, variant=red, quantity=2)
    CartItemFactory(cart=mine, product=tee, variant=blue, quantity=1)
    anonymous = CartFactory(user=None)
    CartItemFactory(cart=anonymous, product=tee, variant=red, quantity=2)  # 2 + 2, 3 in stock
    CartItemFactory(cart=anonymous, product=tee, variant=small, quantity=1)  # new line
    gone = variant_of(tee, "S / Blue")
    CartItemFactory(cart=anonymous, product=tee, variant=gone, quantity=1)
    catalog_services.update_variant(variant=gone, is_enabled=False)  # dropped

    services.merge_carts(user=user, anonymous_cart_id=anonymous.pk)

    assert lines(user) == {("Tee", "M / Red"): 3, ("Tee", "M / Blue"): 1, ("Tee", "S / Red"): 1}
    assert not Cart.objects.filter(pk=anonymous.pk).exists()


def test_merge_keeps_untracked_variants_uncapped_and_drops_sold_out_ones(tee):
    user = UserFactory()
    made = product_with_variants(title="Made to order", inventory=0)
    catalog_services.set_inventory_settings(product=made, track_inventory=False, low_stock_threshold=0)
    catalog_services.manage_inventory(variant=variant_of(tee, "S / Red"), action="set", quantity=0)
    mine = CartFactory(user=user)
    CartItemFactory(cart=mine, product=made, variant=variant_of(made, "S / Red"), quantity=5)
    anonymous = CartFactory(user=None)
    CartItemFactory(cart=anonymous, product=made, variant=variant_of(made, "S / Red"), quantity=7)
    CartItemFactory(cart=anonymous, product=tee, variant=variant_of(tee, "S / Red"), quantity=1)
    CartItemFactory(cart=anonymous, product=tee, quantity=1)  # no choice, for a product with variants

    services.merge_carts(user=user, anonymous_cart_id=anonymous.pk)

    assert lines(user) == {("Made to order", "S / Red"): 12}


# Query budgets -----------------------------------------------------------------------------


def fill_variant_cart(user, lines: int) -> None:
    """`lines` variant lines across up to 10 stores and several products, some with an image."""
    cart = CartFactory(user=user)
    stores = [StoreFactory() for _ in range(min(lines, 10))]
    sizes = ["XS", "S", "M", "L", "XL"]
    for n in range(0, lines, 5):
        product = product_with_variants(
            store=stores[(n // 5) % len(stores)], options={"Size": sizes, "Colour": ["Red"]}, inventory=9
        )
        if n % 2:
            ProductImageFactory(product=product)
        for index, variant in enumerate(product.variants.order_by("pk")[: min(5, lines - n)]):
            CartItemFactory(cart=cart, product=product, variant=variant, quantity=1 + index % 3)


@pytest.mark.parametrize("count", [1, 50])
def test_cart_and_checkout_budgets_with_variant_lines(client, django_assert_max_num_queries, count):
    user = UserFactory()
    fill_variant_cart(user, count)
    client.force_login(user)
    with django_assert_max_num_queries(CART_VARIANT_BUDGET):
        page = client.get(CART).content.decode()
    assert page.count('class="list-group-item"') == count
    assert page.count("Colour: Red") == count
    with django_assert_max_num_queries(CART_VARIANT_BUDGET):
        assert client.get(CHECKOUT).content.decode().count("Colour: Red") == count


def test_draft_product_with_variants_is_not_found(buyer_client):
    tee = product_with_variants(status=Product.Status.DRAFT)
    response = add(buyer_client, tee, tee.variants.first(), 1)
    assert response.status_code == 404
    assert not CartItem.objects.exists()
