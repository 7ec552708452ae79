"""Page throughput (issue 17): Shomp's pages against a bare-Django control, same server, same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shomp_bench REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/pages.py                              # 1,000 stores, 50,000 products
    ... bench/pages.py --stores 50 --products 2000 --reviews 5000   # a quick run

1. The catalogue, in the PostgreSQL database DATABASE_URL names (created and migrated if
   missing): --stores stores (made by the stores' service, one seller each), --products
   published products spread over them (bulk_create), --variant-products of them with 200
   variants each (Size × Colour, through the variant services), --reviews reviews (a tenth, at
   most 1,000, on the benchmark's product; the rest spread), their rating summaries, a buyer
   with a cart of three lines and 20 conversations. Kept between runs: a run finds it by its
   first store and reuses it (--fresh drops the database and makes it anew).
2. The serving set-up docs/DEPLOYMENT.md recommends and `make serve` runs (the same command
   line: shomp/core/management/commands/serve.py): --workers WSGI workers (--server picks
   gunicorn or granian) with production settings (DEBUG=0) on PostgreSQL and Redis, measured
   on their own port (as behind nginx), with SHOMP_BENCH_CONTROL=1, which routes
   /__bench__/control/: a bare view returning 1 KB.
3. wrk (Debian's package) against each page, anonymous and logged in (a session made as
   Django's login makes it, sent as a cookie), each page's run right after a control run:
   requests/s, p50 and p99, and requests/s as a fraction of the control's. For the store and
   product pages and the control, p99 at half the maximum load as well.

Half load without wrk2: an open-loop client of this script's own (asyncio) sends requests at
random, exponentially spaced moments (a Poisson process) at half the rate the page's
maximum-load run achieved, each on a new connection, as nginx reaches the workers, whether or
not earlier answers have come; latency runs from the request's moment to its answer's end, so a
queue in the server is counted. (wrk's paced `delay()` keeps a connection open and idle
between requests; a sync gunicorn worker accepts it and then waits for the request, which put
seconds of a worker's idle wait into the p99.) That client can't offer more than about 200
requests/s on a small machine (it lags, and its lag counts as latency): above that, the
control's included, wrk paces, each connection pausing a random, exponentially distributed time
before each request (its Lua `delay()`), which is sound for a server that keeps connections
alive (granian); under gunicorn an idle connection holds a sync worker for its pause (a few
milliseconds at the control's rates), which raises the control's p99 a little.
The table prints the rate achieved. Half-load runs last twice as long as the others.

wrk stops at the end of a run, the workers don't: before the next run starts, the requests still
queued in the server are drained (until two control requests in a row answer within 100 ms).

wrk runs on the same machine as the servers and takes CPU from them (one thread, --connections
connections). This is a benchmark, never a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shomp.settings")
# Cache and channel keys of this run's own, removed at the end (realtime's SERVER_ENV reads it).
os.environ.setdefault("REDIS_PREFIX", f"bench-pages-{os.getpid()}")

from realtime import SERVER_ENV, free_port, login_session, start_server  # noqa: E402 (after the path)

PREFIX = "bench-pages"
CONTROL = "/__bench__/control/"
SIZES = [f"S{n}" for n in range(1, 21)]  # 20 sizes × 10 colours = 200 variants
COLOURS = ["Red", "Orange", "Yellow", "Green", "Blue", "Indigo", "Violet", "Black", "White", "Grey"]
WORDS = "hand made stoneware mug glazed kiln fired linen apron walnut board brass candle wool scarf print".split()  # noqa: SIM905


# The catalogue ---------------------------------------------------------------------------------


def text(n: int, words: int) -> str:
    return " ".join(WORDS[(n * 7 + i * 3) % len(WORDS)] for i in range(words)).capitalize() + "."


def recreate_database() -> None:
    import psycopg

    url = os.environ["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def make_catalogue(args) -> None:
    """Everything the pages show, made once (see the module's docstring)."""
    from unittest import mock

    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.db.models import Count, Q, Sum
    from django.utils import timezone

    from shomp.catalog.models import Category, Product, Variant
    from shomp.catalog.services.options import add_product_option
    from shomp.catalog.services.variants import generate_variants
    from shomp.messaging.models import Conversation
    from shomp.messaging.services import conversations
    from shomp.orders.models import Cart
    from shomp.orders.services.cart import add_to_cart
    from shomp.reviews.models import ProductRating, Review, StoreRating
    from shomp.stores.services import create_store

    User = get_user_model()
    started = time.perf_counter()

    def step(what: str) -> None:
        print(f"  {time.perf_counter() - started:6.1f} s  {what}", flush=True)

    print(f"Making the catalogue: {args.stores:,} stores, {args.products:,} products, {args.reviews:,} reviews.")
    sellers = User.objects.bulk_create(
        User(username=f"{PREFIX}-seller-{n}", email=f"{PREFIX}-seller-{n}@bench.invalid", password="!")  # noqa: S106
        for n in range(args.stores)
    )
    stores = [
        create_store(owner=seller, name=f"Bench Store {n}", slug=f"{PREFIX}-{n}", description=text(n, 40))
        for n, seller in enumerate(sellers)
    ]
    step(f"{len(stores):,} stores")

    categories = list(Category.objects.filter(parent__isnull=False).values_list("pk", flat=True)) or [
        Category.objects.values_list("pk", flat=True)[0]
    ]
    now = timezone.now()
    every = max(1, args.products // max(1, args.variant_products))
    variant_indexes = set(range(0, args.products, every)[: args.variant_products])
    for start in range(0, args.products, 5000):
        Product.objects.bulk_create(
            Product(
                store=stores[n % len(stores)],
                title=f"{text(n, 3)[:-1]} {n}",
                slug=f"product-{n}",
                description=text(n, 80),
                tags=", ".join(WORDS[(n + i) % len(WORDS)] for i in range(3)),
                category_id=categories[n % len(categories)],
                price=Decimal("5.00") + n % 95,
                status=Product.Status.PUBLISHED,
                stock=None if n in variant_indexes else 1 + n % 40,
                published_at=now - timedelta(seconds=n),
            )
            for n in range(start, min(args.products, start + 5000))
        )
    step(f"{args.products:,} products")

    for product in Product.objects.filter(
        store__slug__startswith=PREFIX, slug__in=[f"product-{n}" for n in variant_indexes]
    ):
        add_product_option(product=product, name="Size", values=SIZES)
        add_product_option(product=product, name="Colour", values=COLOURS)
        generate_variants(product=product)
    Variant.objects.update(inventory_count=7)
    step(f"{len(variant_indexes):,} products with {len(SIZES) * len(COLOURS)} variants")

    # Reviews: one per (user, product). The benchmark's product (the first, with variants) gets a
    # tenth of them, at most 1,000; the rest go round the other products.
    hot = min(1000, args.reviews // 10)
    rest = args.reviews - hot
    per_product = math.ceil(rest / max(1, args.products - 1))
    reviewers = User.objects.bulk_create(
        User(username=f"{PREFIX}-reviewer-{n}", email=f"{PREFIX}-reviewer-{n}@bench.invalid", password="!")  # noqa: S106
        for n in range(max(hot, per_product, 1))
    )
    products = list(Product.objects.filter(store__slug__startswith=PREFIX).order_by("pk").values_list("pk", "store_id"))

    def review(n: int, user, product) -> Review:
        rating = (5, 5, 4, 5, 3, 4, 5, 1, 4, 2)[n % 10]
        return Review(
            store_id=product[1],
            product_id=product[0],
            user=user,
            rating=rating,
            title=text(n, 4)[:-1],
            content=text(n, 60),
        )

    batch = [review(n, reviewers[n], products[0]) for n in range(hot)]
    for n in range(rest):
        batch.append(review(n, reviewers[n // (len(products) - 1)], products[1 + n % (len(products) - 1)]))
        if len(batch) >= 10_000:
            Review.objects.bulk_create(batch)
            batch = []
    Review.objects.bulk_create(batch)
    stars = {f"star_{s}": Count("pk", filter=Q(rating=s)) for s in range(1, 6)}
    published = Review.objects.filter(status=Review.Status.PUBLISHED)
    ProductRating.objects.bulk_create(
        ProductRating(product_id=row.pop("product_id"), **row)
        for row in published.values("product_id").annotate(count=Count("pk"), rating_sum=Sum("rating"), **stars)
    )
    StoreRating.objects.bulk_create(
        StoreRating(store_id=row.pop("store_id"), **row)
        for row in published.values("store_id").annotate(count=Count("pk"), rating_sum=Sum("rating"), **stars)
    )
    step(f"{args.reviews:,} reviews and their rating summaries")

    # The logged-in visitor: a buyer with a cart and an inbox (the rate limits are a person's,
    # not a generator's).
    buyer = User.objects.create_user(username=f"{PREFIX}-buyer", email=f"{PREFIX}-buyer@bench.invalid")
    cart = Cart.objects.create(user=buyer)
    variant_product = Product.objects.get(store=stores[0], slug="product-0")
    add_to_cart(cart=cart, product=variant_product, variant=variant_product.variants.all()[3], quantity=2)
    for product in Product.objects.filter(store=stores[0], has_variants=False)[:2]:
        add_to_cart(cart=cart, product=product)
    with mock.patch.object(conversations.ratelimit, "hit"), transaction.atomic():
        for store in stores[:20]:
            conversations.create_conversation(
                store=store,
                customer=buyer,
                type=Conversation.Type.GENERAL,
                subject="",
                content=text(store.pk, 30),
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    step("a buyer with a cart and 20 conversations; ANALYZE")


def the_pages() -> tuple[dict, dict]:
    """{name: path} of the pages, and {who: session key} for the logged-in runs."""
    from django.contrib.auth import get_user_model

    from shomp.catalog.models import Product

    product = Product.objects.select_related("store").get(store__slug=f"{PREFIX}-0", slug="product-0")
    store, reviews = f"/{PREFIX}-0/", f"{product.get_absolute_url()}reviews/"
    User = get_user_model()
    buyer = User.objects.get(username=f"{PREFIX}-buyer")
    seller = User.objects.get(username=f"{PREFIX}-seller-0")
    pages = {
        "product page, 200 variants": ("anonymous", product.get_absolute_url()),
        "store page": ("anonymous", store),
        "home": ("anonymous", "/"),
        "store directory": ("anonymous", "/stores/"),
        "product reviews": ("anonymous", reviews),
        "product page, 200 variants (logged in)": ("buyer", product.get_absolute_url()),
        "store page (logged in)": ("buyer", store),
        "home (logged in)": ("buyer", "/"),
        "cart, 3 lines (logged in)": ("buyer", "/cart/"),
        "inbox, 20 conversations (logged in)": ("buyer", "/messages/"),
        "dashboard (store owner)": ("seller", "/dashboard/"),
    }
    return pages, {"buyer": login_session(buyer), "seller": login_session(seller)}


# Serving and measuring ---------------------------------------------------------------------------


WRK_REPORT = """
done = function(summary, latency, requests)
  io.write(string.format("BENCH %d %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99), latency.mean))
end
"""


WRK_PACED = """
local mean_ms = {mean_ms}
delay = function()
  return math.floor(-math.log(1 - math.random()) * mean_ms)
end
"""
#: Above this rate this script's own client can't keep up on a small machine: wrk paces instead.
PACED_CLIENT_MAX_RATE = 200


def wrk(url: str, *, seconds: int, connections: int, cookie: str = "", rate: float = 0.0) -> dict:
    """One wrk run: requests/s, p50, p99 (ms), and how many answers were errors. With `rate`,
    each connection pauses a random time (mean connections / rate) before each request."""
    script = WRK_REPORT + (WRK_PACED.format(mean_ms=1000 * connections / rate) if rate else "")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script)
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "-s", lua.name, "--timeout", "10s"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    try:
        out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(lua.name)
    requests, duration, bad_status, socket_errors, p50, p99, _mean = map(int, re.search(r"BENCH (.*)", out)[1].split())
    return {
        "rps": requests / (duration / 1e6),
        "p50": p50 / 1000,
        "p99": p99 / 1000,
        "errors": bad_status + socket_errors,
    }


def paced(url: str, *, seconds: int, rate: float, cookie: str = "") -> dict:
    """Requests at `rate` a second on average, Poisson arrivals, open loop (see the docstring)."""
    parts = urllib.parse.urlsplit(url)
    head = (
        f"GET {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nConnection: close\r\n"
        + (f"Cookie: {cookie}\r\n" if cookie else "")
        + "\r\n"
    ).encode()
    latencies: list[float] = []
    errors = 0

    async def one(moment: float) -> None:
        nonlocal errors
        try:
            reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
            writer.write(head)
            answer = await reader.read()  # to the end: the server closes after answering
            writer.close()
        except OSError:
            errors += 1
            return
        if not answer.startswith((b"HTTP/1.1 200", b"HTTP/1.0 200")):
            errors += 1
            return
        latencies.append(time.perf_counter() - moment)  # from when it was due: a late client counts too

    async def run() -> None:
        generator = random.Random(17)
        tasks = []
        started = time.perf_counter()
        moment = started
        while (moment := moment + generator.expovariate(rate)) < started + seconds:
            await asyncio.sleep(max(0.0, moment - time.perf_counter()))
            tasks.append(asyncio.create_task(one(moment)))
        if tasks:
            await asyncio.wait(tasks, timeout=120)

    rate = max(rate, 0.1)
    asyncio.run(run())
    latencies.sort()
    at = lambda share: 1000 * latencies[min(len(latencies) - 1, int(len(latencies) * share))] if latencies else 0.0  # noqa: E731
    return {"rps": len(latencies) / seconds, "p50": at(0.5), "p99": at(0.99), "errors": errors}


def settle(base: str) -> None:
    """Wait for the requests a run left in the server (wrk stops, the workers don't): the next run
    must not pay for them. Until two control requests in a row answer within 100 ms (a minute at most)."""
    quick, deadline = 0, time.monotonic() + 60
    while quick < 2 and time.monotonic() < deadline:
        started = time.perf_counter()
        with urllib.request.urlopen(base + CONTROL, timeout=120):  # noqa: S310 (http://127.0.0.1)
            pass
        quick = quick + 1 if time.perf_counter() - started < 0.1 else 0


def check(url: str, cookie: str) -> None:
    """The page answers 200 for this visitor (a redirect to the login page would measure that)."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})  # noqa: S310 (http://127.0.0.1)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=60) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    if status != 200:
        sys.exit(f"{url} answered {status}, not 200: is the catalogue complete?")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stores", type=int, default=1000)
    parser.add_argument("--products", type=int, default=50_000)
    parser.add_argument("--variant-products", type=int, default=100, help="products with 200 variants each")
    parser.add_argument("--reviews", type=int, default=100_000)
    parser.add_argument("--fresh", action="store_true", help="drop the database and make the catalogue anew")
    parser.add_argument("--server", choices=["gunicorn", "granian"], help="default: what `make serve` runs")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--only", nargs="*", default=[], help="measure only pages whose name contains one of these")
    parser.add_argument("--no-half-load", action="store_true")
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL"):
        sys.exit("Set REDIS_URL: production serves from PostgreSQL and Redis.")
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")

    from fanout import ensure_database, setup_django

    if args.fresh:
        recreate_database()
    ensure_database()
    setup_django()
    from shomp.stores.models import Store

    if not Store.objects.filter(slug=f"{PREFIX}-0").exists():
        make_catalogue(args)
    else:
        print("Reusing the catalogue in the database (--fresh makes it anew).")
    pages, sessions = the_pages()
    pages = {name: page for name, page in pages.items() if not args.only or any(o in name for o in args.only)}

    from django.conf import settings
    from django.db import connection

    from shomp.catalog.models import Product, Variant
    from shomp.core.management.commands.serve import DEFAULT_WEB_SERVER, web_command
    from shomp.reviews.models import Review

    args.server = args.server or DEFAULT_WEB_SERVER
    sizes = (
        f"{Store.objects.count():,} stores, {Product.objects.count():,} products, "
        f"{Variant.objects.count():,} variants, {Review.objects.count():,} reviews"
    )
    connection.close()
    # Production serves hashed static files: collect them once (var/static, as a deploy does).
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "collectstatic", "--noinput", "-v0"], check=True)
    port = free_port()
    log = Path(tempfile.mkdtemp(prefix="bench-pages-")) / "server.log"
    server = start_server(
        port,
        log,
        web_command(args.server, host="127.0.0.1", port=port, workers=args.workers),
        # Persistent connections, as docs/DEPLOYMENT.md advises for WSGI workers.
        env={"SHOMP_BENCH_CONTROL": "1", "CONN_MAX_AGE": os.environ.get("CONN_MAX_AGE", "60")},
        ready_path=CONTROL,
    )
    base = f"http://127.0.0.1:{port}"
    cookies = {"anonymous": ""} | {who: f"{settings.SESSION_COOKIE_NAME}={key}" for who, key in sessions.items()}
    rows = []
    try:
        for who, path in [("anonymous", CONTROL), *pages.values()]:
            check(base + path, cookies[who])
            wrk(base + path, seconds=2, connections=args.connections, cookie=cookies[who])  # warm every worker
            settle(base)
        load = os.getloadavg()
        settle(base)
        for name, (who, path) in pages.items():

            def run(path: str, cookie: str = "", rate: float = 0.0) -> dict:
                # Twice as long at half load: about as many answers for the p99 as at the maximum.
                if rate and rate <= PACED_CLIENT_MAX_RATE:
                    result = paced(base + path, seconds=2 * args.seconds, rate=rate, cookie=cookie)
                elif rate:
                    result = wrk(
                        base + path, seconds=2 * args.seconds, connections=args.connections, cookie=cookie, rate=rate
                    )
                else:
                    result = wrk(base + path, seconds=args.seconds, connections=args.connections, cookie=cookie)
                settle(base)
                return result

            control = run(CONTROL)
            page = run(path, cookies[who])
            row = {"name": name, "page": page, "control": control}
            if not args.no_half_load and name.startswith(("product page", "store page")):
                row["half_target"] = page["rps"] / 2
                row["half"] = run(path, cookies[who], rate=page["rps"] / 2)
                row["control_half"] = run(CONTROL, rate=control["rps"] / 2)
            rows.append(row)
            print(f"{name}: {page['rps']:,.0f}/s vs control {control['rps']:,.0f}/s", flush=True)
        load = (load, os.getloadavg())
    finally:
        server.terminate()
        server.wait(timeout=30)
        forget_redis_keys()

    print()
    print(
        f"{args.server}, {args.workers} workers, DEBUG=0, PostgreSQL + Redis; {sizes}; wrk -t1 "
        f"-c{args.connections}, {args.seconds} s a run; load average {load[0][0]:.1f} before, "
        f"{load[1][0]:.1f} after"
    )
    print()
    print("| page | vs control | requests/s | p50 | p99 | control requests/s | control p99 |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        page, control = row["page"], row["control"]
        errors = f" ({page['errors']:,} errors)" if page["errors"] else ""
        print(
            f"| {row['name']}{errors} | {page['rps'] / control['rps']:.2g}x | {rate(page['rps'])} "
            f"| {page['p50']:.1f} ms | {page['p99']:.1f} ms | {control['rps']:,.0f} | {control['p99']:.1f} ms |"
        )
    halves = [row for row in rows if "half" in row]
    if halves:
        print()
        print(
            "| at half of the maximum load | offered/s | achieved/s | p50 | p99 "
            "| control p99 at its half load | p99 vs control |"
        )
        print("|---|---|---|---|---|---|---|")
        for row in halves:
            half, control_half = row["half"], row["control_half"]
            print(
                f"| {row['name']} | {rate(row['half_target'])} | {rate(half['rps'])} | {half['p50']:.1f} ms "
                f"| {half['p99']:.1f} ms | {control_half['p99']:.1f} ms | {half['p99'] / control_half['p99']:.1f}x |"
            )


def rate(per_second: float) -> str:
    return f"{per_second:,.1f}" if per_second < 100 else f"{per_second:,.0f}"


def forget_redis_keys() -> None:
    """This run's sessions-free leftovers in Redis: cache entries and channels under its prefix."""
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    for key in client.scan_iter(f"*{SERVER_ENV['REDIS_PREFIX']}*", count=1000):
        client.delete(key)


if __name__ == "__main__":
    main()
