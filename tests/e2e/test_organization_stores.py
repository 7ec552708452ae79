"""The organization's Stores page and the store switcher in a browser: the owner opens a store in
the organization and finds it in the switcher under the organization's name; a manager limited to
one store sees neither it nor the others. The switcher works by keyboard, names stores in full,
and the pages fit 375 px (screenshots in var/screenshots/organizations/)."""

import re

import pytest

from shomp.organizations import services as organizations
from shomp.organizations.tests.factories import add_member
from shomp.stores import services as stores

from . import builders
from .helpers import (
    DESKTOP,
    MOBILE,
    SCREENSHOT_DIR,
    accept_dialogs,
    assert_no_page_errors,
    expect,
    horizontal_overflow,
    label,
    login,
    switch_store,
)

SIZES = {"desktop": DESKTOP, "mobile": MOBILE}
LONG_NAME = "Studio North Ceramics and Printed Matter"


@pytest.fixture
def studio():
    owner = builders.user("studio-owner")
    home = stores.create_store(owner=owner, name="Home Pots", slug="home-pots")
    studio = organizations.create_organization(owner=owner, name="Studio North")
    north = stores.create_store(owner=owner, name=LONG_NAME, slug="north", organization=studio)
    south = stores.create_store(owner=owner, name="Harbour Knits", slug="harbour-knits", organization=studio)
    manager = add_member(north, role="manager", user=builders.user("north-manager"), stores=[north]).user
    add_member(north, role="support", user=builders.user("a-very-long-username-for-layout"))
    return {"owner": owner, "home": home, "north": north, "south": south, "manager": manager}


def _switcher_groups(page) -> dict[str, list[str]]:
    return page.evaluate(
        """() => {
            const groups = {};
            let current = null;
            const items = document.querySelectorAll('#store-switcher .dropdown-header, #store-switcher .dropdown-item');
            items.forEach((el) => {
                if (el.classList.contains('dropdown-header')) { current = el.textContent.trim(); groups[current] = []; }
                else { groups[current].push(el.textContent.trim()); }
            });
            return groups;
        }"""
    )


def test_owner_opens_a_store_in_the_organization_and_a_limited_manager_does_not_see_it(make_page, live_url, studio):
    owner = login(make_page(), live_url, "studio-owner", builders.PASSWORD)
    owner.goto("/dashboard/")
    # By keyboard: focus the switcher, open it with the arrow, go to the organization's other store, Enter.
    expect(owner.locator("#active-store")).to_contain_text("Harbour Knits")  # the first by name
    owner.locator("#store-switch").focus()
    owner.keyboard.press("ArrowDown")  # opens the menu on its first store
    owner.keyboard.press("ArrowDown")  # the organization's other store
    expect(owner.locator("#store-switcher .dropdown-item:focus")).to_have_text(LONG_NAME)
    with owner.expect_navigation():
        owner.keyboard.press("Enter")
    expect(owner.locator("#active-store")).to_contain_text(LONG_NAME)  # in full, not cut
    expect(owner.locator("#active-store")).to_contain_text("Studio North")

    owner.get_by_role("link", name="Team").click()
    owner.get_by_role("list", name="Organization").get_by_role("link", name="Stores").click()
    expect(owner).to_have_url(re.compile(r"/dashboard/organization/stores/$"))
    expect(owner.locator("#organization-stores")).to_contain_text("Harbour Knits")
    owner.get_by_label(label("Store name")).fill("West Glass")
    owner.get_by_role("button", name="Open the store").click()
    expect(owner.get_by_text("West Glass is open in Studio North.")).to_be_visible()
    expect(owner.locator("#organization-stores")).to_contain_text("West Glass")
    groups = _switcher_groups(owner)
    assert groups == {
        "Studio North": ["Harbour Knits", LONG_NAME, "West Glass"],
        "studio-owner": ["Home Pots"],
    }
    assert_no_page_errors(owner)

    manager = login(make_page(), live_url, "north-manager", builders.PASSWORD)
    manager.goto("/dashboard/organization/stores/")
    expect(manager.locator("#organization-stores")).to_contain_text(LONG_NAME)
    expect(manager.locator("#organization-stores")).not_to_contain_text("West Glass")
    expect(manager.locator("#organization-stores")).not_to_contain_text("Harbour Knits")
    assert _switcher_groups(manager) == {"Studio North": [LONG_NAME]}
    expect(manager.get_by_role("button", name="Open the store")).to_have_count(0)
    assert_no_page_errors(manager)


