"""Marketplace search: one function, the same results on SQLite and PostgreSQL.

`search_products(products=, query=)` keeps the products matching every word of `query` in their
title, tags, option values, store name or description, annotated with `title_hit` (every word is
in the title) and `rank`; `order_by(*RELEVANCE)` puts title matches first, then the better rank.

- SQLite (the embedded default): the FTS5 table `catalog_product_fts` (porter stemming, bm25
  ranking with per-column weights), created by migration 0008 and kept in step by triggers on
  the product, option value and store tables (the SQL is below).
- PostgreSQL: `to_tsvector('english', ...)` with weights A (title), B (tags), C (options and
  store name), D (description), `ts_rank` and `@@`. The document is stored, one row per product
  in `catalog_product_search` (models.ProductSearchDocument) with a GIN index, kept in step by
  triggers on the same tables as SQLite's (the SQL is below; migration 0010 installs it):
  computed for every published product at each search, it took 20 to 50 s per query at 50,000
  products on this machine.

The query is read the same way for both: words (letters and digits) lowercased, common English
words dropped, at most ten, every one required ("plain" on PostgreSQL, quoted terms on SQLite:
no query syntax reaches either engine).
"""

# ruff: noqa: S608, S611  SQL built from this module's constants only; the user's words are parameters.
from __future__ import annotations

import re

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection as default_connection
from django.db.models import BooleanField, Case, F, FloatField, OuterRef, QuerySet, StringAgg, Subquery, Value, When
from django.db.models.expressions import RawSQL

from .models import Product, ProductOptionValue

MAX_WORDS = 10
# Words PostgreSQL's english configuration ignores; dropped on both engines so that "a mug for
# the kitchen" means the same everywhere.
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "from",
        "has",
        "have",
        "i",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "so",
        "than",
        "that",
        "the",
        "their",
        "then",
        "there",
        "these",
        "this",
        "to",
        "was",
        "were",
        "will",
        "with",
    ]
)

# Title matches first, then the better rank, then the newest.
RELEVANCE = ("-title_hit", "-rank", "-published_at", "-pk")


def search_words(query: str) -> list[str]:
    words = [word for word in re.findall(r"\w+", (query or "").lower()) if word not in STOP_WORDS]
    return list(dict.fromkeys(words))[:MAX_WORDS]


def search_products(*, products: QuerySet[Product], query: str, connection=None) -> QuerySet[Product]:
    """`products` matching every word of `query`, annotated with `title_hit` and `rank` (unordered:
    callers order by RELEVANCE or their chosen sort). An empty query: `products` unchanged and
    annotated with neutral values, so the same sorts apply; a query without a searchable word
    ("%", "the"): nothing."""
    connection = connection or default_connection
    words = search_words(query)
    if not words:
        neutral = products.annotate(
            title_hit=Value(False, output_field=BooleanField()), rank=Value(0.0, output_field=FloatField())
        )
        # Only punctuation or common words ("%", "the"): nothing to find.
        return neutral.none() if (query or "").strip() else neutral
    if connection.vendor == "postgresql":
        return _search_postgresql(products, words)
    return _search_sqlite(products, words)


# PostgreSQL ---------------------------------------------------------------------------------

CONFIG = "english"


def _option_values():
    return Subquery(
        ProductOptionValue.objects.filter(option__product=OuterRef("pk"))
        .values("option__product")
        .annotate(text=StringAgg("value", delimiter=Value(" ")))
        .values("text")[:1]
    )


def search_vector() -> SearchVector:
    return (
        SearchVector("title", weight="A", config=CONFIG)
        + SearchVector("tags", weight="B", config=CONFIG)
        + SearchVector(_option_values(), weight="C", config=CONFIG)
        + SearchVector("store__name", weight="C", config=CONFIG)
        + SearchVector("description", weight="D", config=CONFIG)
    )


def _search_postgresql(products: QuerySet[Product], words: list[str]) -> QuerySet[Product]:
    query = SearchQuery(" ".join(words), search_type="plain", config=CONFIG)
    return products.filter(search_document__document=query).annotate(
        rank=SearchRank(F("search_document__document"), query),
        title_hit=Case(When(search_document__title_document=query, then=Value(True)), default=Value(False)),
    )


