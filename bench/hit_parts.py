"""What a logged-in visitor's shared page cache hit spends its CPU on, part by part (issue 17).

    .venv/bin/python bench/hit_parts.py --work var/bench-pages \
        --database postgres://postgres@127.0.0.1:5432/shomp_bench --redis redis://127.0.0.1:6379/15

Seeds (once) and prepares as bench/page_profile.py does, then times, in this process, the demo
buyer's product page hit (the whole request through django.test.Client) and the parts the page
cache's middleware runs for it on their own, each `--repeat` times: the session and user load,
the team check (register_own_pages' predicates), the cache key, the cart badge's context
processor, every context processor, and filling the holes. CPU time (process_time) per call,
median of `--rounds` rounds. A benchmark, never a test: it asserts no time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from page_profile import check, prepare  # noqa: E402


def timed(call, repeat: int) -> float:
    c0 = time.process_time()
    for _ in range(repeat):
        call()
    return (time.process_time() - c0) / repeat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--database")
    parser.add_argument("--redis")
    parser.add_argument("--profile", help="a part's name (its first word) to profile with cProfile")
    args = parser.parse_args()
    pages = prepare(args.work, database=args.database, redis=args.redis)
    client, url = pages["product-buyer"]
    for _ in range(20):
        check(client.get(url), "product-buyer")
    if client.get(url).get("X-Cache") != "HIT":
        raise SystemExit("the buyer's product page is not a cache hit: the page cache is off?")

    from django.contrib.auth import get_user
    from django.contrib.messages.storage import default_storage
    from django.template import engines
    from django.test import RequestFactory

    from shomp.core import pagecache
    from shomp.orders.context_processors import cart

    session_engine = __import__(settings_session_engine(), fromlist=["SessionStore"])
    session_key = client.cookies["sessionid"].value
    engine = engines["django"].engine
    slug = url.strip("/").split("/")[0]

    def request():
        r = RequestFactory().get(url)
        r.session = session_engine.SessionStore(session_key)
        r.user = get_user(r)
        r._messages = default_storage(r)
        return r

    ready = request()
    entry = pagecache.stored_page(ready, scope=pagecache.STORE, store_slug=slug)
    _status, _headers, content, holes = entry

    def session_and_user():
        r = RequestFactory().get(url)
        r.session = session_engine.SessionStore(session_key)
        r.user = get_user(r)
        assert r.user.is_authenticated

    base_user = ready.user

    def team_check_fresh():
        # A fresh user object each time (as each request has), without the load's cost.
        r = RequestFactory().get(url)
        r.user = _copy_user(base_user)
        any(own(r, pagecache.STORE, slug) for own in pagecache._own_page_predicates)

    def cache_lookup():
        pagecache.page_lookup(ready, scope=pagecache.STORE, store_slug=slug)

    def cart_badge():
        r = RequestFactory().get(url)
        r.session, r.user = ready.session, _copy_user(base_user)
        cart(r)

    def processors():
        r = request()
        pagecache._processed(r, engine)

    def fill():
        r = request()
        pagecache._fill_holes(content, holes, r)

    parts = {
        "whole hit (client.get)": lambda: client.get(url),
        "session + user load": session_and_user,
        "team check": team_check_fresh,
        "cache lookup (page_lookup: versions and page, one round trip)": cache_lookup,
        "cart badge (orders.context_processors.cart)": cart_badge,
        "request() alone (session+user+messages)": request,
        "all context processors (+ request())": processors,
        "fill holes (+ request(), processors)": fill,
    }
    if args.profile:
        import cProfile
        import pstats

        call = next(call for name, call in parts.items() if name.startswith(args.profile))
        profiler = cProfile.Profile()
        profiler.runcall(lambda: [call() for _ in range(args.repeat)])
        pstats.Stats(profiler).sort_stats("tottime").print_stats(35)
        return
    results: dict[str, list[float]] = {name: [] for name in parts}
    for _ in range(args.rounds):
        for name, call in parts.items():
            results[name].append(timed(call, args.repeat))
    print(f"CPU ms per call, median (min-max) of {args.rounds} rounds of {args.repeat}")
    for name, values in results.items():
        print(
            f"| {name} | {statistics.median(values) * 1000:.3f} | {min(values) * 1000:.3f}-{max(values) * 1000:.3f} |"
        )


def settings_session_engine() -> str:
    from django.conf import settings

    return settings.SESSION_ENGINE


def _copy_user(user):
    copy = type(user)()
    copy.__dict__.update({k: v for k, v in user.__dict__.items() if not k.startswith("_shomp")})
    copy._state = type(user._state)()
    copy._state.adding, copy._state.db = False, "default"
    return copy


if __name__ == "__main__":
    main()
