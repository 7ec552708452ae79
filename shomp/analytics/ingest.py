"""From buffered records to rows: resolve ids, hash visitors, join sessions, insert in batches.

`drain()` (the task, or the memory buffer's timer) takes records from the buffer a batch at a
time and hands each batch to `ingest()`, which costs a fixed handful of queries per batch
whatever its size: stores by slug, products and variants by id, announcements, the day's salts,
the sessions the batch continues, then one COPY of page views on PostgreSQL (an executemany
elsewhere) and one multi-row INSERT of conversions (ON CONFLICT DO NOTHING: once per order).

Sessions (Shopify's rule): a visitor's session ends after SESSION_IDLE of no page view and at the
store's local midnight. The first view of a session is its entry (`is_entry`, one visit) and its
source is the session's: every later view and conversion of the session carries it. Views of
visitors who opted out (no hash) have no session; one counts as a visit when it came from
outside the store. Conversions take the session of their visitor (the same hash) if one is
open, else the buyer's own latest session on the store; otherwise they are "direct".
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Q

from shomp.catalog.models import Product, Variant
from shomp.core.params import parse_id
from shomp.follows.models import StoreAnnouncement
from shomp.stores.models import Store

from . import buffer, bulk
from .models import MAX_PATH_LENGTH, Conversion, ConversionType, Device, PageKind, PageView
from .privacy import salt_for, visitor_hash
from .sources import Source

logger = logging.getLogger(__name__)

SESSION_IDLE = timedelta(minutes=30)
_KINDS = frozenset(PageKind.values)  # the enum's .values builds a list at each call
_CONVERSION_TYPES = frozenset(ConversionType.values)
_DEVICES = frozenset(Device.values)
#: A drain stops taking new batches after this long (the next one carries on).
DRAIN_BUDGET_SECONDS = 50.0


@dataclass
class SessionState:
    session_id: str
    last_at: datetime
    local_day: date
    source: Source


def drain(*, source: buffer.MemoryBuffer | None = None, budget: float = DRAIN_BUDGET_SECONDS) -> int:
    """Ingest what the buffer holds, a batch at a time; returns how many records were taken."""
    buffer.drain_started()
    started, taken = time.monotonic(), 0
    while time.monotonic() - started < budget:
        batch = source.pop(buffer.BATCH_SIZE) if source is not None else buffer.pop_batch(buffer.BATCH_SIZE)
        if not batch:
            break
        taken += len(batch)
        try:
            write(batch)
        except Exception:  # a bad batch is logged and dropped, the next ones still go in
            logger.exception("Could not ingest %s analytics records", len(batch))
    return taken


def write(records: list[dict]) -> None:
    """Ingest a batch, refresh the rollups of the store-days it touched, and push the live panel
    of those stores to whoever watches it."""
    from .events import live_changed
    from .rollups import refresh_touched

    touched = ingest(records)
    refresh_touched(touched)
    for store_id in sorted({store_id for store_id, _day in touched}):
        try:
            live_changed(store_id=store_id)
        except Exception:  # a push that fails never loses the batch
            logger.warning("Could not push store %s's live panel", store_id, exc_info=True)


def ingest(records: Iterable[dict]) -> set[tuple[int, date]]:
    """Write a batch of records; returns the (store id, local day) pairs it touched."""
    records = [record for record in records if isinstance(record, dict)]
    views = sorted((r for r in records if r.get("t") == "v"), key=lambda r: _float(r.get("at")))
    conversions = sorted((r for r in records if r.get("t") == "c"), key=lambda r: _float(r.get("at")))
    if not views and not conversions:
        return set()
    resolved = _resolve(views, conversions)
    stores = resolved.stores
    sessions = _open_sessions(views + conversions, resolved)
    touched: set[tuple[int, date]] = set()

    page_views = []
    for record in views:
        row = _page_view(record, resolved, sessions)
        if row is not None:
            page_views.append(row)
            touched.add((row.store_id, row.created_at.astimezone(stores[row.store_id]).date()))
    rows = []
    for record in conversions:
        row = _conversion(record, stores, sessions)
        if row is not None:
            rows.append(row)
            touched.add((row.store_id, row.created_at.astimezone(stores[row.store_id]).date()))
    with transaction.atomic():
        bulk.insert(PageView, page_views)  # COPY on PostgreSQL
        # A purchase is counted once per order, however often its moment is sent.
        Conversion.objects.bulk_create(rows, batch_size=buffer.BATCH_SIZE, ignore_conflicts=True)
    return touched


# Resolving ids ------------------------------------------------------------------------------


@dataclass
class Resolved:
    stores: dict[int, ZoneInfo]  # store id -> its time zone
    store_by_slug: dict[str, int]
    store_by_announcement: dict[str, int]
    products: dict[tuple[int, str], Product]  # (store id, slug) -> product
    variants: dict[int, Variant]


def _resolve(views: list[dict], conversions: list[dict]) -> Resolved:
    slugs = {str(r.get("store", ""))[:100].lower() for r in views if r.get("store")}
    announcement_ids = set()
    for record in views:
        with contextlib.suppress(ValueError):
            announcement_ids.add(uuid.UUID(str(record.get("ann") or "")))
    store_by_slug = dict(Store.objects.filter(slug__in=slugs).values_list("slug", "pk")) if slugs else {}
    store_by_announcement = (
        {
            str(key): value
            for key, value in StoreAnnouncement.objects.filter(uuid__in=announcement_ids).values_list(
                "uuid", "store_id"
            )
        }
        if announcement_ids
        else {}
    )
    store_ids = set(store_by_slug.values()) | set(store_by_announcement.values())
    store_ids |= {store_id for r in conversions if (store_id := _int(r.get("store_id"))) is not None}
    stores = {pk: _zone(name) for pk, name in Store.objects.filter(pk__in=store_ids).values_list("pk", "time_zone")}

    refs = {(store_by_slug.get(str(r.get("store", "")).lower()), str(r.get("product") or "")[:300]) for r in views}
    refs = {(store_id, ref) for store_id, ref in refs if store_id is not None and ref}
    products: dict[tuple[int, str], Product] = {}
    if refs:
        query = Product.objects.filter(
            store_id__in={store_id for store_id, _ in refs}, slug__in={ref for _, ref in refs}
        ).only("pk", "store_id", "slug", "stock", "has_variants", "kind", "track_inventory")
        products = {(product.store_id, product.slug): product for product in query}
    variant_ids = {variant_id for r in views if (variant_id := _int(r.get("variant"))) is not None}
    variants = (
        {variant.pk: variant for variant in Variant.objects.filter(pk__in=variant_ids).select_related("product")}
        if variant_ids
        else {}
    )
    return Resolved(stores, store_by_slug, store_by_announcement, products, variants)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        return ZoneInfo("UTC")


# Sessions -----------------------------------------------------------------------------------


def _hash(record: dict, store_id: int, at: datetime) -> str:
    visit = record if record.get("t") == "v" else (record.get("visit") or {})
    if not visit or visit.get("dnt"):
        return ""
    return visitor_hash(
        salt=salt_for(at.astimezone(UTC).date()),
        store_id=store_id,
        network=str(visit.get("net", "")),
        # A record from before the digest (an older process's buffer): the families.
        agent=str(visit.get("uad") or visit.get("ua", "")),
    )


def _open_sessions(records: list[dict], resolved: Resolved) -> dict[tuple[int, str], SessionState]:
    """The sessions this batch may continue: each visitor's latest view in the idle window."""
    stores = resolved.stores
    hashes, users, earliest = set(), set(), None
    for record in records:
        at = _time(record)
        record["_at"] = at
        store_id = _record_store(record, resolved)
        record["_hash"] = _hash(record, store_id, at) if store_id in stores else ""
        if record["_hash"]:
            hashes.add(record["_hash"])
        if record.get("t") == "c" and (user_id := _int(record.get("user"))) is not None:
            users.add(user_id)
        earliest = at if earliest is None or at < earliest else earliest
    if earliest is None or not (hashes or users):
        return {}
    condition = Q(visitor_hash__in=hashes) if hashes else Q(pk__in=[])
    if users:
        condition |= Q(user_id__in=users) & ~Q(visitor_hash="")
    found = PageView.objects.filter(
        condition, store_id__in=list(stores), created_at__gte=earliest - SESSION_IDLE
    ).exclude(session_id="")
    if connection.features.can_distinct_on_fields:  # PostgreSQL: only each visitor's latest view
        found = found.order_by("store_id", "visitor_hash", "user_id", "-created_at", "-pk").distinct(
            "store_id", "visitor_hash", "user_id"
        )
    else:  # oldest first: the latest view of each visitor is the one kept below
        found = found.order_by("created_at", "pk")
    found = found.values_list(
        "store_id",
        "visitor_hash",
        "user_id",
        "session_id",
        "created_at",
        "medium",
        "source",
        "referrer_domain",
        "utm_source",
        "utm_medium",
        "utm_campaign",
    )
    sessions: dict[tuple[int, str], SessionState] = {}
    for store_id, hashed, user_id, session_id, created_at, *source in found:
        state = SessionState(session_id, created_at, created_at.astimezone(stores[store_id]).date(), Source(*source))
        keys = [(store_id, hashed)] + ([(store_id, f"user:{user_id}")] if user_id is not None else [])
        for key in keys:  # each visitor's (and each buyer's) latest view wins
            if key not in sessions or sessions[key].last_at <= created_at:
                sessions[key] = state
    return sessions


