"""The product page of a product with variants: the option picker, the buy box it updates
(HTMX), what a `?variant=` link shows, access, and what it costs in queries."""

import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog import services
from shomp.catalog.models import Product, ProductOptionValue, Variant
from shomp.catalog.tests.factories import ProductFactory, ProductImageFactory
from shomp.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db

URL = "/shop/products/tee/"
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver" + URL}


def tee(sizes=("S", "M", "L"), colours=("Red", "Blue"), *, stock: int = 5, **fields) -> Product:
    """A T-shirt of the store "shop": every size × colour, `stock` each, base price 20.00."""
    if "store" not in fields:
        fields["store"] = StoreFactory(slug="shop", name="Shop")
    product = ProductFactory(title="Tee", slug="tee", price=Decimal("20.00"), **fields)
    services.add_product_option(product=product, name="Size", values=list(sizes))
    services.add_product_option(product=product, name="Colour", values=list(colours))
    services.generate_variants(product=product)
    Variant.objects.filter(product=product).update(inventory_count=stock)
    product.refresh_from_db()
    return product


def variant(product: Product, name: str) -> Variant:
    return Variant.objects.get(product=product, name=name)


def value_id(product: Product, text: str) -> int:
    return ProductOptionValue.objects.get(option__product=product, value=text).pk


class _TextOf(HTMLParser):
    VOID = {"input", "img", "br", "hr", "meta", "link", "source", "circle", "path"}

    def __init__(self, element_id: str):
        super().__init__()
        self.element_id, self.depth, self.found, self.parts = element_id, 0, False, []

    def handle_starttag(self, tag, attrs):
        if self.depth and tag not in self.VOID:
            self.depth += 1
        elif not self.found and dict(attrs).get("id") == self.element_id:
            self.found, self.depth = True, 1

    def handle_endtag(self, tag):
        if self.depth and tag not in self.VOID:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.parts.append(data)


def text_of(html: str, element_id: str) -> str:
    """The text of the element with `element_id`, tags stripped, spaces collapsed."""
    parser = _TextOf(element_id)
    parser.feed(html)
    assert parser.found, f"no #{element_id}"
    return " ".join(" ".join(parser.parts).split())


def add_to_cart_button(html: str) -> str:
    match = re.search(r'<button class="btn btn-primary btn-lg[^"]*" type="submit"[^>]*>', html)
    assert match, "no add-to-cart button"
    return match.group(0)


def picker_link(html: str, label: str) -> str:
    """The option button (a link) whose text, as a screen reader reads it, is `label`."""
    for match in re.finditer(r'<a [^>]*role="button"[^>]*>(.*?)</a>', html, re.S):
        text = re.sub(r"<[^>]+>", "", match.group(1)).replace("(not available)", "").strip()
        if text == label:
            return match.group(0)
    raise AssertionError(f"no option button {label!r}")


# What a link shows ------------------------------------------------------------------------------


def test_a_variant_link_shows_its_price_sku_and_stock(client):
    product = tee()
    chosen = variant(product, "M / Blue")
    services.update_variant(variant=chosen, price_modifier="3.50", sku="TEE-M-BLU")

    response = client.get(URL, {"variant": chosen.pk})

    html = response.text
    assert response.status_code == 200
    assert text_of(html, "product-price") == "$23.50"
    assert text_of(html, "product-sku") == "TEE-M-BLU"
    assert "In stock" in text_of(html, "product-availability")
    assert 'aria-pressed="true"' in picker_link(html, "M") and 'aria-pressed="true"' in picker_link(html, "Blue")
    assert 'aria-pressed="false"' in picker_link(html, "S")
    assert "disabled" not in add_to_cart_button(html)
    assert f'<input type="hidden" name="variant" value="{chosen.pk}">' in html
    assert 'max="5"' in html
    assert 'action="/cart/add/"' in html
    assert "Choose a size" not in html


def test_low_stock_says_only_n_left(client):
    product = tee(low_stock_threshold=3)
    chosen = variant(product, "S / Red")
    Variant.objects.filter(pk=chosen.pk).update(inventory_count=2)

    html = client.get(URL, {"variant": chosen.pk}).text

    assert "Only 2 left" in text_of(html, "product-availability")
    assert 'max="2"' in html


