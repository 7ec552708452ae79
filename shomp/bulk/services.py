"""Every write of the bulk app: preparing a plan (a BulkJob in preview), and applying it.

Applying is all or nothing: one transaction locks the rows (products, then variants, each in
primary-key order, as the catalog's services do), checks that each is still what the preview
showed, and writes them with set-based statements (UPDATE ... FROM VALUES / bulk_create, a query per
batch of BATCH rows, never per row). The catalog's `price_changed` and `restocked` moments and
the first-publish callbacks are sent after commit, in one pass over the changed products.
A plan above WORKER_THRESHOLD rows is applied by the worker (tasks.apply_job_task) while the
page polls its progress; smaller ones are applied within the request.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from shomp.catalog import hooks as catalog_hooks
from shomp.catalog.models import InventoryAdjustment, Product, Variant
from shomp.core import pagecache
from shomp.core.money import MAX_PRICE
from shomp.organizations.models import AuditLogEntry
from shomp.organizations.services import record_activity
from shomp.stores.models import Store

from . import csvio, plans, selectors
from .models import BulkJob
from .plans import Action, is_change, variant_price
from .policies import bulk_stores

logger = logging.getLogger(__name__)

#: Above this many changed rows, the worker applies the plan (with a progress bar).
WORKER_THRESHOLD = 300
#: A preview not applied within this many days is deleted (tasks.prune_previews).
PREVIEW_DAYS = 2
#: Rows per statement when locking, checking and writing.
BATCH = 1000
REASON_MAX = 200


FAILED = "Something went wrong, so nothing was changed. Please try again."


class Stale(Exception):
    """A row is no longer what the preview showed (a sale, another edit)."""


def _chunks(items: list, size: int = BATCH):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _new_job(*, user, kind: str, target: str, action: str, params: dict, summary: str, changes: list) -> BulkJob:
    total, errors = plans.count(changes)
    return BulkJob.objects.create(
        uuid=uuid.uuid4(),
        user=user,
        kind=kind,
        target=target,
        action=action,
        params=params,
        summary=summary[:300],
        store_ids=sorted({c["sid"] for c in changes if c["sid"]}),
        changes=changes,
        total=total,
        errors=errors,
    )


def validate_value(*, action: str, value, reason: str) -> tuple[Decimal | int | None, str]:
    """The operation's value, checked: ValidationError({field: message}) when it is wrong."""
    reason = " ".join((reason or "").split())[:REASON_MAX]
    if action in Action.PRICE:
        try:
            number = Decimal(str(value).strip().replace(",", "."))
        except Exception:
            raise ValidationError({"value": "Enter a number, such as 10 or -2.50."}) from None
        if not number.is_finite() or number.as_tuple().exponent < -2:
            raise ValidationError({"value": "Use at most two decimals."})
        if number == 0:
            raise ValidationError({"value": "Enter a change other than 0."})
        if action == Action.PRICE_PERCENT and not plans.PERCENT_MIN <= number <= plans.PERCENT_MAX:
            raise ValidationError(
                {
                    "value": f"A percentage goes from {plans.PERCENT_MIN} to +{plans.PERCENT_MAX}: "
                    "-100 % or less would make everything free."
                }
            )
        if action == Action.PRICE_AMOUNT and abs(number) > MAX_PRICE:
            raise ValidationError({"value": "An amount can be at most 1,000,000.00 either way."})
        return number, reason
    if action in Action.STOCK:
        try:
            number = int(str(value).strip())
        except ValueError:
            raise ValidationError({"value": "Enter a whole number, such as 10 or -2."}) from None
        if action == Action.STOCK_SET and number < 0:
            raise ValidationError({"value": "Stock can't be negative."})
        if action == Action.STOCK_ADJUST and number == 0:
            raise ValidationError({"value": "Enter how many to add (5) or take away (-2)."})
        if abs(number) > plans.MAX_STOCK:
            raise ValidationError({"value": f"Stock can be at most {plans.MAX_STOCK:,}."})
        if not reason:
            raise ValidationError({"reason": "Say why (a stock count, a delivery, damaged…): it goes in each history."})
        return number, reason
    if action in Action.STATUS:
        return None, reason
    raise ValidationError({"action": "Choose what to do."})


