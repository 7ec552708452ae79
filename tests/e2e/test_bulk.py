"""Bulk edit, clicked through: a price change across two stores previewed then applied, and a
CSV import refused for one bad line (with its number), fixed and applied; at 1280 and 375 px."""

import re
from decimal import Decimal

from django.utils import timezone

from shomp.catalog.models import Product

from . import builders
from .helpers import assert_no_page_errors, expect, horizontal_overflow, label, login, screenshot, upload


def two_stores():
    seller = builders.user("bulk-seller")
    kiln = builders.store(owner=seller, name="Fern & Kiln", slug="fern-kiln")
    ink = builders.store(owner=seller, name="Inkwell & Ash", slug="inkwell-ash")
    mug = builders.product(kiln, "Blue Mug", price="20.00", images=0)
    vase = builders.product(kiln, "Tall Vase", price="45.00", images=0)
    card = builders.product(ink, "Botanical Card", price="4.00", images=0)
    return seller, mug, vase, card


def test_a_bulk_price_change_across_two_stores_is_previewed_then_applied(make_page, live_url):
    seller, mug, vase, card = two_stores()
    page = login(make_page(), live_url, seller.username, builders.PASSWORD)
    page.goto("/dashboard/")
    page.get_by_role("link", name="Bulk edit").click()
    expect(page.get_by_role("heading", name="Bulk edit", level=1)).to_be_visible()
    rows = page.locator("#bulk-rows tbody tr")
    expect(rows).to_have_count(3)  # both stores' products

    # Tick the mug (Fern & Kiln) and the card (Inkwell & Ash); 25 % off.
    page.get_by_label("Blue Mug").check()
    page.get_by_label("Botanical Card").check()
    page.get_by_label(label("Change")).select_option("price_percent")
    page.get_by_label(label("By / to")).fill("-25")
    page.get_by_role("button", name="Preview changes").click()

    expect(page.get_by_text("This is a preview: nothing has changed yet. 2 rows will change")).to_be_visible()
    changes = page.locator("#changes tbody tr")
    expect(changes).to_have_count(2)
    expect(changes.filter(has_text="Blue Mug")).to_contain_text(re.compile(r"\$20\.00\s*→\s*\$15\.00"))
    expect(changes.filter(has_text="Botanical Card")).to_contain_text(re.compile(r"\$4\.00\s*→\s*\$3\.00"))
    assert Product.objects.get(pk=mug.pk).price == Decimal("20.00")  # the preview wrote nothing
    screenshot(page, "bulk-price-preview-1280")

    page.get_by_role("button", name="Apply 2 changes").click()
    expect(page.get_by_text("Applied: Prices -25% on 2 products.")).to_be_visible()
    assert [Product.objects.get(pk=p.pk).price for p in (mug, vase, card)] == [
        Decimal("15.00"),
        Decimal("45.00"),
        Decimal("3.00"),
    ]
    page.goto("/dashboard/bulk/")
    expect(page.get_by_role("region", name="Your recent bulk operations")).to_contain_text("Prices -25% on 2 products")
    assert_no_page_errors(page)

    phone = login(make_page(mobile=True), live_url, seller.username, builders.PASSWORD)
    phone.goto("/dashboard/bulk/")
    expect(phone.get_by_role("button", name="Preview changes")).to_be_visible()
    assert horizontal_overflow(phone) == 0
    screenshot(phone, "bulk-home-375")
    phone.get_by_role("link", name=re.compile("Prices -25% on 2 products")).click()
    expect(phone.locator("#changes")).to_be_visible()
    assert horizontal_overflow(phone) == 0
    screenshot(phone, "bulk-price-applied-375")
    assert_no_page_errors(phone)


def test_a_csv_import_with_a_bad_line_is_refused_with_its_number_then_fixed_and_applied(make_page, live_url):
    seller, mug, _vase, card = two_stores()
    page = login(make_page(), live_url, seller.username, builders.PASSWORD)
    page.goto("/dashboard/bulk/")
    header = "store,product,variant,sku,price,stock\n"
    bad = header + "fern-kiln,blue-mug,,,18.00,7\ninkwell-ash,botanical-card,,,3.999,\n"
    page.get_by_label(label("CSV file")).set_input_files(upload("prices.csv", bad.encode(), "text/csv"))
    page.get_by_role("button", name="Preview the import").click()

    errors = page.locator("#preview-errors")
    expect(errors).to_contain_text(
        "1 line can't be applied, so nothing will be: fix it in the file and import it again."
    )
    expect(errors).to_contain_text("Line 3: price “3.999” has more than two decimals.")
    expect(page.get_by_role("button", name=re.compile("^Apply"))).to_have_count(0)
    screenshot(page, "bulk-import-refused-1280")
    assert Product.objects.get(pk=mug.pk).price == Decimal("20.00")

    page.get_by_role("link", name="Back to bulk edit").click()
    fixed = header + "fern-kiln,blue-mug,,,18.00,7\ninkwell-ash,botanical-card,,,3.99,\n"
    page.get_by_label(label("CSV file")).set_input_files(upload("prices.csv", fixed.encode(), "text/csv"))
    page.get_by_role("button", name="Preview the import").click()
    expect(page.get_by_text("This is a preview: nothing has changed yet. 2 rows will change")).to_be_visible()
    expect(page.locator("#changes tbody tr").filter(has_text="Blue Mug")).to_contain_text(re.compile(r"10\s*→\s*7"))
    page.get_by_role("button", name="Apply 2 changes").click()
    expect(page.get_by_text("Applied: CSV import of prices.csv (2 lines).")).to_be_visible()
    mug.refresh_from_db()
    card.refresh_from_db()
    assert (mug.price, mug.stock, card.price) == (Decimal("18.00"), 7, Decimal("3.99"))
    assert_no_page_errors(page)

    phone = login(make_page(mobile=True), live_url, seller.username, builders.PASSWORD)
    phone.goto("/dashboard/bulk/")
    phone.get_by_label(label("CSV file")).set_input_files(upload("prices.csv", bad.encode(), "text/csv"))
    phone.get_by_role("button", name="Preview the import").click()
    expect(phone.locator("#preview-errors")).to_contain_text("Line 3")
    assert horizontal_overflow(phone) == 0
    screenshot(phone, "bulk-import-refused-375")


