from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST

from shomp.core.forms import apply_service_errors as _apply_errors
from shomp.core.htmx import render
from shomp.core.pagination import paginate
from shomp.core.params import parse_id
from shomp.organizations.areas import MEMBER, Area

from . import selectors, services
from .forms import StoreForm
from .policies import ACTIVE_STORE_SESSION_KEY, access_store_for_management, active_store_required


@login_not_required
def store_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:200]
    page = paginate(request, selectors.search_stores(query=query), per_page=24)
    return render(request, "stores/store_list.html", {"page_obj": page, "query": query}, partial="results")


@require_http_methods(["GET", "POST"])
def store_create(request: HttpRequest) -> HttpResponse:
    form = StoreForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            store = services.create_store(
                owner=request.user,
                name=data["name"],
                slug=data["slug"],
                description=data["description"],
                logo=data["logo"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            request.session[ACTIVE_STORE_SESSION_KEY] = store.pk
            messages.success(request, f"{store.name} is open. Add your first product.")
            return redirect("catalog:dashboard_product_new")
    return render(request, "stores/store_form.html", {"form": form, "creating": True})


@active_store_required(area=Area.SETTINGS)
@require_http_methods(["GET", "POST"])
def store_edit(request: HttpRequest) -> HttpResponse:
    wanted = parse_id(request.GET.get("store", ""))
    if request.method == "GET" and wanted is not None and wanted != request.store.pk:
        # "Edit store" on a store's public page names that store; make it the active one.
        store = access_store_for_management(user=request.user, store_id=wanted, area=Area.SETTINGS)
        request.session[ACTIVE_STORE_SESSION_KEY] = store.pk
        messages.info(request, f"Now managing {store.name}.")
        return redirect("stores:edit")
    store = request.store
    form = StoreForm(request.POST or None, request.FILES or None, store=store)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_store(
                store=store,
                name=data["name"],
                slug=data["slug"],
                description=data["description"],
                logo=data["logo"],
                remove_logo=data.get("remove_logo", False),
                review_policy=data.get("review_policy") or None,
                time_zone=data.get("time_zone") or None,
            )
        except ValidationError as error:
            store.refresh_from_db()
            _apply_errors(form, error)
        else:
            messages.success(request, "Store saved.")
            return redirect("stores:edit")
    return render(request, "stores/store_form.html", {"form": form, "store": store, "nav": "store"})


@require_POST
def switch_store(request: HttpRequest) -> HttpResponse:
    try:
        store_id = int(request.POST.get("store", ""))
    except ValueError:
        store_id = 0
    # Any store of the user's teams: each dashboard page then asks for its own area.
    store = access_store_for_management(user=request.user, store_id=store_id, area=MEMBER)
    request.session[ACTIVE_STORE_SESSION_KEY] = store.pk
    messages.info(request, f"Now managing {store.name}.")
    next_url = request.POST.get("next", "")
    return redirect(next_url if next_url.startswith("/dashboard") else "orders:dashboard_home")