def test_a_sold_out_variant_says_sold_out_and_cannot_be_added(client):
    product = tee()
    chosen = variant(product, "L / Red")
    Variant.objects.filter(pk=chosen.pk).update(inventory_count=0)

    html = client.get(URL, {"variant": chosen.pk}).text

    assert text_of(html, "product-availability") == "Sold out"
    assert "disabled" in add_to_cart_button(html)
    assert "Sold out: choose another combination" in text_of(html, "buy-hint")
    # From another choice, the sold-out value is greyed out, but still a link to say so.
    html = client.get(URL, {"o": value_id(product, "Red")}).text
    large = picker_link(html, "L")
    assert "variant-unavailable" in large and f'href="{URL}?variant={chosen.pk}"' in large
    assert "(not available)" in html


def test_a_combination_that_does_not_exist_says_so(client):
    product = tee()
    services.update_variant(variant=variant(product, "S / Blue"), is_enabled=False)

    html = client.get(URL, {"o": [value_id(product, "S"), value_id(product, "Blue")]}).text

    assert text_of(html, "product-availability") == "This combination isn't available"
    assert "disabled" in add_to_cart_button(html)
    assert 'name="variant"' not in html


def test_add_to_cart_is_disabled_until_a_full_combination_is_chosen(client):
    product = tee()

    html = client.get(URL).text
    assert "disabled" in add_to_cart_button(html)
    assert text_of(html, "buy-hint") == "Choose a size and colour"
    assert 'name="variant"' not in html

    html = client.get(URL, {"o": value_id(product, "M")}).text
    assert "disabled" in add_to_cart_button(html)
    assert text_of(html, "buy-hint") == "Choose a colour"
    # The links of the other option make the full choice, as plain links (no JavaScript needed).
    red = picker_link(html, "Red")
    assert f'href="{URL}?variant={variant(product, "M / Red").pk}"' in red
    assert f'hx-get="{URL}?variant={variant(product, "M / Red").pk}"' in red


def test_colour_values_are_swatches_with_their_name(client):
    tee()

    html = client.get(URL).text

    red = picker_link(html, "Red")
    assert 'class="variant-swatch' in red
    assert 'fill="#ff0000"' in red
    assert 'title="Red"' in red and '<span class="visually-hidden">Red</span>' in red
    assert "style=" not in red  # the CSP allows no inline styles


def test_prices_that_differ_show_from_the_lowest_until_chosen(client):
    product = tee()
    services.set_option_value_modifier(
        value=ProductOptionValue.objects.get(pk=value_id(product, "L")), price_modifier="5"
    )

    assert text_of(client.get(URL).text, "product-price") == "From $20.00"
    assert text_of(client.get(URL, {"o": value_id(product, "L")}).text, "product-price") == "$25.00"


def test_the_chosen_variants_picture_is_the_one_shown(client):
    product = tee()
    first, second = ProductImageFactory(product=product), ProductImageFactory(product=product)
    services.update_variant(variant=variant(product, "M / Blue"), image_id=second.pk)

    html = client.get(URL, {"variant": variant(product, "M / Blue").pk}).text

    active = re.findall(r'<div class="carousel-item active"[^>]*><div class="ratio ratio-4x3"><img src="([^"]+)"', html)
    assert active == [second.image.url]
    plain = client.get(URL).text
    assert re.findall(r'<div class="carousel-item active"><div class="ratio ratio-4x3"><img src="([^"]+)"', plain) == [
        first.image.url
    ]


@pytest.mark.parametrize("query", ["variant=zzz", "variant=0", "variant=123456789", "o=abc", "variant=1e9"])
def test_garbage_in_the_url_shows_the_page_with_nothing_chosen(client, query):
    tee()

    response = client.get(f"{URL}?{query}")

    assert response.status_code == 200
    assert 'aria-pressed="true"' not in response.text
    assert "disabled" in add_to_cart_button(response.text)


def test_another_products_variant_id_is_ignored(client):
    product = tee()
    other = ProductFactory(store=product.store, slug="mug", title="Secret mug")
    services.add_product_option(product=other, name="Size", values=["One size"])
    services.generate_variants(product=other)
    services.update_variant(variant=other.variants.get(), sku="SECRET-SKU")

    html = client.get(URL, {"variant": other.variants.get().pk}).text

    assert "SECRET-SKU" not in html and "One size" not in html
    assert 'aria-pressed="true"' not in html


