"""Real-time benchmark (issue 17): two ASGI processes joined by Redis, many sockets, many pushes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shomp_bench REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/realtime.py --sockets 1000 --messages 10000 --rates 1000 5000

It starts two uvicorn processes (production settings: DEBUG off) on the database DATABASE_URL
names and the Redis REDIS_URL names, opens --sockets WebSockets split between them (users of its
own, --per-user sockets each, on their notification topic, as an open tab does), and publishes
--messages pushes from this third process through `realtime.publish`, paced at each --rates
value (deliveries per second, counting every socket a push reaches). For each rate it prints:
deliveries per second achieved, lost deliveries, and p50 / p99 latency (publish to arrival).

First, the idle sockets' cost: a page's throughput (wrk, Debian's package, against server A's
home page, anonymous) with none open and with all --sockets open and idle, alternating for
--page-rounds rounds (medians); and again after the pushes, the sockets still open.
Goal: at most 1.2x slower.

This is a benchmark, never a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shomp.settings")
# Production settings, as the servers run them; this process signs sessions with the same key.
SERVER_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-realtime-secret-key-not-for-production-" + "x" * 20),
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "0",
    # A prefix of this run's own: channels a crashed run left in groups never slow this one.
    "REDIS_PREFIX": os.environ.get("REDIS_PREFIX", f"bench-realtime-{os.getpid()}"),
    # A database connection kept per server (its one database thread), as `make serve` and
    # docs/DEPLOYMENT.md run it. Without it every handshake and every socket's recheck of its
    # authorization opened a new PostgreSQL connection.
    "CONN_MAX_AGE": os.environ.get("CONN_MAX_AGE", "60"),
}
os.environ.update(SERVER_ENV)

USER_PREFIX = "bench-rt-"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_sessions(users: int) -> list[tuple[int, str]]:
    """(user id, session key) for `users` users of our own, logged in as Django's login does."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    existing = {u.username: u for u in User.objects.filter(username__startswith=USER_PREFIX)}
    wanted = [f"{USER_PREFIX}{n}" for n in range(users)]
    User.objects.bulk_create(
        [
            User(username=name, email=f"{name}@bench.invalid", password="!")  # noqa: S106 (unusable)
            for name in wanted
            if name not in existing
        ]
    )
    return [(user.pk, login_session(user)) for user in User.objects.filter(username__in=wanted).order_by("pk")]


