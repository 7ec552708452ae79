"""Price-drop, back-in-stock and sale alerts to the people who saved a product.

The catalog sends `price_changed` and `restocked` on commit (shomp.catalog.hooks); apps.py turns
each into a task, and the worker runs `check_product_alerts`: it walks the product's saved items
in primary-key order (keyset batches of `BATCH_SIZE`, one transaction each), works out for each
what the saver would pay now and whether they can buy it, and hands the savers to tell to
`notifications.services.deliver_event` (one bulk insert per batch; in-app, live bell and email
follow each user's preferences).

Once per drop: an item remembers the lowest price its saver was told about (`alerted_price`) and
is told again only below it; the event key names the product, variant and price, so a retried
task finds everyone already told. Back in stock: `restocked` (the catalog's moment) says what was
sold out and has stock again, and names that restock (`restock_id`: the stock adjustment, or a
token made at the change); its savers from before the restock are told once per restock, the
event keyed by that name, so a retried task tells nobody twice (and items saved or seen while
sold out are marked `awaiting_stock` and told at the next check that finds them buyable).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from shomp.catalog.models import Product, Variant
from shomp.catalog.services import load_offers
from shomp.core import ratelimit
from shomp.core.money import format_money
from shomp.notifications import services as notifications
from shomp.notifications.models import NotificationType
from shomp.notifications.types import render_text, render_title

from .models import WishlistItem
from .services import current_price, is_available

BATCH_SIZE = 1000
SALE_NOTICES_PER_PRODUCT = 1
SALE_NOTICE_WINDOW_SECONDS = 7 * 24 * 3600
SALE_MESSAGE_MAX = 500


def queue_price_check(*, product_id: int, variant_id: int | None, old_price, new_price) -> None:
    """catalog.price_changed listener: only a lower (or unknown) price can be a drop."""
    if old_price is not None and new_price is not None and new_price >= old_price:
        return
    _enqueue(product_id)


def queue_stock_check(*, product_id: int, variant_id: int | None, restock_id: str = "") -> None:
    """catalog.restocked listener: the product (variant_id None) or variant was sold out and has
    stock again (`restock_id` names that restock). Runs right after the restock commits: its time
    is when the restock happened, for telling apart items saved before it from items saved after."""
    _enqueue(
        product_id,
        restocked=variant_id or 0,
        restock_id=restock_id or f"{variant_id or 0}-{timezone.now():%Y%m%d%H%M%S%f}",
        restocked_at=timezone.now().isoformat(),
    )


def _enqueue(product_id: int, **restock) -> None:
    from .tasks import check_product_alerts_task

    check_product_alerts_task.enqueue(product_id=product_id, **restock)


def _context(product: Product, variant: Variant | None, price: Decimal, was: Decimal) -> dict:
    currency = product.store.currency
    return {
        "product_title": product.title,
        "variant_name": variant.name if variant else "",
        "store_name": product.store.name,
        "price": format_money(price, currency),
        "was": format_money(was, currency),
    }


def check_product_alerts(
    *,
    product_id: int,
    restocked: int | None = None,
    restock_id: str = "",
    restocked_at: str = "",
    batch_size: int = BATCH_SIZE,
) -> int:
    """Tell the product's savers about a price below what they saved it at, and, when
    `restocked` names what came back in stock (a variant's id, or 0 for the product itself), its
    savers who were waiting: saved while it was sold out, or seen sold out by a check, or saved
    before the restock (`restocked_at`). The event is keyed by `restock_id` (the catalog's name
    for that restock), so a retried or duplicated task tells nobody twice. Returns how many
    notifications were written."""
    product = Product.objects.select_related("store").filter(pk=product_id).first()
    if product is None or product.status != Product.Status.PUBLISHED:
        return 0
    variants = {v.pk: v for v in Variant.objects.filter(product=product)}
    for variant in variants.values():
        variant.product = product
    url = product.get_absolute_url()
    # Only items that could be news are read: saved (and last told) above the lowest price any
    # saver pays now, or waiting for stock. A retry, or a rise, then reads next to nothing.
    live = [v for v in variants.values() if v.is_enabled and not v.is_archived]
    offers = load_offers(store_ids=[product.store_id], product_ids=[product.pk], variant_ids=list(variants))
    lowest = min([current_price(product, v, offers) for v in live] + [current_price(product, None, offers)])
    candidates = Q(price_when_added__gt=lowest) & (Q(alerted_price__isnull=True) | Q(alerted_price__gt=lowest))
    if restocked is None:
        candidates |= Q(awaiting_stock=True)
    else:
        candidates = Q()  # a restock: its savers are news whatever they paid
    sent = 0
    last_pk = 0
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    since = datetime.fromisoformat(restocked_at) if restocked_at else None
    while True:
        with transaction.atomic():
            items = list(
                WishlistItem.objects.select_for_update()
                .filter(candidates, product_id=product_id, pk__gt=last_pk)
                .select_related("wishlist")
                .only(
                    "pk",
                    "variant_id",
                    "price_when_added",
                    "alerted_price",
                    "awaiting_stock",
                    "added_at",
                    "wishlist__user_id",
                )
                .order_by("pk")[:batch_size]
            )
            if not items:
                break
            last_pk = items[-1].pk
            drops: dict[tuple[int | None, Decimal, Decimal], list[WishlistItem]] = defaultdict(list)
            back: dict[tuple[int | None, str], list[WishlistItem]] = defaultdict(list)
            now_out: list[int] = []
            for item in items:
                variant = variants.get(item.variant_id) if item.variant_id else None
                if item.variant_id and (variant is None or variant.is_archived or not variant.is_enabled):
                    continue
                price = current_price(product, variant, offers)
                floor = min(item.price_when_added, item.alerted_price or item.price_when_added)
                if price < floor:
                    drops[(item.variant_id, price, item.price_when_added)].append(item)
                available = is_available(product, variant)
                came_back = (
                    restocked is not None
                    and (item.variant_id or 0) == restocked
                    and (since is None or item.added_at <= since)  # saved after it: never sold out to them
                )
                if available and (item.awaiting_stock or came_back):
                    back[(item.variant_id, restock_id if came_back else "")].append(item)
                elif not available and not item.awaiting_stock:
                    now_out.append(item.pk)
            for (variant_id, price, was), group in drops.items():
                variant = variants.get(variant_id) if variant_id else None
                event = notifications.create_event(
                    key=f"price-drop:{product.pk}:{variant_id or 0}:{price}", type=NotificationType.PRICE_DROP
                )
                context = _context(product, variant, price, was)
                sent += notifications.deliver_event(
                    event=event,
                    user_ids=[item.wishlist.user_id for item in group],
                    title=render_title(NotificationType.PRICE_DROP, context),
                    content=render_text(NotificationType.PRICE_DROP, context),
                    data={"url": url, "product_id": product.pk, "variant_id": variant_id, "store_id": product.store_id},
                )
                WishlistItem.objects.filter(pk__in=[item.pk for item in group]).update(alerted_price=price)
            for (variant_id, restock), group in back.items():
                variant = variants.get(variant_id) if variant_id else None
                price = current_price(product, variant, offers)
                # A restock's savers: keyed by that restock. Waiting items a price check finds
                # buyable are marked told in the same transaction, so a retry reads none of them.
                moment = f"restock-{restock}" if restock else f"seen-{stamp}"
                event = notifications.create_event(
                    key=f"back-in-stock:{product.pk}:{variant_id or 0}:{moment}", type=NotificationType.BACK_IN_STOCK
                )
                context = _context(product, variant, price, price)
                sent += notifications.deliver_event(
                    event=event,
                    user_ids=[item.wishlist.user_id for item in group],
                    title=render_title(NotificationType.BACK_IN_STOCK, context),
                    content=render_text(NotificationType.BACK_IN_STOCK, context),
                    data={"url": url, "product_id": product.pk, "variant_id": variant_id, "store_id": product.store_id},
                )
                WishlistItem.objects.filter(pk__in=[item.pk for item in group]).update(awaiting_stock=False)
            if now_out:
                WishlistItem.objects.filter(pk__in=now_out).update(awaiting_stock=True)
    return sent


# Sellers tell savers of a sale -----------------------------------------------------------


def clean_sale_message(message: str) -> str:
    message = " ".join((message or "").split())
    if not message:
        raise ValidationError({"message": "Say what the sale is (how much off, until when)."})
    if len(message) > SALE_MESSAGE_MAX:
        raise ValidationError(
            {"message": f"The message can be at most {SALE_MESSAGE_MAX} characters (it has {len(message):,})."}
        )
    return message


def notify_savers_of_sale(*, actor: AbstractBaseUser, product: Product, message: str) -> None:
    """Queue a sale notice to everyone who saved `product`: once a week per product."""
    message = clean_sale_message(message)
    ratelimit.hit(
        key=f"wishlists:sale:{product.pk}",
        limit=SALE_NOTICES_PER_PRODUCT,
        window_seconds=SALE_NOTICE_WINDOW_SECONDS,
        message="Savers of this product were told about a sale this week already: try again next week.",
    )
    from .tasks import deliver_sale_notice_task

    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    transaction.on_commit(
        lambda: deliver_sale_notice_task.enqueue(product_id=product.pk, message=message, stamp=stamp), robust=True
    )


def deliver_sale_notice(*, product_id: int, message: str, stamp: str, batch_size: int = BATCH_SIZE) -> int:
    product = Product.objects.select_related("store").filter(pk=product_id).first()
    if product is None:
        return 0
    event = notifications.create_event(key=f"saved-sale:{product_id}:{stamp}", type=NotificationType.SAVED_SALE)
    context = {"store_name": product.store.name, "product_title": product.title, "message": message}
    title = render_title(NotificationType.SAVED_SALE, context)
    content = render_text(NotificationType.SAVED_SALE, context)
    data = {"url": product.get_absolute_url(), "product_id": product.pk, "store_id": product.store_id}
    sent, last_pk = 0, 0
    while True:
        batch = list(
            WishlistItem.objects.filter(product_id=product_id, pk__gt=last_pk)
            .order_by("pk")
            .values_list("pk", "wishlist__user_id")[:batch_size]
        )
        if not batch:
            break
        last_pk = batch[-1][0]
        sent += notifications.deliver_event(
            event=event, user_ids=[user_id for _, user_id in batch], title=title, content=content, data=data
        )
    notifications.finish_event(event=event)
    return sent


# Promotions (catalog.hooks.promotion_prices_changed) ---------------------------------------


PROMOTION_PRODUCTS_BATCH = 1000


def queue_promotion_price_check(*, promotion_id: int) -> None:
    """catalog.promotion_prices_changed listener (a promotion started, or a running one was
    edited): the worker finds the saved products it covers and checks each for price drops."""
    from .tasks import check_promotion_alerts_task

    check_promotion_alerts_task.enqueue(promotion_id=promotion_id)


def check_promotion_alerts(*, promotion_id: int, batch_size: int = PROMOTION_PRODUCTS_BATCH) -> int:
    """Queue `check_product_alerts` for every saved product the promotion covers, reading the
    saved product ids in keyset batches (a store-wide sale over thousands of products never
    loads them all at once). Each check prices with the running offers and remembers what it
    told (`alerted_price`), so a retry, or a later unrelated price change, tells nobody again;
    an edit to a deeper discount is a new, lower price and is told once more. Returns how many
    products were queued."""
    from shomp.catalog.models import Promotion
    from shomp.catalog.services.promotions import covered_products

    promotion = Promotion.objects.filter(pk=promotion_id).first()
    if promotion is None:
        return 0
    saved = (
        WishlistItem.objects.filter(product_id__in=covered_products(promotion).values("pk"))
        .values_list("product_id", flat=True)
        .distinct()
        .order_by("product_id")
    )
    queued, last = 0, 0
    while True:
        batch = list(saved.filter(product_id__gt=last)[:batch_size])
        if not batch:
            return queued
        last = batch[-1]
        for product_id in batch:
            _enqueue(product_id)
        queued += len(batch)