def _continues(state: SessionState | None, at: datetime, local_day: date) -> bool:
    return state is not None and abs(at - state.last_at) <= SESSION_IDLE and state.local_day == local_day


# Rows ---------------------------------------------------------------------------------------


def _page_view(record: dict, resolved: Resolved, sessions: dict) -> PageView | None:
    store_id = _record_store(record, resolved)
    if store_id is None or store_id not in resolved.stores:
        return None  # the store is gone (or never was): skipped, not an error
    kind = record.get("kind")
    if kind not in _KINDS:
        return None
    at, hashed = record["_at"], record.get("_hash", "")
    local_day = at.astimezone(resolved.stores[store_id]).date()
    product = resolved.products.get((store_id, str(record.get("product") or "")[:300]))
    variant = resolved.variants.get(_int(record.get("variant")) or 0)
    if variant is not None and (product is None or variant.product_id != product.pk):
        variant = None  # another product's variant in the URL: ignored, as the page ignores it
    if kind == PageKind.VARIANT and variant is None:
        return None  # the picker did not settle on a variant of this product
    sold_out = variant.stock_status == "out" if variant is not None else bool(product and not product.in_stock)

    source = Source.from_list(record.get("src"))
    session_id, is_entry = "", False
    if hashed:
        state = sessions.get((store_id, hashed))
        if _continues(state, at, local_day):
            session_id, source = state.session_id, state.source
            state.last_at = max(state.last_at, at)
        else:
            session_id, is_entry = secrets.token_hex(16), True
            sessions[(store_id, hashed)] = SessionState(session_id, at, local_day, source)
        if (user_id := _int(record.get("user"))) is not None:
            sessions[(store_id, f"user:{user_id}")] = sessions[(store_id, hashed)]
    else:
        is_entry = bool(record.get("ext")) and kind != PageKind.VARIANT
    return PageView(
        store_id=store_id,
        product_id=product.pk if product is not None else None,
        variant_id=variant.pk if variant is not None else None,
        user_id=_int(record.get("user")),
        kind=kind,
        path=str(record.get("path", ""))[:MAX_PATH_LENGTH],
        ip_address=str(record.get("net", ""))[:50],
        user_agent=str(record.get("ua", ""))[:150],
        is_entry=is_entry,
        sold_out=sold_out,
        visitor_hash=hashed,
        session_id=session_id,
        created_at=at,
        **_visit_fields(record, source),
    )


