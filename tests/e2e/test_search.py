"""Finding things: a buyer searches, narrows to a category, filters and sorts to one product."""

import re

from shomp.catalog.models import Category, Product

from . import builders
from .helpers import assert_no_page_errors, expect, screenshot


def _catalogue():
    kiln = builders.store(name="Fern & Kiln Ceramics", slug="fern-and-kiln")
    ink = builders.store(name="Inkwell & Ash", slug="inkwell")
    mugs = Category.objects.get(slug="mugs-and-cups")
    bowls = Category.objects.get(slug="bowls-and-plates")
    prints = Category.objects.get(slug="prints")
    made = [
        (builders.product(kiln, "Speckled Stoneware Mug", price="24.00", stock=5), mugs),
        (builders.product(kiln, "Seconds: Three Imperfect Mugs", price="30.00", stock=0), mugs),
        (builders.product(kiln, "Tall Tenmoku Mug", price="38.00", stock=2), mugs),
        (builders.product(kiln, "Ash-Glaze Breakfast Bowl", price="32.00", stock=4), bowls),
        (builders.product(ink, "Harbour at Dusk Print", price="28.00", description="A mug of tea at dusk."), prints),
    ]
    for product, category in made:
        Product.objects.filter(pk=product.pk).update(category=category)


def _settle(page):
    """Wait until no htmx request is in flight (the cards' per-visitor fragments load after each
    swap; swapping them away mid-request makes htmx log an abort)."""
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


def test_search_and_filter_to_a_product_in_a_category(make_page):
    _catalogue()
    page = make_page()
    page.goto("/")
    page.get_by_role("searchbox", name="Search products").fill("mugs")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=mugs")
    expect(page.get_by_role("searchbox")).to_have_count(1)  # one search box on the search page
    expect(page.locator("#result-count")).to_have_text("4 results")
    _settle(page)
    # Title matches first: the print only mentions a mug in its description.
    expect(page.locator(".store-products .col").last).to_contain_text("Harbour at Dusk Print")
    screenshot(page, "search-results-1280")

    page.get_by_role("navigation", name="Categories").get_by_role("link", name="Ceramics").click()
    expect(page.locator("#result-count")).to_have_text("3 results")
    _settle(page)
    expect(page).to_have_url(re.compile(r"category=ceramics"))

    page.get_by_label("Max").fill("35")
    page.get_by_label("Max").press("Tab")
    expect(page.locator("#result-count")).to_have_text("2 results")
    _settle(page)
    page.get_by_label("In stock").check()
    expect(page.locator("#result-count")).to_have_text("1 result")
    _settle(page)
    expect(page.locator(".store-products")).to_contain_text("Speckled Stoneware Mug")
    assert "max_price=35" in page.url and "in_stock=1" in page.url

    page.get_by_label("Max").fill("abc")
    page.get_by_label("Max").press("Tab")
    expect(page.get_by_text("Enter a number, like 25 or 12.50.")).to_be_visible()
    expect(page.locator("#result-count")).to_have_text("2 results")  # the bad bound filters nothing
    _settle(page)

    page.get_by_label("Max").fill("")
    page.get_by_label("Max").press("Tab")
    expect(page.locator("#result-count")).to_have_text("2 results")
    _settle(page)
    # Relevance puts the newer Tenmoku mug first; price from low to high the cheaper speckled one.
    expect(page.locator(".store-products .col").first).to_contain_text("Tall Tenmoku Mug")
    page.get_by_label("Sort by").select_option("price_asc")
    expect(page).to_have_url(re.compile(r"sort=price_asc"))
    expect(page.locator(".store-products .col").first).to_contain_text("Speckled Stoneware Mug")
    _settle(page)
    page.reload()  # the state lives in the URL
    expect(page.get_by_label("Sort by")).to_have_value("price_asc")
    expect(page.locator(".store-products .col").first).to_contain_text("Speckled Stoneware Mug")
    expect(page.get_by_label("In stock")).to_be_checked()
    assert_no_page_errors(page)
    page.locator(".store-products").get_by_role("link", name="Speckled Stoneware Mug").first.click()
    expect(page.get_by_role("heading", name="Speckled Stoneware Mug")).to_be_visible()


def test_category_and_search_pages_at_both_widths(make_page):
    _catalogue()
    for mobile, width in ((False, 1280), (True, 375)):
        page = make_page(mobile=mobile)
        page.goto("/c/ceramics/")
        expect(page.get_by_role("heading", name="Ceramics")).to_be_visible()
        expect(page.get_by_role("link", name="Mugs & cups 3")).to_be_visible()
        if mobile:
            page.get_by_role("button", name="Filters").click()
            expect(page.get_by_label("In stock")).to_be_visible()
        screenshot(page, f"category-{width}")
        page.goto("/search/?q=zeppelin")
        expect(page.get_by_text("Check the spelling")).to_be_visible()
        screenshot(page, f"search-empty-{width}")
        page.goto("/search/?q=mug")
        screenshot(page, f"search-{width}")
        width_ok = page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
        assert width_ok, f"the search page scrolls sideways at {width} px"
        assert_no_page_errors(page)
