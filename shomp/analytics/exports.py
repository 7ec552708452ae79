"""Every report as CSV: small ones straight away, big ones built in the worker.

`REPORTS` names what can be exported (the reports page lists them). `request_export` decides:
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

from shomp.stores.models import Store

from . import selectors
from .models import DailyStat, ReportExport
from .ranges import DateRange, RangeKey

#: Rollup rows a range may hold and still be exported within the request.
DEFAULT_INLINE_ROWS = 20_000
#: How often (in rows) the worker saves its progress.
PROGRESS_EVERY = 500


@dataclass(frozen=True)
class ExportKind:
    key: str
    label: str
    header: tuple[str, ...]
    rows: Callable[[Store, DateRange], Iterable[tuple]]


def _money(value) -> str:
    return f"{value:.2f}" if value is not None else ""


def _pct(value) -> str:
    return f"{value:.2f}" if value is not None else ""


def _overview_rows(store: Store, period: DateRange):
    for point in selectors.series(store=store, period=period):
        yield (
            point["key"],
            point["visits"],
            point["pageviews"],
            point["product_views"],
            point["orders"],
            _money(point["revenue"]),
        )


def _product_rows(store: Store, period: DateRange):
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


def _source_rows(store: Store, period: DateRange):
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
    def rows(store: Store, period: DateRange):
        for row in fetch(store=store, period=period):
            yield (row[name], row["visits"], row["orders"], _pct(row["conversion_rate"]), _money(row["revenue"]))

    return rows


def _country_rows(store: Store, period: DateRange):
    for row in selectors.country_rows(store=store, period=period):
        yield (row["country"] or "Unknown", row["visits"], row["orders"], _money(row["revenue"]))


def _device_rows(store: Store, period: DateRange):
    for row in selectors.device_rows(store=store, period=period):
        yield (row["device"], row["visitors"], row["visits"], row["orders"])


def _browser_rows(store: Store, period: DateRange):
    for row in selectors.family_rows(store=store, period=period, field="browser"):
        yield (row["name"] or "Unknown", row["visitors"])


def _buyer_rows(store: Store, period: DateRange):
    for row in selectors.buyers(store=store, period=period)["top"]:
        yield (row["username"], row["orders"])


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
        ExportKind("browsers", "Browsers", ("Browser", "Unique visitors"), _browser_rows),
        ExportKind("buyers", "Top buyers", ("Username", "Orders"), _buyer_rows),
    )
}

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


def download_name(*, store: Store, report: str, period: DateRange) -> str:
    return f"{store.slug}-{report}-{period.start.isoformat()}-{period.end.isoformat()}.csv"


def csv_response(*, store: Store, report: str, period: DateRange) -> HttpResponse:
    kind = REPORTS[report]
    out = io.StringIO()
    write_csv(kind, kind.rows(store, period), out)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{download_name(store=store, report=report, period=period)}"'
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


def is_big(*, store: Store, period: DateRange) -> bool:
    """Whether the range holds more rollup rows than a request should read for a file."""
    limit = getattr(settings, "ANALYTICS_EXPORT_INLINE_ROWS", DEFAULT_INLINE_ROWS)
    rows = DailyStat.objects.filter(store=store, day__gte=period.start, day__lte=period.end)
    return rows[: limit + 1].count() > limit


def request_export(*, user, store: Store, report: str, period: DateRange) -> ReportExport:
    """Queue a report's CSV for the worker (the caller asked the door)."""
    if report not in REPORTS:
        raise ValueError(f"Unknown report {report!r}.")
    with transaction.atomic():
        export = ReportExport.objects.create(
            uuid=uuid.uuid4(), store=store, requested_by=user, report=report, start=period.start, end=period.end
        )
        transaction.on_commit(lambda: build_export_task.enqueue(export_id=export.pk))
    return export


def build_export(*, export_id: int) -> ReportExport | None:
    """Write the export's file, saving progress as it goes. Idempotent: a ready one is left alone."""
    export = ReportExport.objects.select_related("store").filter(pk=export_id).first()
    if export is None or export.status == ReportExport.Status.READY:
        return export
    ReportExport.objects.filter(pk=export.pk).update(status=ReportExport.Status.RUNNING, progress=5)
    store = export.store
    period = DateRange(export.start, export.end, store.tzinfo, RangeKey.CUSTOM)
    kind = REPORTS[export.report]
    try:
        rows = list(kind.rows(store, period))
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
