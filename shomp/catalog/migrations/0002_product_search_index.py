"""A GIN index for marketplace search on PostgreSQL (nothing on SQLite).

The expression is exactly the one catalog.selectors.products.PRODUCT_SEARCH_VECTOR compiles to,
so `document @@ websearch_to_tsquery(...)` can use it."""

from django.db import migrations

INDEX = "catalog_product_search_gin"
EXPRESSION = (
    "(setweight(to_tsvector('english'::regconfig, COALESCE(\"title\", '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, COALESCE(\"description\", '')), 'B'))"
)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON catalog_product USING gin ({EXPRESSION})")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(create_index, drop_index)]
