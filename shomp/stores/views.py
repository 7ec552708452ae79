from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST

from shomp.core.forms import apply_service_errors as _apply_errors
from shomp.core.htmx import render
from shomp.core.pagecache import SITE, shared_page
from shomp.core.pagination import paginate
from shomp.core.params import parse_id
from shomp.organizations import services as organization_services
from shomp.organizations.areas import MEMBER, Area, Role
from shomp.organizations.policies import grant_in

from . import selectors, services
from .forms import StoreForm
from .policies import (
    ACTIVE_STORE_SESSION_KEY,
    access_organization_store,
    access_store_for_management,
    active_store_required,
)


@shared_page(scope=SITE)
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


# The organization's stores ----------------------------------------------------------------------


def _organization_context(request: HttpRequest):
    """The active store's organization (loaded by the door with the store) and the user's place in it."""
    organization = request.store.organization
    grant = grant_in(request.user, organization)
    if grant is None:  # the door let them in through this store, so they belong; belt and braces
        raise Http404("No such page.")
    return organization, grant


@active_store_required(area=MEMBER)
@require_http_methods(["GET", "POST"])
def organization_stores(request: HttpRequest) -> HttpResponse:
    """/dashboard/organization/stores: the organization's stores, who works on each, opening a
    store in it, and moving stores in and out (its owner, who must own both sides)."""
    organization, grant = _organization_context(request)
    is_owner = grant.role == Role.OWNER
    may_open = is_owner or (grant.allows(Area.SETTINGS) and grant.store_ids is None)
    form = StoreForm(request.POST or None, request.FILES or None, prefix="new") if may_open else None
    if request.method == "POST":
        if form is None:
            messages.error(request, f"Only the owner or an admin of {organization.name} can open stores in it.")
            return redirect("stores:organization")
        if form.is_valid():
            data = form.cleaned_data
            try:
                store = services.create_store(
                    owner=request.user,
                    organization=organization,
                    name=data["name"],
                    slug=data["slug"],
                    description=data["description"],
                    logo=data["logo"],
                )
            except ValidationError as error:
                _apply_errors(form, error)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"{store.name} is open in {organization.name}.")
                return redirect("stores:organization")
    stores = [s for s in selectors.get_organization_stores(organization=organization) if grant.covers(s.pk)]
    everywhere, limited = selectors.get_team_by_store(organization=organization, store_ids=[s.pk for s in stores])
    own = selectors.get_own_organization(user=request.user) if is_owner else None
    movable = list(selectors.get_movable_stores(user=request.user, into=organization)) if is_owner else []
    rows = [{"store": store, "limited": limited[store.pk]} for store in stores]
    return render(
        request,
        "stores/organization_stores.html",
        {
            "organization": organization,
            "rows": rows,
            "everywhere": everywhere,
            "limited_to_me": grant.store_ids is not None,
            "form": form,
            "is_owner": is_owner,
            "move_out_to": own if own is not None and own.pk != organization.pk else None,
            "movable": movable,
            "nav": "organization",
            "tab": "stores",
        },
        status=400 if form is not None and form.errors else None,
    )


@active_store_required(area=MEMBER)
@require_POST
def organization_store_move_in(request: HttpRequest) -> HttpResponse:
    organization, _grant = _organization_context(request)
    store_id = parse_id(request.POST.get("store", ""))
    movable = selectors.get_movable_stores(user=request.user, into=organization)
    store = movable.filter(pk=store_id).first() if store_id is not None else None
    if store is None:
        messages.error(
            request,
            f"Pick one of your stores in another organization you own to move into {organization.name}. "
            "Only someone who owns both organizations can move a store.",
        )
        return redirect("stores:organization")
    try:
        moved = organization_services.move_store(store=store, actor=request.user, to_organization=organization)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _refusal(error))
    else:
        messages.success(request, f"{moved.name} moved from {store.organization.name} into {organization.name}.")
    return redirect("stores:organization")


@active_store_required(area=MEMBER)
@require_POST
def organization_store_move_out(request: HttpRequest, store_id: int) -> HttpResponse:
    organization, grant = _organization_context(request)
    store = access_organization_store(user=request.user, organization_id=organization.pk, store_id=store_id)
    own = selectors.get_own_organization(user=request.user)
    if grant.role != Role.OWNER or own is None:
        messages.error(
            request, f"Only the owner of {organization.name} can move its stores out (into their own organization)."
        )
        return redirect("stores:organization")
    if own.pk == organization.pk:
        messages.error(
            request,
            f"{organization.name} is your own organization: its stores leave it when you move them in from "
            "another organization's Stores page.",
        )
        return redirect("stores:organization")
    try:
        moved = organization_services.move_store(store=store, actor=request.user, to_organization=own)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _refusal(error))
        return redirect("stores:organization")
    if moved.pk == request.store.pk:
        # The active store left this organization: stay on this organization's pages if it has another.
        other = next(
            (s for s in request.switchable_stores if s.organization_id == organization.pk and s.pk != moved.pk), None
        )
        if other is not None:
            request.session[ACTIVE_STORE_SESSION_KEY] = other.pk
    messages.success(request, f"{moved.name} moved out of {organization.name} into {own.name}.")
    return redirect("stores:organization")


def _refusal(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or "You can't do that."
