"""'Add to cart' on a product page keeps the buyer there (issue 15): with HTMX the buy box says
what happened with a link to the cart and the header's badges follow; without JavaScript the
buyer is sent back to the product with the same message."""

import re

import pytest
from django.urls import reverse

from shomp.catalog.tests.factories import ProductFactory
from shomp.orders.models import CartItem
from shomp.orders.tests.factories import product_with_variants, variant_of

pytestmark = pytest.mark.django_db

ADD = reverse("orders:cart_add")
HTMX = {"HX-Request": "true"}


def test_htmx_add_answers_the_status_line_with_a_cart_link_and_the_badges(client):
    product = ProductFactory(title="Speckled Mug", stock=5)

    response = client.post(ADD, {"product": product.pk, "quantity": 2}, headers=HTMX)

    assert response.status_code == 200 and "<html" not in response.text
    assert "Added “Speckled Mug” to your cart." in response.text
    assert 'href="/cart/"' in response.text and "View cart" in response.text
    assert re.search(r'<span id="cart-badge" hx-swap-oob="true"[^>]*>2</span>', response.text)
    assert re.search(r'<span id="cart-badge-mobile" hx-swap-oob="true"[^>]*>2</span>', response.text)
    assert CartItem.objects.get().quantity == 2


def test_htmx_add_of_too_many_says_why_in_the_buy_box_and_adds_nothing(client):
    product = ProductFactory(title="Last Vase", stock=1)

    response = client.post(ADD, {"product": product.pk, "quantity": 3}, headers=HTMX)

    assert response.status_code == 200 and 'role="alert"' in response.text
    assert "Added" not in response.text
    assert not CartItem.objects.exists()


def test_htmx_add_with_a_bad_quantity_says_so_and_adds_nothing(client):
    product = ProductFactory(stock=5)

    response = client.post(ADD, {"product": product.pk, "quantity": "lots"}, headers=HTMX)

    assert 'role="alert"' in response.text and "whole number" in response.text.lower()
    assert not CartItem.objects.exists()


def test_without_javascript_the_buyer_goes_back_to_the_product_with_a_cart_link(client):
    product = ProductFactory(title="Speckled Mug", stock=5)

    response = client.post(ADD, {"product": product.pk, "quantity": 1}, follow=True)

    assert response.redirect_chain[-1][0] == product.get_absolute_url()
    assert "Added “Speckled Mug” to your cart." in response.text
    assert '<a href="/cart/">View cart</a>' in response.text
    assert CartItem.objects.count() == 1


def test_a_variant_is_added_from_its_page_and_the_buyer_stays_on_that_choice(client):
    product = product_with_variants(options={"Colour": ["Blue", "Red"]}, inventory=4)
    blue = variant_of(product, "Blue")

    htmx = client.post(ADD, {"product": product.pk, "variant": blue.pk, "quantity": 1}, headers=HTMX)
    plain = client.post(ADD, {"product": product.pk, "variant": blue.pk, "quantity": 1})

    assert "Blue" in htmx.text and "to your cart." in htmx.text
    assert plain["Location"] == f"{product.get_absolute_url()}?variant={blue.pk}"
    assert CartItem.objects.get(variant=blue).quantity == 2


def test_the_buy_box_posts_with_htmx_into_its_status_line(client):
    product = ProductFactory(stock=5)

    html = client.get(product.get_absolute_url()).text

    assert 'hx-post="/cart/add/"' in html and 'hx-target="#add-to-cart-status"' in html
    assert 'id="add-to-cart-status" role="status"' in html
    assert 'action="/cart/add/"' in html  # and it still works without JavaScript
