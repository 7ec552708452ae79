"""Categories (the tree shipped in data/categories.json), product tags, and a category for every
product: existing products get "Digital downloads" when digital, else "Other" (sellers can pick a
better one in the product form; nothing else about a product changes)."""

import django.db.models.deletion
from django.db import migrations, models

import shomp.catalog.models


def add_categories(apps, schema_editor):
    from shomp.catalog.services.categories import sync_categories

    Category = apps.get_model("catalog", "Category")
    Product = apps.get_model("catalog", "Product")
    sync_categories(model=Category)
    digital = Category.objects.get(slug="digital-downloads")
    other = Category.objects.get(slug="other")
    Product.objects.filter(category__isnull=True, kind="digital").update(category=digital)
    Product.objects.filter(category__isnull=True).update(category=other)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0006_product_images_processed_by_the_worker"),
    ]

    operations = [
        migrations.AddField(
            model_name="product",
            name="tags",
            field=models.CharField(blank=True, max_length=250),
        ),
        migrations.CreateModel(
            name="Category",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=80)),
                ("slug", models.SlugField(max_length=80, unique=True)),
                ("position", models.PositiveSmallIntegerField(default=0)),
                ("description", models.CharField(blank=True, max_length=300)),
                (
                    "parent",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="children",
                        to="catalog.category",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "categories",
                "ordering": ["position", "name"],
            },
        ),
        migrations.AddField(
            model_name="product",
            name="category",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="products",
                to="catalog.category",
            ),
        ),
        migrations.RunPython(add_categories, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="product",
            name="category",
            field=models.ForeignKey(
                default=shomp.catalog.models.default_category,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="products",
                to="catalog.category",
            ),
        ),
        migrations.AddIndex(
            model_name="product",
            index=models.Index(fields=["category", "status"], name="catalog_pro_categor_da0f0a_idx"),
        ),
    ]
