"""Checkout with variants: stock taken per variant with a "sale" adjustment, lines priced at
checkout time and kept as a snapshot (later edits, renames and archiving never change them),
untracked inventory, the refusals that change nothing, the email, and the order pages' budgets."""

import re
import uuid
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog import services as catalog_services
from shomp.catalog.models import InventoryAdjustment, Product, Variant, VariantOption
from shomp.catalog.tests.factories import DigitalProductFactory, ProductFactory
from shomp.core.exceptions import OutOfStock, PaymentDeclined
from shomp.orders import services
from shomp.orders.models import CartItem, Checkout, Order, OrderItem
from shomp.stores.tests.factories import StoreFactory

from .factories import (
    CartFactory,
    CartItemFactory,
    OrderFactory,
    OrderItemFactory,
    product_with_variants,
    variant_of,
)
from .helpers import DECLINE_CARD, SHIPPING, card, page_token, payment_data, shipping_data

pytestmark = pytest.mark.django_db

CHECKOUT = reverse("orders:checkout")


@pytest.fixture
def tee():
    """A $20.00 tee from "Tees & Co": Size S, M × Colour Red, Blue, 3 of each, SKUs TEE-S-RED…;
    M / Red costs $2.50 more. The product's own stock (7) must never move.

    The catalog zeroes a product's own stock when it gets variants; it is written back here
    so a checkout that wrongly took product stock would show."""
    product = product_with_variants(title="Tee", price="20.00", inventory=3, stock=7, store__name="Tees & Co")
    Product.objects.filter(pk=product.pk).update(stock=7)
    product.refresh_from_db()
    for variant in product.variants.all():
        catalog_services.update_variant(variant=variant, sku="TEE-" + variant.name.replace(" / ", "-").upper())
    catalog_services.update_variant(variant=variant_of(product, "M / Red"), price_modifier="2.50")
    return product


@pytest.fixture
def cart(buyer, tee):
    """2 × Tee M / Red, 1 × Tee S / Blue, and a $5.00 mug (stock 4) from the same store."""
    cart = CartFactory(user=buyer)
    CartItemFactory(cart=cart, product=ProductFactory(title="Mug", price="5.00", stock=4, store=tee.store))
    services.add_to_cart(cart=cart, product=tee, variant=variant_of(tee, "M / Red"), quantity=2)
    services.add_to_cart(cart=cart, product=tee, variant=variant_of(tee, "S / Blue"), quantity=1)
    return cart


def stock(product, name: str) -> int:
    return Variant.objects.get(product=product, name=name).inventory_count


def stocks(product) -> dict[str, int]:
    return dict(Variant.objects.filter(product=product).values_list("name", "inventory_count"))


def place(buyer, cart, **kwargs) -> Checkout:
    return services.place_order(buyer=buyer, cart=cart, token=uuid.uuid4(), card=card(), shipping=SHIPPING, **kwargs)


def assert_nothing_changed(cart, tee, *, before: dict[str, int], lines: int = 3) -> None:
    assert stocks(tee) == before
    assert Product.objects.get(pk=tee.pk).stock == 7
    assert Product.objects.get(title="Mug").stock == 4
    assert not Checkout.objects.exists() and not Order.objects.exists() and not OrderItem.objects.exists()
    assert not InventoryAdjustment.objects.filter(kind=InventoryAdjustment.Kind.SALE).exists()
    assert cart.items.count() == lines


# Taking stock and the snapshot -----------------------------------------------------------


def test_checkout_takes_variant_stock_and_records_the_sale(buyer, cart, tee, provider):
    placed = place(buyer, cart)

    order = placed.orders.get()
    assert stocks(tee) == {"S / Red": 3, "S / Blue": 2, "M / Red": 1, "M / Blue": 3}
    assert Product.objects.get(pk=tee.pk).stock == 7  # a product with variants counts per variant
    assert Product.objects.get(title="Mug").stock == 3
    sales = {
        (a.variant.name, a.delta, a.resulting_count, a.reason)
        for a in InventoryAdjustment.objects.filter(kind=InventoryAdjustment.Kind.SALE).select_related("variant")
    }
    assert sales == {("M / Red", -2, 1, f"Order {order.number}"), ("S / Blue", -1, 2, f"Order {order.number}")}
    assert order.total == Decimal("70.00") == placed.amount  # 2 x 22.50 + 20.00 + 5.00
    assert [call[1] for call in provider.calls] == [Decimal("70.00")]
    lines = {item.title + (f" {item.variant_name}" if item.variant_name else ""): item for item in order.items.all()}
    red = lines["Tee M / Red"]
    assert (red.variant, red.unit_price, red.quantity, red.sku) == (
        variant_of(tee, "M / Red"),
        Decimal("22.50"),
        2,
        "TEE-M-RED",
    )
    assert red.variant_options == [["Size", "M"], ["Colour", "Red"]]
    assert lines["Tee S / Blue"].variant_options == [["Size", "S"], ["Colour", "Blue"]]
    assert lines["Tee S / Blue"].unit_price == Decimal("20.00")
    mug = lines["Mug"]
    assert (mug.variant, mug.variant_name, mug.variant_options, mug.sku) == (None, "", [], "")
    assert not CartItem.objects.exists()