def _describe(*, action: str, value, target: str, rows: int) -> str:
    what = f"{rows:,} {'variant' if target == selectors.VARIANTS else 'product'}{'' if rows == 1 else 's'}"
    if action == Action.PRICE_PERCENT:
        return f"Prices {value:+}% on {what}"
    if action == Action.PRICE_AMOUNT:
        return f"Prices {value:+.2f} on {what}"
    if action == Action.STOCK_SET:
        return f"Stock set to {value:,} on {what}"
    if action == Action.STOCK_ADJUST:
        return f"Stock {value:+,} on {what}"
    return f"{Action.LABELS[action].split(' (')[0]} {what}"


def prepare_operation(
    *,
    user,
    target: str,
    action: str,
    value,
    reason: str = "",
    filters: selectors.Filters,
    ids: list[int] | None,
) -> BulkJob:
    """Plan `action` on the rows chosen (`ids`, or every row matching `filters` when None) and
    keep the plan as a BulkJob in preview. Nothing in the catalog changes here.

    Ids outside the user's bulk stores (or no longer there) refuse the whole request."""
    if target not in (selectors.PRODUCTS, selectors.VARIANTS):
        raise ValidationError({"target": "Choose products or variants."})
    if target == selectors.VARIANTS and action in Action.STATUS:
        raise ValidationError({"action": "Publishing and archiving are for products: choose Products first."})
    number, reason = validate_value(action=action, value=value, reason=reason)
    allowed = {store.pk for store in bulk_stores(user)}
    if not set(filters.store_ids) <= allowed:
        raise ValidationError({"ids": "Some of the chosen items aren't in a store you can bulk-edit: nothing changed."})
    rows = selectors.rows_for(target=target, filters=filters)
    if ids is not None:
        wanted = set(ids)
        if not wanted:
            raise ValidationError({"ids": "Choose at least one row, or all the rows that match."})
        rows = list(rows.filter(pk__in=wanted)) if len(wanted) <= BATCH else [r for r in rows if r.pk in wanted]
        if {row.pk for row in rows} != wanted:
            raise ValidationError(
                {"ids": "Some of the chosen items aren't in a store you can bulk-edit (or are gone): nothing changed."}
            )
    else:
        rows = list(rows)
    if not rows:
        raise ValidationError({"ids": "No rows match these filters."})
    make = plans.variant_change if target == selectors.VARIANTS else plans.product_change
    changes = [make(row, action=action, value=number) for row in rows]
    params = {"value": None if number is None else str(number), "reason": reason}
    summary = _describe(action=action, value=number, target=target, rows=len(rows))
    return _new_job(
        user=user,
        kind=BulkJob.Kind.OPERATION,
        target=target,
        action=action,
        params=params,
        summary=summary,
        changes=changes,
    )


def prepare_import(*, user, data: bytes, filename: str = "") -> BulkJob:
    """Read a CSV against the user's bulk stores and keep its plan (every line's change or
    error) as a BulkJob in preview. Raises csvio.FileRefused for an unreadable file."""
    stores = bulk_stores(user)
    parsed = csvio.parse_import(data=data, stores=stores)
    name = (filename or "file.csv")[-80:]
    summary = f"CSV import of {name} ({parsed.lines:,} line{'' if parsed.lines == 1 else 's'})"
    return _new_job(
        user=user,
        kind=BulkJob.Kind.IMPORT,
        target="",
        action=Action.IMPORT,
        params={"filename": name},
        summary=summary,
        changes=parsed.changes,
    )


def apply_job(*, user, job: BulkJob) -> BulkJob:
    """Apply a previewed plan: now when small, by the worker when above WORKER_THRESHOLD."""
    with transaction.atomic():
        job = BulkJob.objects.select_for_update().get(pk=job.pk)
        if job.status != BulkJob.Status.PREVIEW:
            raise ValidationError("This operation has been applied or refused already.")
        if job.errors:
            raise ValidationError("Fix the lines with errors first: nothing is applied while any line is refused.")
        if not job.total:
            raise ValidationError("Nothing would change.")
        _check_stores(user, job)
        if job.total > WORKER_THRESHOLD:
            job.status = BulkJob.Status.QUEUED
            job.save(update_fields=["status"])
            from .tasks import apply_job_task

            job_id = job.pk
            transaction.on_commit(lambda: apply_job_task.enqueue(job_id=job_id))
            return job
    return run_job(job_id=job.pk)


