import pytest

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog import services as catalog
from shomp.catalog.tests.factories import ProductFactory


@pytest.fixture
def buyer(db):
    return UserFactory(username="saver")


@pytest.fixture
def product(db):
    return ProductFactory(title="Blue mug")


@pytest.fixture
def variant_product(db):
    """A published tee in S and M (variants, 5 each in stock)."""
    product = ProductFactory(title="Tee", stock=None)
    catalog.add_product_option(product=product, name="Size", values=["S", "M"])
    variants = catalog.generate_variants(product=product)
    for variant in variants:
        catalog.update_variant(variant=variant, inventory_count=5)
    product.refresh_from_db()
    return product
