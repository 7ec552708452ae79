"""Bulk operations benchmark (issue 16): a price change of 10,000 variants under 10 s, and the
preview of a 10,000-line CSV import under 5 s, on this machine.

    .venv/bin/python bench/bulk.py                          # a throwaway SQLite database
    .venv/bin/python bench/bulk.py --database-url postgres://postgres@127.0.0.1:5432/shomp_bench_bulk
    .venv/bin/python bench/bulk.py --products 1000 --variants-per-product 10

One seller, two stores, `--products` products each with `--variants-per-product` variants
(10,000 variants by default, half in each store), made with bulk_create. Timed in-process
through the services the pages call (not the HTTP layer; the pages only parse and redirect):

1. price change: plan -10 % on every variant (prepare_operation, what "Preview changes"
   does) then apply it (run_job, what the worker does above 300 rows: check, lock, write with
   bulk_update per 1,000, one audit line per organization, the price_changed moment per product
   after commit, which wishlists turns into a task row each on the database task backend);
2. CSV: export every row (10,000 lines), raise every price by 1.00, preview the import
   (prepare_import: decode, read, check every line) and apply it.

The PostgreSQL database named in `--database-url` is dropped and made anew. A benchmark,
never a test: it asserts no time.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=1000)
    parser.add_argument("--variants-per-product", type=int, default=10)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="shomp-bench-bulk-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shomp.settings")
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{work / 'bench.sqlite3'}"
    os.environ["MEDIA_ROOT"] = str(work / "media")
    os.environ["PRIVATE_MEDIA_ROOT"] = str(work / "private")
    if args.database_url:
        _recreate_postgres(args.database_url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)

    from shomp.bulk import csvio, selectors, services
    from shomp.bulk.models import BulkJob

    seller, stores = _make_catalog(args.products, args.variants_per_product)
    filters = selectors.Filters(store_ids=tuple(s.pk for s in stores))
    rows: list[tuple[str, float]] = []

    def timed(label: str, func):
        started = time.perf_counter()
        result = func()
        rows.append((label, time.perf_counter() - started))
        return result

    variants = args.products * args.variants_per_product
    job = timed(
        f"price -10 % on {variants:,} variants: preview",
        lambda: services.prepare_operation(
            user=seller, target="variants", action="price_percent", value="-10", filters=filters, ids=None
        ),
    )
    job = timed(f"price -10 % on {variants:,} variants: apply", lambda: services.run_job(job_id=job.pk))
    assert job.status == BulkJob.Status.DONE, job.message
    text = timed(
        f"CSV export ({variants + 0:,} lines)",
        lambda: "".join(
            csvio.export_lines(
                products=selectors.products(filters=filters).filter(has_variants=False).iterator(),
                variants=selectors.variants(filters=filters).iterator(),
            )
        ),
    )
    lines = text.splitlines()
    edited = [lines[0]]
    for line in lines[1:]:
        cells = line.split(",")
        cells[5] = f"{float(cells[5]) + 1:.2f}"  # bench data: no quoted cells, plain prices
        edited.append(",".join(cells))
    data = ("\n".join(edited) + "\n").encode()
    job = timed(
        f"CSV import of {len(edited) - 1:,} lines: preview",
        lambda: services.prepare_import(user=seller, data=data, filename="bench.csv"),
    )
    assert job.errors == 0 and job.total == len(edited) - 1, (job.errors, job.total)
    job = timed(f"CSV import of {len(edited) - 1:,} lines: apply", lambda: services.run_job(job_id=job.pk))
    assert job.status == BulkJob.Status.DONE, job.message
    print(f"{connection.vendor}, {variants:,} variants in {len(stores)} stores")
    print("| step | time |\n|---|---|")
    for label, seconds in rows:
        print(f"| {label} | {seconds:.2f} s |")


def _make_catalog(products: int, per_product: int):
    from decimal import Decimal

    from shomp.accounts.models import User
    from shomp.catalog.models import Product, Variant
    from shomp.organizations.services import own_organization
    from shomp.stores.models import Store

    seller = User.objects.create_user(username="bench-seller", email="bench@example.com")
    organization = own_organization(user=seller)
    stores = [
        Store.objects.create(owner=seller, organization=organization, name=f"Bench {n}", slug=f"bench-{n}")
        for n in range(2)
    ]
    made = Product.objects.bulk_create(
        Product(
            store=stores[n % 2],
            title=f"Product {n}",
            slug=f"product-{n}",
            price=Decimal("20.00") + n % 7,
            status=Product.Status.PUBLISHED,
            stock=0,
            has_variants=True,
        )
        for n in range(products)
    )
    Variant.objects.bulk_create(
        (
            Variant(
                product=product,
                store_id=product.store_id,
                name=f"V{v}",
                combination_key=f"size=v{v}",
                sku=f"sku-{product.pk}-{v}",
                inventory_count=5,
                price_modifier=Decimal(v % 3),
                position=v,
            )
            for product in made
            for v in range(per_product)
        ),
        batch_size=2000,
    )
    return seller, stores


def _recreate_postgres(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')


if __name__ == "__main__":
    main()
