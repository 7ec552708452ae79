import uuid
from decimal import Decimal

import factory

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog import services as catalog_services
from shomp.catalog.models import Product, Variant
from shomp.catalog.tests.factories import ProductFactory
from shomp.orders.models import Address, Cart, CartItem, Checkout, Order, OrderItem, ShippingSettings
from shomp.stores.tests.factories import StoreFactory


class CheckoutFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Checkout

    token = factory.LazyFunction(uuid.uuid4)
    buyer = factory.SubFactory(UserFactory)
    amount = factory.LazyAttribute(lambda o: 10)
    payment_provider = "test"
    payment_reference = factory.Sequence(lambda n: f"test_{n}")


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    checkout = factory.SubFactory(CheckoutFactory, buyer=factory.SelfAttribute("..buyer"))
    buyer = factory.SubFactory(UserFactory)
    store = factory.SubFactory(StoreFactory)
    total = 10
    status = Order.Status.PAID


class OrderItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderItem

    order = factory.SubFactory(OrderFactory)
    product = factory.SubFactory(ProductFactory, store=factory.SelfAttribute("..order.store"))
    title = factory.LazyAttribute(lambda o: o.product.title)
    kind = factory.LazyAttribute(lambda o: o.product.kind)
    unit_price = factory.LazyAttribute(lambda o: o.product.price)
    quantity = 1


class CartFactory(factory.django.DjangoModelFactory):
    """A logged-in user's cart (pass user=None for an anonymous one)."""

    class Meta:
        model = Cart

    user = factory.SubFactory(UserFactory)


class CartItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CartItem

    cart = factory.SubFactory(CartFactory)
    product = factory.SubFactory(ProductFactory)
    quantity = 1


def product_with_variants(
    *,
    options: dict[str, list[str]] | None = None,
    inventory: int = 5,
    product_factory: type[ProductFactory] = ProductFactory,
    **product_fields,
) -> Product:
    """A published product with options (Size S, M × Colour Red, Blue unless given) and every
    combination generated through the catalog's services, each with `inventory` in stock.

    The product's own stock is None: a product with variants counts stock per variant."""
    product_fields.setdefault("stock", None)
    product = product_factory(**product_fields)
    for name, values in (options or {"Size": ["S", "M"], "Colour": ["Red", "Blue"]}).items():
        catalog_services.add_product_option(product=product, name=name, values=values)
    catalog_services.generate_variants(product=product)
    Variant.objects.filter(product=product).update(inventory_count=inventory)
    product.refresh_from_db()
    return product


def variant_of(product: Product, name: str) -> Variant:
    """The product's variant called `name` ("M / Red"), with its product set."""
    return Variant.objects.select_related("product__store").get(product=product, name=name)


class ShippingSettingsFactory(factory.django.DjangoModelFactory):
    """A store shipping from the US: $5 + $1 per extra item at home, $15 + $3 abroad."""

    class Meta:
        model = ShippingSettings

    store = factory.SubFactory(StoreFactory)
    ships_from = "US"
    domestic_rate = Decimal("5.00")
    domestic_extra_item_rate = Decimal("1.00")
    international_rate = Decimal("15.00")
    international_extra_item_rate = Decimal("3.00")
    free_over = None
    processing_days = 3


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    user = factory.SubFactory(UserFactory)
    name = "Robin Receiver"
    line1 = factory.Sequence(lambda n: f"{n + 1} Quay Street")
    city = "Bristol"
    postal_code = "BS1 4DJ"
    country = "GB"
