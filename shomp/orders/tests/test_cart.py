"""The cart, through its pages: add, change, remove, the refusals, and the merge on login."""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from shomp.accounts.tests.factories import PASSWORD, UserFactory
from shomp.catalog.models import Product
from shomp.catalog.tests.factories import DigitalProductFactory, ProductFactory
from shomp.orders.models import Cart, CartItem
from shomp.stores.tests.factories import StoreFactory

from .factories import CartFactory, CartItemFactory

pytestmark = pytest.mark.django_db

CART = reverse("orders:cart")
ADD = reverse("orders:cart_add")
HTMX = {"HTTP_HX_REQUEST": "true"}


def update_url(item) -> str:
    return reverse("orders:cart_update", kwargs={"item_id": item.pk})


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def lines(user) -> dict[str, int]:
    return {i.product.title: i.quantity for i in CartItem.objects.filter(cart__user=user).select_related("product")}


@pytest.fixture
def line(buyer):
    """One line of 2 of a product with stock 10, at $10.00, in the buyer's cart."""
    return CartItemFactory(cart=CartFactory(user=buyer), product=ProductFactory(title="Mug", stock=10), quantity=2)


# Adding ----------------------------------------------------------------------------------


def test_add_products_from_several_stores(buyer_client, buyer):
    pottery, prints = StoreFactory(name="Pottery Barn Owl"), StoreFactory(name="Print Shed")
    mug = ProductFactory(store=pottery, title="Mug", price="12.50")
    bowl = ProductFactory(store=pottery, title="Bowl", price="20.00")
    poster = ProductFactory(store=prints, title="Poster", price="5.00")

    for product, quantity in [(mug, 2), (poster, 1), (bowl, 1), (mug, 1)]:
        response = buyer_client.post(ADD, {"product": product.pk, "quantity": quantity})
        assert response.status_code == 302
        assert response.url == product.get_absolute_url()  # the buyer stays on the product

    assert lines(buyer) == {"Mug": 3, "Bowl": 1, "Poster": 1}  # the same product again adds to its line
    page = buyer_client.get(CART).content.decode()
    assert "Pottery Barn Owl" in page and "Print Shed" in page
    assert '<span id="cart-count">5</span>' in page
    assert '<span id="cart-total">$62.50</span>' in page  # 3 x 12.50 + 20 + 5
    assert page.index("Pottery Barn Owl") < page.index("Print Shed")  # one group per store


def test_an_anonymous_visitor_fills_a_cart(client):
    product = ProductFactory(title="Lamp")
    response = client.post(ADD, {"product": product.pk, "quantity": 2}, follow=True)
    assert response.redirect_chain[-1][0] == product.get_absolute_url()  # back to the product
    assert "Added “Lamp” to your cart." in response.content.decode()
    page = client.get(CART).content.decode()
    assert "Lamp" in page and '<span id="cart-count">2</span>' in page
    assert Cart.objects.get(user=None).items.get().quantity == 2


def test_adding_more_than_the_stock_is_refused_and_adds_nothing(buyer_client, buyer):
    product = ProductFactory(title="Vase", stock=3)
    response = buyer_client.post(ADD, {"product": product.pk, "quantity": 4})
    assert response.status_code == 302
    assert messages_of(response) == ["Only 3 of “Vase” left in stock."]
    assert lines(buyer) == {}

    buyer_client.post(ADD, {"product": product.pk, "quantity": 2})
    response = buyer_client.post(ADD, {"product": product.pk, "quantity": 2})  # 2 + 2 > 3
    assert messages_of(response)[-1] == "Only 3 of “Vase” left in stock."
    assert lines(buyer) == {"Vase": 2}


