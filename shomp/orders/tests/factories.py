import uuid

import factory

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog.tests.factories import ProductFactory
from shomp.orders.models import Cart, CartItem, Checkout, Order, OrderItem
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
