"""Checkout: placing the order (stock, payment, one order per store) and its confirmation email."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Prefetch
from django.template.loader import render_to_string
from django.utils import timezone

from shomp.catalog.models import Product, Variant, VariantOption
from shomp.catalog.services import price_lines, sell_variant_stock
from shomp.core import pagecache
from shomp.core.exceptions import OutOfStock, PaymentDeclined
from shomp.core.money import format_price

from .. import events, hooks, selectors
from ..models import Cart, CartItem, Checkout, Order, OrderItem
from ..payments import Card, PaymentProvider, get_payment_provider
from .addresses import ShippingAddress, check_address, remember_address
from .cart import line_label, lock_cart
from .shipping import order_lines, quote_shipping


class PricesChanged(ValidationError):
    """What the buyer was shown is no longer what they would pay (a promotion started or ended
    between the checkout page and the submit): nothing is charged, and the message says the new
    total of the items."""

    def __init__(self, items_total: Decimal, currency: str):
        self.items_total = items_total
        super().__init__(
            f"Prices changed while you were checking out (a sale started or ended): your items now "
            f"come to {format_price(items_total, currency)}. Nothing was charged. Check the new total "
            f"and pay again."
        )


class ShippingChanged(ValidationError):
    """The shipping the checkout page showed is no longer what the stores charge (a seller changed
    their rates meanwhile): nothing is charged, and the message says the new shipping."""

    def __init__(self, shipping_total: Decimal, currency: str):
        self.shipping_total = shipping_total
        super().__init__(
            f"Shipping changed while you were checking out: it now comes to "
            f"{format_price(shipping_total, currency)}. Nothing was charged. Check the new total and pay again."
        )


class AlreadyPlaced(Exception):
    """This cart was paid for already: by the checkout with this token (a double submit), or
    just now by another tab's checkout (another token). Carries that checkout."""

    def __init__(self, checkout: Checkout):
        super().__init__("already placed")
        self.checkout = checkout