def test_a_large_job_shows_its_progress_and_the_result_when_the_worker_is_done(make_page, live_url):
    from shomp.bulk import selectors, services
    from shomp.bulk.models import BulkJob

    seller, mug, _vase, card = two_stores()
    job = services.prepare_operation(
        user=seller,
        target="products",
        action="price_amount",
        value="1",
        filters=selectors.Filters(store_ids=(mug.store_id, card.store_id)),
        ids=None,
    )
    # As the worker leaves it part-way through a big job.
    BulkJob.objects.filter(pk=job.pk).update(status="running", phase="checking", processed=400, total=1000)
    for viewport, mobile in (("1280", False), ("375", True)):
        page = login(make_page(mobile=mobile), live_url, seller.username, builders.PASSWORD)
        page.goto(f"/dashboard/bulk/jobs/{job.uuid}/")
        expect(page.locator("#job-phase")).to_have_text("Checking 400 of 1,000 rows…")
        expect(page.get_by_role("progressbar", name="Progress")).to_have_attribute("value", "40")
        screenshot(page, f"bulk-progress-{viewport}")
    # The worker finishes: the polling page shows the result by itself.
    BulkJob.objects.filter(pk=job.pk).update(status="done", phase="", processed=3, total=3, finished_at=timezone.now())
    expect(page.get_by_text("Applied just now: 3 changes written.")).to_be_visible(timeout=5_000)
    assert horizontal_overflow(page) == 0
    assert_no_page_errors(page)


def test_a_stock_adjustment_on_variants_goes_into_each_variants_history(make_page, live_url):
    from shomp.catalog import services as catalog
    from shomp.catalog.models import InventoryAdjustment, Variant

    seller, mug, _vase, _card = two_stores()
    tee = builders.product(mug.store, "Linen Tee", price="20.00", images=0)
    catalog.add_product_option(product=tee, name="Size", values=["S", "M", "L"])
    for variant in catalog.generate_variants(product=tee):
        catalog.update_variant(variant=variant, inventory_count=4, sku=f"tee-{variant.name.lower()}")
    page = login(make_page(), live_url, seller.username, builders.PASSWORD)
    page.goto("/dashboard/bulk/")
    page.get_by_role("link", name="Variants", exact=True).click()
    page.get_by_label(label("Search")).fill("tee")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#bulk-rows tbody tr")).to_have_count(3)
    page.get_by_label(label("Change")).select_option("stock_adjust")
    page.get_by_label(label("By / to")).fill("6")
    page.get_by_label(re.compile("^Every row that matches")).check()
    page.get_by_role("button", name="Preview changes").click()
    expect(page.locator("#value_error, #id_reason_error")).to_have_text(re.compile("Say why"))
    screenshot(page, "bulk-variants-reason-missing-1280")
    page.get_by_label(label("Reason (for stock)")).fill("Delivery from the mill")
    page.get_by_label(re.compile("^Every row that matches")).check()
    page.get_by_role("button", name="Preview changes").click()
    expect(page.locator("#changes tbody tr")).to_have_count(3)
    expect(page.locator("#changes")).to_contain_text(re.compile(r"Linen Tee — M.*4\s*→\s*10", re.S))
    screenshot(page, "bulk-variants-preview-1280")
    page.get_by_role("button", name="Apply 3 changes").click()
    expect(page.get_by_text("Applied: Stock +6 on 3 variants.")).to_be_visible()
    assert set(Variant.objects.filter(product=tee).values_list("inventory_count", flat=True)) == {10}
    history = InventoryAdjustment.objects.filter(variant__product=tee, reason="Delivery from the mill")
    assert sorted(history.values_list("delta", flat=True)) == [6, 6, 6]

    phone = login(make_page(mobile=True), live_url, seller.username, builders.PASSWORD)
    phone.goto("/dashboard/bulk/?target=variants&search=tee")
    expect(phone.locator("#bulk-rows tbody tr")).to_have_count(3)
    assert horizontal_overflow(phone) == 0
    screenshot(phone, "bulk-variants-375")
