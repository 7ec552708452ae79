"""Custom orders: the store sends or withdraws an offer, the customer accepts it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from shomp.catalog.services import create_reserved_product
from shomp.core import ratelimit
from shomp.core.money import MAX_PRICE, quantize
from shomp.orders.models import CartItem
from shomp.orders.services import add_to_cart, get_or_create_cart

from .. import events
from ..models import Conversation, Offer, Side
from ..policies import is_blocked, side_for
from .posting import BLOCKED_TEXT, MESSAGE_RATE_TEXT, MESSAGES_PER_MINUTE, OFFER_VALID_FOR, _copy_state, _post_message


@transaction.atomic
def send_offer(
    *, conversation: Conversation, sender, title: str, price: Decimal, delivery_date: date | None = None
) -> Offer:
    """The store offers to make the custom order for `price`. An earlier open offer is withdrawn."""
    if side_for(sender, conversation) != Side.STORE:
        raise ValidationError("Only the store can send an offer.")
    if conversation.type != Conversation.Type.CUSTOM_ORDER:
        raise ValidationError("Offers are sent in custom order requests.")
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": "Give the offer a title."})
    if len(title) > 140:
        raise ValidationError({"title": "Keep the title under 140 characters."})
    if price is None:
        raise ValidationError({"price": "Enter a price."})
    price = quantize(price)
    if price <= 0 or price > MAX_PRICE:
        raise ValidationError({"price": "Enter a price between 0.01 and 1,000,000."})
    if delivery_date is not None and delivery_date < timezone.localdate():
        raise ValidationError({"delivery_date": "Choose a delivery date that hasn't passed."})
    ratelimit.hit(key=f"messages:{sender.pk}", limit=MESSAGES_PER_MINUTE, window_seconds=60, message=MESSAGE_RATE_TEXT)
    locked = Conversation.objects.select_for_update(of=("self",)).select_related("store").get(pk=conversation.pk)
    superseded = list(
        Offer.objects.select_for_update()
        .filter(conversation=locked, status=Offer.Status.SENT)
        .values_list("pk", flat=True)
    )
    now = timezone.now()
    Offer.objects.filter(pk__in=superseded).update(status=Offer.Status.WITHDRAWN, withdrawn_at=now)
    message = _post_message(
        conversation=locked, sender=sender, side=Side.STORE, content=f"Sent an offer: {title}", reopen=False
    )
    offer = Offer.objects.create(
        conversation=locked,
        message=message,
        title=title,
        price=price,
        delivery_date=delivery_date,
        expires_at=now + OFFER_VALID_FOR,
        created_by=sender,
    )
    for offer_id in superseded:
        transaction.on_commit(lambda offer_id=offer_id: events.offer_changed(offer_id=offer_id), robust=True)
    _copy_state(locked, conversation)
    return offer


@transaction.atomic
def withdraw_offer(*, offer: Offer, actor) -> Offer:
    offer = Offer.objects.select_for_update(of=("self",)).select_related("conversation__store").get(pk=offer.pk)
    if side_for(actor, offer.conversation) != Side.STORE:
        raise ValidationError("Only the store can withdraw its offer.")
    if offer.current_status() != Offer.Status.SENT:
        raise ValidationError(f"This offer is {offer.current_status()} already.")
    offer.status = Offer.Status.WITHDRAWN
    offer.withdrawn_at = timezone.now()
    offer.save(update_fields=["status", "withdrawn_at"])
    offer_id = offer.pk
    transaction.on_commit(lambda: events.offer_changed(offer_id=offer_id), robust=True)
    return offer


@transaction.atomic
def accept_offer(*, offer: Offer, buyer) -> CartItem:
    """The customer accepts: a product reserved for them alone is made and put in their cart."""
    offer = (
        Offer.objects.select_for_update(of=("self",))
        .select_related("conversation__store", "conversation__custom_request")
        .get(pk=offer.pk)
    )
    conversation = offer.conversation
    if side_for(buyer, conversation) != Side.CUSTOMER:
        raise ValidationError("Only the customer who asked can accept this offer.")
    status = offer.current_status()
    if status == Offer.Status.EXPIRED:
        raise ValidationError("This offer has expired. Ask the store for a new one.")
    if status != Offer.Status.SENT:
        raise ValidationError(f"This offer was {offer.get_status_display().lower()}; it can't be accepted.")
    if is_blocked(store=conversation.store, user=buyer):
        raise ValidationError(BLOCKED_TEXT)
    request = getattr(conversation, "custom_request", None)
    product = create_reserved_product(
        store=conversation.store,
        buyer=buyer,
        title=offer.title,
        price=offer.price,
        description=request.description if request else "",
    )
    item = add_to_cart(cart=get_or_create_cart(user=buyer, session=None), product=product, quantity=1)
    offer.status = Offer.Status.ACCEPTED
    offer.accepted_at = timezone.now()
    offer.product = product
    offer.save(update_fields=["status", "accepted_at", "product"])
    locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
    _post_message(conversation=locked, sender=buyer, side=Side.CUSTOMER, content=f"Accepted the offer: {offer.title}")
    offer_id = offer.pk
    transaction.on_commit(lambda: events.offer_changed(offer_id=offer_id), robust=True)
    return item