# The stored document: search_vector()'s expression, per product, in SQL a trigger can run.
PG_TABLE = "catalog_product_search"
_PG_DOCUMENT = (
    "setweight(to_tsvector('english'::regconfig, COALESCE(p.title, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, COALESCE(p.tags, '')), 'B') || "
    "setweight(to_tsvector('english'::regconfig, COALESCE((SELECT string_agg(v.value, ' ') "
    "FROM catalog_productoptionvalue v JOIN catalog_productoption o ON o.id = v.option_id "
    "WHERE o.product_id = p.id), '')), 'C') || "
    "setweight(to_tsvector('english'::regconfig, COALESCE(s.name, '')), 'C') || "
    "setweight(to_tsvector('english'::regconfig, COALESCE(p.description, '')), 'D')"
)
PG_CREATE = [
    f"CREATE TABLE IF NOT EXISTS {PG_TABLE} (product_id bigint PRIMARY KEY, document tsvector NOT NULL, "
    "title_document tsvector NOT NULL)",
    # Not "{PG_TABLE}_gin": index names are per schema, and migration 0002's index on the product
    # table had that name, so IF NOT EXISTS skipped this one (0011 drops the old and adds this).
    f"CREATE INDEX IF NOT EXISTS {PG_TABLE}_document_gin ON {PG_TABLE} USING gin (document)",
    # Writes the rows of these products (insert or replace); products gone are left out.
    "CREATE OR REPLACE FUNCTION catalog_product_search_refresh(ids bigint[]) RETURNS void AS $$ "
    f"INSERT INTO {PG_TABLE} (product_id, document, title_document) "
    f"SELECT p.id, {_PG_DOCUMENT}, to_tsvector('english'::regconfig, COALESCE(p.title, '')) "
    "FROM catalog_product p JOIN stores_store s ON s.id = p.store_id WHERE p.id = ANY(ids) "
    "ON CONFLICT (product_id) DO UPDATE SET document = EXCLUDED.document, title_document = EXCLUDED.title_document"
    " $$ LANGUAGE sql",
    "CREATE OR REPLACE FUNCTION catalog_product_search_trigger() RETURNS trigger AS $$ BEGIN "
    "IF TG_TABLE_NAME = 'catalog_product' THEN "
    f"  IF TG_OP = 'DELETE' THEN DELETE FROM {PG_TABLE} WHERE product_id = OLD.id; "
    "  ELSE PERFORM catalog_product_search_refresh(ARRAY[NEW.id]); END IF; "
    "ELSIF TG_TABLE_NAME = 'stores_store' THEN "
    "  PERFORM catalog_product_search_refresh(ARRAY(SELECT id FROM catalog_product WHERE store_id = NEW.id)); "
    "ELSIF TG_TABLE_NAME = 'catalog_productoption' THEN "
    "  PERFORM catalog_product_search_refresh(ARRAY[OLD.product_id]); "
    "ELSE "  # catalog_productoptionvalue
    "  PERFORM catalog_product_search_refresh(ARRAY(SELECT product_id FROM catalog_productoption "
    "WHERE id IN (CASE WHEN TG_OP = 'DELETE' THEN OLD.option_id ELSE NEW.option_id END, "
    "CASE WHEN TG_OP = 'UPDATE' THEN OLD.option_id END))); "
    "END IF; RETURN NULL; END $$ LANGUAGE plpgsql",
]
PG_TRIGGERS = {
    "catalog_product_search_insert": "AFTER INSERT ON catalog_product",
    # Django's save() writes every column: only a change of a searched one rewrites the document.
    "catalog_product_search_update": (
        "AFTER UPDATE OF title, tags, description, store_id ON catalog_product FOR EACH ROW WHEN "
        "(OLD.title IS DISTINCT FROM NEW.title OR OLD.tags IS DISTINCT FROM NEW.tags OR "
        "OLD.description IS DISTINCT FROM NEW.description OR OLD.store_id IS DISTINCT FROM NEW.store_id)"
    ),
    "catalog_product_search_delete": "AFTER DELETE ON catalog_product",
    "catalog_product_search_store": (
        "AFTER UPDATE OF name ON stores_store FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)"
    ),
    "catalog_product_search_option": "AFTER DELETE ON catalog_productoption",
    "catalog_product_search_value": "AFTER INSERT OR UPDATE OR DELETE ON catalog_productoptionvalue",
}


