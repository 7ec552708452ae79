"""Stores, clicked through: open one from the dashboard, edit it, open a second and switch; browse stores."""

import re

from shomp.stores.models import Store

from . import builders
from .helpers import assert_no_page_errors, expect, label, login, switch_store, upload, wait_for_image


def test_open_a_store_with_a_logo_edit_its_address_and_switch_between_two(page, live_url):
    seller = builders.user("clay_hands")
    login(page, live_url, seller.username, builders.PASSWORD)

    # The account menu's "Seller dashboard" sends someone without a store to open one.
    page.get_by_role("banner").get_by_role("button", name=seller.username).click()
    page.get_by_role("link", name="Seller dashboard").click()
    expect(page).to_have_url(re.compile(r"/dashboard/stores/new/$"))
    expect(page.get_by_role("heading", name="Open a store")).to_be_visible()
    page.get_by_label(label("Store name")).fill("Clay & Co. Studio")
    page.get_by_label(label("Description")).fill("Wheel-thrown stoneware from a tiny studio.")
    page.get_by_label(label("Logo")).set_input_files(upload("logo.png", builders.png_bytes(), "image/png"))
    page.get_by_role("button", name="Open store").click()

    expect(page.get_by_text("Clay & Co. Studio is open.")).to_be_visible()
    expect(page.get_by_role("heading", name="New product")).to_be_visible()
    assert_no_page_errors(page)

    # The address was derived from the name; the logo was stored and shows.
    page.get_by_role("link", name="Store settings").click()
    address = page.get_by_label(label("Store address"))
    expect(address).to_have_value("clay-co-studio")
    logo = page.get_by_role("img", name="Current logo of Clay & Co. Studio")
    expect(logo).to_be_visible()
    wait_for_image(logo)

    # A reserved word is refused, with the message tied to the field.
    address.fill("dashboard")
    page.get_by_role("button", name="Save").click()
    address = page.get_by_label(label("Store address"))
    expect(address).to_have_attribute("aria-invalid", "true")
    expect(address).to_have_accessible_description(re.compile("reserved"))
    assert Store.objects.get(owner=seller).slug == "clay-co-studio"

    address.fill("clay-studio")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Store saved.")).to_be_visible()
    page.get_by_role("link", name="View store").click()
    expect(page).to_have_url(re.compile(r"/clay-studio/$"))
    expect(page.get_by_role("heading", name="Clay & Co. Studio", level=1)).to_be_visible()
    expect(page.get_by_role("img", name="Clay & Co. Studio logo")).to_be_visible()

    # A second store, then the switcher moves between them.
    page.goto("/dashboard/")
    page.get_by_role("link", name="New store").click()
    page.get_by_label(label("Store name")).fill("Second Shelf")
    page.get_by_role("button", name="Open store").click()
    page.get_by_role("link", name="Overview").click()
    expect(page.get_by_role("heading", name="Second Shelf", level=1)).to_be_visible()

    switch_store(page, "Clay & Co. Studio")
    expect(page.get_by_role("heading", name="Clay & Co. Studio", level=1)).to_be_visible()
    expect(page.get_by_text("Now managing Clay & Co. Studio.")).to_be_visible()
    expect(page.locator("#active-store")).to_contain_text("Clay & Co. Studio")
    switch_store(page, "Second Shelf")
    expect(page.get_by_role("heading", name="Second Shelf", level=1)).to_be_visible()
    assert_no_page_errors(page)


def test_browse_and_search_stores_then_open_one(page, live_url):
    potter = builders.store(name="Muddy Wheel", slug="muddy-wheel", description="Stoneware bowls and mugs.")
    printer = builders.store(name="Ink Parade", slug="ink-parade", description="Risograph prints.")
    builders.product(potter, "Ramen Bowl", images=1)
    builders.product(potter, "Secret Vase", published=False)
    builders.product(printer, "Fox Print", images=0)

    page.goto("/")
    page.get_by_role("banner").get_by_role("link", name="Stores").click()
    expect(page.get_by_role("heading", name="Stores", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Muddy Wheel")).to_be_visible()
    expect(page.get_by_role("link", name="Ink Parade")).to_be_visible()
    expect(page.get_by_text("1 product", exact=True)).to_have_count(2)  # drafts don't count

    page.get_by_label("Search stores").fill("stoneware")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name="Ink Parade")).to_have_count(0)
    expect(page.get_by_role("link", name="Muddy Wheel")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/stores/\?q=stoneware"))

    page.get_by_label("Search stores").fill("zeppelin")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("No stores match your search")).to_be_visible()

    page.get_by_label("Search stores").fill("muddy")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Muddy Wheel").click()
    expect(page).to_have_url(re.compile(r"/muddy-wheel/$"))
    expect(page.get_by_role("heading", name="Muddy Wheel", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Ramen Bowl")).to_be_visible()
    expect(page.get_by_role("link", name="Secret Vase")).to_have_count(0)
    expect(page.get_by_role("link", name="Fox Print")).to_have_count(0)
    assert_no_page_errors(page)


def test_edit_links_on_public_pages_open_that_store_in_the_dashboard(page, live_url):
    """An owner of two stores, on the public page of the one not active in the dashboard."""
    owner = builders.user("two_stores")
    builders.store(owner=owner, name="Alpha Ceramics", slug="alpha-ceramics")  # first: the default
    beta = builders.store(owner=owner, name="Beta Prints", slug="beta-prints")
    poster = builders.product(beta, "Beta Poster", images=0)
    login(page, live_url, owner.username, builders.PASSWORD)

    page.goto(poster.get_absolute_url())
    page.get_by_role("link", name="Edit product").click()
    expect(page.get_by_role("heading", name="Beta Poster", level=1)).to_be_visible()
    expect(page.locator("#active-store")).to_contain_text("Beta Prints")

    page.goto("/alpha-ceramics/")  # public page of the other store
    page.get_by_role("link", name="Edit store").click()
    expect(page.get_by_label(label("Store name"))).to_have_value("Alpha Ceramics")
