"""What each notification type looks like and who gets it by default.

Each type has two small templates, `notifications/types/<type>.title.txt` and `<type>.text.txt`,
rendered with the context the sender passes (store and product names, an excerpt, ...). They
are plain text (autoescape off inside); the pages escape them when they show them.

Defaults, for users who never changed their preferences: every type shows in the app; only the
personal ones (message replies, review responses) are also emailed.

New types (price drop, back in stock, moderation outcome) are added here, to NotificationType,
and with their two templates; the preferences page and the centre's filter pick them up.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.text import Truncator

from .models import Notification, NotificationType

TITLE_MAX = Notification._meta.get_field("title").max_length
CONTENT_MAX = Notification._meta.get_field("content").max_length


@dataclass(frozen=True)
class TypeSpec:
    type: NotificationType
    icon: str  # a Bootstrap Icons name
    description: str
    email_default: bool = False
    in_app_default: bool = True
    # "seller": about a store the user works on; listed in preferences only to people on a team.
    audience: str = "buyer"

    @property
    def label(self) -> str:
        return self.type.label


SPECS: dict[str, TypeSpec] = {
    spec.type.value: spec
    for spec in [
        TypeSpec(NotificationType.NEW_PRODUCT, "bag-plus", "A store you follow publishes a new product."),
        TypeSpec(NotificationType.STORE_ANNOUNCEMENT, "megaphone", "A store you follow posts an update."),
        TypeSpec(NotificationType.SALE, "tag", "A store you follow announces a sale or a promotion."),
        TypeSpec(
            NotificationType.MESSAGE_REPLY,
            "chat-dots",
            "Someone replies in one of your conversations.",
            email_default=True,
        ),
        TypeSpec(
            NotificationType.REVIEW_RESPONSE,
            "star",
            "A store responds to one of your reviews.",
            email_default=True,
        ),
        TypeSpec(
            NotificationType.REVIEW_MODERATION,
            "shield-check",
            "Our moderators restore or remove one of your reviews after it was flagged.",
            email_default=True,
        ),
        TypeSpec(
            NotificationType.CONVERSATION_ASSIGNED,
            "person-check",
            "A teammate assigns you a customer conversation of a store you work on.",
        ),
        TypeSpec(
            NotificationType.PRICE_DROP,
            "arrow-down-circle",
            "Something on one of your lists gets cheaper than when you saved it.",
            email_default=True,
        ),
        TypeSpec(
            NotificationType.BACK_IN_STOCK,
            "box-seam",
            "Something sold out on one of your lists is back in stock.",
            email_default=True,
        ),
        TypeSpec(NotificationType.SAVED_SALE, "tag", "A store tells those who saved its product about a sale."),
        TypeSpec(
            NotificationType.ORDER_SHIPPED,
            "truck",
            "A store ships one of your orders (with tracking).",
            email_default=True,
        ),
        TypeSpec(
            NotificationType.ORDER_DELIVERED, "house-check", "One of your orders is delivered.", email_default=True
        ),
        TypeSpec(
            NotificationType.ORDER_CANCELLED,
            "x-circle",
            "A store cancels one of your orders and refunds it.",
            email_default=True,
        ),
        TypeSpec(
            NotificationType.ORDER_REFUNDED,
            "arrow-counterclockwise",
            "A store refunds part of an order.",
            email_default=True,
        ),
        TypeSpec(
            NotificationType.NEW_ORDER,
            "bag-check",
            "Someone orders from a store whose orders you handle.",
            email_default=True,
            audience="seller",
        ),
        TypeSpec(NotificationType.NEW_REVIEW, "star", "A buyer reviews a store you work on.", audience="seller"),
        TypeSpec(
            NotificationType.NEW_CONVERSATION,
            "chat-square-text",
            "A customer starts a conversation with a store whose messages you answer.",
            audience="seller",
        ),
        TypeSpec(
            NotificationType.OUT_OF_STOCK,
            "exclamation-triangle",
            "A sale takes a variant's last unit in a store whose products you manage.",
            audience="seller",
        ),
    ]
}


def spec_for(type: str) -> TypeSpec:
    try:
        return SPECS[type]
    except KeyError:
        raise ValueError(f"Unknown notification type {type!r}.") from None


def render_title(type: str, context: dict) -> str:
    spec_for(type)
    text = " ".join(render_to_string(f"notifications/types/{type}.title.txt", context).split())
    return Truncator(text).chars(TITLE_MAX)


def render_text(type: str, context: dict) -> str:
    spec_for(type)
    text = render_to_string(f"notifications/types/{type}.text.txt", context).strip()
    return Truncator(text).chars(CONTENT_MAX)
