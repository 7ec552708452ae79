import csv
import io
from decimal import Decimal

import pytest

from shomp.bulk import csvio, selectors, services
from shomp.bulk.models import BulkJob
from shomp.catalog.models import InventoryAdjustment, Product, Variant
from shomp.catalog.tests.factories import DigitalProductFactory, ProductFactory
from shomp.stores.tests.factories import StoreFactory

from .factories import sized_product, variants_of

pytestmark = pytest.mark.django_db

HEADER = "store,product,variant,sku,price,stock\n"


@pytest.fixture
def store():
    return StoreFactory(name="Fern & Kiln", slug="fern")


@pytest.fixture
def seller(store):
    return store.owner


def exported(store) -> str:
    filters = selectors.Filters(store_ids=(store.pk,))
    return "".join(
        csvio.export_lines(
            products=selectors.products(filters=filters).filter(has_variants=False),
            variants=selectors.variants(filters=filters),
        )
    )


def preview(seller, text: str | bytes) -> BulkJob:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return services.prepare_import(user=seller, data=data, filename="prices.csv")


def test_export_lists_products_and_variants_and_neutralises_formulas(store):
    ProductFactory(store=store, title='=HYPERLINK("http://evil","x")', slug="evil", price=Decimal("3.00"), stock=2)
    sized_product(store, title="Tee", price="20.00")
    text = exported(store)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == list(csvio.EXPORT_COLUMNS)
    assert ["fern", "evil", '\'=HYPERLINK("http://evil","x")', "", "", "3.00", "2"] in rows
    assert ["fern", "tee", "Tee", "L", "tee-l", "22.00", "5"] in rows
    for start in ("+", "-", "@", "\t", "\r"):
        assert csvio.neutralise(start + "1") == "'" + start + "1"


def test_an_export_edited_and_imported_previews_every_change_then_applies_it(store, seller):
    mug = ProductFactory(store=store, title="Mug", slug="mug", price=Decimal("12.00"), stock=4)
    tee = sized_product(store, title="Tee", price="20.00")
    text = exported(store).replace("fern,mug,Mug,,,12.00,4", "fern,mug,Mug,,,13.50,4")
    text = text.replace("fern,tee,Tee,M,tee-m,20.00,5", "fern,tee,Tee,M,tee-m,21.00,9")
    job = preview(seller, text)
    assert job.errors == 0 and job.total == 2
    mug.refresh_from_db()
    assert mug.price == Decimal("12.00")
    services.apply_job(user=seller, job=job)
    mug.refresh_from_db()
    assert mug.price == Decimal("13.50")
    medium = variants_of(tee)["M"]
    assert (medium.price, medium.inventory_count) == (Decimal("21.00"), 9)
    adjustment = InventoryAdjustment.objects.get(variant=medium)
    assert (adjustment.delta, adjustment.reason, adjustment.kind) == (4, "CSV import", "set")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("fern,,,nope-sku,1.00,", "Line 2: no SKU “nope-sku” in Fern & Kiln."),
        ("fern,mug,,,,-3", "Line 2: stock can't be negative (-3)."),
        ("fern,mug,,,12.345,", "Line 2: price “12.345” has more than two decimals."),
        ("fern,mug,,,cheap,", "Line 2: price “cheap” isn't a price: write it like 12.50."),
        ("fern,mug,,,-1.00,", "Line 2: price “-1.00” is negative."),
        ('fern,mug,,,"=HYPERLINK(""http://x"")",', 'Line 2: price “=HYPERLINK("http://x")” isn\'t a price'),
        ("someone-else,mug,,,1.00,", "Line 2: no store “someone-else” that you can bulk-edit."),
        ("fern,ghost,,,1.00,", "Line 2: no product “ghost” in Fern & Kiln."),
    ],
)
def test_bad_lines_are_refused_with_their_line_number_and_nothing_applies(store, seller, line, message):
    mug = ProductFactory(store=store, title="Mug", slug="mug", price=Decimal("12.00"))
    StoreFactory(slug="someone-else")
    job = preview(seller, HEADER + "fern,mug,,,11.00,\n" + line + "\n")
    errors = [c["error"] for c in job.changes if c["error"]]
    assert len(errors) == 1 and errors[0].startswith(message.replace("Line 2", "Line 3"))
    with pytest.raises(services.ValidationError):
        services.apply_job(user=seller, job=job)
    mug.refresh_from_db()
    assert mug.price == Decimal("12.00")


def test_the_same_item_twice_is_refused(store, seller):
    ProductFactory(store=store, slug="mug")
    job = preview(seller, HEADER + "fern,mug,,,11.00,\nfern,mug,,,12.00,\n")
    assert job.changes[1]["error"] == "Line 3: changes the same item as line 2."


def test_digital_products_and_products_with_variants_take_no_stock_on_their_own_line(store, seller):
    DigitalProductFactory(store=store, slug="guide")
    sized_product(store, title="Tee")
    job = preview(seller, HEADER + "fern,guide,,,,3\nfern,tee,,,25.00,\n")
    assert [c["error"] for c in job.changes] == [
        "Line 2: a digital product has no stock: leave it empty.",
        "Line 3: this product has variants: give each variant's price and stock on its own line.",
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"sku,price\nx,1\n", "Line 1: the columns must be store, product, variant, sku, price, stock"),
        (
            "store,product,variant,sku,price,stock\nfern,caf\u00e9,,,1.00,\n".encode("cp1252"),
            "Line 2: this file isn't UTF-8",
        ),
        (b"", "This file is empty"),
    ],
)
def test_unreadable_files_are_refused_whole(store, seller, data, message):
    with pytest.raises(csvio.FileRefused) as excinfo:
        services.prepare_import(user=seller, data=data)
    assert str(excinfo.value).startswith(message)
    assert not BulkJob.objects.exists()


def test_a_bom_and_any_column_order_are_fine(store, seller):
    ProductFactory(store=store, slug="mug", price=Decimal("12.00"))
    job = preview(seller, "\ufeffPrice,Stock,Store,Product,Variant,SKU\n9.00,,fern,mug,,\n".encode())
    assert job.errors == 0 and job.changes[0]["price"] == ["12.00", "9.00"]


def test_more_lines_than_the_limit_are_refused_with_a_clear_message(store, seller):
    data = (HEADER + "fern,mug,,,1.00,\n" * 100_000).encode()
    with pytest.raises(csvio.FileRefused) as excinfo:
        services.prepare_import(user=seller, data=data)
    assert str(excinfo.value) == (
        f"This file has 100,000 lines; an import takes at most {csvio.MAX_IMPORT_LINES:,}. Split it into smaller files."
    )


def test_variant_found_by_product_and_name_without_a_sku(store, seller):
    tee = sized_product(store, title="Tee")
    Variant.objects.filter(product=tee).update(sku="")
    job = preview(seller, HEADER + "fern,tee,s,,,7\n")
    assert job.errors == 0 and job.changes[0]["stock"] == [5, 7]
    assert Product.objects.get(pk=tee.pk).price == Decimal("20.00")