def _check_stores(user, job: BulkJob) -> None:
    allowed = {store.pk for store in bulk_stores(user)}
    if not set(job.store_ids) <= allowed:
        raise ValidationError("You can no longer bulk-edit some of these stores: nothing changed.")


def _progress(job: BulkJob, **fields) -> None:
    fields["heartbeat_at"] = timezone.now()
    for name, value in fields.items():
        setattr(job, name, value)
    BulkJob.objects.filter(pk=job.pk).update(**fields)


def run_job(*, job_id: int) -> BulkJob:
    """Check every row, then write the plan in one transaction; the job says how it went.
    Idempotent: a job that is not waiting (applied, refused, or being applied) is left alone."""
    claimed = BulkJob.objects.filter(pk=job_id, status__in=[BulkJob.Status.PREVIEW, BulkJob.Status.QUEUED]).update(
        status=BulkJob.Status.RUNNING, phase="checking", processed=0, heartbeat_at=timezone.now()
    )
    job = BulkJob.objects.select_related("user").get(pk=job_id)
    if not claimed:
        return job
    try:
        _check_stores(job.user, job)
        changes = [c for c in job.changes if is_change(c)]
        # Checking outside the transaction first shows progress (and refuses a stale plan
        # early); the write below checks again under the locks.
        if len(changes) > WORKER_THRESHOLD:  # small jobs run in the request: no bar to move
            done = 0
            for chunk in _chunks(changes):
                _verify(chunk, lock=False)
                done += len(chunk)
                _progress(job, processed=done)
        _progress(job, phase="writing")
        with transaction.atomic():
            written = _write(job, changes)
            # In the same transaction: a job is never "applying" once its changes are in.
            _progress(job, status=BulkJob.Status.DONE, phase="", processed=written, finished_at=timezone.now())
    except (Stale, ValidationError) as error:
        message = error.messages[0] if isinstance(error, ValidationError) else str(error)
        _progress(job, status=BulkJob.Status.FAILED, phase="", message=message[:500], finished_at=timezone.now())
    except Exception:
        # The transaction rolled back: say so rather than leave the job "applying" for ever.
        logger.exception("bulk job %s failed", job_id)
        _progress(job, status=BulkJob.Status.FAILED, phase="", message=FAILED, finished_at=timezone.now())
    return job


#: What checking and writing read of each row (every field a plan can change or check).
PRODUCT_FIELDS = ("pk", "store_id", "price", "stock", "status", "published_at")
VARIANT_FIELDS = ("pk", "product_id", "price_modifier", "options_price_modifier", "inventory_count")


def _current(changes: list[dict], *, lock: bool):
    """The rows as they are now: products and variants by id (locked in pk order when asked)."""
    product_ids = sorted({c["pid"] for c in changes})
    variant_ids = sorted({c["id"] for c in changes if c["t"] == "v"})
    products: dict[int, Product] = {}
    variants: dict[int, Variant] = {}
    for chunk in _chunks(product_ids):
        rows = Product.objects.filter(pk__in=chunk).order_by("pk").only(*PRODUCT_FIELDS)
        if lock:
            rows = rows.select_for_update()
        products.update((p.pk, p) for p in rows)
    for chunk in _chunks(variant_ids):
        rows = Variant.objects.filter(pk__in=chunk, archived_at__isnull=True).order_by("pk").only(*VARIANT_FIELDS)
        if lock:
            rows = rows.select_for_update()
        variants.update((v.pk, v) for v in rows)
    return products, variants


STALE = "Something changed since the preview ({label}: {what}). Nothing was changed: look at a fresh preview."


def _verify(changes: list[dict], *, lock: bool):
    products, variants = _current(changes, lock=lock)
    for change in changes:
        product = products.get(change["pid"])
        label = change["label"]
        if product is None or (change["t"] == "v" and change["id"] not in variants):
            raise Stale(STALE.format(label=label, what="it is gone"))
        if change["t"] == "v":
            variant = variants[change["id"]]
            variant.product = product
            if change["price"] and (
                plans.money(variant_price(product, variant)) != change["price"][0]
                or plans.money(product.price) != change["base"]
            ):
                raise Stale(STALE.format(label=label, what="its price changed"))
            if change["stock"] and variant.inventory_count != change["stock"][0]:
                raise Stale(STALE.format(label=label, what="its stock changed"))
        else:
            if change["price"] and plans.money(product.price) != change["price"][0]:
                raise Stale(STALE.format(label=label, what="its price changed"))
            if change["stock"] and (product.stock or 0) != change["stock"][0]:
                raise Stale(STALE.format(label=label, what="its stock changed"))
            if change["status"] and product.status != change["status"][0]:
                raise Stale(STALE.format(label=label, what="its status changed"))
    return products, variants