def test_owner_moves_a_store_out_and_back_in(make_page, live_url, studio):
    owner = login(make_page(), live_url, "studio-owner", builders.PASSWORD)
    accept_dialogs(owner)
    owner.goto("/dashboard/")
    switch_store(owner, LONG_NAME)
    owner.goto("/dashboard/organization/stores/")
    owner.get_by_role("button", name="Move Harbour Knits to studio-owner").click()
    expect(owner.get_by_text("Harbour Knits moved out of Studio North into studio-owner.")).to_be_visible()
    assert _switcher_groups(owner)["studio-owner"] == ["Harbour Knits", "Home Pots"]
    owner.get_by_label("One of your stores in another organization you own").select_option(label="Harbour Knits")
    owner.get_by_role("button", name="Move into Studio North").click()
    expect(owner.get_by_text("Harbour Knits moved from studio-owner into Studio North.")).to_be_visible()
    assert_no_page_errors(owner)


@pytest.mark.parametrize("size", SIZES)
def test_the_stores_page_and_switcher_fit_and_screenshot(make_page, live_url, studio, size):
    folder = SCREENSHOT_DIR / "organizations"
    folder.mkdir(parents=True, exist_ok=True)
    owner = login(make_page(viewport=SIZES[size]), live_url, "studio-owner", builders.PASSWORD)
    owner.goto("/dashboard/")
    switch_store(owner, LONG_NAME)
    owner.goto("/dashboard/organization/stores/")
    owner.screenshot(path=str(folder / f"stores-{size}.png"), full_page=True)
    owner.locator("#store-switcher").screenshot(path=str(folder / f"switcher-{size}.png"))
    assert horizontal_overflow(owner) == 0
    # Every button and field of the page is on screen.
    for control in owner.get_by_role("main").locator("button:visible, select:visible, input:visible").all():
        box = control.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= SIZES[size]["width"], (control.inner_text(), box)
    # The switcher shows the whole name of the active store.
    name = owner.locator("#active-store .fw-semibold")
    assert name.evaluate("(el) => el.scrollWidth <= el.clientWidth")
    expect(name).to_have_text(LONG_NAME)
    if size == "mobile":
        assert_last_item_whole(owner, ".dashboard-nav", "nav-strip-end-mobile")
        assert_last_item_whole(owner, ".organization-tabs", "organization-tabs-end-mobile")
    assert_no_page_errors(owner)


def assert_last_item_whole(page, selector: str, name: str) -> None:
    """Scrolled to its end, a phone strip (the dashboard nav, the organization tabs) shows its last
    item whole, not under the fade."""
    nav = page.locator(selector)
    nav.evaluate("(el) => { el.scrollLeft = el.scrollWidth; }")
    nav.screenshot(path=str(SCREENSHOT_DIR / "organizations" / f"{name}.png"))
    last_right, fade_start = nav.evaluate(
        """(el) => {
            const links = el.querySelectorAll('a');
            const last = links[links.length - 1].getBoundingClientRect();
            const box = el.getBoundingClientRect();
            // Where the fade starts: the opaque stop of the mask's gradient ("85%", "calc(100% - 32px)"),
            // measured as the width of a probe as wide as the strip.
            const mask = getComputedStyle(el).maskImage || getComputedStyle(el).webkitMaskImage;
            const stop = mask.match(/rgb\\(0, 0, 0\\) (.*), rgba/)[1];
            const outer = document.createElement('div');
            const probe = document.createElement('div');
            outer.style.width = box.width + 'px';
            probe.style.width = stop;
            outer.appendChild(probe);
            document.body.appendChild(outer);
            const opaque = probe.getBoundingClientRect().width;
            outer.remove();
            return [last.right, box.left + opaque];
        }"""
    )
    assert last_right <= fade_start + 0.5, (last_right, fade_start)