def place_order(
    *,
    buyer,
    cart: Cart,
    token: uuid.UUID,
    card: Card,
    shipping: ShippingAddress | None = None,
    provider: PaymentProvider | None = None,
    expected_items_total: Decimal | None = None,
    expected_shipping_total: Decimal | None = None,
) -> Checkout:
    """Take stock, charge the buyer once, and make one order per store, all or nothing.

    Rows are locked in one global order: the cart first, then its products by primary key, then
    its variants by primary key, so two carts holding the same things in any order never
    deadlock. Stock is taken with checked UPDATEs (a variant's through `sell_variant_stock`,
    which records the sale); a refusal or a declined payment rolls everything back. The unique
    checkout token makes a second submission of the same form a no-op; the cart's lock makes
    another tab's submission (another token) of the same cart wait for the first, find the cart
    emptied, and raise AlreadyPlaced with the first checkout: one cart is paid for once.

    Prices are worked out here, on the locked rows, at one instant (catalog pricing: the best
    running promotion); with `expected_items_total` (the items' total the checkout page showed),
    a different total refuses the order with PricesChanged and changes nothing: a sale that ends
    (or starts) while the buyer is paying is never charged differently from what they saw.
    Shipping likewise: with `expected_shipping_total` (the shipping the page showed), other
    shipping (the store changed its rates meanwhile) refuses with ShippingChanged."""
    provider = provider or get_payment_provider()
    with transaction.atomic():
        # Before reading a line: a checkout of the same cart in another tab finishes first.
        if lock_cart(cart) is None:
            raise ValidationError("Your cart is empty.")
        try:
            with transaction.atomic():
                checkout = Checkout.objects.create(
                    token=token, buyer=buyer, amount=Decimal("0"), payment_provider=provider.name
                )
        except IntegrityError:
            existing = Checkout.objects.filter(token=token, buyer=buyer).first()
            if existing is None:
                raise ValidationError("This checkout form is no longer valid. Please try again.") from None
            raise AlreadyPlaced(existing) from None

        lines = list(
            cart.items.select_related("product__store__shipping_settings").order_by("product_id", "variant_id", "pk")
        )
        if not lines:
            if (emptied_by := selectors.recent_checkout(buyer=buyer, excluding=checkout)) is not None:
                raise AlreadyPlaced(emptied_by)  # another tab's checkout paid for this cart just now
            raise ValidationError("Your cart is empty.")
        products = {
            p.pk: p
            for p in Product.objects.select_for_update()
            .filter(pk__in={line.product_id for line in lines})
            .order_by("pk")
        }
        variants = _lock_variants({line.variant_id for line in lines if line.variant_id})
        for line in lines:
            products[line.product_id].store = line.product.store  # fetched with the cart, not again
            line.product = products[line.product_id]
            line.variant = variants.get(line.variant_id) if line.variant_id else None
            _check_line_for_checkout(line, buyer=buyer)

        price_lines(lines)  # every line at the same instant, on the locked rows
        items_total = sum((line.price.paid * line.quantity for line in lines), Decimal("0"))
        if expected_items_total is not None and items_total != expected_items_total:
            raise PricesChanged(items_total, lines[0].product.store.currency)

        needs_shipping = any(not line.product.is_digital for line in lines)
        if needs_shipping and shipping is None:
            raise ValidationError("Enter a shipping address for the physical items in your cart.")
        if needs_shipping:
            check_address(shipping)
        currencies = {line.product.store.currency for line in lines}
        if len(currencies) > 1:  # one payment is in one currency
            raise ValidationError("Your cart holds stores with different currencies: check out one currency at a time.")

        by_store: dict[int, list[CartItem]] = {}
        for line in lines:
            by_store.setdefault(line.product.store_id, []).append(line)
        # The orders exist (unsaved) before stock is taken, so a sale records its order number.
        orders = {
            store_id: Order(
                checkout=checkout,
                buyer=buyer,
                store=store_lines[0].product.store,
                currency=store_lines[0].product.store.currency,
                status=Order.Status.PAID,
                **(_address_fields(shipping) if any(not line.product.is_digital for line in store_lines) else {}),
            )
            for store_id, store_lines in by_store.items()
        }
        for line in lines:  # products' pk order, then variants': the order the rows were locked in
            _take_stock(line, order=orders[line.product.store_id])

        total = shipping_total = Decimal("0")
        for store_id, store_lines in by_store.items():
            order = orders[store_id]
            items = [_order_item(order, line) for line in store_lines]
            # Shipping from the lines at the price paid, to the address's country (shipping.py).
            quote = quote_shipping(
                store=order.store, lines=order_lines(items), country=shipping.country if shipping else ""
            )
            if not quote.ships:
                raise ValidationError(quote.refusal or "Choose the country to ship to.")
            order.shipping_total = quote.amount
            shipping_total += quote.amount
            order.total = sum((item.line_total for item in items), Decimal("0")) + quote.amount
            order.discount_total = sum(
                ((item.original_unit_price - item.unit_price) * item.quantity for item in items), Decimal("0")
            )
            order.save()
            OrderItem.objects.bulk_create(items)
            total += order.total

        currency = currencies.pop()
        if expected_shipping_total is not None and shipping_total != expected_shipping_total:
            raise ShippingChanged(shipping_total, currency)
        result = provider.charge(
            amount=total,
            currency=currency,
            card=card,
            idempotency_key=str(token),
            description=f"Shomp checkout {token}",
        )
        if not result.succeeded:
            raise PaymentDeclined(result.message or "The payment was declined.")
        checkout.amount = total
        checkout.currency = currency
        checkout.payment_reference = result.reference
        checkout.card_last4 = card.last4
        checkout.save(update_fields=["amount", "currency", "payment_reference", "card_last4"])
        cart.items.all().delete()
        if needs_shipping:
            remember_address(user=buyer, shipping=shipping)  # preselected at the next checkout

        for order in orders.values():
            transaction.on_commit(lambda order=order: events.order_placed(order=order))
            hooks.order_placed.send_on_commit(
                order_id=order.pk,
                store_id=order.store_id,
                total=order.total,
                currency=order.currency,
                buyer_id=order.buyer_id,
                country=order.ship_country_code,
            )
        transaction.on_commit(lambda: _enqueue_confirmation(checkout.pk))
    return checkout


def _lock_variants(variant_ids: set[int]) -> dict[int, Variant]:
    """Lock the cart's variants in primary-key order (after the products), with their options
    in option order for the order lines' snapshot. Locks only variant rows: no join."""
    if not variant_ids:
        return {}
    options = Prefetch(
        "options", queryset=VariantOption.objects.order_by(F("value__option__position").asc(nulls_last=True), "pk")
    )
    locked = Variant.objects.select_for_update(of=("self",)).filter(pk__in=variant_ids).order_by("pk")
    return {variant.pk: variant for variant in locked.prefetch_related(options)}