def test_a_sold_out_product_cannot_be_added(buyer_client, buyer):
    product = ProductFactory(title="Vase", stock=0)
    response = buyer_client.post(ADD, {"product": product.pk, "quantity": 1})
    assert messages_of(response) == ["“Vase” is sold out."]
    assert lines(buyer) == {}


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("0", "The quantity must be at least 1."),
        ("-3", "The quantity must be at least 1."),
        ("lots", "Enter a whole number."),
        ("", "This field is required."),
        ("100", "Ensure this value is less than or equal to 99."),
    ],
)
def test_adding_a_bad_quantity_is_refused(buyer_client, buyer, quantity, message):
    product = ProductFactory()
    response = buyer_client.post(ADD, {"product": product.pk, "quantity": quantity})
    assert response.status_code == 302
    assert messages_of(response) == [message]
    assert not CartItem.objects.exists()


def test_a_digital_product_is_bought_once(buyer_client, buyer):
    ebook = DigitalProductFactory(title="Glazing guide")
    response = buyer_client.post(ADD, {"product": ebook.pk, "quantity": 2})
    assert messages_of(response) == ["A digital product is bought once: the download is yours to keep."]
    assert lines(buyer) == {}

    buyer_client.post(ADD, {"product": ebook.pk, "quantity": 1})
    buyer_client.post(ADD, {"product": ebook.pk, "quantity": 1})  # again: still one
    assert lines(buyer) == {"Glazing guide": 1}

    item = CartItem.objects.get(product=ebook)
    response = buyer_client.post(update_url(item), {"quantity": "2"}, **HTMX)
    assert "A digital product is bought once" in response.content.decode()
    assert lines(buyer) == {"Glazing guide": 1}


@pytest.mark.parametrize("status", [Product.Status.DRAFT, Product.Status.ARCHIVED])
def test_an_unpublished_product_is_not_found(buyer_client, status):
    product = ProductFactory(status=status)
    assert buyer_client.post(ADD, {"product": product.pk, "quantity": 1}).status_code == 404
    assert not CartItem.objects.exists()


def test_adding_is_a_post(buyer_client):
    product = ProductFactory()
    assert buyer_client.get(ADD, {"product": product.pk, "quantity": 1}).status_code == 405
    assert not CartItem.objects.exists()


# Changing and removing -------------------------------------------------------------------


def test_change_quantity_with_htmx_returns_the_cart_fragment(buyer_client, line):
    response = buyer_client.post(update_url(line), {"quantity": "5"}, **HTMX)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<html" not in page  # the fragment only
    assert '<span id="cart-count">5</span>' in page
    assert '<span id="cart-total">$50.00</span>' in page
    assert re.search(r'<span id="cart-badge" hx-swap-oob="true"[^>]*>5</span>', page)  # the header badge follows
    line.refresh_from_db()
    assert line.quantity == 5


def test_change_quantity_with_a_plain_post_redirects_to_the_cart(buyer_client, line):
    response = buyer_client.post(update_url(line), {"quantity": "4"})
    assert response.status_code == 302
    assert response.url == CART
    line.refresh_from_db()
    assert line.quantity == 4
    assert '<span id="cart-total">$40.00</span>' in buyer_client.get(CART).content.decode()


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_remove_a_line(buyer_client, buyer, line, headers):
    other = CartItemFactory(cart=line.cart, product=ProductFactory(title="Plate"))
    response = buyer_client.post(update_url(line), {"remove": "1", "quantity": "2"}, **headers)
    assert response.status_code == (200 if headers else 302)
    assert lines(buyer) == {"Plate": 1}
    assert CartItem.objects.filter(pk=other.pk).exists()


def test_quantity_zero_removes_the_line(buyer_client, buyer, line):
    buyer_client.post(update_url(line), {"quantity": "0"})
    assert lines(buyer) == {}


def test_quantity_above_stock_is_refused_with_htmx(buyer_client, line):
    response = buyer_client.post(update_url(line), {"quantity": "11"}, **HTMX)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Only 10 of “Mug” left in stock." in page
    assert 'class="invalid-feedback d-block" role="alert"' in page
    assert '<span id="cart-count">2</span>' in page  # the cart as it was
    line.refresh_from_db()
    assert line.quantity == 2


def test_quantity_above_stock_is_refused_with_a_plain_post(buyer_client, line):
    response = buyer_client.post(update_url(line), {"quantity": "11"}, follow=True)
    assert response.redirect_chain == [(CART, 302)]
    assert "Only 10 of “Mug” left in stock." in response.content.decode()
    line.refresh_from_db()
    assert line.quantity == 2


