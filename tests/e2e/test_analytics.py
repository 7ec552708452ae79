"""Analytics end to end: a visitor comes from a search engine, looks at a product and buys it; the
seller sees the visit, the source, the product view and the purchase in the reports, changes the
range, exports a CSV. Every analytics page at desktop and 375 px (var/screenshots/analytics/)."""

import csv
import datetime as dt
import re

from django.utils import timezone

from shomp.analytics.models import Conversion, ConversionType, Device, Medium, PageView
from shomp.analytics.ranges import resolve_range
from shomp.analytics.tests.factories import daily_stat, daily_visitors
from shomp.orders.tests.factories import product_with_variants, variant_of

from . import builders
from .helpers import (
    DESKTOP,
    MOBILE,
    assert_no_page_errors,
    expect,
    fill_card,
    fill_login_form,
    fill_shipping,
    horizontal_overflow,
    login,
    screenshot,
)

# A real browser's user agent: headless Chromium names itself HeadlessChrome, and robots are
# not counted.
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


def _history(store, product, jug) -> None:
    """Some earlier days, as the rollup tasks leave them, so the chart has a shape; the jug's
    variants have a funnel, its large size sold out (missed demand)."""
    today = timezone.now().astimezone(store.tzinfo).date()
    small, large = variant_of(jug, "Small"), variant_of(jug, "Large")
    daily_stat(
        store,
        today - dt.timedelta(days=2),
        product=jug,
        variant=small,
        variant_views=14,
        add_to_carts=5,
        purchases=3,
        revenue="72",
    )
    daily_stat(store, today - dt.timedelta(days=2), product=jug, variant=large, variant_views=9, sold_out_views=9)
    for n in range(1, 29):
        day = today - dt.timedelta(days=n)
        visits = 20 + (n * 7) % 13
        daily_stat(store, day, visits=visits, pageviews=visits * 3, purchases=n % 3, revenue=str(18 * (n % 3)))
        daily_stat(
            store,
            day,
            product=product,
            product_views=visits,
            pageviews=visits,
            medium=Medium.SOCIAL,
            source="instagram",
        )
        daily_visitors(store, day, visitors=visits - 3, device=Device.MOBILE, browser="Safari", os="iOS")


