"""Starting data for the bulk tests: a seller's store with products and variants."""

from __future__ import annotations

from decimal import Decimal

from shomp.catalog import services as catalog_services
from shomp.catalog.models import Product, Variant
from shomp.catalog.tests.factories import ProductFactory


def sized_product(store, *, title: str = "Tee", price: str = "20.00", sizes=("S", "M", "L"), **fields) -> Product:
    """A product with a Size option and a variant per size (SKU <slug>-<size>, stock 5; L +2.00)."""
    fields.setdefault("slug", title.lower().replace(" ", "-"))
    product = ProductFactory(store=store, title=title, price=Decimal(price), **fields)
    catalog_services.add_product_option(product=product, name="Size", values=list(sizes))
    variants = catalog_services.generate_variants(product=product)
    for variant in variants:
        Variant.objects.filter(pk=variant.pk).update(
            sku=f"{product.slug}-{variant.name}".lower(),
            inventory_count=5,
            price_modifier=Decimal("2.00") if variant.name == "L" else None,
        )
    product.refresh_from_db()
    return product


def variants_of(product: Product) -> dict[str, Variant]:
    return {
        v.name: v for v in Variant.objects.filter(product=product, archived_at__isnull=True).select_related("product")
    }
