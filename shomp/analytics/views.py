"""The analytics dashboard: overview, products (and a product's variant funnel), customers,
reports and exports, the live panel, and the organization's stores side by side.

Thin: every page goes through the door ("analytics.view"; exports "analytics"), reads through
selectors and answers bad ranges next to their field (the default range meanwhile).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from shomp.catalog.policies import store_of_product
from shomp.core.htmx import render
from shomp.core.uploads import serve_private_file
from shomp.organizations.areas import MEMBER, Area
from shomp.organizations.policies import can
from shomp.stores.policies import active_store_required
from shomp.stores.selectors import stores_for

from . import events, exports, selectors
from .forms import RangeForm
from .models import ReportExport
from .policies import access_export, access_product, can_export_analytics
from .reports import generate_reports

PRODUCTS_PER_PAGE = 50
RANGE_FIELDS = ("range", "start", "end", "compare")


def _range(request: HttpRequest, data=None) -> RangeForm:
    data = request.GET if data is None else data
    bound = any(name in data for name in RANGE_FIELDS)
    return RangeForm(data if bound else None, tz=request.store.tzinfo)


def _context(request: HttpRequest, form: RangeForm, tab: str, **extra) -> dict:
    period = form.period()
    range_query = {name: request.GET[name] for name in RANGE_FIELDS if request.GET.get(name)} if form.is_valid() else {}
    return {
        "form": form,
        "period": period,
        "compare": form.compare_with(),
        "previous": form.comparison(),
        "range_query": range_query,
        "range_qs": urlencode(range_query),
        "tab": tab,
        "nav": "analytics",
        "currency": request.store.currency,
        "can_export": can_export_analytics(request.user, request.store),
        **extra,
    }


@active_store_required(area=Area.ANALYTICS_VIEW)
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    form = _range(request)
    report = generate_reports(store=request.store, period=form.period(), compare=form.compare_with())
    return render(
        request,
        "analytics/dashboard.html",
        _context(
            request,
            form,
            "overview",
            report=report,
            chart=report.chart(),
            live=selectors.live(store=request.store),
            refresh=events.LIVE_REFRESH_SECONDS,
            realtime_topics=[events.live_topic(request.store.pk)],
        ),
    )


@active_store_required(area=Area.ANALYTICS_VIEW)
@require_GET
def live(request: HttpRequest) -> HttpResponse:
    """The live panel alone (the page refreshes it; the socket pushes the same fragment)."""
    return render(
        request,
        "analytics/partials/_live.html",
        {"live": selectors.live(store=request.store), "store": request.store, "refresh": events.LIVE_REFRESH_SECONDS},
    )


@active_store_required(area=Area.ANALYTICS_VIEW)
@require_GET
def products(request: HttpRequest) -> HttpResponse:
    form = _range(request)
    sort = request.GET.get("sort", "revenue")
    if sort not in selectors.PRODUCT_SORTS:
        sort = "revenue"
    rows = selectors.product_rows(store=request.store, period=form.period(), sort=sort)
    page = Paginator(rows, PRODUCTS_PER_PAGE).get_page(request.GET.get("page"))
    selectors.name_products(store=request.store, rows=list(page.object_list))
    return render(
        request,
        "analytics/products.html",
        _context(request, form, "products", page_obj=page, sort=sort, sorts=selectors.PRODUCT_SORTS),
    )


@active_store_required(area=Area.ANALYTICS_VIEW, store_of=store_of_product)
@require_GET
def product_detail(request: HttpRequest, product_id: str) -> HttpResponse:
    product = access_product(user=request.user, store=request.store, product_id=product_id)
    form = _range(request)
    funnel = selectors.variant_funnel(store=request.store, product=product, period=form.period())
    totals = selectors.blank()
    for row in funnel:
        selectors.add_metrics(totals, row)
    return render(
        request,
        "analytics/product_detail.html",
        _context(request, form, "products", product=product, funnel=funnel, totals=totals),
    )


@active_store_required(area=Area.ANALYTICS_VIEW)
@require_GET
def customers(request: HttpRequest) -> HttpResponse:
    form = _range(request)
    period = form.period()
    store = request.store
    return render(
        request,
        "analytics/customers.html",
        _context(
            request,
            form,
            "customers",
            countries=selectors.country_rows(store=store, period=period),
            devices=selectors.device_rows(store=store, period=period),
            browsers=selectors.family_rows(store=store, period=period, field="browser"),
            systems=selectors.family_rows(store=store, period=period, field="os"),
            buyers=selectors.buyers(store=store, period=period),
        ),
    )


@active_store_required(area=Area.ANALYTICS_VIEW)
@require_GET
def reports(request: HttpRequest) -> HttpResponse:
    form = _range(request)
    period = form.period()
    store = request.store
    can_export = can_export_analytics(request.user, store)
    return render(
        request,
        "analytics/reports.html",
        _context(
            request,
            form,
            "reports",
            sources=selectors.source_rows(store=store, period=period),
            campaigns=selectors.campaign_rows(store=store, period=period),
            referrers=selectors.referrer_rows(store=store, period=period),
            export_kinds=exports.STORE_REPORTS,
            recent_exports=exports.recent_exports(store=store) if can_export else [],
            labels=_labels(),
        ),
    )


def _reports_url(form: RangeForm, request: HttpRequest) -> str:
    kept = {name: request.POST[name] for name in RANGE_FIELDS if request.POST.get(name)} if form.is_valid() else {}
    return reverse("analytics:reports") + (f"?{urlencode(kept)}" if kept else "") + "#exports"


@active_store_required(area=Area.ANALYTICS_VIEW)
@require_POST
def export(request: HttpRequest) -> HttpResponse:
    """A report's CSV: now if small, else queued for the worker (the exports list shows it)."""
    store = request.store
    if not can_export_analytics(request.user, store):
        raise Http404("No such export.")
    report = request.POST.get("report", "")
    form = _range(request, request.POST)
    if report not in exports.REPORTS:
        messages.error(request, "Choose a report to export.")
        return redirect(_reports_url(form, request))
    options = {"compare": form.compare_with()}
    if exports.REPORTS[report].per_product:  # another store's product (or none): 404
        product = access_product(user=request.user, store=store, product_id=request.POST.get("product", ""))
        options["product_id"] = product.pk
    if form.is_bound and not form.is_valid():
        messages.error(
            request, "Fix the date range first: " + " ".join(e for errs in form.errors.values() for e in errs)
        )
        return redirect(_reports_url(form, request))
    period = form.period()
    if not exports.is_big(store=store, period=period):
        return exports.csv_response(store=store, report=report, period=period, options=options)
    exports.request_export(user=request.user, store=store, report=report, period=period, options=options)
    messages.success(request, "That export is big: it is being built, and its download link appears below when ready.")
    return redirect(_reports_url(form, request))


