"""Page A/B: the same pages from two trees, alternating, on a shared machine (issue 17).

    .venv/bin/python bench/page_ab.py --before /work/main --after . --work /tmp/bench-pages \\
        --rounds 8 --requests 20 cart-buyer inbox-buyer thread-buyer dashboard-seller

Each tree gets a process of its own, set up by that tree's bench/page_profile.py (the seeded
database in `--work`, shared: seed it once with page_profile.py --work; `--before-work` gives the
before tree a database of its own when its migrations differ), kept running; each
round runs `--requests` requests of a page in one process, then in the other, the order swapped
every round, and records the CPU time per request. On a loaded machine the load drifts within
seconds: interleaving short bursts puts the same drift on both sides, where two page_profile.py
runs one after the other do not. Prints, per page, the ratio of the medians and of the minimums
(before / after: above 1 is faster) and the range of the per-round ratios. Never asserts a time.
`--uncached`: the caches are cleared before every request (timed with it, on both sides), so the
pages the shared page cache keeps (product, store, home) are rendered anew each time.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import subprocess
import sys
import time
from pathlib import Path


def worker(tree: Path, work: Path, *, uncached: bool = False) -> None:
    """Serve "PAGE N" lines from stdin: N requests of PAGE, answering CPU ms per request."""
    sys.path[:0] = [str(tree), str(tree / "bench")]
    with contextlib.redirect_stdout(io.StringIO()):
        import page_profile

        pages = page_profile.prepare(work)
    from django.core.cache import caches

    def get(client, url):
        if uncached:
            for cache in caches.all():
                cache.clear()
        return client.get(url)

    print("ready", flush=True)
    for line in sys.stdin:
        name, count = line.split()
        client, url = pages[name]
        page_profile.check(get(client, url), name)
        started = time.process_time()
        for _ in range(int(count)):
            get(client, url)
        print(f"{1000 * (time.process_time() - started) / int(count):.3f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="+", help="page names (page_profile.py's)")
    parser.add_argument("--before", type=Path, required=True, help="the tree measured first")
    parser.add_argument("--after", type=Path, required=True, help="the tree compared with it")
    parser.add_argument("--work", type=Path, required=True, help="page_profile.py's seeded database folder")
    parser.add_argument(
        "--before-work",
        type=Path,
        help="the before tree's own seeded folder, when its migrations differ (default: --work)",
    )
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--requests", type=int, default=20, help="requests of a page per turn")
    parser.add_argument("--uncached", action="store_true", help="clear the caches before every request")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args.worker.resolve(), args.work.resolve(), uncached=args.uncached)

    procs = {}
    works = {"before": args.before_work or args.work, "after": args.work}
    for label, tree in (("before", args.before), ("after", args.after)):
        command = [sys.executable, __file__, *args.pages, "--before", ".", "--after", "."]
        command += ["--work", str(works[label].resolve()), "--worker", str(tree.resolve())]
        command += ["--uncached"] if args.uncached else []
        proc = subprocess.Popen(
            command, cwd=tree, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        while (line := proc.stdout.readline()) and line.strip() != "ready":
            pass
        procs[label] = proc

    def turn(proc, name: str, count: int) -> float:
        proc.stdin.write(f"{name} {count}\n")
        proc.stdin.flush()
        return float(proc.stdout.readline())

    for name in args.pages:  # warm-up
        for proc in procs.values():
            turn(proc, name, 20)
    results: dict[tuple[str, str], list[float]] = {(name, label): [] for name in args.pages for label in procs}
    for round_ in range(args.rounds):
        for name in args.pages:
            order = list(procs.items())
            for label, proc in order if round_ % 2 == 0 else reversed(order):
                results[(name, label)].append(turn(proc, name, args.requests))
    uncached = ", caches cleared before each" if args.uncached else ""
    print(f"{args.rounds} rounds of {args.requests} requests{uncached}, alternating; CPU ms per request")
    header = ["page", "ratio (medians)", "ratio (minimums)", "per-round ratios"]
    header += ["before (median, min)", "after (median, min)"]
    print("| " + " | ".join(header) + " |")
    print("|---|---|---|---|---|---|")
    for name in args.pages:
        before, after = results[(name, "before")], results[(name, "after")]
        rounds = [b / a for b, a in zip(before, after, strict=True)]
        print(
            f"| {name} | {statistics.median(before) / statistics.median(after):.2f}x | "
            f"{min(before) / min(after):.2f}x | {min(rounds):.2f}-{max(rounds):.2f}x | "
            f"{statistics.median(before):.1f}, {min(before):.1f} ms | "
            f"{statistics.median(after):.1f}, {min(after):.1f} ms |"
        )
    for proc in procs.values():
        proc.stdin.close()
        proc.wait()


if __name__ == "__main__":
    main()