def test_a_numeric_product_address_keeps_the_choice(client):
    product = tee()
    chosen = variant(product, "S / Red")

    response = client.get(f"/shop/products/{product.pk}/", {"variant": chosen.pk})

    assert response.status_code == 302
    assert response["Location"] == f"{URL}?variant={chosen.pk}"


# HTMX ---------------------------------------------------------------------------------------


def test_picking_with_htmx_returns_only_the_buy_box_gallery_and_announcement(client):
    product = tee()
    chosen = variant(product, "M / Red")
    ProductImageFactory(product=product)

    response = client.get(URL, {"variant": chosen.pk}, **HTMX)

    html = response.text
    assert response.status_code == 200
    assert "<html" not in html and "About this item" not in html and "<nav" not in html
    assert html.lstrip().startswith('<div id="product-buy-box" data-shomp-protected>')
    assert '<div id="product-gallery-region" hx-swap-oob="true">' in html
    assert 'id="variant-announcer"' in html and 'hx-swap-oob="innerHTML"' in html
    assert "M / Red: $20.00. In stock." in html
    assert "HX-Request" in response["Vary"]
    # The links of the swapped fragment push the URL and target the buy box again.
    assert 'hx-target="#product-buy-box"' in html and 'hx-push-url="true"' in html


def test_the_full_page_never_carries_the_out_of_band_copies(client):
    tee()

    html = client.get(URL).text

    assert "hx-swap-oob" not in html
    assert html.count('id="product-buy-box"') == 1
    assert html.count('id="product-gallery-region"') == 1
    assert html.count('id="variant-announcer"') == 1


# Products without variants are as they were -------------------------------------------------------


def test_a_product_without_variants_has_no_picker(client):
    product = ProductFactory(store=StoreFactory(slug="shop"), slug="mug", price=Decimal("12.00"), stock=4)

    html = client.get(product.get_absolute_url()).text

    assert "variant-picker" not in html and 'name="variant"' not in html and "variant-announcer" not in html
    assert text_of(html, "product-price") == "$12.00"
    assert "Only 4 left" in html
    assert "disabled" not in add_to_cart_button(html)
    assert 'max="4"' in html


def test_options_without_generated_variants_change_nothing(client):
    product = ProductFactory(store=StoreFactory(slug="shop"), slug="mug", stock=4)
    services.add_product_option(product=product, name="Size", values=["S", "M"])

    html = client.get(product.get_absolute_url()).text

    assert "variant-picker" not in html
    assert "disabled" not in add_to_cart_button(html)


# Access ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "stranger", "other_owner"])
def test_a_draft_with_variants_is_404_for_anyone_but_its_store(client, who):
    product = tee(status=Product.Status.DRAFT)
    chosen = variant(product, "S / Red")
    if who == "stranger":
        client.force_login(UserFactory())
    elif who == "other_owner":
        client.force_login(StoreFactory().owner)

    assert client.get(URL, {"variant": chosen.pk}).status_code == 404
    assert client.get(URL, {"variant": chosen.pk}, **HTMX).status_code == 404


def test_the_owner_sees_the_draft_with_its_picker_and_no_add_to_cart(client):
    product = tee(status=Product.Status.DRAFT)
    client.force_login(product.store.owner)

    html = client.get(URL, {"variant": variant(product, "S / Red").pk}).text

    assert "variant-picker" in html
    assert "Add to cart" not in html


# Query budgets -----------------------------------------------------------------------------------

# store, product (with its rating row), images; options with their values, live variants, their
# values; the store's published design (themes)
# + running promotions covering the product (one query), + the next promotion start or end (the
# shared page cache's key, on a miss)
PRODUCT_PAGE_QUERIES = 9


def big_tee(count: int) -> Product:
    """`count` variants: 1 × 1, or 20 sizes × 10 colours for 200."""
    if count == 1:
        return tee(sizes=["M"], colours=["Red"])
    return tee(sizes=[f"EU {n}" for n in range(20)], colours=[f"Shade {n}" for n in range(10)])


