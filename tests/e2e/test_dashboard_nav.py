"""The dashboard's navigation on a phone shows where you are: the page's own section is in view
in the sideways strip, not cut off past its edge."""

from . import builders
from .helpers import MOBILE, assert_no_page_errors, expect, login, screenshot


def test_the_phone_dashboard_nav_shows_the_active_section(make_page, live_url):
    shop = builders.store(name="Nia Weaves", slug="nia-weaves")
    page = login(make_page(mobile=True), live_url, shop.owner.username, builders.PASSWORD)

    for path in ["/dashboard/followers/", "/dashboard/announcements/", "/dashboard/"]:
        page.goto(path)
        nav = page.locator(".dashboard-nav")
        active = nav.locator('[aria-current="page"]')
        expect(active).to_have_count(1)
        strip, link = nav.bounding_box(), active.bounding_box()
        assert link["x"] >= strip["x"] - 1 and link["x"] + link["width"] <= strip["x"] + strip["width"] + 1, (
            path,
            strip,
            link,
        )
        assert link["x"] + link["width"] <= MOBILE["width"]
    page.goto("/dashboard/followers/")
    screenshot(page, "dashboard-nav-375", full_page=False)
    assert_no_page_errors(page)
