"""Marketplace search on PostgreSQL: each product's search document stored, with a GIN index, and
kept in step by triggers on the product, its options' values and its store (the SQL is in
catalog/search.py), as migration 0008 does with an FTS5 table on SQLite. Nothing on SQLite.

Computed at every search instead, it took 20 to 50 s per query at 50,000 products. Filling the
table here costs one pass over the products (about a minute per 100,000)."""

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models


def create_table(apps, schema_editor):
    from shomp.catalog.search import install_postgresql_index

    install_postgresql_index(schema_editor.connection)


def drop_table(apps, schema_editor):
    from shomp.catalog.search import uninstall_postgresql_index

    uninstall_postgresql_index(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0009_promotions"),
        ("stores", "0006_store_time_zone"),
    ]

    operations = [
        migrations.CreateModel(
            name="ProductSearchDocument",
            fields=[
                (
                    "product",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="search_document",
                        serialize=False,
                        to="catalog.product",
                    ),
                ),
                ("document", django.contrib.postgres.search.SearchVectorField()),
                ("title_document", django.contrib.postgres.search.SearchVectorField()),
            ],
            options={"db_table": "catalog_product_search", "managed": False},
        ),
        migrations.RunPython(create_table, drop_table),
    ]
