"""Opening a dashboard page of another of the seller's own stores (a link in an email, a
notification, another tab) switches to that store with a notice instead of a 404; a store the
user isn't on stays a 404."""

from decimal import Decimal

import pytest

from shomp.catalog import services as catalog_services
from shomp.catalog.tests.factories import ProductFactory
from shomp.orders.tests.factories import OrderFactory
from shomp.stores.policies import ACTIVE_STORE_SESSION_KEY
from shomp.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stores():
    alpha = StoreFactory(name="Alpha", slug="alpha")
    beta = StoreFactory(name="Beta Prints", slug="beta", owner=alpha.owner)
    return alpha, beta


@pytest.fixture
def seller(client, stores):
    alpha, _ = stores
    client.force_login(alpha.owner)
    session = client.session
    session[ACTIVE_STORE_SESSION_KEY] = alpha.pk  # Alpha is the active store
    session.save()
    return client


def pages_of(store):
    product = ProductFactory(store=store, price=Decimal("10.00"))
    catalog_services.add_product_option(product=product, name="Size", values=["S"])
    variant = catalog_services.generate_variants(product=product)[0]
    order = OrderFactory(store=store)
    return {
        "product edit": f"/dashboard/products/{product.pk}/edit/",
        "variant manager": f"/dashboard/products/{product.pk}/variants/",
        "variant inventory": f"/dashboard/products/{product.pk}/variants/{variant.pk}/inventory/",
        "order": f"/dashboard/orders/{order.uuid}/",
        "product analytics": f"/dashboard/analytics/products/{product.pk}/",
    }


@pytest.mark.parametrize("page", ["product edit", "variant manager", "variant inventory", "order", "product analytics"])
def test_a_page_of_another_own_store_switches_to_it_with_a_notice(seller, stores, page):
    _, beta = stores
    url = pages_of(beta)[page]

    response = seller.get(url, follow=True)

    assert response.status_code == 200
    assert response.redirect_chain == [(url, 302)]
    assert seller.session[ACTIVE_STORE_SESSION_KEY] == beta.pk
    assert "Now managing Beta Prints." in response.text


@pytest.mark.parametrize("page", ["product edit", "variant manager", "variant inventory", "order", "product analytics"])
def test_a_page_of_a_store_the_user_is_not_on_stays_404(seller, stores, page):
    alpha, _ = stores
    url = pages_of(StoreFactory(name="Gamma", slug="gamma"))[page]

    response = seller.get(url)

    assert response.status_code == 404
    assert seller.session[ACTIVE_STORE_SESSION_KEY] == alpha.pk


def test_a_post_to_another_store_page_does_not_switch(seller, stores):
    alpha, beta = stores
    url = pages_of(beta)["product edit"]

    response = seller.post(url, {"title": "Hijack", "price": "1", "kind": "digital"})

    assert response.status_code == 404
    assert seller.session[ACTIVE_STORE_SESSION_KEY] == alpha.pk


def test_a_logged_out_visitor_is_sent_to_log_in(client, stores):
    _, beta = stores
    url = pages_of(beta)["variant manager"]

    response = client.get(url)

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
