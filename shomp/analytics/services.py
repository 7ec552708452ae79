"""Recording: `track_view` and `track_conversion` (spec names), and the listeners that turn the
shopping moments of orders, follows and messaging into conversions.

Both only reduce the request to a small record (privacy.py: network, user-agent families,
country, opt-out; sources.py: medium and source) and append it to the buffer (buffer.py); the
ids, the visitor hash and the session are worked out when the buffer is drained (ingest.py).
Neither ever raises into the page or the service that called it, nor waits on the database.
"""

from __future__ import annotations

import logging
import time
from contextvars import ContextVar
from datetime import datetime
from decimal import Decimal

from django.core.cache import cache
from django.http import HttpRequest

from . import buffer, privacy
from .models import MAX_PATH_LENGTH, ConversionType, PageKind
from .sources import classify, is_from_elsewhere

logger = logging.getLogger(__name__)

#: The request being served in this thread or task (set by the middleware): conversions sent
#: from a service's on-commit hook are attributed to its visitor's session and source.
current_request: ContextVar[HttpRequest | None] = ContextVar("analytics_current_request", default=None)

#: A cart counts "checkout started" once per store for this long, however often the page opens.
CHECKOUT_ONCE_SECONDS = 6 * 3600

_NO_VISIT = object()


def visit_facts(request: HttpRequest) -> dict | None:
    """What may be kept about the client, or None for a bot (not counted). Computed once per request."""
    cached = getattr(request, "_analytics_visit", _NO_VISIT)
    if cached is not _NO_VISIT:
        return cached
    header = request.META.get("HTTP_USER_AGENT", "")
    agent = privacy.parse_user_agent(header)
    facts = None
    if not agent.is_bot:
        ip = privacy.client_ip(request)
        facts = {
            "net": privacy.anonymise(ip),
            "ua": agent.label,
            # The hash's user-agent part: a digest of the whole header (two builds of one
            # browser version behind one NAT are two visitors); the header itself ends here.
            "uad": privacy.agent_digest(header),
            "browser": agent.browser,
            "os": agent.os,
            "device": agent.device,
            "country": privacy.country(request, ip),
            "dnt": privacy.opted_out(request),
        }  # `ip` ends here: only its network and country go on
    request._analytics_visit = facts
    return facts


def _own_host(request: HttpRequest) -> str:
    try:
        return request.get_host()
    except Exception:  # DisallowedHost: nothing of ours refers here
        return ""


def track_view(
    *,
    request: HttpRequest,
    kind: str,
    store_slug: str = "",
    product_ref: str = "",
    variant_id: int | None = None,
    announcement_uuid: str = "",
    at: datetime | None = None,
) -> bool:
    """Count one view of a storefront page; False when it is not counted (a bot, a bad kind)."""
    if kind not in PageKind.values:
        return False
    facts = visit_facts(request)
    if facts is None:
        return False
    referrer = request.META.get("HTTP_REFERER", "")
    host = _own_host(request)
    user = getattr(request, "user", None)
    # An opted-out visitor (GPC/DNT) is linked to nobody: no hash, and no account either.
    signed_in = user is not None and user.is_authenticated and not facts["dnt"]
    record = {
        "t": "v",
        "at": at.timestamp() if at is not None else time.time(),
        "kind": kind,
        "store": store_slug[:100],
        "product": product_ref[:300],
        "variant": variant_id,
        "ann": announcement_uuid[:36],
        "path": request.path[:MAX_PATH_LENGTH],
        "user": user.pk if signed_in else None,
        "src": classify(referrer=referrer, query=request.GET, own_host=host, store_slug=store_slug).as_list(),
        "ext": is_from_elsewhere(referrer=referrer, own_host=host, store_slug=store_slug),
        **facts,
    }
    buffer.push(record)
    return True


def track_conversion(
    *,
    store_id: int,
    conversion_type: str,
    user_id: int | None = None,
    product_id: int | None = None,
    variant_id: int | None = None,
    value: Decimal = Decimal("0"),
    quantity: int = 1,
    order_id: int | None = None,
    country: str = "",
    request: HttpRequest | None = None,
    at: datetime | None = None,
) -> bool:
    """Count one conversion of `store_id`, attributed to the visitor of `request` (by default
    the request being served) when there is one. False when it is not counted (a bot)."""
    if conversion_type not in ConversionType.values:
        return False
    request = request if request is not None else current_request.get()
    visit = visit_facts(request) if request is not None else None
    if request is not None and visit is None:
        return False  # a bot's request
    buffer.push(
        {
            "t": "c",
            "at": at.timestamp() if at is not None else time.time(),
            "store_id": store_id,
            "type": conversion_type,
            "user": user_id,
            "product_id": product_id,
            "variant_id": variant_id,
            "value": str(value),
            "quantity": quantity,
            "order_id": order_id,
            "country": _country_code(country),
            "visit": visit,
        }
    )
    return True


def _country_code(text: str) -> str:
    """A shipping country as the buyer typed it, if it is a two-letter code; else "" (the visit's)."""
    text = (text or "").strip()
    return text.upper() if len(text) == 2 and text.isascii() and text.isalpha() else ""


# Listeners (connected in apps.py) -------------------------------------------------------------


def on_cart_added(
    *, store_id: int, product_id: int, variant_id: int | None, quantity: int, user_id: int | None
) -> None:
    track_conversion(
        store_id=store_id,
        conversion_type=ConversionType.ADD_TO_CART,
        user_id=user_id,
        product_id=product_id,
        variant_id=variant_id,
        quantity=quantity,
    )


def on_checkout_started(*, cart_id: int, store_ids: list[int], user_id: int | None) -> None:
    for store_id in store_ids:
        try:
            first = cache.add(f"analytics:checkout:{cart_id}:{store_id}", 1, timeout=CHECKOUT_ONCE_SECONDS)
        except Exception:  # the cache is only there to count once
            first = True
        if first:
            track_conversion(store_id=store_id, conversion_type=ConversionType.CHECKOUT_STARTED, user_id=user_id)


def on_order_placed(
    *, order_id: int, store_id: int, total: Decimal, currency: str, buyer_id: int | None, country: str
) -> None:
    track_conversion(
        store_id=store_id,
        conversion_type=ConversionType.PURCHASE,
        user_id=buyer_id,
        value=total,
        order_id=order_id,
        country=country,
    )


def on_store_followed(*, store_id: int, user_id: int) -> None:
    track_conversion(store_id=store_id, conversion_type=ConversionType.FOLLOW, user_id=user_id)


def on_conversation_started(*, store_id: int, user_id: int, product_id: int | None) -> None:
    track_conversion(
        store_id=store_id, conversion_type=ConversionType.MESSAGE_STARTED, user_id=user_id, product_id=product_id
    )


def on_order_voided(*, order_id: int, **_) -> None:
    """An order was cancelled or refunded: its purchase's day is rolled up again in the worker
    (a voided order's purchase counts nowhere; rollups.not_voided)."""
    from .tasks import reroll_order

    try:
        reroll_order.enqueue(order_id=order_id)
    except Exception:  # the next finalise or a repair catches up; the seller's action stands
        logger.warning("Could not queue the re-roll of order %s's day", order_id, exc_info=True)
