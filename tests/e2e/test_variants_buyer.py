"""A buyer picks a size and colour on the product page, without a reload, and buys that variant."""

import re

from shomp.catalog import services as catalog_services
from shomp.catalog.models import Product, ProductOptionValue, Variant

from . import builders
from .helpers import (
    assert_no_page_errors,
    assert_same_page,
    expect,
    fill_card,
    fill_shipping,
    horizontal_overflow,
    login,
    mark_page,
    screenshot,
    wait_for_socket,
)


def hoodie() -> tuple[Product, dict[str, Variant]]:
    """A hoodie in S, M, L × Red, Blue (5 each; S / Blue sold out), Blue +4.00, L +6.00 of its own;
    Blue variants show the second picture (blue), Red ones the third (pink)."""
    shop = builders.store(name="Thread Bare", slug="thread-bare")
    product = builders.product(shop, "Cloud Hoodie", price="40.00", images=3)
    catalog_services.add_product_option(product=product, name="Size", values=["S", "M", "L"])
    catalog_services.add_product_option(product=product, name="Colour", values=["Red", "Blue"])
    catalog_services.generate_variants(product=product)
    blue = ProductOptionValue.objects.get(option__product=product, value="Blue")
    catalog_services.set_option_value_modifier(value=blue, price_modifier="4.00")
    _, blue_photo, red_photo = product.images.order_by("position", "pk")
    variants = {variant.name: variant for variant in product.variants.all()}
    for name, variant in variants.items():
        catalog_services.update_variant(
            variant=variant,
            sku="HOOD-" + name.replace(" / ", "-").upper(),
            inventory_count=0 if name == "S / Blue" else 5,
            image_id=(blue_photo if name.endswith("Blue") else red_photo).pk,
            **({"price_modifier": "6.00"} if name.startswith("L /") else {}),
        )
    return Product.objects.get(pk=product.pk), {name: Variant.objects.get(pk=v.pk) for name, v in variants.items()}


def settle(page) -> None:
    """Before a screenshot: the pointer off the buttons, and htmx's settle transitions (.15 s) done."""
    page.mouse.move(0, 0)
    page.wait_for_timeout(400)


def active_image(page):
    return page.locator("#product-gallery .carousel-item.active img")


def test_a_buyer_picks_size_and_colour_then_buys_that_variant(make_page, live_url):
    product, variants = hoodie()
    buyer = builders.user("hoodie_fan")
    page = login(make_page(), live_url, buyer.username, builders.PASSWORD)
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))  # the login landed
    url = product.get_absolute_url()
    blue_photo, red_photo = (image.image.url for image in product.images.order_by("position", "pk")[1:])

    page.goto(url)
    buy_box = page.locator("#product-buy-box")
    add = page.get_by_role("button", name="Add to cart")
    expect(page.locator("#product-price")).to_have_text(re.compile(r"From\s+\$40\.00"))
    expect(add).to_be_disabled()
    expect(buy_box.get_by_text("Choose a size and colour")).to_be_visible()
    assert_no_page_errors(page)
    # (Screenshots come after the back button: Playwright leaves style="" on inputs, which htmx's
    # history snapshot would carry back in, an inline style the CSP refuses.)
    glance = make_page()
    glance.goto(url)
    screenshot(glance, "variants-buyer-1-nothing-chosen")

    # Picking a size, then a colour: the price, stock, SKU, picture and URL change in place.
    mark_page(page)
    page.get_by_role("button", name="M", exact=True).click()
    expect(page.get_by_role("button", name="M", exact=True)).to_have_attribute("aria-pressed", "true")
    expect(page).to_have_url(re.compile(r"\?o=\d+$"))
    expect(buy_box.get_by_text("Choose a colour")).to_be_visible()
    expect(add).to_be_disabled()
    page.get_by_role("button", name="Blue", exact=True).click()
    chosen = variants["M / Blue"]
    expect(page).to_have_url(re.compile(rf"\?variant={chosen.pk}$"))
    expect(page.get_by_role("button", name="Blue", exact=True)).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#product-price")).to_have_text("$44.00")
    expect(page.locator("#product-availability")).to_contain_text("In stock")
    expect(page.locator("#product-sku")).to_have_text("HOOD-M-BLUE")
    expect(active_image(page)).to_have_attribute("src", blue_photo)
    expect(add).to_be_enabled()
    assert_same_page(page)

    # The other colour: another picture, the URL follows.
    page.get_by_role("button", name="Red", exact=True).click()
    expect(page).to_have_url(re.compile(rf"\?variant={variants['M / Red'].pk}$"))
    expect(page.locator("#product-price")).to_have_text("$40.00")
    expect(active_image(page)).to_have_attribute("src", red_photo)
    # Back goes to the previous choice (htmx keeps the history), forward again. History restores
    # rebuild the page's WebSocket element: wait for each socket, or closing one still connecting
    # logs an error from the ws extension.
    wait_for_socket(page)
    page.go_back()
    expect(page).to_have_url(re.compile(rf"\?variant={chosen.pk}$"))
    expect(page.locator("#product-price")).to_have_text("$44.00")
    expect(page.get_by_role("button", name="Blue", exact=True)).to_have_attribute("aria-pressed", "true")
    wait_for_socket(page, 2)
    page.go_forward()
    expect(page).to_have_url(re.compile(rf"\?variant={variants['M / Red'].pk}$"))
    expect(page.locator("#product-price")).to_have_text("$40.00")
    wait_for_socket(page, 3)
    # By keyboard: Enter on a focused value picks it, and the focus stays on it after the swap.
    large = page.get_by_role("button", name="L", exact=True)
    large.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"\?variant={variants['L / Red'].pk}$"))
    expect(page.locator("#product-price")).to_have_text("$46.00")
    expect(page.get_by_role("button", name="L", exact=True)).to_be_focused()
    # Space presses it too, as it would a real button.
    page.get_by_role("button", name="M", exact=True).focus()
    page.keyboard.press(" ")
    expect(page).to_have_url(re.compile(rf"\?variant={variants['M / Red'].pk}$"))
    page.get_by_role("button", name="Blue", exact=True).click()
    expect(page).to_have_url(re.compile(rf"\?variant={chosen.pk}$"))
    assert_same_page(page)
    assert_no_page_errors(page)
    settle(page)
    screenshot(page, "variants-buyer-2-m-blue")

    # The URL is the choice: reloading (or sharing the link) opens the same one.
    page.reload()
    expect(page.get_by_role("button", name="M", exact=True)).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("button", name="Blue", exact=True)).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#product-price")).to_have_text("$44.00")
    expect(active_image(page)).to_have_attribute("src", blue_photo)

    # Buy two, pay with the test card: that variant's stock goes down. (Leave once the reloaded
    # page's socket is open, as after the history steps above; the full-suite run on PostgreSQL
    # and Redis once took longer than the default 5 s to land on the cart.)
    wait_for_socket(page)
    page.get_by_label("Quantity").fill("2")
    page.get_by_role("button", name="Add to cart").click()
    page.get_by_role("link", name="View cart").click()  # Add to cart keeps the buyer on the product
    expect(page).to_have_url(re.compile(r"/cart/$"), timeout=15_000)
    expect(page.get_by_role("main").get_by_role("listitem").filter(has_text="Cloud Hoodie")).to_contain_text("Blue")
    screenshot(page, "variants-buyer-6-cart")
    page.get_by_role("link", name="Check out").click()
    expect(page.get_by_role("complementary")).to_contain_text("2 × Cloud Hoodie")
    fill_shipping(page)
    fill_card(page, "4242 4242 4242 4242")
    page.get_by_role("button", name="Pay $88.00").click()
    expect(page.get_by_role("heading", name="Thank you for your order")).to_be_visible()
    assert_no_page_errors(page)
    assert Variant.objects.get(pk=chosen.pk).inventory_count == 3
    # The order says which one was bought, even after the seller renames the variant.
    Variant.objects.filter(pk=chosen.pk).update(name="Medium / Ocean")
    page.goto("/orders/")
    page.get_by_role("link", name=re.compile("Order")).first.click()
    expect(page.get_by_role("main")).to_contain_text("Size: M · Colour: Blue")
    screenshot(page, "variants-buyer-7-order")
    assert Variant.objects.get(pk=variants["M / Red"].pk).inventory_count == 5