def _check_line_for_checkout(line: CartItem, *, buyer) -> None:
    """The product is still for sale to this buyer, and the chosen variant still one of its
    live, enabled versions (a product with variants needs one)."""
    product, variant = line.product, line.variant
    if product.status != Product.Status.PUBLISHED or product.reserved_for_id not in (None, buyer.pk):
        raise OutOfStock(f"“{product.title}” is no longer for sale. Remove it from your cart.")
    if line.variant_id is None:
        if product.has_variants:
            raise OutOfStock(f"Choose an option for “{product.title}”: remove it from your cart and add it again.")
        return
    if variant is None or variant.product_id != product.pk or variant.is_archived or not variant.is_enabled:
        label = line_label(product, variant) if variant is not None else product.title
        raise OutOfStock(f"“{label}” is no longer available. Remove it from your cart.")
    variant.product = product  # the locked row: its price and stock rules read it


def _take_stock(line: CartItem, *, order: Order) -> None:
    """Decrement the line's stock with a checked UPDATE on an already locked row, or refuse."""
    product, variant = line.product, line.variant
    if variant is not None:
        if not product.tracks_variant_stock:
            return  # made to order or digital: never out of stock
        if sell_variant_stock(variant_id=variant.pk, quantity=line.quantity, reason=f"Order {order.number}"):
            return
        left = variant.inventory_count  # read under the row lock: still true
    elif product.stock is None:
        return
    else:
        updated = Product.objects.filter(pk=product.pk, stock__gte=line.quantity).update(
            stock=F("stock") - line.quantity
        )
        if updated:
            pagecache.bump(store_ids=[product.store_id])  # stock shows on its pages
            return
        left = product.stock
    label = line_label(product, variant)
    raise OutOfStock(
        f"Only {left} of “{label}” left in stock." if left > 0 else f"“{label}” sold out. Remove it from your cart."
    )


def _order_item(order: Order, line: CartItem) -> OrderItem:
    """An order line with a snapshot of what was bought, priced now: later edits of the product
    or the variant never change it."""
    product, variant = line.product, line.variant
    snapshot = {}
    if variant is not None:
        snapshot = {
            "variant": variant,
            "variant_name": variant.name,
            "variant_options": [[option.option_name, option.option_value] for option in variant.options.all()],
            "sku": variant.sku,
        }
    return OrderItem(
        order=order,
        product=product,
        title=product.title,
        kind=product.kind,
        unit_price=line.price.paid,
        original_unit_price=line.price.original,
        promotion_name=line.price.promotion_name,
        quantity=line.quantity,
        **snapshot,
    )


def _address_fields(shipping: ShippingAddress | None) -> dict:
    if shipping is None:
        return {}
    return {
        "ship_name": shipping.name,
        "ship_line1": shipping.line1,
        "ship_line2": shipping.line2,
        "ship_city": shipping.city,
        "ship_postal_code": shipping.postal_code,
        "ship_country": shipping.country_name,
        "ship_country_code": shipping.country,
    }


def _enqueue_confirmation(checkout_id: int) -> None:
    from ..tasks import send_order_confirmation_task

    send_order_confirmation_task.enqueue(checkout_id=checkout_id)


def send_order_confirmation(*, checkout_id: int) -> bool:
    """Email the buyer their order confirmation, once (a retried task sends nothing more)."""
    with transaction.atomic():
        checkout = Checkout.objects.select_for_update().select_related("buyer").filter(pk=checkout_id).first()
        if checkout is None or checkout.confirmation_sent_at is not None:
            return False
        orders = list(checkout.orders.select_related("store").prefetch_related("items").order_by("pk"))
        context = {"checkout": checkout, "orders": orders, "user": checkout.buyer, "site_url": settings.SITE_URL}
        send_mail(
            subject=f"Your Shomp order ({len(orders)} order{'s' if len(orders) != 1 else ''})",
            message=render_to_string("orders/email/order_confirmation.txt", context),
            from_email=None,
            recipient_list=[checkout.buyer.email],
        )
        checkout.confirmation_sent_at = timezone.now()
        checkout.save(update_fields=["confirmation_sent_at"])
    return True
