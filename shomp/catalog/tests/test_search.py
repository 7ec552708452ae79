"""Marketplace search with a fixed catalogue: the same results and order on SQLite (FTS5) and
PostgreSQL (full-text search). Run this file with DATABASE_URL pointing at PostgreSQL too."""

from decimal import Decimal

import pytest
from django.contrib.postgres.search import SearchQuery
from django.db import connection

from shomp.catalog import selectors, services
from shomp.catalog.models import Product, ProductSearchDocument
from shomp.catalog.search import CONFIG, search_vector
from shomp.catalog.tests.factories import ProductFactory
from shomp.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


def ranked(query: str) -> list[str]:
    return [product.title for product in selectors.search_products(query=query)]


@pytest.fixture
def catalogue():
    ceramics = StoreFactory(name="Fern & Kiln Ceramics", slug="fern-and-kiln")
    prints = StoreFactory(name="Inkwell & Ash", slug="inkwell")
    audio = StoreFactory(name="Low Tide Audio", slug="low-tide")
    ProductFactory(store=ceramics, title="Speckled Stoneware Mug", description="Holds 350 ml of coffee.")
    ProductFactory(store=ceramics, title="Seconds: Three Imperfect Mugs", description="Small glaze flaws.")
    ProductFactory(store=ceramics, title="Ash-Glaze Breakfast Bowl", description="Wide and shallow.")
    ProductFactory(store=prints, title="Harbour at Dusk Risograph Print", description="Three colours on 170 gsm.")
    ProductFactory(store=prints, title="Winter Orchard Print", description="Screen printed by hand.")
    ProductFactory(
        store=audio,
        title="Low Tide Tote Bag",
        description="Heavy canvas with our wave logo screen print on one side, and a mug-sized pocket.",
    )
    ProductFactory(store=audio, title="Fog Signals Cassette", description="Five tracks of tape hiss.")


def test_plural_finds_singular_title(catalogue):
    # "mugs" missed every "Mug" on SQLite before stemming
    found = ranked("mugs")
    assert set(found[:2]) == {"Seconds: Three Imperfect Mugs", "Speckled Stoneware Mug"}
    assert set(found) == {"Speckled Stoneware Mug", "Seconds: Three Imperfect Mugs", "Low Tide Tote Bag"}
    assert found[-1] == "Low Tide Tote Bag"  # a description match comes after the titles


def test_store_name_finds_its_products(catalogue):
    assert set(ranked("ceramic")) == {
        "Speckled Stoneware Mug",
        "Seconds: Three Imperfect Mugs",
        "Ash-Glaze Breakfast Bowl",
    }


def test_title_matches_rank_above_description_matches(catalogue):
    found = ranked("print")
    assert set(found[:2]) == {"Harbour at Dusk Risograph Print", "Winter Orchard Print"}
    assert found[2:] == ["Low Tide Tote Bag"]


def test_every_word_must_match_somewhere(catalogue):
    assert ranked("winter print") == ["Winter Orchard Print"]
    assert ranked("tote coffee") == []
    assert ranked("kiln bowl") == ["Ash-Glaze Breakfast Bowl"]  # store name + title


def test_tags_and_option_values_are_searched(catalogue):
    bowl = Product.objects.get(title="Ash-Glaze Breakfast Bowl")
    services.update_product(
        product=bowl, title=bowl.title, price=bowl.price, kind=bowl.kind, stock=bowl.stock, tags="Porridge, Gift"
    )
    assert ranked("porridge") == ["Ash-Glaze Breakfast Bowl"]
    tote = Product.objects.get(title="Low Tide Tote Bag")
    services.add_product_option(product=tote, name="Colour", values=["Ochre", "Navy"])
    assert ranked("ochre") == ["Low Tide Tote Bag"]
    value = tote.options.get().values.get(value="Ochre")
    services.rename_option_value(value=value, new_value="Mustard")
    assert ranked("ochre") == []
    assert ranked("mustard") == ["Low Tide Tote Bag"]


def test_the_index_follows_renames_and_deletes(catalogue):
    store = Product.objects.get(title="Fog Signals Cassette").store
    store.name = "Foghorn Records"
    store.save()
    assert set(ranked("foghorn")) == {"Fog Signals Cassette", "Low Tide Tote Bag"}
    assert ranked("audio") == []
    cassette = Product.objects.get(title="Fog Signals Cassette")
    services.update_product(
        product=cassette, title="Fog Signals Tape", price=cassette.price, kind=cassette.kind, stock=cassette.stock
    )
    assert ranked("cassette") == []
    assert ranked("tape") == ["Fog Signals Tape"]
    cassette.delete()
    assert ranked("tape") == []


def test_drafts_reserved_and_archived_products_are_not_found(catalogue):
    ProductFactory(title="Draft mug", status=Product.Status.DRAFT)
    ProductFactory(title="Archived mug", status=Product.Status.ARCHIVED)
    assert "Draft mug" not in ranked("mug")
    assert "Archived mug" not in ranked("mug")


def test_hostile_queries_find_nothing_or_something_without_errors(catalogue):
    for query in ['"mug', "mug -", "NEAR(mug)", "title:mug", "mug*", "^mug", "(", "'", "%", "the"]:
        list(selectors.search_products(query=query))  # no database error
    assert ranked("title:mug") == ranked("title mug")
    assert ranked("%") == []
    assert ranked("the") == []
    assert ranked("a mug for the kitchen") == []  # kitchen is nowhere
    assert set(ranked("the mugs")) == set(ranked("mugs"))


def test_the_search_engine_in_use(catalogue):
    # Both engines run this file in CI; the FTS5 table exists only on SQLite.
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM catalog_product_fts")
            assert cursor.fetchone()[0] == Product.objects.count()
        else:
            # The stored documents (kept by triggers) are what search_vector() computes.
            assert connection.vendor == "postgresql"
            tote = Product.objects.get(title="Low Tide Tote Bag")
            services.add_product_option(product=tote, name="Colour", values=["Ochre"])
            stored = dict(ProductSearchDocument.objects.values_list("product_id", "document"))
            computed = dict(Product.objects.annotate(document=search_vector()).values_list("pk", "document"))
            assert stored == computed and len(stored) == Product.objects.count() == 7


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the stored documents exist only on PostgreSQL")
def test_postgresql_matches_the_stored_documents_through_their_index(catalogue):
    # The search's condition on the stored documents, planned with sequential scans priced out:
    # without a usable index the plan still reads every document (seconds at 50,000 products).
    matching = ProductSearchDocument.objects.filter(document=SearchQuery("mug", search_type="plain", config=CONFIG))
    sql, params = matching.values("product_id").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Scan on catalog_product_search_document_gin" in plan, plan
    assert matching.count() == 3  # two mugs and the tote's "mug-sized pocket"


def test_price_sort_and_filters_in_browse(catalogue):
    from shomp.catalog.selectors.browse import BrowseFilters, browse_products

    Product.objects.filter(title="Winter Orchard Print").update(price=Decimal("40.00"))
    products = browse_products(filters=BrowseFilters(query="print", sort="price_desc"))
    assert next(p.title for p in products) == "Winter Orchard Print"
    cheap = browse_products(filters=BrowseFilters(query="print", max_price=Decimal("20")))
    assert "Winter Orchard Print" not in [p.title for p in cheap]
