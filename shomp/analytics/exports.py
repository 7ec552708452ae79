"""Every report as CSV: small ones straight away, big ones built in the worker.

`REPORTS` names what can be exported (the reports page lists those of the whole store; the
variant funnel, which is one product's, is exported from that product's page). A report's rows
take the store, the range and its options: `compare` (the headlines' comparison) and
`product_id` (the variant funnel's product, checked by the door before it gets here); a queued
export keeps them in `ReportExport.options`. CSV only, no XLSX: every spreadsheet opens CSV, and
it is one dependency less (docs/ARCHITECTURE.md, "Exports"). `request_export` decides:
a range whose rollup rows stay under `settings.ANALYTICS_EXPORT_INLINE_ROWS` is answered in the
request (`csv_response`); a bigger one becomes a `ReportExport` row and a task that writes the
file to private storage with its progress, and the page polls it until the download link
appears. Cells that a spreadsheet would run as a formula (=, +, -, @, tab, CR) are prefixed
with an apostrophe: UTM campaigns and referrers are whatever a link said.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import HttpResponse
from django.tasks import task
from django.utils import timezone

from shomp.catalog.models import Product
from shomp.stores.models import Store

from . import selectors
from .models import DailyStat, ReportExport
from .policies import can_export_analytics
from .ranges import Compare, DateRange, RangeKey

#: Rollup rows a range may hold and still be exported within the request.
DEFAULT_INLINE_ROWS = 20_000
#: How often (in rows) the worker saves its progress.
PROGRESS_EVERY = 500


@dataclass(frozen=True)
class ExportKind:
    key: str
    label: str
    header: tuple[str, ...]
    rows: Callable[..., Iterable[tuple]]  # (store, period, options) -> rows
    per_product: bool = False  # needs options["product_id"] (a product of the store)


def _money(value) -> str:
    return f"{value:.2f}" if value is not None else ""


def _pct(value) -> str:
    return f"{value:.2f}" if value is not None else ""


def _overview_rows(store: Store, period: DateRange, options: dict):
    for point in selectors.series(store=store, period=period):
        yield (
            point["key"],
            point["visits"],
            point["pageviews"],
            point["product_views"],
            point["orders"],
            _money(point["revenue"]),
        )


def _product_rows(store: Store, period: DateRange, options: dict):
    rows = selectors.name_products(store=store, rows=selectors.product_rows(store=store, period=period))
    for row in rows:
        yield (
            row["product_id"],
            row["title"],
            row["views"],
            row["add_to_carts"],
            row["orders"],
            _pct(row["conversion"]),
            row["sold_out_views"],
            _money(row["revenue"]),
        )


def _source_rows(store: Store, period: DateRange, options: dict):
    for row in selectors.source_rows(store=store, period=period):
        yield (
            row["medium_label"],
            row["source"],
            row["visits"],
            row["orders"],
            _pct(row["conversion_rate"]),
            _money(row["revenue"]),
        )


def _named_rows(fetch, name: str):
    def rows(store: Store, period: DateRange, options: dict):
        for row in fetch(store=store, period=period):
            yield (row[name], row["visits"], row["orders"], _pct(row["conversion_rate"]), _money(row["revenue"]))

    return rows


def _country_rows(store: Store, period: DateRange, options: dict):
    for row in selectors.country_rows(store=store, period=period):
        yield (row["country"] or "Unknown", row["visits"], row["orders"], _money(row["revenue"]))


def _device_rows(store: Store, period: DateRange, options: dict):
    for row in selectors.device_rows(store=store, period=period):
        yield (row["device"], row["visitors"], row["visits"], row["orders"])


def _family_rows(field: str):
    def rows(store: Store, period: DateRange, options: dict):
        for row in selectors.family_rows(store=store, period=period, field=field):
            yield (row["name"] or "Unknown", row["visitors"])

    return rows


def _buyer_rows(store: Store, period: DateRange, options: dict):
    for row in selectors.buyers(store=store, period=period)["top"]:
        yield (row["username"], row["orders"])


def _buyer_summary_rows(store: Store, period: DateRange, options: dict):
    summary = selectors.buyers(store=store, period=period)
    yield ("Buyers", summary["count"])
    yield ("New buyers", summary["new"])
    yield ("Returning buyers", summary["returning"])
    yield ("Repeat purchase rate %", _pct(summary["repeat_rate"]))


def _cell(value, kind: str) -> object:
    if value is None:
        return ""
    if kind == "money":
        return _money(value)
    if kind == "percent":
        return _pct(value)
    return value


def _headline_rows(store: Store, period: DateRange, options: dict):
    from .reports import generate_reports  # reports reads selectors; exports sits beside it

    compare = options.get("compare") if options.get("compare") in Compare.values else Compare.PREVIOUS
    report = generate_reports(store=store, period=period, compare=compare)
    previous = report.previous
    yield (
        "Range",
        f"{period.start.isoformat()} to {period.end.isoformat()}",
        f"{previous.start.isoformat()} to {previous.end.isoformat()}" if previous else "",
        "",
    )
    for headline in report.headlines:
        yield (
            headline["label"] + (" %" if headline["kind"] == "percent" else ""),
            _cell(headline["value"], headline["kind"]),
            _cell(headline["previous"], headline["kind"]),
            _pct(headline["change"]),
        )


def _variant_rows(store: Store, period: DateRange, options: dict):
    product = Product.objects.filter(store=store, pk=options.get("product_id") or 0).first()
    if product is None:  # deleted since the export was asked for: an empty file, not an error
        return
    for row in selectors.variant_funnel(store=store, product=product, period=period):
        yield (
            row["variant_id"],
            row["name"],
            "yes" if row["archived"] else "",
            row["variant_views"],
            row["add_to_carts"],
            _pct(row["cart_rate"]),
            row["orders"],
            row["sold_out_views"],
            _money(row["revenue"]),
        )


SALES = ("Visits", "Orders", "Conversion rate %", "Revenue")
REPORTS: dict[str, ExportKind] = {
    kind.key: kind
    for kind in (
        ExportKind(
            "overview",
            "Overview by day",
            ("Day", "Visits", "Page views", "Product views", "Orders", "Revenue"),
            _overview_rows,
        ),
        ExportKind(
            "products",
            "Products",
            (
                "Product id",
                "Product",
                "Views",
                "Added to cart",
                "Purchases",
                "Conversion %",
                "Sold-out views",
                "Revenue",
            ),
            _product_rows,
        ),
        ExportKind("sources", "Traffic sources", ("Medium", "Source", *SALES), _source_rows),
        ExportKind(
            "campaigns", "Campaigns", ("Campaign", *SALES), _named_rows(selectors.campaign_rows, "utm_campaign")
        ),
        ExportKind(
            "referrers", "Referring websites", ("Domain", *SALES), _named_rows(selectors.referrer_rows, "source")
        ),
        ExportKind("countries", "Countries", ("Country", "Visits", "Orders", "Revenue"), _country_rows),
        ExportKind("devices", "Devices", ("Device", "Unique visitors", "Visits", "Orders"), _device_rows),
        ExportKind("browsers", "Browsers", ("Browser", "Unique visitors"), _family_rows("browser")),
        ExportKind("os", "Operating systems", ("Operating system", "Unique visitors"), _family_rows("os")),
        ExportKind(
            "headlines",
            "Overview headlines with comparison",
            ("Metric", "This range", "Compared range", "Change %"),
            _headline_rows,
        ),
        ExportKind("buyer_summary", "Buyers: new, returning, repeat rate", ("Metric", "Value"), _buyer_summary_rows),
        ExportKind("buyers", "Top buyers", ("Username", "Orders"), _buyer_rows),
        ExportKind(
            "variants",
            "Variant funnel",
            (
                "Variant id",
                "Variant",
                "Archived",
                "Chosen",
                "Added to cart",
                "Cart rate %",
                "Bought",
                "Sold-out views",
                "Revenue",
            ),
            _variant_rows,
            per_product=True,
        ),
    )
}
#: What the reports page offers (the variant funnel is exported from its product's page).
STORE_REPORTS = [kind for kind in REPORTS.values() if not kind.per_product]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> object:
    """A cell a spreadsheet shows as text, never runs (numbers stay numbers)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_csv(kind: ExportKind, rows: Iterable[tuple], out, *, on_row: Callable[[int], None] | None = None) -> int:
    writer = csv.writer(out)
    writer.writerow(kind.header)
    count = 0
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
        count += 1
        if on_row is not None:
            on_row(count)
    return count


