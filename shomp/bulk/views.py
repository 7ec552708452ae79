"""The bulk page (filters, rows, an action, CSV import/export), the preview of a plan, its
application and its progress. Thin: the forms parse, policies decide, services write."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from shomp.core.forms import apply_service_errors
from shomp.core.htmx import render
from shomp.core.pagination import paginate
from shomp.organizations.areas import Area
from shomp.stores.policies import active_store_required

from . import csvio, selectors, services
from .forms import ActionForm, FilterForm, ImportForm
from .models import BulkJob
from .plans import Action
from .policies import access_job, bulk_stores

ROWS_PER_PAGE = 50
CHANGES_PER_PAGE = 100
#: Errors listed at the top of a refused preview (the table below pages through all of them).
ERRORS_LISTED = 20
#: How often the progress bar asks how far the worker is (ms): handed to the template.
POLL_MS = 1000


def _stores(request: HttpRequest):
    stores = bulk_stores(request.user)
    if not stores:
        raise Http404("No store to bulk-edit.")
    return stores


def _page(request, *, stores, filter_form, action_form=None, import_form=None, status=None) -> HttpResponse:
    target = filter_form.rows_target
    rows = selectors.rows_for(target=target, filters=filter_form.filters())
    page = paginate(request, rows, per_page=ROWS_PER_PAGE)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "nav": "bulk",
        "stores": stores,
        "filter_form": filter_form,
        "action_form": action_form or ActionForm(),
        "import_form": import_form or ImportForm(),
        "target": target,
        "page_obj": page,
        "query": query.urlencode(),
        "status_actions": Action.STATUS,
        "recent": selectors.recent_jobs(user=request.user),
        "threshold": services.WORKER_THRESHOLD,
    }
    return render(request, "bulk/home.html", context, status=status)


@active_store_required(area=Area.PRODUCTS)
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    stores = _stores(request)
    filter_form = FilterForm(request.GET or None, stores=stores)
    return _page(request, stores=stores, filter_form=filter_form)


def _ids(request: HttpRequest) -> list[int] | None:
    try:
        return [int(value) for value in request.POST.getlist("ids")]
    except ValueError:
        return None


@active_store_required(area=Area.PRODUCTS)
@require_POST
def preview(request: HttpRequest) -> HttpResponse:
    stores = _stores(request)
    filter_form = FilterForm(request.POST, stores=stores)
    action_form = ActionForm(request.POST)
    ids = _ids(request)
    if not filter_form.is_valid():
        action_form.is_valid()
        action_form.add_error(None, "These filters can't be used: nothing changed.")
    elif action_form.is_valid():
        data = action_form.cleaned_data
        if ids is None:
            action_form.add_error(None, "Some of the chosen rows can't be read: nothing changed.")
        else:
            try:
                job = services.prepare_operation(
                    user=request.user,
                    target=filter_form.rows_target,
                    action=data["action"],
                    value=data["value"],
                    reason=data["reason"],
                    filters=filter_form.filters(),
                    ids=ids if data["scope"] == "selected" else None,
                )
            except ValidationError as error:
                apply_service_errors(action_form, error)
            else:
                return redirect("bulk:job", job_uuid=job.uuid)
    # The page shows the rows of the filters that were posted (only those: never the token).
    request.GET = QueryDict(mutable=True)
    for name in FilterForm.base_fields:
        if request.POST.get(name):
            request.GET[name] = request.POST[name]
    return _page(request, stores=stores, filter_form=filter_form, action_form=action_form, status=400)


@active_store_required(area=Area.PRODUCTS)
@require_POST
def import_csv(request: HttpRequest) -> HttpResponse:
    stores = _stores(request)
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > csvio.MAX_IMPORT_BYTES:
            form.add_error(
                "file", f"This file is too big: an import takes at most {csvio.MAX_IMPORT_BYTES // 1024 // 1024} MB."
            )
        else:
            try:
                job = services.prepare_import(user=request.user, data=upload.read(), filename=upload.name)
            except csvio.FileRefused as refused:
                form.add_error("file", str(refused))
            else:
                return redirect("bulk:job", job_uuid=job.uuid)
    filter_form = FilterForm(None, stores=stores)
    return _page(request, stores=stores, filter_form=filter_form, import_form=form, status=400)


@active_store_required(area=Area.PRODUCTS)
@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    stores = _stores(request)
    filter_form = FilterForm(request.GET or None, stores=stores)
    filters = filter_form.filters()
    products = selectors.products(filters=filters).filter(has_variants=False).iterator(chunk_size=2000)
    variants = selectors.variants(filters=filters).iterator(chunk_size=2000)
    response = StreamingHttpResponse(
        csvio.export_lines(products=products, variants=variants), content_type="text/csv; charset=utf-8"
    )
    name = f"shomp-prices-and-stock-{timezone.now():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@active_store_required(area=Area.PRODUCTS)
@require_GET
def job(request: HttpRequest, job_uuid: str) -> HttpResponse:
    bulk_job = access_job(user=request.user, job_uuid=job_uuid)
    htmx = getattr(request, "htmx", None)
    if htmx and not bulk_job.is_active and request.GET.get("poll"):
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"  # finished: the whole page shows the result
        return response
    context = {"nav": "bulk", "job": bulk_job, "poll_ms": POLL_MS}
    if not bulk_job.is_active:
        changes = BulkJob.objects.values_list("changes", flat=True).get(pk=bulk_job.pk)
        errors = [c for c in changes if c["error"]]
        shown = errors if errors else [c for c in changes if c["price"] or c["stock"] or c["status"] or c["note"]]
        context |= {
            "error_rows": errors[:ERRORS_LISTED],
            "more_errors": max(0, len(errors) - ERRORS_LISTED),
            "page_obj": Paginator(shown, CHANGES_PER_PAGE).get_page(request.GET.get("page")),
            "unchanged": sum(1 for c in changes if not c["error"] and not (c["price"] or c["stock"] or c["status"])),
            "is_import": bulk_job.kind == BulkJob.Kind.IMPORT,
            # Only the columns this kind of change fills (an empty Stock column says nothing).
            "show_price": bulk_job.action in (*Action.PRICE, Action.IMPORT),
            "show_stock": bulk_job.action in (*Action.STOCK, Action.IMPORT),
            "show_status": bulk_job.action in Action.STATUS,
        }
    return render(request, "bulk/job.html", context, partial="progress")


@active_store_required(area=Area.PRODUCTS)
@require_POST
def apply(request: HttpRequest, job_uuid: str) -> HttpResponse:
    bulk_job = access_job(user=request.user, job_uuid=job_uuid)
    try:
        bulk_job = services.apply_job(user=request.user, job=bulk_job)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("bulk:job", job_uuid=bulk_job.uuid)
    if bulk_job.status == BulkJob.Status.DONE:
        messages.success(request, f"Applied: {bulk_job.summary}.")
    elif bulk_job.status == BulkJob.Status.FAILED:
        messages.error(request, bulk_job.message)
    return redirect("bulk:job", job_uuid=bulk_job.uuid)