@active_store_required(area=Area.ANALYTICS_VIEW)
@require_GET
def export_status(request: HttpRequest, export_uuid: str) -> HttpResponse:
    export = access_export(user=request.user, store=request.store, export_uuid=export_uuid)
    return render(request, "analytics/partials/_export_row.html", {"export": export, "labels": _labels()})


def _labels() -> dict[str, str]:
    return {key: kind.label for key, kind in exports.REPORTS.items()}


@active_store_required(area=Area.ANALYTICS_VIEW)
@require_GET
def export_download(request: HttpRequest, export_uuid: str) -> HttpResponse:
    export = access_export(user=request.user, store=request.store, export_uuid=export_uuid)
    if export.status != ReportExport.Status.READY or not export.file:
        raise Http404("This export is not ready.")
    name = f"{request.store.slug}-{export.report}-{export.start.isoformat()}-{export.end.isoformat()}.csv"
    return serve_private_file(export.file, download_name=name, content_type="text/csv; charset=utf-8")


# The organization's overview ----------------------------------------------------------------

_OTHER_AREAS = (Area.MESSAGES, Area.REVIEWS, Area.PRODUCTS)


@active_store_required(area=MEMBER)
@require_GET
def organization(request: HttpRequest) -> HttpResponse:
    """The active store's organization: its stores the member may see analytics of, side by
    side, with totals; conversations, reviews and stock only where their role reaches."""
    organization = request.store.organization
    form = _range(request)
    stores = list(stores_for(user=request.user, area=Area.ANALYTICS_VIEW).filter(organization=organization))
    show = {
        store.pk: frozenset(area.value for area in _OTHER_AREAS if can(request.user, store, area)) for store in stores
    }
    rows = selectors.organization_rows(stores=stores, period=form.period(), show=show)
    return render(
        request,
        "analytics/organization.html",
        {
            **_context(request, form, "organization"),
            "nav": "organization",
            "organization": organization,
            "rows": rows,
            "totals": selectors.organization_totals(rows),
            "tab": "overview",
        },
    )