def login_session(user) -> str:
    """The key of a new session logged in as `user`, as Django's login makes it."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils.module_loading import import_string

    session = import_string(f"{settings.SESSION_ENGINE}.SessionStore")()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return session.session_key


def start_server(
    port: int, log: Path, command: list[str] | None = None, env: dict | None = None, ready_path: str = "/"
) -> subprocess.Popen:
    """A server on `port` with production settings (uvicorn unless `command` says otherwise),
    once it answers `ready_path`."""
    env = {**os.environ, **SERVER_ENV, "SITE_URL": f"http://127.0.0.1:{port}", **(env or {})}
    env.pop("SHOMP_TESTING", None)
    if command is None:
        uvicorn = [sys.executable, "-m", "uvicorn", "shomp.asgi:application", "--host", "127.0.0.1"]
        command = [*uvicorn, "--port", str(port), "--no-access-log", "--no-proxy-headers"]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            sys.exit(f"server on {port} exited:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{ready_path}", timeout=2):
                return process
        except OSError:
            if time.monotonic() > deadline:
                sys.exit(f"server on {port} did not answer:\n{log.read_text()}")
            time.sleep(0.2)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time `pid` used so far (Linux /proc)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class LoopLag:
    """How late this process's event loop runs a 10 ms timer: the client's own lag, which every
    latency it measures includes (the sockets and the publisher share this loop)."""

    def __init__(self):
        self.samples: list[float] = []
        self.task = None

    def start(self) -> None:
        self.samples.clear()
        self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(0.01)
            self.samples.append(time.perf_counter() - before - 0.01)

    def stop(self) -> dict:
        self.task.cancel()
        lags = sorted(self.samples) or [0.0]
        return {"client_lag_p99": lags[int(len(lags) * 0.99) - 1] * 1000, "client_lag_max": lags[-1] * 1000}


def percentile(values: list[float], share: float) -> float:
    return values[max(0, int(len(values) * share) - 1)] if values else float("nan")


class Sockets:
    """Open WebSockets: each records (sequence, latency) for every push it receives."""

    def __init__(self):
        self.received: dict[int, list[float]] = {}  # sequence -> latencies
        self.by_port: dict[int, list[float]] = {}  # server port -> latencies
        self.connections = []
        self.tasks = []

    async def open(self, ports: list[int], sessions: list[tuple[int, str]], per_user: int) -> None:
        import websockets
        from django.conf import settings

        from shomp.core import realtime
        from shomp.notifications.events import user_topic

        async def one(port: int, user_id: int, key: str):
            url = f"ws://127.0.0.1:{port}{realtime.WEBSOCKET_PATH}?{realtime.TOPIC_PARAM}={user_topic(user_id)}"
            headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={key}"}
            connection = await websockets.connect(
                url, origin=f"http://127.0.0.1:{port}", additional_headers=headers, max_queue=None
            )
            self.connections.append(connection)
            self.tasks.append(asyncio.create_task(self.listen(connection, port)))

        jobs = []
        for n in range(per_user):
            for index, (user_id, key) in enumerate(sessions):
                jobs.append(one(ports[(index * per_user + n) % len(ports)], user_id, key))
        for start in range(0, len(jobs), 100):  # don't stampede the handshakes
            await asyncio.gather(*jobs[start : start + 100])

    async def listen(self, connection, port: int) -> None:
        pattern = re.compile(r'data-seq="(\d+)" data-at="([\d.]+)"')
        by_port = self.by_port.setdefault(port, [])
        try:
            async for frame in connection:
                arrived = time.time()
                match = pattern.search(frame)
                if match:
                    latency = arrived - float(match[2])
                    self.received.setdefault(int(match[1]), []).append(latency)
                    by_port.append(latency)
        except Exception:  # noqa: S110 (a closed socket ends its listener; counted as lost pushes)
            pass

    async def close(self) -> None:
        for connection in self.connections:
            await connection.close()
        for task in self.tasks:
            task.cancel()


async def publish_run(
    sessions, per_user: int, messages: int, rate: float, sockets: Sockets, first_seq: int, servers: list
) -> dict:
    """Publish `messages` pushes round-robin over the users' topics, paced so every socket
    together receives `rate` deliveries a second; wait for the stragglers; measure. Besides the
    latencies: the CPU each process used (share of one core over the run), the client's own
    event-loop lag, the machine's load average, and p99 per second of publishing (a tail that
    grows through the run is a backlog; one that spikes is a stall)."""
    from channels.layers import get_channel_layer

    from shomp.core import realtime
    from shomp.core.outage import UNAVAILABLE
    from shomp.notifications.events import user_topic

    # What realtime.publish sends after its commit, sent from this loop (publish itself hops
    # through async_to_sync per call, which would measure this script, not the delivery).
    layer = get_channel_layer()
    topics = [user_topic(user_id) for user_id, _ in sessions]
    groups = [realtime.group_name(topic) for topic in topics]

    failed_publishes = []

    async def send(n: int, html: str) -> None:
        try:
            await layer.group_send(groups[n], {"type": realtime.MESSAGE_TYPE, "topic": topics[n], "html": html})
        except UNAVAILABLE as error:  # e.g. the layer's socket timeout: its pushes count as lost
            failed_publishes.append(error)

    pushes_per_second = rate / per_user
    interval = 1 / pushes_per_second
    sockets.received.clear()
    for latencies in sockets.by_port.values():
        latencies.clear()
    pids = {"client": os.getpid(), **{f"server {n}": server.pid for n, server in enumerate(servers, 1)}}
    cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    load_before = os.getloadavg()[0]
    lag = LoopLag()
    lag.start()
    published_at: dict[int, float] = {}  # sequence -> seconds into the run
    window_start = time.time()
    started = time.perf_counter()
    batch = max(1, int(pushes_per_second / 200))  # publish in small bursts every 5 ms or so
    seq = first_seq
    for start in range(0, messages, batch):
        jobs = []
        for n in range(start, min(messages, start + batch)):
            html = f'<span id="bench" data-seq="{seq + n}" data-at="{time.time():.6f}"></span>'
            published_at[seq + n] = time.perf_counter() - started
            jobs.append(send(n % len(topics), html))
        await asyncio.gather(*jobs)
        target = started + (start + batch) * interval
        delay = target - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
    published = time.perf_counter() - started
    expected = messages * per_user
    deadline = time.perf_counter() + 10
    while sum(len(v) for v in sockets.received.values()) < expected and time.perf_counter() < deadline:
        await asyncio.sleep(0.1)
    waited = time.perf_counter() - started
    diagnostics = lag.stop()
    cpu = {name: (cpu_seconds(pid) - cpu_before[name]) / waited * 100 for name, pid in pids.items()}
    latencies = sorted(latency for values in sockets.received.values() for latency in values)
    delivered = len(latencies)
    per_second: dict[int, list[float]] = {}
    for sequence, values in sockets.received.items():
        per_second.setdefault(int(published_at[sequence]), []).extend(values)
    p99_by_second = [
        round(percentile(sorted(per_second[n]), 0.99) * 1000) if per_second.get(n) else None
        for n in range(int(published) + 1)
    ]
    by_server = {
        f"p99 via {port}": round(percentile(sorted(values), 0.99) * 1000) for port, values in sockets.by_port.items()
    }
    return {
        "target": rate,
        "achieved": delivered / published if published else 0,
        "delivered": delivered,
        "lost": expected - delivered,
        "failed publishes": len(failed_publishes),
        "p50": statistics.median(latencies) * 1000 if latencies else float("nan"),
        "p99": percentile(latencies, 0.99) * 1000,
        "max": latencies[-1] * 1000 if latencies else float("nan"),
        "seconds": published,
        **{k: round(v, 1) for k, v in diagnostics.items()},
        "cpu % of a core": {name: round(value) for name, value in cpu.items()},
        "load": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        **by_server,
        "p99 ms by second": p99_by_second,
        "window": [window_start, time.time()],
    }


def summarize_trace(path: Path, window: list[float]) -> dict:
    """What bench/realtime_trace.py recorded inside one server during one run."""
    trace = json.loads(path.read_text())
    start, end = window

    def within(rows):
        return [row for row in rows if start <= row[0] <= end]

    forward = sorted(row[1] for row in within(trace["forward"]))
    lags = sorted(row[1] for row in within(trace["lag"]))
    pauses = within(trace["gc"])
    rechecks = sorted(row[1] for row in within(trace["recheck"]))
    reads = within(trace.get("read", []))  # older servers' traces have none
    return {
        "forwarded": len(forward),
        "forward p50 ms": round(statistics.median(forward) * 1000, 1) if forward else None,
        "forward p99 ms": round(percentile(forward, 0.99) * 1000, 1) if forward else None,
        "forward max ms": round(forward[-1] * 1000, 1) if forward else None,
        "loop late >5ms": len(lags),
        "loop late max ms": round(lags[-1] * 1000, 1) if lags else 0,
        "gc pauses >1ms": len(pauses),
        "gc max ms": round(max((row[2] for row in pauses), default=0) * 1000, 1),
        "gc total ms": round(sum(row[2] for row in pauses) * 1000, 1),
        "gc full": len([row for row in pauses if row[1] == 2]),
        "gc full max ms": round(max((row[2] for row in pauses if row[1] == 2), default=0) * 1000, 1),
        "gc cpu total ms": round(sum(row[3] for row in pauses if len(row) > 3) * 1000, 1),
        "gc cpu max ms": round(max((row[3] for row in pauses if len(row) > 3), default=0) * 1000, 1),
        "rechecks": len(rechecks),
        "recheck reads": len(reads) if trace.get("read") else None,
        "recheck p99 ms": round(percentile(rechecks, 0.99) * 1000, 1) if rechecks else None,
        "recheck max ms": round(rechecks[-1] * 1000, 1) if rechecks else None,
    }


def wrk(url: str, seconds: int, connections: int) -> dict:
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed for the page measurement: apt-get install wrk")
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1, "s": 1000}[p99[2]]
    return {"rps": rps, "p99": float(p99[1]) * scale}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--per-user", type=int, default=10, help="sockets per user (tabs)")
    parser.add_argument("--messages", type=int, default=10000)
    parser.add_argument("--rates", type=float, nargs="+", default=[200, 1000, 5000])
    parser.add_argument("--page-seconds", type=int, default=10)
    parser.add_argument("--page-rounds", type=int, default=3, help="rounds of the page without and with idle sockets")
    parser.add_argument(
        "--deflate",
        choices=["true", "false"],
        help="override uvicorn's --ws-per-message-deflate (default: as `make serve` runs it)",
    )
    parser.add_argument(
        "--trace",
        action="store_true",
        help="serve bench/realtime_trace.py's app: per-server forward latency, loop lag, GC pauses, rechecks",
    )
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL"):
        sys.exit("Set REDIS_URL: the two processes are joined by Redis.")

    from fanout import ensure_database, setup_django

    ensure_database()
    setup_django()
    sessions = make_sessions(max(1, args.sockets // args.per_user))
    logs = Path(tempfile.mkdtemp(prefix="bench-realtime-"))
    # Production settings serve hashed static files: collect them once (var/static, as a deploy does).
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "collectstatic", "--noinput", "-v0"], check=True)
    ports = [free_port(), free_port()]

    from shomp.core.management.commands.serve import realtime_command

    def server(port: int) -> subprocess.Popen:
        """uvicorn as `make serve` runs it for /ws/ (the same command line)."""
        command = realtime_command(host="127.0.0.1", port=port)
        if args.deflate is not None:
            command += ["--ws-per-message-deflate", args.deflate]
        env = {}
        if args.trace:
            command[command.index("shomp.asgi:application")] = "realtime_trace:application"
            command[command.index("--lifespan") + 1] = "on"  # the trace is written at shutdown
            command += ["--app-dir", "bench"]
            env["BENCH_TRACE_FILE"] = str(logs / f"trace-{port}.json")
        return start_server(port, logs / f"bench-realtime-{port}.log", command=command, env=env)

    servers = [server(port) for port in ports]
    results, pages = [], {}  # pages: state -> its wrk runs
    try:
        home = f"http://127.0.0.1:{ports[0]}/"

        def measure_page(state: str) -> None:
            pages.setdefault(state, []).append(wrk(home, args.page_seconds, 8))

        async def run() -> None:
            # The idle sockets' cost, as the goal means it (open, nothing pushed): rounds of the page
            # with none open and then with all open, alternating, so both see the same drift of
            # the machine (one 10 s run moves by a fifth between runs on 2 cores).
            await asyncio.to_thread(wrk, home, 2, 8)  # warm up: the page cached, the code loaded
            for _round in range(args.page_rounds):
                await asyncio.to_thread(measure_page, "no sockets")
                sockets = Sockets()
                await sockets.open(ports, sessions, args.per_user)
                await asyncio.sleep(1)
                await asyncio.to_thread(measure_page, f"{len(sockets.connections)} idle sockets")
                await sockets.close()
                await asyncio.sleep(1)
            sockets = Sockets()
            await sockets.open(ports, sessions, args.per_user)
            print(f"{len(sockets.connections)} sockets open on 2 processes.", flush=True)
            await asyncio.sleep(1)
            seq = 0
            for rate in args.rates:
                results.append(await publish_run(sessions, args.per_user, args.messages, rate, sockets, seq, servers))
                seq += args.messages
                print(json.dumps({k: v for k, v in results[-1].items() if k != "window"}), flush=True)
            # Again after the pushes, the sockets still open: what the pushes left behind counts too.
            for _round in range(args.page_rounds):
                await asyncio.to_thread(measure_page, f"{len(sockets.connections)} idle sockets, after the pushes")
            await sockets.close()

        asyncio.run(run())
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)

    if args.trace:
        for n, result in enumerate(results, 1):
            for port in ports:
                summary = summarize_trace(logs / f"trace-{port}.json", result["window"])
                index = ports.index(port) + 1
                cpu = result["cpu % of a core"][f"server {index}"] / 100 * (result["window"][1] - result["window"][0])
                forwarded = summary["forwarded"]
                summary["cpu ms per forward"] = round(cpu * 1000 / forwarded, 3) if forwarded else None
                print(f"run {n}, server {port}: {json.dumps(summary)}")

    print()
    where = f"({args.sockets} sockets, 2 processes)"
    print(f"| target deliveries/s | achieved/s | delivered | lost | p50 | p99 | max | client lag max | {where} |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['target']:,.0f} | {r['achieved']:,.0f} | {r['delivered']:,} | {r['lost']:,} "
            f"| {r['p50']:.0f} ms | {r['p99']:.0f} ms | {r['max']:.0f} ms | {r['client_lag_max']:.0f} ms | |"
        )
    print()
    print("| home page, anonymous, wrk -c8, server A | requests/s, median | p99, median | vs no sockets | runs |")
    print("|---|---|---|---|---|")
    base = statistics.median(run["rps"] for run in pages["no sockets"])
    for name, runs in pages.items():
        rps = statistics.median(run["rps"] for run in runs)
        p99 = statistics.median(run["p99"] for run in runs)
        ratio = f"{base / rps:.2f}x slower" if rps else "none answered"
        each = ", ".join(f"{run['rps']:,.0f}" for run in runs)
        print(f"| {name} | {rps:,.0f} | {p99:.0f} ms | {ratio} | {each} |")


if __name__ == "__main__":
    main()
