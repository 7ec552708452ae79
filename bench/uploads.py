"""Upload benchmark: what a worst-case upload costs the web process, and the worker.

    .venv/bin/python bench/uploads.py            # a throwaway SQLite database and media folder
    .venv/bin/python bench/uploads.py --only review

Each case is one POST, made through Django's test client (the view, its forms and services, the
multipart parser; not the HTTP server) in a fresh child process that has already served a GET
of the same page, so imports and the first queries are paid for. The child reports the POST's
wall time, its CPU time, and the process's resident memory before it and at its peak (VmHWM,
reset just before the POST, from /proc; ru_maxrss elsewhere). The worker cases run the media
task (what `process_*_task` calls) the same way. Goal (issue 10): under 256 MB and under 2 s of request time.

Files are PNGs of one flat colour per band of rows: they compress to ~100-150 KB whatever their
pixel count, the cheapest way to ask a server for a large decode.

- review/issue: the issue's six 6300×6300 PNGs (39.7 MP) with a valid review: the review form's
  PNG cap (25 MP) refuses them from their headers;
- review/accepted: six 5000×5000 PNGs (25 MP, the most the form takes): stored as received,
  "processing"; review/refused: the same with no rating;
- review/worker: the media task decoding review/accepted's six photos (fit in 2048 px);
- product/issue: ten 6300×6300 PNGs on a new product (the seller's form); product/accepted,
  product/refused: ten 5000×5000 PNGs (25 MP, the most a product PNG may have), valid, and
  without a title; product/worker: the task decoding product/accepted's ten (fit in 2560 px);
- message/issue: five 6300×6300 PNGs attached to a message to a store (any logged-in user): the
  PNG cap (25 MP) refuses them from their headers; message/webp: one 6300×6300 WebP (69 KB that
  took a request 680 MB to decode): refused from its header (12 MP WebP cap);
- message/accepted, message/refused: five 5000×5000 PNGs (25 MP), valid, and with no message
  type; message/webp-cap: one 3464×3464 WebP with alpha (12 MP, the most a WebP may have);
- message/worker: the media task decoding message/accepted's five (fit in 2560 px);
  message/worker-webp: message/webp-cap's WebP, the costliest decode per pixel;
- store/issue: a new store whose logo is a 6300×6300 PNG: refused from its header (logos: PNG
  16 MP); store/png: a 4000×4000 PNG with alpha (16 MP, the logo cap), decoded in the request
  (fit in 1024 px); store/webp: a 2828×2828 WebP with alpha (8 MP, the logo cap); store/jpeg: a
  6324×6324 JPEG (40 MP, decoded at 1/8 scale); store/refused: store/png's logo with no name.

Needs factory-boy (requirements/test.txt) for the starting data. This is a benchmark, never a
test: nothing here asserts a time. Results are in bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shomp.settings")
# The write queues the media task in the database, as in production; the worker case runs it.
os.environ.setdefault("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")

MB = 1024 * 1024
CASES = [
    "review/issue",
    "review/accepted",
    "review/refused",
    "review/worker",
    "product/issue",
    "product/accepted",
    "product/refused",
    "product/worker",
    "message/issue",
    "message/webp",
    "message/accepted",
    "message/refused",
    "message/webp-cap",
    "message/worker",
    "message/worker-webp",
    "store/issue",
    "store/png",
    "store/webp",
    "store/jpeg",
    "store/refused",
]
STORE_CASES = [case for case in CASES if case.startswith("store/")]


# Files ------------------------------------------------------------------------------------------


def flat_png(side: int, shade: int, *, alpha: bool = False) -> bytes:
    """A side × side RGB (or half-transparent RGBA) PNG in bands of flat colour, compressed row by
    row (never whole in memory)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    compressor = zlib.compressobj(9)
    parts = []
    for y in range(side):
        band = (y // 256 + shade) % 256
        pixel = bytes((band, 255 - band, shade)) + (b"\x80" if alpha else b"")
        parts.append(compressor.compress(b"\x00" + pixel * side))
    parts.append(compressor.flush())
    header = struct.pack(">IIBBBBB", side, side, 8, 6 if alpha else 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", b"".join(parts)) + chunk(b"IEND", b"")


def make_files(folder: Path) -> dict[str, list[str]]:
    folder.mkdir(parents=True, exist_ok=True)
    sets = {"6300": (6300, 10), "5000": (5000, 10)}
    paths: dict[str, list[str]] = {}
    for key, (side, count) in sets.items():
        paths[key] = []
        for n in range(count):
            path = folder / f"flat-{side}-{n}.png"
            if not path.exists():
                path.write_bytes(flat_png(side, shade=40 + n * 20))
            paths[key].append(str(path))
    from PIL import Image

    webp = folder / "flat-6300.webp"
    if not webp.exists():
        with Image.new("RGB", (6300, 6300), (30, 90, 200)) as image:
            image.save(webp, format="WEBP", quality=80)
    paths["webp"] = [str(webp)]
    logo_png = folder / "flat-4000-alpha.png"
    if not logo_png.exists():
        logo_png.write_bytes(flat_png(4000, shade=60, alpha=True))
    paths["logo-png"] = [str(logo_png)]
    for key, side in (("webp-cap", 3464), ("logo-webp", 2828)):
        path = folder / f"flat-{side}-alpha.webp"
        if not path.exists():
            with Image.new("RGBA", (side, side), (30, 90, 200, 128)) as image:
                image.save(path, format="WEBP", quality=80)
        paths[key] = [str(path)]
    jpeg = folder / "flat-6324.jpg"
    if not jpeg.exists():
        with Image.new("RGB", (6324, 6324), (30, 90, 200)) as image:
            image.save(jpeg, format="JPEG", quality=90)
    paths["logo-jpeg"] = [str(jpeg)]
    return paths


# Data (parent process) ----------------------------------------------------------------------------


def make_data(work: Path) -> dict:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from shomp.accounts.tests.factories import UserFactory
    from shomp.catalog.models import Product
    from shomp.catalog.tests.factories import ProductFactory
    from shomp.orders.tests.factories import OrderItemFactory
    from shomp.stores.tests.factories import StoreFactory

    seller = UserFactory(username=f"bench-seller-{os.getpid()}")
    store = StoreFactory(owner=seller)
    reviewers, products = {}, {}
    for case in ("review/issue", "review/accepted", "review/refused"):
        product = ProductFactory(store=store, status=Product.Status.PUBLISHED)
        item = OrderItemFactory(order__store=store, product=product)  # a paid order: may review
        reviewers[case], products[case] = item.order.buyer_id, product.pk
    buyers = {case: UserFactory().pk for case in CASES if case.startswith("message/")}
    openers = {case: UserFactory().pk for case in STORE_CASES}  # anyone signed in may open a store
    return {
        "seller": seller.pk,
        "store": store.slug,
        "reviewers": reviewers,
        "products": products,
        "buyers": buyers,
        "openers": openers,
        "files": make_files(work / "files"),
    }


# One case (child process) -------------------------------------------------------------------------


def memory(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def run_case(case: str, state: dict) -> dict:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    files = state["files"]
    User = get_user_model()
    client = Client(SERVER_NAME="localhost")  # in ALLOWED_HOSTS by default, where "testserver" is not
    request = None
    if case == "review/worker":
        return run_review_worker(state)
    if case == "product/worker":
        return run_product_worker(state)
    if case.startswith("message/worker"):
        return run_message_worker(state, "message/webp-cap" if case == "message/worker-webp" else "message/accepted")
    if case.startswith("review/"):
        client.force_login(User.objects.get(pk=state["reviewers"][case]))
        url = reverse("reviews:write", kwargs={"product_id": state["products"][case]})
        photos = files["6300"][:6] if case == "review/issue" else files["5000"][:6]
        fields = {"rating": "" if case == "review/refused" else "4", "title": "Lovely", "content": "As described."}
        request = ("photos", photos, fields)
    elif case.startswith("product/"):
        client.force_login(User.objects.get(pk=state["seller"]))
        url = reverse("catalog:dashboard_product_new")
        fields = {
            "title": "" if case == "product/refused" else "Bench product",
            "price": "12.00",
            "kind": "physical",
            "stock": "3",
        }
        request = ("images", files["6300" if case == "product/issue" else "5000"][:10], fields)
    elif case.startswith("message/"):
        client.force_login(User.objects.get(pk=state["buyers"][case]))
        url = reverse("messaging:contact", kwargs={"store_slug": state["store"]})
        fields = {"type": "" if case == "message/refused" else "general", "content": "Does it come in blue?"}
        attachments = {
            "message/issue": files["6300"][:5],
            "message/webp": files["webp"],
            "message/webp-cap": files["webp-cap"],
        }.get(case, files["5000"][:5])
        request = ("attachments", attachments, fields)
    elif case.startswith("store/"):
        client.force_login(User.objects.get(pk=state["openers"][case]))
        url = reverse("stores:create")
        logo = {
            "store/issue": files["6300"][:1],
            "store/webp": files["logo-webp"],
            "store/jpeg": files["logo-jpeg"],
        }.get(case, files["logo-png"])
        request = ("logo", logo, {"name": "" if case == "store/refused" else f"Bench {case}", "description": ""})
    else:
        raise SystemExit(f"unknown case {case}")

    warm = client.get(url)
    assert warm.status_code == 200, (case, warm.status_code)
    field, paths, data = request
    handles = [open(path, "rb") for path in paths]  # noqa: SIM115  closed below
    try:
        data = {**data, field: handles}
        return measure(lambda: client.post(url, data), describe=lambda response: outcome(case, response))
    finally:
        for handle in handles:
            handle.close()


def run_product_worker(state: dict) -> dict:
    from shomp.catalog.models import Product, ProductImage
    from shomp.catalog.services import process_product_images

    product = Product.objects.filter(store__slug=state["store"], title="Bench product").first()
    if product is None:
        raise SystemExit("run product/accepted first")
    ProductImage.objects.filter(product=product).count()  # warm the connection

    def describe(finished: int) -> str:
        ready = product.images.filter(status="ready").count()
        return f"{finished} processed: {ready} ready"

    return measure(lambda: process_product_images(product_id=product.pk), describe=describe)


def run_message_worker(state: dict, sent_by: str) -> dict:
    from shomp.messaging.models import Attachment, Message

    message = Message.objects.filter(sender_id=state["buyers"][sent_by]).order_by("pk").first()
    if message is None:
        raise SystemExit(f"run {sent_by} first")
    try:
        from shomp.messaging.services import process_attachments
    except ImportError:  # before the worker decoded attachments: nothing waits for it
        raise SystemExit("attachments are decoded in the request here") from None
    Attachment.objects.filter(message=message).count()  # warm the connection

    def describe(finished: int) -> str:
        statuses = list(message.attachments.values_list("status", flat=True))
        return f"{finished} processed: {statuses.count('ready')} ready"

    return measure(lambda: process_attachments(message_id=message.pk), describe=describe)


def run_review_worker(state: dict) -> dict:
    from shomp.reviews.models import MediaStatus, Review, ReviewPhoto
    from shomp.reviews.services import process_review_media

    review = Review.objects.filter(product_id=state["products"]["review/accepted"]).first()
    if review is None:
        raise SystemExit("run review/accepted first")
    ReviewPhoto.objects.filter(review=review).count()  # warm the connection

    def describe(finished: int) -> str:
        statuses = list(review.photos.values_list("status", flat=True))
        return f"{finished} processed: {statuses.count(MediaStatus.READY)} ready"

    return measure(lambda: process_review_media(review_id=review.pk), describe=describe)


def measure(action, describe) -> dict:
    import gc

    gc.collect()
    exact = reset_peak()
    before = memory("VmRSS") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    started, cpu_started = time.perf_counter(), time.process_time()
    result = action()
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    peak = (memory("VmHWM") if exact else None) or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {"wall": wall, "cpu": cpu, "before": before, "peak": peak, "exact": exact, "outcome": describe(result)}


def outcome(case: str, response) -> str:
    if response.status_code in (301, 302):
        return f"{response.status_code}: saved"
    text = response.content.decode(errors="replace")
    import re

    errors = re.findall(r'class="[^"]*(?:errorlist|field-error|invalid-feedback)[^"]*"[^>]*>(.*?)</', text, re.S)
    first = re.sub(r"<[^>]+>|\s+", " ", errors[0]).strip() if errors else ""
    return f"{response.status_code}: refused" + (f" ({first[:70]})" if first else "")


# Parent -------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="", help="run the cases whose name starts with this")
    parser.add_argument("--case", help=argparse.SUPPRESS)  # a child: run one case
    parser.add_argument("--state", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.case:
        print(json.dumps(run_case(options.case, json.loads(Path(options.state).read_text()))))
        return

    work = Path(tempfile.mkdtemp(prefix="shomp-bench-uploads-"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{work / 'bench.sqlite3'}")
    os.environ["MEDIA_ROOT"] = str(work / "media")
    os.environ["PRIVATE_MEDIA_ROOT"] = str(work / "private")
    started = time.perf_counter()
    state = make_data(work)
    state_file = work / "state.json"
    state_file.write_text(json.dumps(state))
    sizes = {key: sum(os.path.getsize(p) for p in paths) / len(paths) / 1024 for key, paths in state["files"].items()}
    print(f"Set up in {time.perf_counter() - started:.0f} s: {work}")
    print(
        f"File sizes: PNG 6300×6300 {sizes['6300']:.0f} KB, PNG 5000×5000 {sizes['5000']:.0f} KB, "
        f"WebP 6300×6300 {sizes['webp']:.0f} KB, WebP 3464×3464 with alpha {sizes['webp-cap']:.0f} KB, "
        f"PNG 4000×4000 with alpha {sizes['logo-png']:.0f} KB, WebP 2828×2828 with alpha "
        f"{sizes['logo-webp']:.0f} KB, JPEG 6324×6324 {sizes['logo-jpeg']:.0f} KB.\n"
    )

    print("| case | outcome | wall s | CPU s | RSS before MB | peak RSS MB | growth MB |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for case in CASES:
        if not case.startswith(options.only):
            continue
        child = subprocess.run(
            [sys.executable, __file__, "--case", case, "--state", str(state_file)],
            capture_output=True,
            text=True,
            env=os.environ,
            check=False,
        )
        if child.returncode:
            print(f"| {case} | failed: {child.stderr.strip().splitlines()[-1:]} | | | | | |")
            continue
        row = json.loads(child.stdout.strip().splitlines()[-1])
        mark = "" if row["exact"] else " (ru_maxrss)"
        print(
            f"| {case} | {row['outcome']} | {row['wall']:.2f} | {row['cpu']:.2f} | {row['before'] / MB:.0f} "
            f"| {row['peak'] / MB:.0f}{mark} | {(row['peak'] - row['before']) / MB:.0f} |"
        )
    print(f"\n{os.cpu_count()} CPUs; Python {sys.version.split()[0]}. Files left in {work} (delete at will).")


if __name__ == "__main__":
    main()