def test_a_visit_and_a_purchase_reach_the_sellers_reports_and_export(make_page, live_url, tmp_path):
    seller = builders.user("kiln_owner")
    shop = builders.store(owner=seller, name="Kiln Corner", slug="kiln-corner")
    mug = builders.product(shop, "Speckled Mug", price="18.00", stock=5)
    buyer = builders.user("mug_lover")

    # The visitor arrives from a search engine on the product page, then buys it.
    visitor = make_page(user_agent=FIREFOX)
    visitor.goto(mug.get_absolute_url(), referer="https://www.google.com/search?q=speckled+mug")
    visitor.get_by_role("button", name="Add to cart").click()
    visitor.get_by_role("link", name="View cart").click()  # Add to cart keeps the buyer on the product
    visitor.get_by_role("link", name="Check out").click()
    fill_login_form(visitor, buyer.username, builders.PASSWORD)
    expect(visitor).to_have_url(re.compile(r"/checkout/$"))
    fill_shipping(visitor)
    fill_card(visitor, "4242 4242 4242 4242")
    visitor.get_by_role("button", name="Pay $18.00").click()
    expect(visitor.get_by_role("heading", name="Thank you for your order")).to_be_visible()

    # What the recording side wrote (H3's pipeline): the entry view from Google and the purchase.
    entry = PageView.objects.get(store=shop, product=mug, is_entry=True)
    assert (entry.medium, entry.source) == (Medium.SEARCH, "google")
    assert Conversion.objects.filter(store=shop, conversion_type=ConversionType.PURCHASE).count() == 1

    # The seller's overview for today: the visit, the product view, the purchase and its source.
    page = make_page()
    login(page, live_url, seller.username, builders.PASSWORD)
    page.goto("/dashboard/analytics/?range=today")
    expect(page.locator("#metric-visits")).to_have_text("1")
    expect(page.locator("#metric-product_views")).to_have_text("1")
    expect(page.locator("#metric-orders")).to_have_text("1")
    expect(page.locator("#metric-revenue")).to_have_text("$18.00")
    expect(page.locator("#top-sources")).to_contain_text("google")
    expect(page.locator("#top-products")).to_contain_text("Speckled Mug")
    expect(page.locator("#live-visitors")).to_have_text(re.compile(r"^[1-9]$"))
    expect(page.locator("#analytics-live")).to_contain_text("Speckled Mug")
    assert_no_page_errors(page)

    # Earlier days arrive with the rollups; the seller widens the range with the form.
    jug = product_with_variants(store=shop, title="Water Jug", options={"Size": ["Small", "Large"]})
    _history(shop, mug, jug)
    page.get_by_label("Date range").select_option("30d")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"range=30d"))
    expect(page.locator("#range-label")).to_contain_text("Last 30 days")
    expect(page.locator("#top-sources")).to_contain_text("instagram")
    expect(page.locator("#top-sources")).to_contain_text("google")
    visits = int(page.locator("#metric-visits").inner_text().replace(",", ""))
    assert visits > 500
    expect(page.locator("#analytics-chart")).to_be_visible()
    assert page.evaluate("!!window.Chart && Chart.getChart('analytics-chart').data.labels.length") == 30
    assert_no_page_errors(page)

    # A custom range that ends before it starts: told next to the field.
    page.get_by_label("Date range").select_option("custom")
    page.get_by_label("From (custom)").fill("2026-03-10")
    page.get_by_label("To (custom)").fill("2026-03-01")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#id_end_error")).to_have_text(re.compile("comes before the first"))

    # Products, a product's variant funnel and the export of the traffic sources.
    page.goto("/dashboard/analytics/products/?range=30d")
    expect(page.locator("#product-stats")).to_contain_text("Speckled Mug")
    page.get_by_role("link", name="Water Jug").click()
    funnel = page.locator("#variant-funnel")
    expect(funnel.get_by_role("row", name=re.compile("^Large"))).to_contain_text("9")
    expect(funnel.get_by_role("row", name=re.compile("^Small"))).to_contain_text("$72.00")
    page.goto("/dashboard/analytics/reports/?range=30d")
    expect(page.locator("#sources")).to_contain_text("google")
    page.get_by_label("Report", exact=True).select_option("sources")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Export CSV").click()
    download = download_info.value
    assert download.suggested_filename.startswith("kiln-corner-sources-")
    path = tmp_path / "sources.csv"
    download.save_as(path)
    rows = list(csv.reader(path.open()))
    assert rows[0][:3] == ["Medium", "Source", "Visits"]
    by_source = {row[1]: row for row in rows[1:]}
    assert by_source["google"][2] == "1" and by_source["google"][3] == "1"  # one visit, one order
    assert by_source["instagram"][0] == "Social"

    # The variant funnel's own export, from the product's page.
    page.goto(f"/dashboard/analytics/products/{jug.pk}/?range=30d")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Export the funnel as CSV").click()
    download = download_info.value
    assert download.suggested_filename.startswith(f"kiln-corner-variants-{jug.pk}-")
    path = tmp_path / "variants.csv"
    download.save_as(path)
    by_variant = {row[1]: row for row in list(csv.reader(path.open()))[1:]}
    assert by_variant["Small"][6] == "3" and by_variant["Small"][-1] == "72.00"  # bought, revenue
    assert by_variant["Large"][7] == "9"  # sold-out views: missed demand

    # The last 12 months, charted by day: visits and revenue are both lines.
    page.goto("/dashboard/analytics/?range=12m")
    expect(page.locator("#range-label")).to_contain_text("Last 12 months")
    chart = "Chart.getChart('analytics-chart').data"
    assert page.evaluate(f"{chart}.datasets.map(d => d.type + ':' + d.label)") == ["line:Visits", "line:Revenue"]
    assert page.evaluate(f"{chart}.labels.length") == resolve_range("12m", tz=shop.tzinfo).days
    assert sum(page.evaluate(f"{chart}.datasets[1].data")) > 0
    assert_no_page_errors(page)

    # Every page at both widths: nothing sticks out, no console error.
    pages = {
        "overview": "/dashboard/analytics/?range=30d",
        "overview-12m": "/dashboard/analytics/?range=12m",
        "overview-today": "/dashboard/analytics/?range=today",
        "products": "/dashboard/analytics/products/?range=30d",
        "product": f"/dashboard/analytics/products/{jug.pk}/?range=30d",
        "customers": "/dashboard/analytics/customers/?range=30d",
        "reports": "/dashboard/analytics/reports/?range=30d",
        "organization": "/dashboard/organization/?range=30d",
    }
    for width, viewport in (("desktop", DESKTOP), ("375", MOBILE)):
        page.set_viewport_size(viewport)
        for name, url in pages.items():
            page.goto(url)
            expect(page.get_by_role("heading", level=1)).to_be_visible()
            screenshot(page, f"analytics/{name}-{width}")
            assert horizontal_overflow(page) == 0, f"{name} at {width}"
            assert_no_page_errors(page)
