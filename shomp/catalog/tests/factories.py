from decimal import Decimal

import factory
from django.utils import timezone

from shomp.catalog.models import Product
from shomp.stores.tests.factories import StoreFactory


class ProductFactory(factory.django.DjangoModelFactory):
    """A published physical product with stock 10 (pass status/kind/stock to change it)."""

    class Meta:
        model = Product

    store = factory.SubFactory(StoreFactory)
    title = factory.Sequence(lambda n: f"Product {n}")
    slug = factory.Sequence(lambda n: f"product-{n}")
    description = "A lovely thing."
    price = Decimal("10.00")
    kind = Product.Kind.PHYSICAL
    status = Product.Status.PUBLISHED
    stock = 10
    published_at = factory.LazyFunction(timezone.now)


class DigitalProductFactory(ProductFactory):
    kind = Product.Kind.DIGITAL
    stock = None
    digital_file = factory.django.FileField(filename="guide.pdf", data=b"%PDF-1.4 test file")
    digital_file_name = "guide.pdf"
    digital_file_type = "application/pdf"
    digital_file_size = 18
