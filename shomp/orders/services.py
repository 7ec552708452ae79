"""Cart, checkout and order writes. Keyword-only, one transaction each."""

import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from shomp.catalog.models import Product
from shomp.core.exceptions import OutOfStock, PaymentDeclined

from . import events
from .models import Cart, CartItem, Checkout, Order, OrderItem
from .payments import Card, PaymentProvider, get_payment_provider
from .selectors import CART_SESSION_KEY

MAX_QUANTITY = 99


# Cart ------------------------------------------------------------------------------------


def get_or_create_cart(*, user, session) -> Cart:
    if user.is_authenticated:
        cart, _ = Cart.objects.get_or_create(user=user)
        return cart
    cart = Cart.objects.filter(pk=session.get(CART_SESSION_KEY), user__isnull=True).first()
    if cart is None:
        cart = Cart.objects.create()
        session[CART_SESSION_KEY] = cart.pk
    return cart


def _check_quantity(product: Product, quantity: int) -> None:
    if product.status != Product.Status.PUBLISHED:
        raise ValidationError("This product is no longer for sale.")
    if quantity < 1:
        raise ValidationError({"quantity": "The quantity must be at least 1."})
    if product.is_digital and quantity > 1:
        raise ValidationError({"quantity": "A digital product is bought once: the download is yours to keep."})
    if quantity > MAX_QUANTITY:
        raise ValidationError({"quantity": f"You can buy at most {MAX_QUANTITY} at a time."})
    if product.stock is not None and quantity > product.stock:
        if product.stock == 0:
            raise ValidationError({"quantity": f"“{product.title}” is sold out."})
        raise ValidationError({"quantity": f"Only {product.stock} of “{product.title}” left in stock."})


@transaction.atomic
def add_to_cart(*, cart: Cart, product: Product, quantity: int = 1) -> CartItem:
    if product.reserved_for_id is not None and product.reserved_for_id != cart.user_id:
        raise ValidationError("This product is no longer for sale.")  # made for another buyer
    item = CartItem.objects.select_for_update().filter(cart=cart, product=product).first()
    new_quantity = (item.quantity if item else 0) + quantity
    if product.is_digital and item:
        return item  # already in the cart; a download is bought once
    _check_quantity(product, new_quantity)
    if item is None:
        item = CartItem.objects.create(cart=cart, product=product, quantity=new_quantity)
    else:
        item.quantity = new_quantity
        item.save(update_fields=["quantity"])
    Cart.objects.filter(pk=cart.pk).update(updated_at=timezone.now())
    return item


@transaction.atomic
def update_cart_item(*, cart: Cart, item_id: int, quantity: int) -> CartItem | None:
    """Set a line's quantity; 0 removes the line. Another cart's line id is refused."""
    item = CartItem.objects.select_for_update().select_related("product").filter(cart=cart, pk=item_id).first()
    if item is None:
        raise ValidationError("That item is not in your cart.")
    if quantity == 0:
        item.delete()
        return None
    _check_quantity(item.product, quantity)
    item.quantity = quantity
    item.save(update_fields=["quantity"])
    return item


@transaction.atomic
def merge_carts(*, user, anonymous_cart_id: int | None) -> Cart | None:
    """Move an anonymous cart's lines into the user's cart when they log in.

    Quantities add up, capped by stock; lines that can't be bought any more are dropped."""
    if not anonymous_cart_id:
        return None
    anonymous = Cart.objects.filter(pk=anonymous_cart_id, user__isnull=True).first()
    if anonymous is None:
        return None
    cart, _ = Cart.objects.get_or_create(user=user)
    for line in anonymous.items.select_related("product"):
        existing = CartItem.objects.filter(cart=cart, product=line.product).first()
        quantity = 1 if line.product.is_digital else line.quantity + (existing.quantity if existing else 0)
        if line.product.stock is not None:
            quantity = min(quantity, line.product.stock)
        quantity = min(quantity, MAX_QUANTITY)
        if quantity < 1 or line.product.status != Product.Status.PUBLISHED or line.product.reserved_for_id:
            continue
        CartItem.objects.update_or_create(cart=cart, product=line.product, defaults={"quantity": quantity})
    anonymous.delete()
    return cart


# Checkout --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShippingAddress:
    name: str
    line1: str
    line2: str
    city: str
    postal_code: str
    country: str