def test_each_sale_names_its_own_stores_order(buyer, tee):
    cap = product_with_variants(title="Cap", store=StoreFactory(name="Caps"), options={"Size": ["One"]})
    cart = CartFactory(user=buyer)
    services.add_to_cart(cart=cart, product=tee, variant=variant_of(tee, "M / Blue"))
    services.add_to_cart(cart=cart, product=cap, variant=variant_of(cap, "One"))

    placed = place(buyer, cart)

    numbers = {o.store.name: o.number for o in placed.orders.all()}
    reasons = dict(InventoryAdjustment.objects.filter(kind="sale").values_list("variant__product__title", "reason"))
    assert reasons == {"Tee": f"Order {numbers['Tees & Co']}", "Cap": f"Order {numbers['Caps']}"}


def test_the_price_is_the_one_at_checkout_time(buyer, cart, tee):
    catalog_services.update_variant(variant=variant_of(tee, "M / Red"), price_modifier="5.00")
    catalog_services.set_option_value_modifier(
        value=tee.options.get(name="Size").values.get(value="S"), price_modifier="-3"
    )
    place(buyer, cart)
    prices = dict(OrderItem.objects.filter(variant__isnull=False).values_list("variant_name", "unit_price"))
    assert prices == {"M / Red": Decimal("25.00"), "S / Blue": Decimal("17.00")}
    assert Order.objects.get().total == Decimal("72.00")  # 50 + 17 + 5


def test_a_modifier_never_makes_a_price_negative(buyer, tee):
    Variant.objects.filter(pk=variant_of(tee, "S / Red").pk).update(price_modifier="-25.00")  # past the services
    cart = CartFactory(user=buyer)
    services.add_to_cart(cart=cart, product=tee, variant=variant_of(tee, "S / Red"))
    place(buyer, cart)
    assert OrderItem.objects.get().unit_price == Decimal("0.00")


def test_later_variant_edits_never_change_the_order(buyer_client, buyer, cart, tee, provider):
    token = page_token(buyer_client.get(CHECKOUT))
    buyer_client.post(CHECKOUT, payment_data(token) | shipping_data())
    order = Order.objects.get()
    red = variant_of(tee, "M / Red")

    # The seller edits the price and SKU, renames the value, then removes it (archiving the variant).
    catalog_services.update_variant(variant=red, price_modifier="9.00", sku="NEW-SKU")
    Variant.objects.filter(pk=red.pk).update(name="M / Crimson")
    VariantOption.objects.filter(variant=red, option_name="Colour").update(option_value="Crimson")
    catalog_services.remove_option_value(value=tee.options.get(name="Colour").values.get(value="Red"))
    Product.objects.filter(pk=tee.pk).update(title="Renamed Tee", price="99.00")
    Variant.objects.filter(pk=variant_of(tee, "S / Blue").pk).delete()

    item = order.items.get(variant_name="M / Red")
    assert (item.unit_price, item.sku, item.variant_options) == (
        Decimal("22.50"),
        "TEE-M-RED",
        [["Size", "M"], ["Colour", "Red"]],
    )
    assert order.items.get(variant_name="S / Blue").variant is None  # deleted: the snapshot stays
    buyer_page = buyer_client.get(order.get_absolute_url()).content.decode()
    assert "Size: M · Colour: Red" in buyer_page and "Size: S · Colour: Blue" in buyer_page
    assert "$22.50" in buyer_page and "$70.00" in buyer_page
    assert "Crimson" not in buyer_page and "Renamed Tee" not in buyer_page and "$99.00" not in buyer_page
    assert "TEE-M-RED" not in buyer_page  # SKUs are the seller's
    assert "Size: M · Colour: Red" in buyer_client.get(reverse("orders:list")).content.decode()

    buyer_client.force_login(tee.store.owner)
    seller_page = buyer_client.get(
        reverse("orders:dashboard_order_detail", kwargs={"order_uuid": order.uuid})
    ).content.decode()
    assert "Size: M · Colour: Red" in seller_page and "TEE-M-RED" in seller_page and "NEW-SKU" not in seller_page
    assert buyer.username in seller_page and buyer.email not in seller_page
    assert "Size: M · Colour: Red" in buyer_client.get(reverse("orders:dashboard_orders")).content.decode()


