"""Theme preview benchmark: how long after an edit the seller's preview shows it (issue 13: within
300 ms on this machine).

    .venv/bin/python bench/themes_preview.py              # a throwaway SQLite database, the demo data
    .venv/bin/python bench/themes_preview.py --repeat 50

One edit on /dashboard/store/customize is three requests, made in a row as the page makes them:
the HTMX POST of the draft (validated, sanitised, saved; answers the form fragment), then the
preview frame's reload (GET of the preview page with the store's published products) and its
draft stylesheet (GET preview.css, built from the draft). Timed through Django's test client
in-process (views, forms, services, templates, database; not the HTTP server or the browser's
paint; the page waits 150 ms after the last keystroke before posting, not counted here). The
store is the demo's Inkwell & Ash (a theme, a banner and custom CSS); each edit changes the
primary colour and the custom CSS so nothing is served from a previous answer.

Median and 95th percentile of `--repeat` edits after one warm-up. A benchmark, never a test.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="shomp-bench-themes-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shomp.settings")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{work / 'bench.sqlite3'}")
    os.environ["MEDIA_ROOT"] = str(work / "media")
    os.environ["PRIVATE_MEDIA_ROOT"] = str(work / "private")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's hosts and a locmem outbox
    call_command("migrate", verbosity=0)
    call_command("seed_demo", products_per_store=8, stdout=io.StringIO())

    from shomp.accounts.models import User
    from shomp.stores.models import Store
    from shomp.stores.policies import ACTIVE_STORE_SESSION_KEY
    from shomp.themes import services

    store = Store.objects.get(slug="inkwell-and-ash")
    client = Client()
    client.force_login(User.objects.get(username="demo-seller"))
    session = client.session
    session[ACTIVE_STORE_SESSION_KEY] = store.pk
    session.save()
    form = client.get("/dashboard/store/customize/").context["form"]
    data = {name: ("" if value is None else value) for name, value in form.initial.items()}
    data = {k: v for k, v in data.items() if isinstance(v, str | int)}
    css = services.settings_for(store=store).custom_css or ".card { border-width: 2px; }"

    def edit(i: int) -> tuple[float, float, float]:
        posted = data | {"primary": f"#{(0x203040 + i * 0x010101) % 0xFFFFFF:06x}", "custom_css": f"{css}\n/* {i} */"}
        started = time.perf_counter()
        response = client.post("/dashboard/store/customize/", posted, HTTP_HX_REQUEST="true")
        assert response.status_code == 200, response.status_code
        saved = time.perf_counter()
        assert client.get("/dashboard/store/customize/preview/").status_code == 200
        framed = time.perf_counter()
        assert client.get("/dashboard/store/customize/preview.css").status_code == 200
        done = time.perf_counter()
        return saved - started, framed - saved, done - framed

    edit(0)
    runs = [edit(i) for i in range(1, args.repeat + 1)]

    def ms(values: list[float], q: float | None = None) -> str:
        if q is None:
            return f"{statistics.median(values) * 1000:.0f} ms"
        return f"{statistics.quantiles(values, n=100)[int(q) - 1] * 1000:.0f} ms"

    parts = list(zip(*runs, strict=True))
    totals = [sum(run) for run in runs]
    print(f"{args.repeat} edits of Inkwell & Ash's draft (median / p95):")
    print("| step | median | p95 |\n|---|---|---|")
    for name, values in zip(["POST draft (HTMX)", "GET preview page", "GET preview.css"], parts, strict=True):
        print(f"| {name} | {ms(list(values))} | {ms(list(values), 95)} |")
    print(f"| edit to preview, total | {ms(totals)} | {ms(totals, 95)} |")


if __name__ == "__main__":
    main()