def _write(job: BulkJob, changes: list[dict]) -> int:
    """Inside the caller's transaction: lock, check, write, audit, and queue the moments."""
    products, variants = _verify(changes, lock=True)
    now = timezone.now()
    reason = job.params.get("reason") or ("CSV import" if job.kind == BulkJob.Kind.IMPORT else "Bulk edit")
    adjustment_kind = (
        InventoryAdjustment.Kind.ADJUST if job.action == Action.STOCK_ADJUST else InventoryAdjustment.Kind.SET
    )
    product_rows: dict[int, Product] = {}
    product_fields: set[str] = set()
    variant_rows: dict[int, Variant] = {}
    variant_fields: set[str] = set()
    adjustments: list[InventoryAdjustment] = []
    price_moments: list[dict] = []
    restocked: list[tuple[int, int | None, str]] = []
    first_published: list[int] = []
    repriced_products: set[int] = set()
    for change in changes:
        product = products[change["pid"]]
        if change["t"] == "p":
            if change["price"]:
                new = Decimal(change["price"][1])
                price_moments.append(
                    {"product_id": product.pk, "variant_id": None, "old_price": product.price, "new_price": new}
                )
                product.price = new
                product_fields.add("price")
            if change["stock"]:
                old, new = change["stock"]
                product.stock = new
                product_fields.add("stock")
                if old <= 0 < new:
                    restocked.append((product.pk, None, catalog_hooks.restock_id()))
            if change["status"]:
                product.status = change["status"][1]
                product_fields.add("status")
                if product.status == Product.Status.PUBLISHED:
                    if product.published_at is None:
                        first_published.append(product.pk)
                    product.published_at = product.published_at or now
                    product_fields.add("published_at")
            product.updated_at = now
            product_rows[product.pk] = product
        else:
            variant = variants[change["id"]]
            if change["price"]:
                variant.price_modifier = Decimal(change["price"][1]) - product.price
                variant_fields.add("price_modifier")
                repriced_products.add(product.pk)
            if change["stock"]:
                old, new = change["stock"]
                variant.inventory_count = new
                variant_fields.add("inventory_count")
                adjustments.append(
                    InventoryAdjustment(
                        variant_id=variant.pk,
                        actor=job.user,
                        kind=adjustment_kind,
                        delta=new - old,
                        resulting_count=new,
                        reason=reason[:REASON_MAX],
                    )
                )
                if old <= 0 < new:
                    restocked.append((product.pk, variant.pk, catalog_hooks.restock_id()))
            variant.updated_at = now
            variant_rows[variant.pk] = variant
    update_rows(Product, list(product_rows.values()), sorted(product_fields), updated_at=now)
    update_rows(Variant, list(variant_rows.values()), sorted(variant_fields), updated_at=now)
    if adjustments:
        InventoryAdjustment.objects.bulk_create(adjustments, batch_size=BATCH)
    _audit(job, changes)
    # Variant prices: one "look again at them all" per product (catalog.hooks documents it).
    price_moments += [
        {"product_id": pk, "variant_id": None, "old_price": None, "new_price": None} for pk in sorted(repriced_products)
    ]
    transaction.on_commit(lambda: _announce(price_moments, restocked, first_published), robust=True)
    return len(changes)


STALLED = "The worker stopped before finishing, so nothing was changed. Preview it again to retry."
#: A job applying without a sign of life for this long is given up (tasks.fail_stalled_jobs).
STALLED_AFTER = timedelta(minutes=10)


def fail_stalled_jobs() -> int:
    """Mark jobs whose worker died while applying as not applied. Their writes were one
    transaction that never committed (a committed one marks its job done in it)."""
    cutoff = timezone.now() - STALLED_AFTER
    return BulkJob.objects.filter(status=BulkJob.Status.RUNNING, heartbeat_at__lt=cutoff).update(
        status=BulkJob.Status.FAILED, phase="", message=STALLED, finished_at=timezone.now()
    )


