"""Page profile: what one uncached page costs in-process, page by page (issue 17, "Leaner uncached
pages": every uncached page at least 2x its requests/s before).

    .venv/bin/python bench/page_profile.py                      # every page, 200 renders each
    .venv/bin/python bench/page_profile.py --repeat 500
    .venv/bin/python bench/page_profile.py --only product-anon store-anon
    .venv/bin/python bench/page_profile.py --profile product-anon   # + the top cProfile entries
    .venv/bin/python bench/page_profile.py --profile home-buyer --sort tottime --top 40
    .venv/bin/python bench/page_profile.py --work var/bench-pages   # seed once, reuse the database

A throwaway SQLite database gets the demo data (`seed_demo`: six stores, sixty products, three
with variants, reviews, orders, a full cart, conversations), then the settings are switched to
production's for what a render costs: DEBUG off (no query log, template engine without debug
info), the cached template loader (Django's default when no loaders are named), the manifest
static storage over a collectstatic into a temporary folder. Each page is requested `--warmup`
times, then `--repeat` times through django.test.Client in this process (URL routing,
middleware, sessions, the view, its queries, the templates; no HTTP server, no load generator,
no page cache: issue 17's shared cache is another layer), and the mean, median and requests/s
are printed with the CPU time this process spent per request and the requests/s that makes
(1 / CPU mean: one core's worth; steadier than wall time on a shared machine, where other
processes' load stretches the wall clock), the queries of one request and the page's size.
A benchmark, never a test: nothing here asserts a time; run it on a quiet machine and compare
runs of the same machine only.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per page first")
    parser.add_argument("--only", nargs="*", help="page names to run (default: all)")
    parser.add_argument("--profile", action="append", default=[], help="page name to profile (repeatable)")
    parser.add_argument("--sort", default="cumulative", help="cProfile sort key (cumulative, tottime, ...)")
    parser.add_argument("--top", type=int, default=30, help="cProfile entries to print")
    parser.add_argument("--work", type=Path, help="keep the seeded database here and reuse it")
    parser.add_argument("--database", help="DATABASE_URL to seed (once) and use instead of SQLite in --work")
    parser.add_argument("--redis", help="REDIS_URL for the caches (default: this process's memory)")
    args = parser.parse_args()

    work = args.work or Path(tempfile.mkdtemp(prefix="shomp-bench-pages-"))
    pages = prepare(work, database=args.database, redis=args.redis)
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    names = args.only or list(pages)
    unknown = [name for name in [*names, *args.profile] if name not in pages]
    if unknown:
        parser.error(f"unknown page(s) {unknown}; known: {', '.join(pages)}")

    print(f"{args.repeat} requests per page after {args.warmup} warm-up, in-process (django.test.Client)")
    print("| page | URL | wall mean | wall median | CPU mean | requests/s (CPU) | queries | KB | X-Cache |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name in names:
        client, url = pages[name]
        for _ in range(args.warmup):
            check(client.get(url), name)
        reset_queries()  # the seeding's log, else the capture's slice starts past the request's
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        check(response, name)
        query_count = len(queries)  # now: the next request's start clears the log it reads
        times, cpu_times = [], []
        for _ in range(args.repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append(time.perf_counter() - t0)
            cpu_times.append(time.process_time() - c0)
        mean, median, cpu = statistics.fmean(times), statistics.median(times), statistics.fmean(cpu_times)
        print(
            f"| {name} | {url} | {mean * 1000:.2f} ms | {median * 1000:.2f} ms | {cpu * 1000:.2f} ms | "
            f"{1 / cpu:.0f} | {query_count} | {len(response.content) / 1024:.0f} | "
            f"{response.get('X-Cache', '')} |",
            flush=True,
        )
    for name in args.profile:
        client, url = pages[name]
        check(client.get(url), name)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.repeat):
            client.get(url)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.top)
        print(f"\n## cProfile: {name} ({url}), {args.repeat} requests, sorted by {args.sort}\n{out.getvalue()}")


def prepare(work: Path, *, database: str | None = None, redis: str | None = None) -> dict:
    """Seed `work`'s database (or `database`) unless it is there, switch to production settings,
    return the pages."""
    work.mkdir(parents=True, exist_ok=True)
    seeded = (work / "bench.sqlite3").exists()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shomp.settings")
    os.environ["DATABASE_URL"] = database or f"sqlite:///{work / 'bench.sqlite3'}"
    os.environ["MEDIA_ROOT"] = str(work / "media")
    os.environ["PRIVATE_MEDIA_ROOT"] = str(work / "private")
    if redis:
        os.environ["REDIS_URL"] = redis
    else:
        os.environ.pop("REDIS_URL", None)  # local memory cache: the bench measures pages, not Redis
    os.environ["DEBUG"] = "1"  # seed_demo runs only with DEBUG on; production settings come after
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.template.base import PartialTemplate, Template
    from django.test.utils import override_settings, setup_test_environment

    render, partial_render = Template._render, PartialTemplate._render
    setup_test_environment()  # the test client's host and a locmem outbox
    # ... but not its template instrumentation: a signal per template rendered, which the test
    # client answers by copying every context (a third of a page's time went there).
    Template._render, PartialTemplate._render = render, partial_render
    started = time.monotonic()
    if database:
        from django.db import connection

        seeded = "accounts_user" in connection.introspection.table_names()
    if not seeded:
        call_command("migrate", verbosity=0)
        call_command("seed_demo", stdout=io.StringIO())
        print(f"demo data seeded in {time.monotonic() - started:.0f} s ({work})", file=sys.stderr)

    static_root = work / "static"
    production = override_settings(
        DEBUG=False,
        STATIC_ROOT=str(static_root),
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
        },
        WHITENOISE_USE_FINDERS=False,
        WHITENOISE_AUTOREFRESH=False,
    )
    production.enable()
    call_command("collectstatic", interactive=False, verbosity=0)
    assert not settings.DEBUG
    engine = settings.TEMPLATES[0]["OPTIONS"].get("loaders")
    assert engine is None, "the bench expects Django's default loaders (cached when no loaders are named)"

    return build_pages()


def check(response, name: str) -> None:
    if response.status_code != 200:
        raise SystemExit(f"{name}: HTTP {response.status_code} for {response.request['PATH_INFO']}")


def build_pages() -> dict:
    """Page name -> (client, URL): anonymous where the page is public, signed in where it matters."""
    from django.test import Client

    from shomp.accounts.models import User
    from shomp.catalog.models import Product
    from shomp.messaging.models import Conversation
    from shomp.stores.models import Store
    from shomp.stores.policies import ACTIVE_STORE_SESSION_KEY

    buyer_user = User.objects.get(username="demo-buyer")
    seller_user = User.objects.get(username="demo-seller")
    anonymous, buyer, seller = Client(), Client(), Client()
    buyer.force_login(buyer_user)
    seller.force_login(seller_user)
    store = Store.objects.get(slug="inkwell-and-ash")
    session = seller.session
    session[ACTIVE_STORE_SESSION_KEY] = store.pk
    session.save()

    with_variants = Product.objects.filter(variants__isnull=False, status="published").distinct().order_by("pk").first()
    product_url = with_variants.get_absolute_url()
    store_url = with_variants.store.get_absolute_url()
    thread = Conversation.objects.filter(customer=buyer_user).order_by("pk").first()
    return {
        "product-anon": (anonymous, product_url),
        "product-buyer": (buyer, product_url),
        "store-anon": (anonymous, store_url),
        "store-buyer": (buyer, store_url),
        "home-anon": (anonymous, "/"),
        "home-buyer": (buyer, "/"),
        "cart-buyer": (buyer, "/cart/"),
        "inbox-buyer": (buyer, "/messages/"),
        "thread-buyer": (buyer, thread.get_absolute_url()),
        "dashboard-seller": (seller, "/dashboard/"),
    }


if __name__ == "__main__":
    main()