def install_postgresql_index(connection) -> None:
    """Create the search table, its triggers and its rows (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for statement in PG_CREATE:
            cursor.execute(statement)
        for name, when in PG_TRIGGERS.items():
            table = when.split(" ON ", 1)[1].split()[0]
            each = "" if "FOR EACH ROW" in when else " FOR EACH ROW"
            cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            cursor.execute(f"CREATE TRIGGER {name} {when}{each} EXECUTE FUNCTION catalog_product_search_trigger()")
        cursor.execute("SELECT catalog_product_search_refresh(ARRAY(SELECT id FROM catalog_product))")


def uninstall_postgresql_index(connection) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for name, when in PG_TRIGGERS.items():
            cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {when.split(' ON ', 1)[1].split()[0]}")
        cursor.execute("DROP FUNCTION IF EXISTS catalog_product_search_trigger()")
        cursor.execute("DROP FUNCTION IF EXISTS catalog_product_search_refresh(bigint[])")
        cursor.execute(f"DROP TABLE IF EXISTS {PG_TABLE}")


# SQLite -------------------------------------------------------------------------------------

FTS = "catalog_product_fts"
# bm25 weights, in the table's column order: title, tags, options, store_name, description.
BM25 = "bm25(catalog_product_fts, 10.0, 5.0, 2.0, 2.0, 1.0)"


def _fts_query(words: list[str], column: str = "") -> str:
    terms = " ".join(f'"{word}"' for word in words)  # \w+ words: no quote can reach FTS5
    return f"{column} : ({terms})" if column else terms


def _search_sqlite(products: QuerySet[Product], words: list[str]) -> QuerySet[Product]:
    match = _fts_query(words)
    table = Product._meta.db_table
    return products.filter(pk__in=RawSQL(f"SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s", [match])).annotate(
        # bm25 is lower for a better match: negated, so that higher is better as on PostgreSQL.
        rank=RawSQL(
            f"SELECT -{BM25} FROM {FTS} WHERE {FTS} MATCH %s AND rowid = {table}.id",
            [match],
            output_field=FloatField(),
        ),
        title_hit=RawSQL(
            f"{table}.id IN (SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s)",
            [_fts_query(words, "title")],
            output_field=BooleanField(),
        ),
    )


_OPTIONS_OF = (
    "(SELECT COALESCE(group_concat(v.value, ' '), '') FROM catalog_productoptionvalue v "
    "JOIN catalog_productoption o ON o.id = v.option_id WHERE o.product_id = {product})"
)
_STORE_NAME_OF = "(SELECT name FROM stores_store WHERE id = {store})"
_PRODUCT_OF_OPTION = "(SELECT product_id FROM catalog_productoption WHERE id = {option})"

CREATE_TABLE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5("
    "title, tags, options, store_name, description, tokenize = 'porter unicode61 remove_diacritics 2')"
)
FILL_TABLE = (
    f"INSERT INTO {FTS} (rowid, title, tags, options, store_name, description) "
    f"SELECT p.id, p.title, p.tags, {_OPTIONS_OF.format(product='p.id')}, s.name, p.description "
    "FROM catalog_product p JOIN stores_store s ON s.id = p.store_id"
)
TRIGGERS = {
    "catalog_product_fts_insert": (
        f"AFTER INSERT ON catalog_product BEGIN "
        f"INSERT INTO {FTS} (rowid, title, tags, options, store_name, description) VALUES (NEW.id, NEW.title, "
        f"NEW.tags, {_OPTIONS_OF.format(product='NEW.id')}, {_STORE_NAME_OF.format(store='NEW.store_id')}, "
        "NEW.description); END"
    ),
    "catalog_product_fts_update": (
        f"AFTER UPDATE OF title, tags, description, store_id ON catalog_product BEGIN "
        f"UPDATE {FTS} SET title = NEW.title, tags = NEW.tags, description = NEW.description, "
        f"store_name = {_STORE_NAME_OF.format(store='NEW.store_id')} WHERE rowid = NEW.id; END"
    ),
    "catalog_product_fts_delete": (
        f"AFTER DELETE ON catalog_product BEGIN DELETE FROM {FTS} WHERE rowid = OLD.id; END"
    ),
    "catalog_product_fts_store": (
        f"AFTER UPDATE OF name ON stores_store BEGIN UPDATE {FTS} SET store_name = NEW.name "
        "WHERE rowid IN (SELECT id FROM catalog_product WHERE store_id = NEW.id); END"
    ),
    "catalog_product_fts_option_delete": (
        f"AFTER DELETE ON catalog_productoption BEGIN UPDATE {FTS} SET options = "
        f"{_OPTIONS_OF.format(product='OLD.product_id')} WHERE rowid = OLD.product_id; END"
    ),
}
for _event, _row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
    _product = _PRODUCT_OF_OPTION.format(option=f"{_row}.option_id")
    TRIGGERS[f"catalog_product_fts_value_{_event.lower()}"] = (
        f"AFTER {_event} ON catalog_productoptionvalue BEGIN UPDATE {FTS} SET options = "
        f"{_OPTIONS_OF.format(product=_product)} WHERE rowid = {_product}; END"
    )


def install_sqlite_index(connection) -> bool:
    """Create the FTS table and its triggers where missing (SQLite only). A trigger found missing
    (Django rebuilds a SQLite table to alter it, dropping its triggers) means the table may have
    missed writes: it is then filled again from the products. Returns whether anything changed."""
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') AND name LIKE 'catalog_product_fts%'"
        )
        present = {row[0] for row in cursor.fetchall()}
        missing = [name for name in TRIGGERS if name not in present]
        if FTS in present and not missing:
            return False
        cursor.execute(CREATE_TABLE)
        for name in missing:
            cursor.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {TRIGGERS[name]}")
        cursor.execute(f"DELETE FROM {FTS}")
        cursor.execute(FILL_TABLE)
    return True


def uninstall_sqlite_index(connection) -> None:
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for name in TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        cursor.execute(f"DROP TABLE IF EXISTS {FTS}")
