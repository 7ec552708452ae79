"""Marketplace search on SQLite: an FTS5 table kept in step by triggers (nothing on PostgreSQL,
which searches with its own full-text functions: catalog.search).

One row per product (rowid = product id) with the searched columns in ranking order: title,
tags, option values, store name, description. The porter tokenizer stems ("mugs" finds "Mug"),
unicode61 folds case and accents. Triggers on the product, its options' values and its store
keep the row current whatever writes them (services, the admin, a data migration). The SQL
lives in catalog/search.py, which also puts back triggers a later table rebuild dropped."""

from django.db import migrations


def create_fts(apps, schema_editor):
    from shomp.catalog.search import install_sqlite_index

    install_sqlite_index(schema_editor.connection)


def drop_fts(apps, schema_editor):
    from shomp.catalog.search import uninstall_sqlite_index

    uninstall_sqlite_index(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0007_categories_tags_and_search"),
        ("stores", "0006_store_time_zone"),
    ]
    operations = [migrations.RunPython(create_fts, drop_fts)]
