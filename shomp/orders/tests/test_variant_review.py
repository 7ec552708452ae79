"""Review of cart and checkout with variants: lines that stopped being buyable are dropped at
login and refused at checkout, a stranger can't put a draft's variant in a cart, stock is taken
once (the variant's, never the product's), and option values are escaped wherever they show."""

import uuid
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog import services as catalog_services
from shomp.catalog.models import InventoryAdjustment, Product, Variant
from shomp.orders import services
from shomp.orders.models import Cart, CartItem, OrderItem

from .factories import CartFactory, CartItemFactory, product_with_variants, variant_of
from .helpers import SHIPPING, card

pytestmark = pytest.mark.django_db

ADD = reverse("orders:cart_add")


def test_merge_drops_archived_and_foreign_variant_lines():
    user = UserFactory()
    tee = product_with_variants(title="Tee", inventory=3)
    hoodie = product_with_variants(title="Hoodie", inventory=3, store=tee.store)
    archived = variant_of(tee, "S / Red")
    anonymous = CartFactory(user=None)
    CartItemFactory(cart=anonymous, product=tee, variant=archived, quantity=1)
    CartItemFactory(cart=anonymous, product=tee, variant=variant_of(hoodie, "M / Blue"), quantity=1)  # tampered
    CartItemFactory(cart=anonymous, product=tee, variant=variant_of(tee, "M / Blue"), quantity=2)
    Variant.objects.filter(pk=archived.pk).update(archived_at=timezone.now())

    cart = services.merge_carts(user=user, anonymous_cart_id=anonymous.pk)

    assert [(line.variant.name, line.quantity) for line in cart.items.select_related("variant")] == [("M / Blue", 2)]
    assert not Cart.objects.filter(pk=anonymous.pk).exists()


def test_a_stranger_cannot_add_a_drafts_variant(client):
    draft = product_with_variants(title="Secret", status=Product.Status.DRAFT)
    client.force_login(UserFactory())
    response = client.post(ADD, {"product": draft.pk, "variant": variant_of(draft, "S / Red").pk, "quantity": 1})
    assert response.status_code == 404
    assert not CartItem.objects.exists()


def test_an_archived_variant_line_can_be_removed_but_not_raised():
    buyer = UserFactory()
    tee = product_with_variants(title="Tee", inventory=3)
    red = variant_of(tee, "S / Red")
    cart = CartFactory(user=buyer)
    line = services.add_to_cart(cart=cart, product=tee, variant=red, quantity=1)
    catalog_services.remove_option_value(value=tee.options.get(name="Colour").values.get(value="Red"))

    with pytest.raises(Exception, match="isn't available"):
        services.update_cart_item(cart=cart, item_id=line.pk, quantity=2)
    assert CartItem.objects.get(pk=line.pk).quantity == 1
    assert services.update_cart_item(cart=cart, item_id=line.pk, quantity=0) is None
    assert not cart.items.exists()


def test_stock_is_taken_once_from_the_variant_and_priced_by_its_own_modifier():
    """The value's modifier (+3.00) gives way to the variant's own (-1.50); the product's own
    stock (9) never moves; one sale row."""
    buyer = UserFactory()
    tee = product_with_variants(title="Tee", price="20.00", inventory=4, stock=9)
    Product.objects.filter(pk=tee.pk).update(stock=9)  # zeroed by the catalog; back, to show it never moves
    tee.refresh_from_db()
    size_m = tee.options.get(name="Size").values.get(value="M")
    catalog_services.set_option_value_modifier(value=size_m, price_modifier="3.00")
    blue, red = variant_of(tee, "M / Blue"), variant_of(tee, "M / Red")
    catalog_services.update_variant(variant=red, price_modifier="-1.50")
    cart = CartFactory(user=buyer)
    services.add_to_cart(cart=cart, product=tee, variant=blue, quantity=2)
    services.add_to_cart(cart=cart, product=tee, variant=red, quantity=1)

    checkout = services.place_order(buyer=buyer, cart=cart, token=uuid.uuid4(), card=card(), shipping=SHIPPING)

    prices = dict(OrderItem.objects.values_list("variant_name", "unit_price"))
    assert prices == {"M / Blue": Decimal("23.00"), "M / Red": Decimal("18.50")}
    assert checkout.amount == Decimal("64.50")
    assert Product.objects.get(pk=tee.pk).stock == 9
    assert Variant.objects.get(pk=blue.pk).inventory_count == 2
    assert Variant.objects.get(pk=red.pk).inventory_count == 3
    sales = InventoryAdjustment.objects.filter(kind=InventoryAdjustment.Kind.SALE)
    assert sorted(sales.values_list("variant_id", "delta")) == sorted([(blue.pk, -2), (red.pk, -1)])


def assert_escaped(client, page: str) -> None:
    html = client.get(page).content.decode()
    assert "<b>big" not in html and "<i>red" not in html, page
    assert "&lt;b&gt;big" in html and "&lt;i&gt;red" in html, page


def test_option_values_are_escaped_on_the_product_cart_and_order_pages(client):
    buyer = UserFactory()
    tee = product_with_variants(title="Tee", options={"Size": ["<b>big"], "Colour": ["<i>red"]}, inventory=5)
    variant = tee.variants.get()
    client.force_login(buyer)
    assert_escaped(client, f"{tee.get_absolute_url()}?variant={variant.pk}")
    client.post(ADD, {"product": tee.pk, "variant": variant.pk, "quantity": 1})
    assert_escaped(client, reverse("orders:cart"))
    assert_escaped(client, reverse("orders:checkout"))
    cart = Cart.objects.get(user=buyer)
    checkout = services.place_order(buyer=buyer, cart=cart, token=uuid.uuid4(), card=card(), shipping=SHIPPING)
    assert_escaped(client, reverse("orders:list"))
    assert_escaped(client, checkout.orders.get().get_absolute_url())
    client.force_login(tee.store.owner)
    assert_escaped(client, f"/dashboard/products/{tee.pk}/variants/")
    assert_escaped(client, f"/dashboard/products/{tee.pk}/variants/{variant.pk}/inventory/")
