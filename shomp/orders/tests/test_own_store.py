"""A seller can't buy from their own store: the buy box offers no Add to cart to the team, and
adding anyway is refused with a clear message and changes nothing."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog.tests.factories import ProductFactory
from shomp.orders.models import CartItem

pytestmark = pytest.mark.django_db


def test_the_owner_sees_no_add_to_cart_and_adding_anyway_is_refused(client):
    product = ProductFactory()
    client.force_login(product.store.owner)

    page = client.get(product.get_absolute_url()).content.decode()
    response = client.post(reverse("orders:cart_add"), {"product": product.pk, "quantity": 1})

    assert "Add to cart" not in page
    assert 'id="own-store-note"' in page
    assert response.status_code == 302
    assert any("your own store" in str(m) for m in get_messages(response.wsgi_request))
    assert not CartItem.objects.exists()


def test_another_user_still_buys(client):
    product = ProductFactory()
    client.force_login(UserFactory())

    assert "Add to cart" in client.get(product.get_absolute_url()).content.decode()
    client.post(reverse("orders:cart_add"), {"product": product.pk, "quantity": 1})

    assert CartItem.objects.filter(product=product).exists()