# Untracked inventory -----------------------------------------------------------------------


def test_untracked_inventory_never_decrements(buyer, tee):
    made = product_with_variants(title="Made to order", inventory=0)
    made = catalog_services.set_inventory_settings(product=made, track_inventory=False, low_stock_threshold=3)
    guide = product_with_variants(
        title="Guide", product_factory=DigitalProductFactory, options={"Format": ["PDF", "EPUB"]}, inventory=0
    )
    cart = CartFactory(user=buyer)
    services.add_to_cart(cart=cart, product=made, variant=variant_of(made, "S / Red"), quantity=5)
    services.add_to_cart(cart=cart, product=guide, variant=variant_of(guide, "PDF"), quantity=1)

    place(buyer, cart)

    assert stocks(made) == {"S / Red": 0, "S / Blue": 0, "M / Red": 0, "M / Blue": 0}
    assert stocks(guide) == {"PDF": 0, "EPUB": 0}
    assert not InventoryAdjustment.objects.exists()
    assert OrderItem.objects.get(variant_name="S / Red").quantity == 5


# Refusals that change nothing ----------------------------------------------------------------


def test_more_than_the_variants_stock_is_refused(buyer, cart, tee, provider):
    catalog_services.manage_inventory(variant=variant_of(tee, "M / Red"), action="set", quantity=1)
    before = stocks(tee)
    with pytest.raises(OutOfStock) as refused:
        place(buyer, cart)
    assert refused.value.message == "Only 1 of “Tee — M / Red” left in stock."
    assert_nothing_changed(cart, tee, before=before)
    assert provider.calls == []


def test_a_sold_out_variant_is_refused_after_the_others_were_taken(buyer, cart, tee):
    catalog_services.manage_inventory(variant=variant_of(tee, "S / Blue"), action="set", quantity=0)
    before = stocks(tee)
    with pytest.raises(OutOfStock, match=re.escape("“Tee — S / Blue” sold out. Remove it from your cart.")):
        place(buyer, cart)  # the mug and M / Red come first: their stock goes back
    assert_nothing_changed(cart, tee, before=before)


@pytest.mark.parametrize("change", ["disabled", "archived", "values removed"])
def test_a_variant_no_longer_for_sale_is_refused(buyer, cart, tee, change):
    red = variant_of(tee, "M / Red")
    if change == "disabled":
        catalog_services.update_variant(variant=red, is_enabled=False)
    elif change == "archived":
        Variant.objects.filter(pk=red.pk).update(archived_at=timezone.now())
    else:
        catalog_services.remove_option_value(value=tee.options.get(name="Size").values.get(value="M"))
        Product.objects.filter(pk=tee.pk).update(stock=7)  # zeroed again by the catalog; see `tee`
    before = stocks(tee)
    gone = "“Tee — M / Red” is no longer available. Remove it from your cart."
    with pytest.raises(OutOfStock, match=re.escape(gone)):
        place(buyer, cart)
    assert_nothing_changed(cart, tee, before=before)


def test_a_line_with_another_products_variant_is_refused(buyer, cart, tee):
    hoodie = product_with_variants(title="Hoodie", store=tee.store)
    CartItem.objects.filter(cart=cart, variant=variant_of(tee, "S / Blue")).update(
        variant=variant_of(hoodie, "S / Blue")
    )
    before = stocks(tee)
    with pytest.raises(OutOfStock, match=re.escape("“Tee — S / Blue” is no longer available")):
        place(buyer, cart)
    assert_nothing_changed(cart, tee, before=before)
    assert stocks(hoodie)["S / Blue"] == 5