def download_name(*, store: Store, report: str, period: DateRange, options: dict | None = None) -> str:
    product = f"-{options['product_id']}" if (options or {}).get("product_id") else ""
    return f"{store.slug}-{report}{product}-{period.start.isoformat()}-{period.end.isoformat()}.csv"


def csv_response(*, store: Store, report: str, period: DateRange, options: dict | None = None) -> HttpResponse:
    kind = REPORTS[report]
    options = options or {}
    out = io.StringIO()
    write_csv(kind, kind.rows(store, period, options), out)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    name = download_name(store=store, report=report, period=period, options=options)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def is_big(*, store: Store, period: DateRange) -> bool:
    """Whether the range holds more rollup rows than a request should read for a file."""
    limit = getattr(settings, "ANALYTICS_EXPORT_INLINE_ROWS", DEFAULT_INLINE_ROWS)
    rows = DailyStat.objects.filter(store=store, day__gte=period.start, day__lte=period.end)
    return rows[: limit + 1].count() > limit


def request_export(*, user, store: Store, report: str, period: DateRange, options: dict | None = None) -> ReportExport:
    """Queue a report's CSV for the worker (the caller asked the door, and for the product)."""
    if report not in REPORTS:
        raise ValueError(f"Unknown report {report!r}.")
    with transaction.atomic():
        export = ReportExport.objects.create(
            uuid=uuid.uuid4(),
            store=store,
            requested_by=user,
            report=report,
            start=period.start,
            end=period.end,
            options=options or {},
        )
        transaction.on_commit(lambda: build_export_task.enqueue(export_id=export.pk))
    return export


