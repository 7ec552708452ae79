from decimal import Decimal

import factory
from django.utils import timezone

from shomp.catalog.models import Product, ProductImage
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


class ProductImageFactory(factory.django.DjangoModelFactory):
    """An image row pointing at a stored name, without writing a file (cheap for list pages).

    Width and height are given, so Django never opens the file to measure it. Use the services
    with `shomp.core.testing.images.image_upload` when a test needs real pixels."""

    class Meta:
        model = ProductImage

    product = factory.SubFactory(ProductFactory)
    image = factory.Sequence(lambda n: f"products/images/test-{n}.jpg")
    thumbnail = factory.Sequence(lambda n: f"products/thumbs/test-{n}.jpg")
    width = 640
    height = 480
    position = factory.Sequence(lambda n: n)
