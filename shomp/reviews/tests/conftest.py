import pytest

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog.tests.factories import ProductFactory
from shomp.orders.tests.factories import OrderFactory, OrderItemFactory
from shomp.stores.tests.factories import StoreFactory


@pytest.fixture
def seller(db):
    return UserFactory(username="seller")


@pytest.fixture
def store(seller):
    return StoreFactory(owner=seller, name="Fern & Kiln", slug="fern-and-kiln")


@pytest.fixture
def product(store):
    return ProductFactory(store=store, title="Moss Mug", slug="moss-mug")


@pytest.fixture
def buyer(db):
    return UserFactory(username="buyer")


@pytest.fixture
def stranger(db):
    return UserFactory(username="stranger")


@pytest.fixture
def paid_buyer(buyer, product):
    """`buyer` with a paid order holding `product`."""
    OrderItemFactory(order=OrderFactory(buyer=buyer, store=product.store), product=product)
    return buyer


@pytest.fixture
def staff(db):
    return UserFactory(username="moderator", is_staff=True, is_superuser=True)
