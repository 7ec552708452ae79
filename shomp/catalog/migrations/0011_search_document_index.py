"""Search's GIN index on PostgreSQL, which 0010 never made (nothing on SQLite).

0010 asked for `catalog_product_search_gin` ON catalog_product_search with IF NOT EXISTS, but
0002's index on the product table already had that name (index names are per schema), so the
search table had no index and every search read every stored document. 0002's index itself
(title and description) is read by nothing since 0010 and cost every product write a GIN
update: it is dropped, and the search table's index made under a name of its own."""

from django.db import migrations

OLD_INDEX = "catalog_product_search_gin"
# 0002's expression, copied for the reverse (a migration does not import another's code).
OLD_EXPRESSION = (
    "(setweight(to_tsvector('english'::regconfig, COALESCE(\"title\", '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, COALESCE(\"description\", '')), 'B'))"
)
NEW_INDEX = "catalog_product_search_document_gin"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {OLD_INDEX}")
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {NEW_INDEX} ON catalog_product_search USING gin (document)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NEW_INDEX}")
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {OLD_INDEX} ON catalog_product USING gin ({OLD_EXPRESSION})")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0010_product_search_document")]
    operations = [migrations.RunPython(forwards, backwards)]