@pytest.mark.parametrize(
    ("quantity", "message"),
    [("-1", "The quantity must be at least 1."), ("two", "Enter a whole number."), ("", "Enter a whole number.")],
)
@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_a_bad_quantity_changes_nothing(buyer_client, line, quantity, message, headers):
    response = buyer_client.post(update_url(line), {"quantity": quantity}, follow=True, **headers)
    assert message in response.content.decode()
    line.refresh_from_db()
    assert line.quantity == 2


def test_a_line_whose_product_was_unpublished_cannot_be_changed(buyer_client, line):
    Product.objects.filter(pk=line.product_id).update(status=Product.Status.DRAFT)
    response = buyer_client.post(update_url(line), {"quantity": "3"}, **HTMX)
    assert "This product is no longer for sale." in response.content.decode()
    line.refresh_from_db()
    assert line.quantity == 2


def test_another_users_cart_line_is_not_found(buyer_client, buyer, client):
    mine = CartItemFactory(cart=CartFactory(user=buyer))
    theirs = CartItemFactory(quantity=2)
    anonymous = CartItemFactory(cart=CartFactory(user=None), quantity=2)
    for item in (theirs, anonymous):
        assert buyer_client.post(update_url(item), {"quantity": "1"}).status_code == 404
        assert buyer_client.post(update_url(item), {"remove": "1"}, **HTMX).status_code == 404
        item.refresh_from_db()
        assert item.quantity == 2
    assert (
        buyer_client.post(reverse("orders:cart_update", kwargs={"item_id": 999999}), {"quantity": "1"}).status_code
        == 404
    )
    assert CartItem.objects.filter(pk=mine.pk).exists()

    client.logout()  # a visitor with no cart, and one with their own anonymous cart
    assert client.post(update_url(theirs), {"quantity": "1"}).status_code == 404
    client.post(ADD, {"product": ProductFactory().pk, "quantity": 1})
    assert client.post(update_url(theirs), {"quantity": "1"}).status_code == 404
    assert client.post(update_url(anonymous), {"quantity": "1"}).status_code == 404
    theirs.refresh_from_db()
    anonymous.refresh_from_db()
    assert (theirs.quantity, anonymous.quantity) == (2, 2)


# The anonymous cart at login ---------------------------------------------------------------


def log_in(client, user):
    """Log in through allauth's real form, so the user_logged_in signal fires as in production."""
    response = client.post(reverse("account_login"), {"login": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert client.session["_auth_user_id"] == str(user.pk)


def test_the_anonymous_cart_survives_login(client):
    user = UserFactory()
    lamp = ProductFactory(title="Lamp")
    client.post(ADD, {"product": lamp.pk, "quantity": 2})
    log_in(client, user)
    assert lines(user) == {"Lamp": 2}
    assert not Cart.objects.filter(user=None).exists()
    assert "Lamp" in client.get(CART).content.decode()


def test_the_anonymous_cart_merges_into_the_users_cart_capped_by_stock(client):
    user = UserFactory()
    vase = ProductFactory(title="Vase", stock=5)
    plate = ProductFactory(title="Plate", stock=10)
    cup = ProductFactory(title="Cup", stock=10)
    ebook = DigitalProductFactory(title="Guide")
    cart = CartFactory(user=user)
    CartItemFactory(cart=cart, product=vase, quantity=3)
    CartItemFactory(cart=cart, product=cup, quantity=2)
    CartItemFactory(cart=cart, product=ebook, quantity=1)

    for product, quantity in [(vase, 4), (plate, 1), (ebook, 1)]:
        client.post(ADD, {"product": product.pk, "quantity": quantity})
    log_in(client, user)

    assert lines(user) == {"Vase": 5, "Plate": 1, "Cup": 2, "Guide": 1}  # 3 + 4 capped at 5; a download once
    assert Cart.objects.count() == 1
    page = client.get(CART).content.decode()
    assert '<span id="cart-count">9</span>' in page
