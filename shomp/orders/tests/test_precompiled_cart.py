"""The cart's lines come from SQL compiled once (core.sql): each cart still gets its own
lines, as the ORM's queryset gives them (product, store, variant, options, images), and a line
added since shows."""

import pytest

from shomp.orders import selectors

from .factories import CartFactory, CartItemFactory, product_with_variants, variant_of

pytestmark = pytest.mark.django_db


def shown(items) -> list[tuple]:
    return [
        (
            item.pk,
            item.cart_id,
            item.product.title,
            item.product.store.name,
            item.variant.name if item.variant else None,
            [option.value.value for option in item.variant.options.all()] if item.variant else [],
            item.quantity,
        )
        for item in items
    ]


def test_each_cart_gets_its_own_lines_as_the_orm_gives_them():
    first, second = CartFactory(), CartFactory()
    tee = product_with_variants()
    CartItemFactory(cart=first, quantity=2)
    CartItemFactory(cart=first, product=tee, variant=variant_of(tee, "M / Red"))
    CartItemFactory(cart=second, quantity=3)

    for cart in (first, second, first):
        items = selectors.cart_items(cart=cart)
        assert shown(items) == shown(selectors._cart_items_query(cart.pk))
        assert {item.cart_id for item in items} == {cart.pk}
        assert all(item.cart is cart for item in items)
    assert len(selectors.cart_items(cart=first)) == 2 and len(selectors.cart_items(cart=second)) == 1

    CartItemFactory(cart=second)
    assert len(selectors.cart_items(cart=second)) == 2  # rows read again, not remembered
