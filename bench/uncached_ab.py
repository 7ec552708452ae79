"""Uncached pages, served: two trees under gunicorn side by side, requests/s under wrk (issue 17,
"Leaner uncached pages": every uncached page at least 2x its requests/s before).

    .venv/bin/python bench/page_profile.py --work /tmp/pp-after          # seed each tree once
    (cd /tmp/before && ../work/main/.venv/bin/python bench/page_profile.py --work /tmp/pp-before)
    .venv/bin/python bench/uncached_ab.py --before /tmp/before --before-work /tmp/pp-before \\
        --after . --work /tmp/pp-after --rounds 3 --seconds 5

As the issue measured "today": one sync gunicorn worker per tree, production settings (DEBUG=0,
the cached template loader, hashed static files), SQLite, the demo data (page_profile.py's
seeded folder), and no shared page cache (PAGE_CACHE_SECONDS=0: every request renders its
page). Both servers run at once, each on its own tree's code and database; each round drives
every page with wrk against one server, then the other (the order swapped every round), so both
see the same drift of a shared machine. The signed-in pages use the sessions page_profile.py's
clients made (demo-buyer; demo-seller with the store active). Prints requests/s per page and
tree (median of the rounds) and the ratio after / before. A benchmark, never a test.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pages import wrk
from realtime import SERVER_ENV, free_port

PAGES = [
    "product-anon",
    "product-buyer",
    "store-anon",
    "store-buyer",
    "home-anon",
    "home-buyer",
    "cart-buyer",
    "inbox-buyer",
    "thread-buyer",
    "dashboard-seller",
]

# Run in each tree's own process: page_profile.py's pages there, with the sessions its signed-in
# clients hold (saved in that tree's database, so that its server knows them).
_PAGES_OF_TREE = """
import contextlib, io, json, sys
from pathlib import Path
sys.path[:0] = [sys.argv[1], sys.argv[1] + "/bench"]
with contextlib.redirect_stdout(io.StringIO()):
    import page_profile
    pages = page_profile.prepare(Path(sys.argv[2]))
from django.conf import settings
out = {}
for name, (client, url) in pages.items():
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    out[name] = [url, f"{settings.SESSION_COOKIE_NAME}={cookie.value}" if cookie else ""]
print(json.dumps(out))
"""


def tree_env(work: Path) -> dict:
    return {
        **SERVER_ENV,
        "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}",
        "MEDIA_ROOT": str(work / "media"),
        "PRIVATE_MEDIA_ROOT": str(work / "private"),
        "PAGE_CACHE_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
    }


def serve(tree: Path, work: Path) -> tuple[subprocess.Popen, str, dict]:
    env = {**os.environ, **tree_env(work)}
    for name in ("REDIS_URL", "SHOMP_TESTING", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)  # local memory caches, like the measurement
    found = subprocess.run(
        [sys.executable, "-c", _PAGES_OF_TREE, str(tree), str(work)],
        cwd=tree,
        env={**env, "DEBUG": "1"},  # page_profile seeds (if needed) with DEBUG on, then switches
        capture_output=True,
        text=True,
        check=True,
    )
    pages = json.loads(found.stdout.strip().splitlines()[-1])
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=tree, env=env, check=True)
    port = free_port()
    log = Path(tempfile.mkdtemp(prefix="bench-uncached-")) / "server.log"
    command = [sys.executable, "-m", "gunicorn", "shomp.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", "1", "--worker-class", "sync", "--log-level", "warning"]
    with log.open("wb") as out:  # from the tree: `python -m` puts the working directory first
        process = subprocess.Popen(command, cwd=tree, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise SystemExit(f"the server of {tree} did not start:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2):
                break
        except OSError:
            time.sleep(0.2)
    return process, f"http://127.0.0.1:{port}", pages


def check(url: str, cookie: str) -> None:
    """The page answers 200 itself (no redirect to the login page), signed in when it has a cookie."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})  # noqa: S310 (http://127.0.0.1)
    with urllib.request.build_opener(NoRedirect).open(request, timeout=30) as response:
        body = response.read().decode()
        if response.status != 200:
            raise SystemExit(f"{url}: HTTP {response.status}")
    if bool(cookie) != (">Log out</button>" in body):
        raise SystemExit(f"{url}: {'not ' if cookie else ''}signed in")


def requests_per_second(url: str, *, seconds: int, connections: int, cookie: str) -> float:
    """pages.py's wrk run, refusing a run with any bad answer or socket error."""
    result = wrk(url, seconds=seconds, connections=connections, cookie=cookie)
    if result["errors"]:
        raise SystemExit(f"{url}: {result['errors']} bad answers or socket errors")
    return result["rps"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", default=PAGES, help="page names (page_profile.py's)")
    parser.add_argument("--before", type=Path, required=True)
    parser.add_argument("--before-work", type=Path, required=True, help="the before tree's seeded folder")
    parser.add_argument("--after", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True, help="the after tree's seeded folder")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=2, help="wrk connections (one worker serves one)")
    args = parser.parse_args()

    servers = {}
    try:
        for label, tree, work in (("before", args.before, args.before_work), ("after", args.after, args.work)):
            servers[label] = serve(tree.resolve(), work.resolve())
        results: dict[tuple[str, str], list[float]] = {}
        connections = args.connections
        for round_ in range(args.rounds):
            for name in args.pages:
                order = ["before", "after"] if round_ % 2 == 0 else ["after", "before"]
                for label in order:
                    _process, base, pages = servers[label]
                    url, cookie = pages[name]
                    if round_ == 0:
                        check(base + url, cookie)
                        requests_per_second(base + url, seconds=1, connections=connections, cookie=cookie)  # warm up
                    rate = requests_per_second(base + url, seconds=args.seconds, connections=connections, cookie=cookie)
                    results.setdefault((name, label), []).append(rate)
        print(
            f"one sync gunicorn worker per tree, SQLite, demo data, PAGE_CACHE_SECONDS=0; {args.rounds} rounds of "
            f"{args.seconds} s per page and tree, wrk -c{args.connections}, alternating; load {os.getloadavg()[0]:.1f}"
        )
        print("| page | requests/s before | requests/s after | after / before | per-round ratios |")
        print("|---|---|---|---|---|")
        for name in args.pages:
            before, after = results[(name, "before")], results[(name, "after")]
            rounds = [a / b for a, b in zip(after, before, strict=True)]
            print(
                f"| {name} | {statistics.median(before):.0f} | {statistics.median(after):.0f} | "
                f"{statistics.median(after) / statistics.median(before):.2f}x | "
                f"{min(rounds):.2f}-{max(rounds):.2f}x |"
            )
    finally:
        for process, _base, _pages in servers.values():
            process.terminate()
            process.wait()


if __name__ == "__main__":
    main()