def build_export(*, export_id: int) -> ReportExport | None:
    """Write the export's file, saving progress as it goes. Idempotent: a ready one is left alone.

    Asks the door again when it runs: a requester who lost "analytics" on the store since
    queueing (role lowered, removed, store limit) gets no file; the export fails unbuilt."""
    export = ReportExport.objects.select_related("store", "requested_by").filter(pk=export_id).first()
    if export is None or export.status == ReportExport.Status.READY:
        return export
    if export.requested_by is None or not can_export_analytics(export.requested_by, export.store):
        ReportExport.objects.filter(pk=export.pk).update(status=ReportExport.Status.FAILED, finished_at=timezone.now())
        export.refresh_from_db()
        return export
    ReportExport.objects.filter(pk=export.pk).update(status=ReportExport.Status.RUNNING, progress=5)
    store = export.store
    period = DateRange(export.start, export.end, store.tzinfo, RangeKey.CUSTOM)
    kind = REPORTS[export.report]
    try:
        rows = list(kind.rows(store, period, export.options or {}))
        ReportExport.objects.filter(pk=export.pk).update(progress=50)
        total = max(len(rows), 1)

        def on_row(count: int) -> None:
            if count % PROGRESS_EVERY == 0:
                ReportExport.objects.filter(pk=export.pk).update(progress=50 + int(45 * count / total))

        out = io.StringIO()
        count = write_csv(kind, rows, out, on_row=on_row)
        export.file.save(f"{export.uuid}.csv", ContentFile(out.getvalue().encode()), save=False)
        export.status = ReportExport.Status.READY
        export.progress = 100
        export.rows = count
        export.finished_at = timezone.now()
        export.save(update_fields=["file", "status", "progress", "rows", "finished_at"])
    except Exception:
        ReportExport.objects.filter(pk=export.pk).update(status=ReportExport.Status.FAILED, finished_at=timezone.now())
        raise
    return export


@task
def build_export_task(*, export_id: int) -> None:
    build_export(export_id=export_id)


def recent_exports(*, store: Store, limit: int = 10) -> list[ReportExport]:
    return list(ReportExport.objects.filter(store=store).order_by("-created_at", "-pk")[:limit])