def test_a_line_without_a_choice_is_refused(buyer, cart, tee):
    CartItemFactory(cart=cart, product=tee)
    before = stocks(tee)
    with pytest.raises(OutOfStock, match=re.escape("Choose an option for “Tee”")):
        place(buyer, cart)
    assert_nothing_changed(cart, tee, before=before, lines=4)


def test_a_declined_payment_gives_the_variant_stock_back(buyer, cart, tee, provider):
    before = stocks(tee)
    with pytest.raises(PaymentDeclined):
        services.place_order(buyer=buyer, cart=cart, token=uuid.uuid4(), card=card(DECLINE_CARD), shipping=SHIPPING)
    assert_nothing_changed(cart, tee, before=before)
    assert len(provider.calls) == 1


def test_the_checkout_page_shows_a_variant_stock_refusal(buyer_client, cart, tee, provider):
    token = page_token(buyer_client.get(CHECKOUT))
    catalog_services.manage_inventory(variant=variant_of(tee, "M / Red"), action="set", quantity=0)
    before = stocks(tee)
    response = buyer_client.post(CHECKOUT, payment_data(token) | shipping_data())
    assert response.status_code == 200
    assert 'id="checkout-error">“Tee — M / Red” sold out. Remove it from your cart.' in response.content.decode()
    assert_nothing_changed(cart, tee, before=before)
    assert provider.calls == []


# The confirmation email --------------------------------------------------------------------


def test_the_email_shows_the_options(buyer_client, cart, provider, django_capture_on_commit_callbacks):
    token = page_token(buyer_client.get(CHECKOUT))
    with django_capture_on_commit_callbacks(execute=True):
        buyer_client.post(CHECKOUT, payment_data(token) | shipping_data())
    body = mail.outbox[0].body
    assert "2 x Tee (Size: M · Colour: Red)  $45.00" in body
    assert "1 x Tee (Size: S · Colour: Blue)  $20.00" in body
    assert "1 x Mug  $5.00" in body
    assert "TEE-M-RED" not in body


# Query budgets for the order pages ---------------------------------------------------------

# As test_queries: the variant lines are snapshots, so they cost nothing more.
ORDER_LIST_BUDGET = 6
ORDER_DETAIL_BUDGET = 8  # + the order's refunds (its history) and the buyer's reviews of its products
DASHBOARD_ORDERS_BUDGET = 7
DASHBOARD_ORDER_BUDGET = 8  # + the order's refunds (its history)


def variant_items(order, count: int) -> None:
    """`count` variant lines on `order`, half of them of variants archived or deleted since."""
    product = product_with_variants(store=order.store, options={"Size": ["S", "M", "L", "XL", "XXL"]})
    variants = list(product.variants.order_by("pk"))
    for n in range(count):
        variant = variants[n % 5]
        OrderItemFactory(
            order=order,
            product=product,
            variant=variant if n % 2 else None,
            variant_name=variant.name,
            variant_options=[["Size", variant.name], ["Colour", "Red"]],
            sku=f"SKU-{n}",
            unit_price="12.00",
        )


@pytest.mark.parametrize("count", [1, 50])
def test_order_pages_with_variant_lines(client, django_assert_max_num_queries, count):
    store = StoreFactory()
    buyer = UserFactory()
    order = OrderFactory(store=store, buyer=buyer, ship_line1="1 Quay Street")
    variant_items(order, count)
    for _ in range(count - 1):  # as many orders in the lists
        variant_items(OrderFactory(store=store, buyer=buyer), 2)

    client.force_login(buyer)
    with django_assert_max_num_queries(ORDER_DETAIL_BUDGET):
        page = client.get(order.get_absolute_url()).content.decode()
    assert page.count("Colour: Red") == count and "SKU-0" not in page
    with django_assert_max_num_queries(ORDER_LIST_BUDGET):
        page = client.get(reverse("orders:list")).content.decode()
    assert "Colour: Red" in page

    client.force_login(store.owner)
    url = reverse("orders:dashboard_order_detail", kwargs={"order_uuid": order.uuid})
    with django_assert_max_num_queries(DASHBOARD_ORDER_BUDGET):
        page = client.get(url).content.decode()
    assert page.count("Colour: Red") == count and page.count("SKU-") == count
    with django_assert_max_num_queries(DASHBOARD_ORDERS_BUDGET):
        page = client.get(reverse("orders:dashboard_orders")).content.decode()
    assert "Colour: Red" in page
