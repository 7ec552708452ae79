"""Report timing benchmark: the analytics overview at 100k and 10M page views.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shomp_bench .venv/bin/python bench/analytics_reports.py
    ... --sizes 100000 10000000 --days 365 --repeat 7

For each size it keeps a store "bench-reports-<size>" with that many page views over the last
`--days` days, made by bench/analytics.py's generator (`generate_page_views`, PostgreSQL COPY)
and rolled up (`roll_up_all`); they stay between runs (--fresh rebuilds them). Then it times,
as the dashboard asks them:

1. `generate_reports` for the last 30 days and the last 12 months (compared with the previous
   period): the headlines, the chart, the top products and sources;
2. the whole page /dashboard/analytics/?range=30d and ?range=12m through Django's test client
   (server time: door, reports, template), with its query count.

Before timing, every rolled-up day gets its report summaries (`summaries.summarize_days`, what
the rollup task does for the days it rolls up) and the tables are ANALYZEd (as autovacuum does
after a bulk load; without it PostgreSQL plans an index scan over every slice row).

Median of `--repeat` runs after one warm-up. The issue's bar: at 10M views, at most 2x the time
at 100k and under 300 ms server time. Prints a Markdown table. A benchmark, never a test.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shomp.settings")


def load_generator():
    """bench/analytics.py (the recording benchmark) as a module: its database set-up and generator."""
    path = ROOT / "bench" / "analytics.py"
    if not path.exists():
        sys.exit("bench/analytics.py (the generator: generate_page_views, roll_up_all) is not here yet.")
    spec = importlib.util.spec_from_file_location("bench_analytics_generator", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name in ("ensure_database", "setup_django", "generate_page_views", "roll_up_all"):
        if not hasattr(module, name):
            sys.exit(f"bench/analytics.py has no {name}().")
    return module


def bench_store(size: int):
    """The store of one size, with a few hundred products (as the generator's own store has)."""
    from decimal import Decimal

    from django.contrib.auth import get_user_model

    from shomp.catalog.models import Product
    from shomp.stores.models import Store
    from shomp.stores.services import create_store

    slug = f"bench-reports-{size}"
    owner, _ = get_user_model().objects.get_or_create(
        username=f"bench-reports-{size}", defaults={"email": f"bench-reports-{size}@bench.example"}
    )
    store = Store.objects.filter(slug=slug).first() or create_store(
        owner=owner, name=f"Bench reports {size:,}", slug=slug
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
        for n in range(have, 200)
    )
    return store


def fill(generator, store, size: int, days: int, fresh: bool) -> str:
    from shomp.analytics.models import Conversion, DailyStat, DailyVisitors, PageView

    have = PageView.objects.filter(store=store).count()
    if not fresh and have == size and DailyStat.objects.filter(store=store).exists():
        return f"kept ({DailyStat.objects.filter(store=store).count():,} rollup rows)"
    for model in (PageView, Conversion, DailyStat, DailyVisitors):
        model.objects.filter(store=store).delete()
    started = time.perf_counter()
    generator.generate_page_views(store, size, days)
    copied = time.perf_counter() - started
    started = time.perf_counter()
    generator.roll_up_all(store)
    rolled = time.perf_counter() - started
    rows = DailyStat.objects.filter(store=store).count()
    return f"COPY {copied:.1f} s, roll-up {rolled:.1f} s ({rows:,} rollup rows)"


def summarize(store) -> str:
    """Write the report summaries of every rolled-up day (what the rollup task does with each
    day it rolls up), then ANALYZE the tables as autovacuum would after a bulk load."""
    from django.db import connection
    from django.db.models import Max, Min

    from shomp.analytics.models import DailyStat, DailySummary
    from shomp.analytics.summaries import summarize_days

    bounds = DailyStat.objects.filter(store=store).aggregate(first=Min("day"), last=Max("day"))
    note = "no rollups"
    if bounds["first"]:
        started = time.perf_counter()
        summarize_days(store_id=store.pk, first=bounds["first"], last=bounds["last"])
        rows = DailySummary.objects.filter(store=store).count()
        note = f"summaries {time.perf_counter() - started:.1f} s ({rows:,} rows)"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in (
                "analytics_dailystat",
                "analytics_dailysummary",
                "analytics_dailyvisitors",
                "analytics_pageview",
            ):
                cursor.execute(f"ANALYZE {table}")
    return note


def median_ms(func, repeat: int) -> float:
    func()  # warm-up: caches, connections, templates
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def measure(store, range_key: str, repeat: int) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from shomp.analytics.reports import generate_reports

    report_ms = median_ms(lambda: generate_reports(store=store, period=range_key, compare="previous"), repeat)
    client = Client()
    client.force_login(store.owner)
    url = f"/dashboard/analytics/?range={range_key}"

    def page():
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    page_ms = median_ms(page, repeat)
    with CaptureQueriesContext(connection) as queries:
        page()
    return {"report_ms": report_ms, "page_ms": page_ms, "queries": len(queries)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 10_000_000])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--fresh", action="store_true", help="regenerate each store's rows")
    args = parser.parse_args()
    generator = load_generator()
    generator.ensure_database()
    generator.setup_django()
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]

    results = {}
    for size in args.sizes:
        store = bench_store(size)
        print(f"{size:,} views: {fill(generator, store, size, args.days, args.fresh)}", flush=True)
        print(f"{size:,} views: {summarize(store)}", flush=True)
        results[size] = {key: measure(store, key, args.repeat) for key in ("30d", "12m")}

    base = args.sizes[0]
    print(
        "\n| page views | range | generate_reports (median) | whole page (median) | queries | page vs "
        f"{base:,} |\n|---|---|---|---|---|---|"
    )
    for size in args.sizes:
        for key, label in (("30d", "last 30 days"), ("12m", "last 12 months")):
            r = results[size][key]
            ratio = r["page_ms"] / results[base][key]["page_ms"]
            timings = f"{r['report_ms']:.0f} ms | {r['page_ms']:.0f} ms"
            print(f"| {size:,} | {label} | {timings} | {r['queries']} | {ratio:.2f}x |")


if __name__ == "__main__":
    main()
