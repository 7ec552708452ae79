"""The seller's variant manager, clicked through: options, preview, generate, the grid edited in
place and in bulk, a value renamed, a restock with its history; on a desktop and at 375 px."""

import re

from shomp.catalog import services
from shomp.catalog.models import InventoryAdjustment, Variant

from . import builders
from .helpers import (
    accept_dialogs,
    assert_no_page_errors,
    assert_same_page,
    expect,
    horizontal_overflow,
    label,
    login,
    mark_page,
    screenshot,
)


def add_option(page, name: str, values: str) -> None:
    page.get_by_label(label("Option name")).fill(name)
    page.get_by_label(label("Values")).fill(values)
    page.get_by_role("button", name="Add option").click()
    expect(page.get_by_text(f"Added {name}: {values}.")).to_be_visible()


def test_a_seller_defines_size_and_colour_generates_and_edits_the_grid(make_page, live_url):
    shop = builders.store(name="Linen Works", slug="linen-works")
    product = builders.product(shop, "Linen Tee", price="20.00", images=2)
    seller = login(make_page(), live_url, shop.owner.username, builders.PASSWORD)
    accept_dialogs(seller)

    seller.goto(f"/dashboard/products/{product.pk}/edit/")
    card = seller.locator("#variants-card")
    expect(card).to_contain_text("Sell this in sizes, colours or materials")
    card.get_by_role("link", name="Manage options and variants").click()
    expect(seller.get_by_role("heading", name="Options and variants", level=1)).to_be_visible()
    expect(seller.get_by_text("No variants yet").first).to_be_visible()

    add_option(seller, "Size", "S, M, L")
    add_option(seller, "Colour", "Red, Blue")
    expect(seller.get_by_role("list", name="Values of Colour").locator("svg circle")).to_have_count(2)

    # The preview asks the server without reloading the page, and writes nothing.
    mark_page(seller)
    seller.get_by_role("button", name="Preview").click()
    expect(seller.locator("#variant-preview")).to_have_text(
        re.compile(r"Size × Colour: 6 combinations, 0 exist, 6 will be created\.")
    )
    assert_same_page(seller)
    assert not Variant.objects.filter(product=product).exists()

    seller.get_by_role("button", name="Generate variants").click()
    expect(seller.get_by_text("Created 6 variants.")).to_be_visible()
    grid = seller.locator("#grid-form")
    expect(grid.get_by_role("row")).to_have_count(7)  # a header and six variants
    screenshot(seller, "variants-seller-generated")

    # Edit in place: an SKU and a stock on one row, a modifier on another; one Save.
    seller.get_by_label("SKU of M / Red").fill("TEE-M-RED")
    seller.get_by_label("Stock of M / Red").fill("8")
    seller.get_by_label("Price modifier of L / Blue").fill("4.50")
    seller.get_by_role("button", name="Save changes").click()
    expect(seller.get_by_text("Saved 2 variants.")).to_be_visible()
    expect(seller.get_by_label("SKU of M / Red")).to_have_value("TEE-M-RED")
    expect(seller.get_by_label("Stock of M / Red")).to_have_value("8")
    l_blue = seller.locator("#grid-form tr").filter(has=seller.get_by_role("rowheader", name="L / Blue"))
    expect(l_blue.get_by_label("Price of L / Blue")).to_have_value("24.50")
    m_red = Variant.objects.get(product=product, name="M / Red")
    assert (m_red.sku, m_red.inventory_count) == ("TEE-M-RED", 8)
    assert str(Variant.objects.get(product=product, name="L / Blue").price) == "24.50"

    # Or the price itself (a decimal comma too): it becomes the modifier from the base price.
    seller.get_by_label("Price of S / Red", exact=True).fill("18,00")
    seller.get_by_role("button", name="Save changes").click()
    expect(seller.get_by_text("Saved 1 variant.")).to_be_visible()
    expect(seller.get_by_label("Price modifier of S / Red")).to_have_value("-2.00")
    expect(seller.get_by_label("Price of S / Red", exact=True)).to_have_value("18.00")

    # Bulk edit: tick two rows, set their stock.
    seller.get_by_label("Select S / Red").check()
    seller.get_by_label("Select S / Blue").check()
    expect(seller.locator("#bulk-count")).to_have_text("· 2 selected")
    seller.get_by_label(label("Change")).select_option(label="Stock")
    expect(seller.get_by_label(label("New price modifier"))).to_be_hidden()
    seller.get_by_label(label("New stock")).fill("5")
    seller.get_by_role("button", name="Apply to selected").click()
    expect(seller.get_by_text("Stock set to 5 on 2 variants.")).to_be_visible()
    expect(seller.get_by_label("Stock of S / Red")).to_have_value("5")
    expect(seller.get_by_label("Stock of S / Blue")).to_have_value("5")
    expect(seller.get_by_label("Stock of L / Red")).to_have_value("0")
    glance = seller.locator("#inventory-glance")
    expect(glance).to_contain_text("Units in stock")
    expect(glance.locator("dd").first).to_have_text("18")
    screenshot(seller, "variants-seller-desktop")
    # At 1280 px the whole grid shows, SKUs and sales included, without a sideways scroll.
    grid = seller.locator("#grid-form .table-responsive, #grid-form").first
    for header in ["SKU", "Sold", "Revenue"]:
        box = seller.get_by_role("columnheader", name=header, exact=True).first.bounding_box()
        assert box["x"] + box["width"] <= 1280, (header, box)
    assert grid.evaluate("(el) => el.scrollWidth <= el.clientWidth + 1")

    # Rename a value, by keyboard: its variants follow and keep their stock.
    rename = seller.locator("summary").filter(has_text="Rename Blue")
    rename.focus()
    rename.press("Enter")
    seller.get_by_label("Rename Blue to").fill("Navy")
    seller.locator("#variant-options").scroll_into_view_if_needed()
    screenshot(seller, "variants-seller-rename", full_page=False)
    seller.get_by_label("Rename Blue to").press("Enter")
    expect(seller.get_by_text("Renamed Blue to Navy in Colour.")).to_be_visible()
    expect(seller.get_by_role("rowheader", name="L / Navy")).to_be_visible()
    expect(seller.get_by_role("rowheader", name="L / Blue")).to_have_count(0)
    expect(seller.get_by_label("Stock of S / Navy")).to_have_value("5")

    # Restock one variant with a reason; the history says who, how many and why.
    seller.get_by_role("link", name="Inventory of M / Red").click()
    expect(seller.get_by_role("heading", name="Inventory of M / Red")).to_be_visible()
    seller.get_by_label("Restock: add").check()
    seller.get_by_label(label("Quantity")).fill("6")
    seller.get_by_label(label("Reason")).fill("Spring batch from the mill")
    seller.get_by_role("button", name="Save stock").click()
    expect(seller.get_by_text("M / Red: 14 in stock now.")).to_be_visible()
    expect(seller.locator("#current-count")).to_have_text("14")
    history = seller.get_by_role("list", name="Stock changes, newest first").get_by_role("listitem")
    latest = history.first
    expect(latest).to_contain_text("Spring batch from the mill")
    expect(latest).to_contain_text(shop.owner.username)
    expect(latest).to_contain_text("+6")
    expect(history).to_have_count(2)  # the grid's edit, then the restock
    assert shop.owner.email not in seller.content()
    restock = InventoryAdjustment.objects.filter(variant=m_red).first()
    assert (restock.kind, restock.delta, restock.resulting_count, restock.actor) == ("restock", 6, 14, shop.owner)
    screenshot(seller, "variants-seller-inventory-desktop")
    assert_no_page_errors(seller)

    # At 375 px: the manager and the inventory page fit the screen; the grid scrolls in its box.
    phone = login(make_page(mobile=True), live_url, shop.owner.username, builders.PASSWORD)
    phone.goto(f"/dashboard/products/{product.pk}/variants/")
    expect(phone.get_by_role("heading", name="Options and variants", level=1)).to_be_visible()
    assert horizontal_overflow(phone) == 0
    screenshot(phone, "variants-seller-mobile")
    phone.locator("summary").filter(has_text="Rename Navy").click()
    phone.locator("summary").filter(has_text="Rename Colour").click()
    expect(phone.get_by_label("Rename Navy to")).to_have_value("Navy")
    assert horizontal_overflow(phone) == 0
    phone.get_by_label("Rename Navy to").scroll_into_view_if_needed()
    screenshot(phone, "variants-seller-mobile-rename", full_page=False)
    scroller = phone.locator("#grid-form .table-responsive")
    scroller.scroll_into_view_if_needed()
    scroller.evaluate("(box) => { box.scrollLeft = box.scrollWidth; }")
    expect(phone.get_by_role("rowheader", name="M / Red")).to_be_in_viewport()  # the names stay in view
    scroller.screenshot(path=str(screenshot(phone, "variants-seller-mobile-grid-scrolled", full_page=False)))
    phone.get_by_role("link", name="Inventory of M / Red").click()
    expect(phone.locator("#current-count")).to_have_text("14")
    assert horizontal_overflow(phone) == 0
    screenshot(phone, "variants-seller-inventory-mobile")
    assert_no_page_errors(phone)


def test_a_refused_grid_edit_shows_the_error_in_its_row_and_saves_nothing(page, live_url):
    shop = builders.store()
    product = builders.product(shop, "Wool Hat", price="15.00", images=0)
    services.add_product_option(product=product, name="Size", values=["S", "M"])
    services.generate_variants(product=product)
    login(page, live_url, shop.owner.username, builders.PASSWORD)
    page.goto(f"/dashboard/products/{product.pk}/variants/")

    page.get_by_label("SKU of S").fill("HAT-S")
    page.get_by_label("Stock of M").fill("-2")
    page.get_by_role("button", name="Save changes").click()

    expect(page.get_by_text("Nothing was saved: correct the fields marked below.")).to_be_visible()
    stock = page.get_by_label("Stock of M")
    expect(stock).to_have_attribute("aria-invalid", "true")
    expect(stock).to_have_accessible_description("Stock can't be negative.")
    expect(page.get_by_label("SKU of S")).to_have_value("HAT-S")  # kept as typed, not saved
    assert list(Variant.objects.filter(product=product).values_list("sku", "inventory_count")) == [("", 0), ("", 0)]
    assert_no_page_errors(page)
