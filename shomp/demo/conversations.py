"""Demo conversations: one of every type between the demo buyer and the sellers' stores.

A question about a product (answered, with a photo), help with an order (resolved), a custom
order request with the seller's offer waiting to be accepted, and a general question still
unread by the store. Made through the messaging services, so counters, statuses and first-reply
times are real. Idempotent: a conversation is found by its store, customer and subject.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from shomp.catalog.models import Product
from shomp.core import uploads
from shomp.demo import samples
from shomp.messaging import services
from shomp.messaging.models import Conversation
from shomp.messaging.services import AttachmentUpload
from shomp.orders.models import Order
from shomp.organizations.areas import Area
from shomp.stores.models import Store
from shomp.stores.policies import can

BUYER = "demo-buyer"
SUPPORT = "demo-support"  # Studio North's support member (shomp.demo.organization)


def seed(*, users: dict, stores: dict[str, Store], products: dict, created: Counter) -> None:
    buyer = users.get(BUYER)
    if buyer is None:
        return
    ceramics, prints, press = stores.get("fern-and-kiln"), stores.get("inkwell-and-ash"), stores.get("marginalia-press")
    if ceramics is not None:
        _pre_purchase(buyer, ceramics, products, created)
        _custom_order(buyer, ceramics, created)
    if prints is not None:
        _general(buyer, prints, created, support=users.get(SUPPORT))
    order = (
        Order.objects.filter(buyer=buyer, store=press).select_related("store").first()
        if press is not None
        else Order.objects.filter(buyer=buyer).select_related("store").first()
    )
    if order is not None:
        _support(buyer, order, created)


def _exists(store: Store, buyer, subject: str) -> bool:
    return Conversation.objects.filter(store=store, customer=buyer, subject=subject).exists()


def _photo(title: str, seed: int) -> AttachmentUpload:
    image = samples.product_image(title=title, seed=seed)
    upload = SimpleUploadedFile("my-kitchen.jpg", image.read(), content_type="image/jpeg")
    return AttachmentUpload(processed=uploads.process_image(upload), original_name="my-kitchen.jpg")


def _pre_purchase(buyer, store: Store, products: dict, created: Counter) -> None:
    product = next(
        (p for (slug, _), p in products.items() if slug == store.slug and p.status == Product.Status.PUBLISHED),
        None,
    )
    subject = f"Question about {product.title}" if product else "A question about your mugs"
    if _exists(store, buyer, subject):
        return
    conversation = services.create_conversation(
        store=store,
        customer=buyer,
        type=Conversation.Type.PRE_PURCHASE,
        subject=subject,
        content="Hi! Is the glaze food safe, and will it survive a dishwasher?\nHere's the shelf it would live on.",
        product=product,
        attachments=[_photo("Shelf", 11)],
    )
    services.send_message(
        conversation=conversation,
        sender=store.owner,
        content="Hello! Yes: every glaze we use is lead-free and food safe, and the mugs are dishwasher safe. "
        "Care guide: https://example.com/care",
    )
    created["conversations"] += 1


def _custom_order(buyer, store: Store, created: Counter) -> None:
    subject = "A teapot with owls"
    if _exists(store, buyer, subject):
        return
    conversation = services.create_conversation(
        store=store,
        customer=buyer,
        type=Conversation.Type.CUSTOM_ORDER,
        subject=subject,
        content="Could you make a teapot for six with little owls painted around it? Blues and greys.",
        budget=Decimal("90.00"),
        wanted_by=timezone.localdate() + timedelta(days=45),
    )
    services.send_message(
        conversation=conversation,
        sender=store.owner,
        content="What a lovely idea. I can do that in about four weeks. Here's my offer:",
    )
    services.send_offer(
        conversation=conversation,
        sender=store.owner,
        title="Owl teapot for six",
        price=Decimal("85.00"),
        delivery_date=timezone.localdate() + timedelta(days=35),
    )
    created["conversations"] += 1


def _general(buyer, store: Store, created: Counter, *, support=None) -> None:
    subject = "Do you do gift wrapping?"
    if _exists(store, buyer, subject):
        return
    conversation = services.create_conversation(
        store=store,
        customer=buyer,
        type=Conversation.Type.GENERAL,
        subject=subject,
        content="I'd like to send a print as a birthday present. Can you wrap it and add a note?",
    )
    created["conversations"] += 1
    # Studio North's support member looks after it: their unified inbox has one assigned to them.
    store.refresh_from_db(fields=["has_team"])  # the team joined after this object was read
    if support is not None and can(support, store, Area.MESSAGES):
        services.assign_conversation(conversation=conversation, assignee=support, actor=store.owner)


def _support(buyer, order: Order, created: Counter) -> None:
    subject = f"Help with order {order.number}"
    if _exists(order.store, buyer, subject):
        return
    conversation = services.create_conversation(
        store=order.store,
        customer=buyer,
        type=Conversation.Type.SUPPORT,
        subject=subject,
        content="Hi, my order hasn't arrived yet. Could you check the tracking?",
        order=order,
    )
    services.send_message(
        conversation=conversation,
        sender=order.store.owner,
        content="Sorry about that! It left on Monday; the courier says it arrives tomorrow.",
    )
    services.send_message(conversation=conversation, sender=buyer, content="It's here. Thank you!")
    services.set_status(conversation=conversation, actor=order.store.owner, status=Conversation.Status.RESOLVED)
    created["conversations"] += 1