def _conversion(record: dict, stores: dict[int, ZoneInfo], sessions: dict) -> Conversion | None:
    store_id = _int(record.get("store_id"))
    kind = record.get("type")
    if store_id is None or store_id not in stores or kind not in _CONVERSION_TYPES:
        return None
    at, hashed = record["_at"], record.get("_hash", "")
    local_day = at.astimezone(stores[store_id]).date()
    user_id = _int(record.get("user"))
    state = sessions.get((store_id, hashed)) if hashed else None
    if not _continues(state, at, local_day) and user_id is not None:
        state = sessions.get((store_id, f"user:{user_id}"))
    attributed = _continues(state, at, local_day)
    visit = record.get("visit") or {}
    fields = _visit_fields(visit, state.source if attributed else Source())
    if record.get("country"):  # a purchase: the buyer's shipping country
        fields["country"] = str(record["country"])[:2]
    try:
        value = Decimal(str(record.get("value") or "0")).quantize(Decimal("0.01"))
    except InvalidOperation:
        value = Decimal("0")
    return Conversion(
        store_id=store_id,
        product_id=_int(record.get("product_id")),
        variant_id=_int(record.get("variant_id")),
        user_id=user_id,
        conversion_type=kind,
        value=value,
        quantity=max(1, min(_int(record.get("quantity")) or 1, 1_000_000)),
        order_id=_int(record.get("order_id")),
        visitor_hash=hashed,
        session_id=state.session_id if attributed else "",
        created_at=at,
        **fields,
    )


def _visit_fields(visit: dict, source: Source) -> dict:
    device = visit.get("device")
    return {
        "medium": source.medium,
        "source": source.source[:60],
        "referrer_domain": source.referrer_domain[:100],
        "utm_source": source.utm_source[:100],
        "utm_medium": source.utm_medium[:100],
        "utm_campaign": source.utm_campaign[:100],
        "country": str(visit.get("country") or "")[:2],
        "device": device if device in _DEVICES else Device.OTHER,
        "browser": str(visit.get("browser") or "")[:40],
        "os": str(visit.get("os") or "")[:40],
    }


# Small parsers (a record may come from an older process, or be damaged) -----------------------


def _record_store(record: dict, resolved: Resolved | None = None) -> int | None:
    if record.get("t") == "c":
        return _int(record.get("store_id"))
    if "_store" in record:
        return record["_store"]
    if resolved is None:
        return None
    store_id = resolved.store_by_slug.get(str(record.get("store", "")).lower()) or resolved.store_by_announcement.get(
        str(record.get("ann") or "")
    )
    record["_store"] = store_id
    return store_id


def _int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value < 2**63 else None
    return parse_id(str(value)) if value is not None else None


def _float(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def _time(record: dict) -> datetime:
    at = _float(record.get("at"))
    now = time.time()
    if not 0 < at <= now + 60:  # a damaged or future time: now
        at = now
    return datetime.fromtimestamp(at, tz=UTC)