def prune_previews() -> int:
    """Delete previews older than PREVIEW_DAYS (applied and refused jobs stay as the record)."""
    cutoff = timezone.now() - timedelta(days=PREVIEW_DAYS)
    deleted, _ = BulkJob.objects.filter(status=BulkJob.Status.PREVIEW, created_at__lt=cutoff).delete()
    return deleted


def update_rows(model, objects: list, fields: list[str], *, updated_at) -> None:
    """Write `fields` of `objects` (each with its own values) and `updated_at`, BATCH rows per
    statement: `UPDATE t SET f = v.column2 ... FROM (VALUES (id, f), ...) AS v WHERE t.id = v.column1`
    (PostgreSQL, and SQLite since 3.33). Django's bulk_update builds a CASE WHEN per row and cell,
    which took 3 s of the 4 s a 10,000-variant price change cost (bench/bulk.py)."""
    if not objects:
        return
    # Set-based writes send no signals: bump the stores' shared pages (shomp/core/pagecache.py).
    pagecache.bump(store_ids={o.store_id for o in objects})
    if not fields:
        model.objects.filter(pk__in=[o.pk for o in objects]).update(updated_at=updated_at)
        return
    quote = connection.ops.quote_name
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    postgres = connection.vendor == "postgresql"

    def value(n: int, field) -> str:
        # PostgreSQL types a VALUES column from its first row: say the column's type outright.
        return f"CAST(v.column{n} AS {field.db_type(connection)})" if postgres else f"v.column{n}"

    assignments = ", ".join(f"{quote(f.column)} = {value(n, f)}" for n, f in enumerate(columns, start=2))
    table = quote(meta.db_table)
    with connection.cursor() as cursor:
        for chunk in _chunks(objects):
            rows = ", ".join(["(" + ", ".join(["%s"] * (len(columns) + 1)) + ")"] * len(chunk))
            params: list = [connection.ops.adapt_datetimefield_value(updated_at)]
            for obj in chunk:
                params.append(obj.pk)
                params += [f.get_db_prep_value(getattr(obj, f.attname), connection) for f in columns]
            # Names come from the model, every value is a parameter.
            sql = f"UPDATE {table} SET {quote('updated_at')} = %s, {assignments} FROM (VALUES {rows}) AS v "  # noqa: S608
            cursor.execute(sql + f"WHERE {table}.{quote(meta.pk.column)} = v.column1", params)


def _announce(price_moments: list[dict], restocked: list, first_published: list[int]) -> None:
    """After commit, in one pass: the catalog's moments for every changed product.

    The listeners queue a task per product (wishlists' price check, follows' fan-out): queued
    inside one transaction here, that is one commit for all of them instead of one each (on
    SQLite each commit is a disk sync: 1,000 of them took 4 s of a 10,000-variant change). Each
    send has its own savepoint, so one listener's database error loses only its own row."""
    sends = [(catalog_hooks.price_changed.send, moment) for moment in price_moments]
    sends += [
        (catalog_hooks.restocked.send, {"product_id": p, "variant_id": v, "restock_id": r}) for p, v, r in restocked
    ]
    sends += [(catalog_hooks.product_first_published, {"product_id": p}) for p in first_published]
    for chunk in _chunks(sends):
        with transaction.atomic():
            for send, kwargs in chunk:
                try:
                    with transaction.atomic():
                        send(**kwargs)
                except Exception:
                    logger.exception("bulk: a listener failed for %s", kwargs)


def _audit(job: BulkJob, changes: list[dict]) -> None:
    """One audit line per organization: who, what, how many (when: the entry's time)."""
    per_store: dict[int, int] = defaultdict(int)
    for change in changes:
        per_store[change["sid"]] += 1
    stores = Store.objects.filter(pk__in=per_store).only("pk", "name", "organization_id")
    by_org: dict[int, list[Store]] = defaultdict(list)
    for store in stores:
        by_org[store.organization_id].append(store)
    for organization_id, org_stores in by_org.items():
        rows = sum(per_store[s.pk] for s in org_stores)
        what = job.summary if job.kind == BulkJob.Kind.OPERATION else f"{job.summary}: {rows:,} rows changed"
        record_activity(
            organization_id=organization_id,
            actor=job.user,
            action=AuditLogEntry.Action.BULK_OPERATION,
            object=what[:200],
            stores=sorted(s.name for s in org_stores),
            rows=rows,
            job=str(job.uuid),
            operation=job.action,
        )