class AlreadyPlaced(Exception):
    """The checkout with this token was placed already (double submit); carries it."""

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
) -> Checkout:
    """Take stock, charge the buyer once, and make one order per store, all or nothing.

    Stock rows are locked in primary-key order (no deadlocks between two carts) and
    decremented with a checked UPDATE; a declined payment rolls everything back. The
    unique checkout token makes a second submission of the same form a no-op."""
    provider = provider or get_payment_provider()
    with transaction.atomic():
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

        lines = list(cart.items.select_related("product__store").order_by("product_id"))
        if not lines:
            raise ValidationError("Your cart is empty.")
        products = {
            p.pk: p
            for p in Product.objects.select_for_update()
            .filter(pk__in=[line.product_id for line in lines])
            .order_by("pk")
        }
        needs_shipping = any(not products[line.product_id].is_digital for line in lines)
        if needs_shipping and shipping is None:
            raise ValidationError("Enter a shipping address for the physical items in your cart.")

        by_store: dict[int, list[CartItem]] = {}
        for line in lines:
            product = products[line.product_id]
            line.product = product
            if product.status != Product.Status.PUBLISHED or product.reserved_for_id not in (None, buyer.pk):
                raise OutOfStock(f"“{product.title}” is no longer for sale. Remove it from your cart.")
            if product.stock is not None:
                updated = Product.objects.filter(pk=product.pk, stock__gte=line.quantity).update(
                    stock=F("stock") - line.quantity
                )
                if not updated:
                    left = product.stock
                    raise OutOfStock(
                        f"Only {left} of “{product.title}” left in stock."
                        if left
                        else f"“{product.title}” sold out. Remove it from your cart."
                    )
            by_store.setdefault(product.store_id, []).append(line)

        currencies = {line.product.store.currency for line in lines}
        if len(currencies) > 1:  # one payment is in one currency
            raise ValidationError("Your cart holds stores with different currencies: check out one currency at a time.")
        orders = []
        total = Decimal("0")
        currency = currencies.pop()
        for store_lines in by_store.values():
            store = store_lines[0].product.store
            has_physical = any(not line.product.is_digital for line in store_lines)
            order_total = sum((line.product.price * line.quantity for line in store_lines), Decimal("0"))
            order = Order.objects.create(
                checkout=checkout,
                buyer=buyer,
                store=store,
                total=order_total,
                currency=store.currency,
                status=Order.Status.PAID,
                **(_address_fields(shipping) if has_physical else {}),
            )
            OrderItem.objects.bulk_create(
                OrderItem(
                    order=order,
                    product=line.product,
                    title=line.product.title,
                    kind=line.product.kind,
                    unit_price=line.product.price,
                    quantity=line.quantity,
                )
                for line in store_lines
            )
            orders.append(order)
            total += order_total

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

        for order in orders:
            transaction.on_commit(lambda order=order: events.order_placed(order=order))
        transaction.on_commit(lambda: _enqueue_confirmation(checkout.pk))
    return checkout


def _address_fields(shipping: ShippingAddress | None) -> dict:
    if shipping is None:
        return {}
    return {
        "ship_name": shipping.name,
        "ship_line1": shipping.line1,
        "ship_line2": shipping.line2,
        "ship_city": shipping.city,
        "ship_postal_code": shipping.postal_code,
        "ship_country": shipping.country,
    }


def _enqueue_confirmation(checkout_id: int) -> None:
    from .tasks import send_order_confirmation_task

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


# Fulfilment ------------------------------------------------------------------------------


@transaction.atomic
def mark_order_shipped(*, order: Order) -> Order:
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status != Order.Status.PAID:
        raise ValidationError(f"This order is {order.get_status_display().lower()}; only paid orders can ship.")
    if not order.needs_shipping:
        raise ValidationError("This order has nothing to ship: mark it fulfilled.")
    order.status = Order.Status.SHIPPED
    order.shipped_at = timezone.now()
    order.save(update_fields=["status", "shipped_at"])
    return order


@transaction.atomic
def mark_order_fulfilled(*, order: Order) -> Order:
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status not in {Order.Status.PAID, Order.Status.SHIPPED}:
        raise ValidationError(f"This order is {order.get_status_display().lower()} already.")
    order.status = Order.Status.FULFILLED
    order.fulfilled_at = timezone.now()
    order.save(update_fields=["status", "fulfilled_at"])
    return order
