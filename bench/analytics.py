"""Analytics benchmark: bulk traffic for one store, the tracking path's cost, a burst's drain.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shomp_bench REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/analytics.py --views 10000000 --days 365

It makes its own data in the database DATABASE_URL names (creating the PostgreSQL database and
migrating it if needed): a store "bench-analytics" with 200 products, then measures:

1. generating `--views` page views (and conversions in proportion: 4 % add to cart, 1 %
   purchases) over `--days` days with PostgreSQL's COPY (`generate_page_views`), then rolling
   the store's days up (`roll_up_all`); kept between runs unless --fresh or a different count;
2. the tracking path: what the middleware adds to a storefront GET (resolve the path, parse
   the user agent, anonymise the address, classify the referrer, append to the buffer): Redis
   with REDIS_URL, else the in-process buffer; 10,000 requests from 2,000 addresses and 50
   user agents, as a shop sees them;
3. draining a burst of 10,000 views pushed through that path (`ingest.drain`: ids, hashes,
   sessions, bulk inserts, the touched day's rollup), as the worker does.

The report benchmark (H4's) reuses `generate_page_views(store, count, days)` and
`roll_up_all(store)`. Prints a Markdown table. This is a benchmark, never a test: nothing here
asserts a time.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shomp.settings")

BENCH_STORE = "bench-analytics"
PRODUCTS = 200


def ensure_database() -> None:
    """Create the PostgreSQL database DATABASE_URL names, if it is missing."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL database, e.g. postgres://postgres@127.0.0.1:5432/shomp_bench")
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')
            print(f"Created database {name}.")


def setup_django() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def bench_store():
    """The benchmark's store and its products (made once)."""
    from django.contrib.auth import get_user_model

    from shomp.catalog.models import Product
    from shomp.stores.models import Store
    from shomp.stores.services import create_store

    owner, _ = get_user_model().objects.get_or_create(
        username="bench-analyst", defaults={"email": "bench-analyst@bench.example"}
    )
    store = Store.objects.filter(slug=BENCH_STORE).first() or create_store(
        owner=owner, name="Bench Analytics", slug=BENCH_STORE
    )
    have = Product.objects.filter(store=store).count()
    Product.objects.bulk_create(
        Product(
            store=store,
            title=f"Bench product {n}",
            slug=f"bench-product-{n}",
            price=Decimal("10.00") + n % 40,
            status=Product.Status.PUBLISHED,
            stock=100,
        )
        for n in range(have, PRODUCTS)
    )
    return store


# Generating ---------------------------------------------------------------------------------------


VIEW_COLUMNS = (
    "store_id", "product_id", "kind", "path", "ip_address", "user_agent", "is_entry", "sold_out",
    "visitor_hash", "session_id", "medium", "source", "referrer_domain", "utm_source", "utm_medium",
    "utm_campaign", "country", "device", "browser", "os", "created_at",
)  # fmt: skip
CONVERSION_COLUMNS = (
    "store_id", "product_id", "conversion_type", "value", "quantity",
    "visitor_hash", "session_id", "medium", "source", "referrer_domain", "utm_source", "utm_medium",
    "utm_campaign", "country", "device", "browser", "os", "created_at",
)  # fmt: skip


def generate_page_views(store, count: int, days: int, *, seed: int = 1) -> int:
    """COPY `count` page views of `store` spread over its last `days` days, in time order (as
    the append-only table is), in sessions of three views, with sources, devices and countries,
    and conversions in proportion (4 % of product views add to cart, 1 % buy: an order row and
    its line). Returns the number of page views written. Tuples straight to COPY, no model
    instances (on SQLite an executemany: use PostgreSQL for millions)."""
    from django.db import transaction

    from shomp.analytics.bulk import insert_values
    from shomp.analytics.generate import AGENTS, COUNTRIES, SOURCES
    from shomp.analytics.models import Conversion, ConversionType, PageKind, PageView
    from shomp.catalog.models import Product

    rng = random.Random(seed)
    products = [
        (pk, f"/{store.slug}/products/{slug}/", price)
        for pk, slug, price in Product.objects.filter(store=store).values_list("pk", "slug", "price")
    ]
    weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(products))]
    sources, source_weights = zip(*SOURCES, strict=True)
    agents, agent_weights = zip(*AGENTS, strict=True)
    countries, country_weights = zip(*COUNTRIES, strict=True)
    end = datetime.now(UTC) - timedelta(minutes=5)
    start = end - timedelta(days=days)
    step = (end - start) / max(count, 1)
    store_path = f"/{store.slug}/"
    visitors = count // 4 + 1  # some visitors come back
    chunk = 300_000
    written = 0
    with transaction.atomic():
        for first in range(0, count, chunk):
            n = min(chunk, count - first)
            sessions = n // 3 + 2
            picks = rng.choices(products, weights=weights, k=n)
            source_picks = rng.choices(sources, weights=source_weights, k=sessions)
            agent_picks = rng.choices(agents, weights=agent_weights, k=sessions)
            country_picks = rng.choices(countries, weights=country_weights, k=sessions)
            rolls = [rng.random() for _ in range(n)]
            views, conversions = [], []
            visit: tuple = ()
            for i in range(n):
                index = first + i
                session, position = divmod(index, 3)
                if position == 0 or not visit:
                    local = session - first // 3
                    device, browser, os_family = agent_picks[local]
                    visit = (
                        f"{session % visitors:032x}",
                        f"{session:032x}",
                        *source_picks[local],
                        country_picks[local],
                        device,
                        browser,
                        os_family,
                    )
                    network = f"198.51.{session % 256}.0/24"
                    label = f"{browser} / {os_family} / {device}"
                at = start + step * index
                roll = rolls[i]
                if position == 0 and roll < 0.4:
                    views.append((store.pk, None, PageKind.STORE, store_path, network, label, True, False, *visit, at))
                    continue
                product_id, path, price = picks[i]
                views.append(
                    (store.pk, product_id, PageKind.PRODUCT, path, network, label, position == 0, False, *visit, at)
                )
                if roll < 0.04:
                    conversions.append((store.pk, product_id, ConversionType.ADD_TO_CART, 0, 1, *visit, at))
                if roll < 0.01:
                    conversions.append((store.pk, None, ConversionType.PURCHASE, price, 1, *visit, at))
                    conversions.append((store.pk, product_id, ConversionType.PURCHASE, price, 1, *visit, at))
            written += insert_values(PageView, VIEW_COLUMNS, views)
            insert_values(Conversion, CONVERSION_COLUMNS, conversions)
    return written