def test_a_sold_out_combination_cannot_be_bought(make_page, live_url):
    product, variants = hoodie()
    page = make_page()
    # The store's card gives the lowest price of the variants.
    page.goto("/thread-bare/")
    expect(page.get_by_role("article").filter(has_text="Cloud Hoodie")).to_contain_text("From $40.00")
    page.get_by_role("link", name="Cloud Hoodie").click()
    expect(page.get_by_role("heading", name="Cloud Hoodie")).to_be_visible()

    # With Blue chosen, S is greyed out (sold out) but still says why when picked.
    page.get_by_role("button", name="Blue", exact=True).click()
    small = page.get_by_role("button", name="S (not available)")
    expect(small).to_have_class(re.compile(r"variant-unavailable"))
    expect(page.get_by_role("button", name="M", exact=True)).not_to_have_class(re.compile(r"variant-unavailable"))
    small.click()
    expect(page).to_have_url(re.compile(rf"\?variant={variants['S / Blue'].pk}$"))
    expect(page.locator("#product-availability")).to_contain_text("Sold out")
    expect(page.get_by_role("button", name="Add to cart")).to_be_disabled()
    expect(page.get_by_text("Sold out: choose another combination")).to_be_visible()
    settle(page)
    screenshot(page, "variants-buyer-3-sold-out")
    assert_no_page_errors(page)

    # At 375 px, the same link: readable, nothing sticks out, still not for sale.
    phone = make_page(mobile=True)
    phone.goto(f"{product.get_absolute_url()}?variant={variants['S / Blue'].pk}")
    expect(phone.locator("#product-availability")).to_contain_text("Sold out")
    expect(phone.get_by_role("button", name="Add to cart")).to_be_disabled()
    assert horizontal_overflow(phone) == 0
    screenshot(phone, "variants-buyer-4-sold-out-375")
    phone.get_by_role("button", name="M", exact=True).click()
    expect(phone.locator("#product-price")).to_have_text("$44.00")
    expect(phone.get_by_role("button", name="Add to cart")).to_be_enabled()
    assert horizontal_overflow(phone) == 0
    settle(phone)
    screenshot(phone, "variants-buyer-5-m-blue-375")
    phone.get_by_role("button", name="Add to cart").click()
    phone.get_by_role("link", name="View cart").click()  # Add to cart keeps the buyer on the product
    expect(phone).to_have_url(re.compile(r"/cart/$"))
    expect(phone.get_by_role("main")).to_contain_text("Colour: Blue")
    assert horizontal_overflow(phone) == 0
    screenshot(phone, "variants-buyer-8-cart-375")
    assert_no_page_errors(phone)
    assert Variant.objects.get(pk=variants["S / Blue"].pk).inventory_count == 0
