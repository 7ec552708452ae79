import pytest

from shomp.catalog.tests.factories import DigitalProductFactory, ProductFactory
from shomp.orders.tests.factories import OrderItemFactory


@pytest.mark.django_db
def test_factories_build_a_coherent_marketplace():
    product = ProductFactory()
    digital = DigitalProductFactory(store=product.store)
    item = OrderItemFactory(order__store=product.store, product=digital)
    assert item.order.store == digital.store
    assert item.order.checkout.buyer == item.order.buyer
    assert digital.digital_file.storage is not None