def roll_up_all(store) -> int:
    """Roll up every day of `store` (the reports read these rows)."""
    from shomp.analytics.rollups import roll_up_all as roll

    return roll(store)


# The tracking path and the drain -------------------------------------------------------------------

USER_AGENTS = [
    f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36"
    for v in range(100, 125)
] + [
    f"Mozilla/5.0 (iPhone; CPU iPhone OS 17_{v} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    f"Version/17.{v} Mobile/15E148 Safari/604.1"
    for v in range(25)
]


def requests(store, count: int):
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    factory = RequestFactory()
    product_url = f"/{store.slug}/products/bench-product-1/"
    made = []
    for n in range(count):
        request = factory.get(
            product_url,
            {"utm_source": "newsletter"} if n % 10 == 0 else {},
            REMOTE_ADDR=f"203.0.{n % 250}.{n % 8}",
            HTTP_USER_AGENT=USER_AGENTS[n % len(USER_AGENTS)],
            HTTP_REFERER="https://www.google.com/" if n % 3 else "",
        )
        request.user = AnonymousUser()
        made.append(request)
    return made


def measure_tracking(store, count: int = 10_000) -> dict:
    from shomp.analytics import buffer
    from shomp.analytics.middleware import count_page_view
    from shomp.analytics.services import current_request

    made = requests(store, count)
    count_page_view(made[0])  # warm the resolver and the parser's cache
    times, cpu = [], []
    gc.disable()  # the 10,000 prepared requests make collections that a page would not pay
    try:
        for request in made:
            started, started_cpu = time.perf_counter(), time.thread_time()
            token = current_request.set(request)
            current_request.reset(token)
            count_page_view(request)
            times.append(time.perf_counter() - started)
            cpu.append(time.thread_time() - started_cpu)
    finally:
        gc.enable()
    times.sort()
    return {
        "buffer": buffer.kind(),
        "mean_ms": statistics.fmean(times) * 1000,
        "median_ms": times[len(times) // 2] * 1000,
        "p99_ms": times[int(len(times) * 0.99)] * 1000,
        "cpu_ms": statistics.fmean(cpu) * 1000,
        "pending": buffer.pending(),
    }


def measure_drain() -> dict:
    from shomp.analytics import buffer, ingest

    pending = buffer.pending()
    started = time.perf_counter()
    taken = ingest.drain(budget=600)
    return {"records": taken, "pending_before": pending, "seconds": time.perf_counter() - started}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--views", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--burst", type=int, default=10_000)
    parser.add_argument("--fresh", action="store_true", help="delete the store's analytics rows first")
    args = parser.parse_args()
    os.environ.setdefault("ANALYTICS_BUFFER", "redis" if os.environ.get("REDIS_URL") else "memory")
    ensure_database()
    setup_django()

    from types import SimpleNamespace
    from unittest import mock

    from shomp.analytics import buffer
    from shomp.analytics.models import Conversion, DailyStat, DailyVisitors, PageView

    store = bench_store()
    rows = []
    have = PageView.objects.filter(store=store).count()
    if args.fresh or have != args.views:
        for model in (PageView, Conversion, DailyStat, DailyVisitors):
            model.objects.filter(store=store).delete()
        took, written = timed(generate_page_views, store, args.views, args.days)
        rows.append((f"COPY {written:,} page views over {args.days} days", f"{took:.1f} s"))
        took, days = timed(roll_up_all, store)
        rows.append((f"roll up {days} days ({DailyStat.objects.filter(store=store).count():,} rows)", f"{took:.1f} s"))
    else:
        rows.append((f"{have:,} page views already there", "kept"))

    # The memory buffer's timer would drain in the background: here the drain is measured by hand.
    with (
        mock.patch.object(buffer.MemoryBuffer, "_run", lambda self: None),
        mock.patch("shomp.analytics.tasks.drain_buffer", SimpleNamespace(enqueue=lambda: None)),
    ):
        buffer.drain_started()
        tracking = measure_tracking(store, args.burst)
    rows.append(
        (
            f"tracking path, {args.burst:,} requests ({tracking['buffer']} buffer)",
            f"mean {tracking['mean_ms']:.3f} ms, median {tracking['median_ms']:.3f} ms, "
            f"p99 {tracking['p99_ms']:.3f} ms; CPU mean {tracking['cpu_ms']:.3f} ms",
        )
    )
    buffer.ship_gathered()  # what the shipper's timer does a second later (Redis), then the worker drains
    drain = measure_drain()
    rows.append((f"drain a burst of {drain['records']:,} views", f"{drain['seconds']:.2f} s"))
    print("\n| step | result |\n|---|---|")
    for what, result in rows:
        print(f"| {what} | {result} |")


def timed(func, *args):
    started = time.perf_counter()
    result = func(*args)
    return time.perf_counter() - started, result


if __name__ == "__main__":
    main()
