import pytest

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog.tests.factories import ProductFactory
from shomp.orders.tests.factories import OrderFactory, OrderItemFactory
from shomp.stores.models import Store
from shomp.stores.tests.factories import StoreFactory


@pytest.fixture
def seller(db):
    return UserFactory(username="seller")


@pytest.fixture
def store(seller):
    return StoreFactory(owner=seller, name="Fern & Kiln", slug="fern-and-kiln")


@pytest.fixture
def anyone_may_review(store):
    """`store` takes reviews from anyone logged in (not the default, buyers only): `stranger`, who
    has no order, may write an unverified review. For tests about something other than who may
    review (test_who_may_review.py tests that)."""
    store.review_policy = Store.ReviewPolicy.ANYONE
    store.save(update_fields=["review_policy"])
    return store


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
