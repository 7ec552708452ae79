"""Made-up but realistic traffic for a store: the demo's 90 days and the benchmark's millions.

`traffic(store=..., products=..., days=..., visits_per_day=...)` yields PageView and Conversion
objects (unsaved) for the store's last `days` local days: sessions with an entry source (search,
social, email campaigns, Shomp itself, other sites, direct), a device, browser and country, one
to six pages each (store, product, reviews, the variant picker), and the conversions a share of
them make (add to cart, checkout, purchase with its value and units, follow, message). A weekly
rhythm and slow growth make the charts look like a shop's. Deterministic for a given seed.

Rows are written by the caller: `bulk_create` for the demo, PostgreSQL's COPY for the benchmark
(bench/analytics.py). Everything is anonymous in the same way real rows are: networks, families,
random hashes; no address or user agent.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from shomp.catalog.models import Product
from shomp.stores.models import Store

from .models import Conversion, ConversionType, Device, Medium, PageKind, PageView

# (medium, source, referrer domain, utm source, utm medium, utm campaign), weight
SOURCES: list[tuple[tuple[str, str, str, str, str, str], int]] = [
    ((Medium.DIRECT, "", "", "", "", ""), 30),
    ((Medium.SEARCH, "google", "google.com", "", "", ""), 20),
    ((Medium.SEARCH, "bing", "bing.com", "", "", ""), 3),
    ((Medium.SEARCH, "duckduckgo", "duckduckgo.com", "", "", ""), 3),
    ((Medium.SOCIAL, "instagram", "instagram.com", "", "", ""), 9),
    ((Medium.SOCIAL, "pinterest", "pinterest.com", "", "", ""), 6),
    ((Medium.SOCIAL, "facebook", "facebook.com", "", "", ""), 3),
    ((Medium.EMAIL, "newsletter", "", "newsletter", "email", "Spring restock"), 4),
    ((Medium.EMAIL, "gmail", "mail.google.com", "", "", ""), 2),
    ((Medium.SHOMP, "marketplace search", "", "", "", ""), 8),
    ((Medium.SHOMP, "store directory", "", "", "", ""), 3),
    ((Medium.SHOMP, "notifications", "", "", "", ""), 3),
    ((Medium.SHOMP, "follows", "", "", "", ""), 2),
    ((Medium.SHOMP, "another store", "", "", "", ""), 2),
    ((Medium.REFERRAL, "makersblog.example", "makersblog.example", "", "", ""), 2),
    ((Medium.CAMPAIGN, "craft-fair", "", "craft-fair", "print", "Autumn fair flyer"), 1),
]
# (device, browser, os), weight
AGENTS: list[tuple[tuple[str, str, str], int]] = [
    ((Device.MOBILE, "Mobile Safari 17", "iOS"), 24),
    ((Device.MOBILE, "Chrome Mobile 131", "Android"), 18),
    ((Device.DESKTOP, "Chrome 131", "Windows"), 18),
    ((Device.DESKTOP, "Safari 17", "Mac OS X"), 10),
    ((Device.DESKTOP, "Firefox 133", "Windows"), 6),
    ((Device.DESKTOP, "Edge 131", "Windows"), 5),
    ((Device.DESKTOP, "Firefox 133", "Linux"), 3),
    ((Device.TABLET, "Mobile Safari 17", "iOS"), 6),
    ((Device.TABLET, "Chrome 131", "Android"), 2),
]
COUNTRIES = [("US", 34), ("GB", 14), ("CA", 8), ("DE", 7), ("AU", 6), ("NZ", 4), ("FR", 4), ("NL", 3), ("", 20)]


@dataclass(frozen=True)
class Catalogue:
    """What a store sells, for made-up visits: published products and their live variants."""

    products: Sequence[Product]
    variants: dict[int, list[tuple[int, bool]]]  # product id -> [(variant id, sold out)]

    @classmethod
    def of(cls, store: Store) -> Catalogue:
        products = list(store.products.filter(status=Product.Status.PUBLISHED).order_by("pk"))
        variants: dict[int, list[tuple[int, bool]]] = {}
        from shomp.catalog.models import Variant

        live = Variant.objects.filter(product__in=products, archived_at__isnull=True, is_enabled=True)
        for variant in live.select_related("product"):
            variants.setdefault(variant.product_id, []).append((variant.pk, variant.stock_status == "out"))
        return cls(products=products, variants=variants)


def _pick(rng: random.Random, table):
    values, weights = zip(*table, strict=True)
    return rng.choices(values, weights=weights)[0]


def traffic(
    *,
    store: Store,
    catalogue: Catalogue,
    days: int,
    visits_per_day: int,
    seed: int = 1,
    end: date | None = None,
) -> Iterator[PageView | Conversion]:
    """Unsaved rows of `days` local days of traffic, ending with `end` (default today)."""
    rng = random.Random(seed)  # noqa: S311 - made-up traffic, not security
    tz = store.tzinfo
    end = end or datetime.now(tz).date()
    now = datetime.now(UTC)
    products = list(catalogue.products)
    if not products:
        return
    # A few products sell most (a long tail, as shops have).
    popularity = [1.0 / (rank + 1) ** 0.8 for rank in range(len(products))]
    rng.shuffle(popularity)
    prefix = store.slug
    for offset in range(days - 1, -1, -1):
        day = end - timedelta(days=offset)
        weekday = (0.8, 0.85, 0.9, 0.95, 1.1, 1.3, 1.2)[day.weekday()]
        growth = 0.7 + 0.3 * (days - offset) / days
        count = max(1, int(visits_per_day * weekday * growth * rng.uniform(0.8, 1.2)))
        start = datetime.combine(day, time.min, tzinfo=tz)
        for _ in range(count):
            # Busier in the evening: a time of day from a rough daily curve.
            minute = int(min(1439, max(0, rng.gauss(19 * 60, 240) if rng.random() < 0.7 else rng.uniform(0, 1439))))
            at = (start + timedelta(minutes=minute, seconds=rng.randint(0, 59))).astimezone(UTC)
            if at > now:
                continue
            yield from _visit(rng, store, products, popularity, catalogue.variants, at, prefix)


def _visit(rng, store, products, popularity, variants, at, prefix):
    source = _pick(rng, SOURCES)
    device, browser, os_family = _pick(rng, AGENTS)
    country = _pick(rng, COUNTRIES)
    opted_out = rng.random() < 0.04
    visitor = "" if opted_out else secrets.token_hex(16)
    session = "" if opted_out else secrets.token_hex(16)
    network = f"198.51.{rng.randint(0, 255)}.0/24"
    visit = {
        "medium": source[0],
        "source": source[1],
        "referrer_domain": source[2],
        "utm_source": source[3],
        "utm_medium": source[4],
        "utm_campaign": source[5],
        "country": country,
        "device": device,
        "browser": browser,
        "os": os_family,
        "visitor_hash": visitor,
        "session_id": session,
    }
    label = f"{browser} / {os_family} / {device}"
    pages = min(8, 1 + int(rng.expovariate(0.6)))
    seen: list[Product] = []
    for n in range(pages):
        product = rng.choices(products, weights=popularity)[0] if (n or rng.random() < 0.6) else None
        roll = rng.random()
        kind = PageKind.PRODUCT if product else PageKind.STORE
        if product and roll < 0.08:
            kind = PageKind.REVIEWS
        path = f"/{prefix}/products/{product.slug}/" if product else f"/{prefix}/"
        sold_out = bool(product and product.stock == 0 and not product.has_variants)
        yield PageView(
            store_id=store.pk,
            product_id=product.pk if product else None,
            kind=kind,
            path=path + ("reviews/" if kind == PageKind.REVIEWS else ""),
            ip_address=network,
            user_agent=label,
            is_entry=n == 0,
            sold_out=sold_out,
            created_at=at,
            **visit,
        )
        if product and kind == PageKind.PRODUCT:
            seen.append(product)
            for variant_id, out in rng.sample(
                variants.get(product.pk, []), k=min(2, len(variants.get(product.pk, [])))
            ):
                at += timedelta(seconds=rng.randint(5, 40))
                yield PageView(
                    store_id=store.pk,
                    product_id=product.pk,
                    variant_id=variant_id,
                    kind=PageKind.VARIANT,
                    path=f"{path}?variant={variant_id}",
                    ip_address=network,
                    user_agent=label,
                    sold_out=out,
                    created_at=at,
                    **visit,
                )
        at += timedelta(seconds=rng.randint(10, 180))
    conversion = {key: value for key, value in visit.items() if key != "visitor_hash"} | {"visitor_hash": visitor}
    if rng.random() < 0.012:
        yield Conversion(store_id=store.pk, conversion_type=ConversionType.FOLLOW, created_at=at, **conversion)
    if seen and rng.random() < 0.01:
        yield Conversion(
            store_id=store.pk,
            conversion_type=ConversionType.MESSAGE_STARTED,
            product_id=seen[0].pk,
            created_at=at,
            **conversion,
        )
    if not seen or rng.random() > 0.09:
        return
    product = seen[-1]
    choices = [variant_id for variant_id, out in variants.get(product.pk, []) if not out]
    variant_id = rng.choice(choices) if choices else None
    quantity = 1 if rng.random() < 0.8 else 2
    at += timedelta(seconds=rng.randint(20, 120))
    yield Conversion(
        store_id=store.pk,
        conversion_type=ConversionType.ADD_TO_CART,
        product_id=product.pk,
        variant_id=variant_id,
        quantity=quantity,
        created_at=at,
        **conversion,
    )
    if rng.random() > 0.55:
        return
    at += timedelta(seconds=rng.randint(30, 300))
    yield Conversion(store_id=store.pk, conversion_type=ConversionType.CHECKOUT_STARTED, created_at=at, **conversion)
    if rng.random() > 0.7:
        return
    value = (product.price * quantity).quantize(Decimal("0.01"))
    at += timedelta(seconds=rng.randint(30, 240))
    # The order (product none, its total) and its line (the product, its units): what the
    # reports' store totals and product rows read.
    yield Conversion(
        store_id=store.pk, conversion_type=ConversionType.PURCHASE, value=value, created_at=at, **conversion
    )
    yield Conversion(
        store_id=store.pk,
        conversion_type=ConversionType.PURCHASE,
        product_id=product.pk,
        variant_id=variant_id,
        quantity=quantity,
        value=value,
        created_at=at,
        **conversion,
    )
