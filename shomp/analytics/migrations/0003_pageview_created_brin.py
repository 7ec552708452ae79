"""A BRIN index on page views' time, on PostgreSQL only.

The raw table is append-only, so its rows lie on disk in time order and a BRIN index (a few
pages for millions of rows) answers "rows of this day" for rollups and pruning. SQLite has no
BRIN: there the (store, created_at) B-tree index does the work, and this migration does nothing.
"""

from django.db import migrations

INDEX = "analytics_pv_created_brin"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON analytics_pageview USING brin (created_at)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("analytics", "0002_report_export")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