@pytest.mark.parametrize("count", [1, 200])
@pytest.mark.parametrize("selection", ["none", "variant", "partial"])
def test_product_page_query_budget(client, django_assert_max_num_queries, count, selection):
    product = big_tee(count)
    ProductImageFactory.create_batch(3, product=product)
    assert product.variants.count() == count
    last = product.variants.order_by("-position").first()
    params = {"none": {}, "variant": {"variant": last.pk}, "partial": {"o": last.options.first().value_id}}[selection]

    with django_assert_max_num_queries(PRODUCT_PAGE_QUERIES):
        response = client.get(URL, params)
    with django_assert_max_num_queries(PRODUCT_PAGE_QUERIES):
        fragment = client.get(URL, params, **HTMX)

    assert response.status_code == fragment.status_code == 200
    assert response.text.count('role="button"') >= (2 if count == 1 else 30)


# Listings: "From $X" at no extra query ---------------------------------------------------------


def test_cards_say_from_the_lowest_price_when_variant_prices_differ(client):
    store = StoreFactory(slug="shop")
    product = tee(store=store)
    services.update_variant(variant=variant(product, "S / Red"), price_modifier="-5.00")
    services.update_variant(variant=variant(product, "L / Blue"), is_enabled=False, price_modifier="-9.00")
    same = ProductFactory(store=store, title="Cap", slug="cap", price=Decimal("8.00"))
    services.add_product_option(product=same, name="Size", values=["One size"])
    services.generate_variants(product=same)
    services.update_variant(variant=same.variants.get(), price_modifier="2.00", inventory_count=0)

    for url in ("/shop/", "/", "/search/"):
        html = client.get(url).text
        tee_card = re.search(r'href="/shop/products/tee/">Tee</a>.*?</article>', html, re.S).group(0)
        cap_card = re.search(r'href="/shop/products/cap/">Cap</a>.*?</article>', html, re.S).group(0)
        assert re.search(r"From</span> \$15\.00", tee_card), url
        assert "Sold out" not in tee_card
        assert "From" not in cap_card and "$10.00" in cap_card and "Sold out" in cap_card


@pytest.mark.parametrize("size", [1, 30])
def test_listing_budgets_stay_flat_with_variant_products(client, django_assert_max_num_queries, size):
    store = StoreFactory(slug="shop")
    for number in range(size):
        product = ProductFactory(store=store, title=f"Tee {number}", slug=f"tee-{number}")
        ProductImageFactory(product=product)
        services.add_product_option(product=product, name="Size", values=["S", "M"])
        services.generate_variants(product=product)

    # store, count, products, images, reply time, design (themes), + cards' prices: variants, promotions,
    # + the next promotion start or end (the shared page cache's key, on a miss) on each page
    with django_assert_max_num_queries(9):
        client.get("/shop/")
    # the front page's sections (test_home.py counts them) + cards' prices: variants, promotions
    with django_assert_max_num_queries(9):
        client.get("/")
    with django_assert_max_num_queries(
        9
    ):  # count, products, images; categories, their and stores' counts; + prices (2)
        client.get("/search/", {"q": "tee"})


def test_every_variant_sold_out_says_sold_out(client):
    product = tee(stock=0)

    html = client.get(URL).text

    assert text_of(html, "product-availability") == "Sold out"
    assert text_of(html, "buy-hint") == "Sold out"
    assert "disabled" in add_to_cart_button(html)
    assert product.variants.count() == 6


def test_option_values_may_contain_a_slash_everywhere(client):
    """ "S/M" is a size: it is accepted, makes its own combinations, is picked by the buyer and
    bought (URLs carry value ids; the combination keys don't use "/")."""
    product = tee(sizes=("S/M", "L/XL"), colours=("Red",))
    chosen = variant(product, "S/M / Red")
    assert set(Variant.objects.filter(product=product).values_list("name", flat=True)) == {"S/M / Red", "L/XL / Red"}

    response = client.get(f"{URL}?o={value_id(product, 'S/M')}&o={value_id(product, 'Red')}")
    assert response.status_code == 200
    assert "S/M" in response.text
    assert f'name="variant" value="{chosen.pk}"' in response.text

    client.force_login(UserFactory())
    client.post("/cart/add/", {"product": product.pk, "variant": chosen.pk, "quantity": "1"})
    assert "S/M / Red" in client.get("/cart/").text
