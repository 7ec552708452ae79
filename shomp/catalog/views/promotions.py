"""The seller's promotions: the list (with overlaps), create, edit and end now. For the stores
of the active store's organization the user may run promotions on (the "promotions" area)."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from shomp.core.forms import apply_service_errors
from shomp.core.htmx import render
from shomp.core.pagination import paginate
from shomp.organizations.areas import Area
from shomp.stores.policies import active_store_required

from ..forms import PromotionForm
from ..policies import access_promotion
from ..selectors import promotions as selectors
from ..services import promotions as services

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


@active_store_required(area=Area.PROMOTIONS)
def dashboard_promotions(request: HttpRequest) -> HttpResponse:
    store = request.store
    allowed = services.allowed_stores(user=request.user, organization_id=store.organization_id)
    promotions = selectors.dashboard_promotions(
        organization_id=store.organization_id, store_ids=[s.pk for s in allowed]
    )
    page = paginate(request, promotions, per_page=25)
    return render(
        request,
        "catalog/dashboard_promotions.html",
        {"page_obj": page, "rows": selectors.promotion_rows(page.object_list), "nav": "promotions", "tz": store.tzinfo},
    )


def _form(request: HttpRequest, *, promotion=None) -> PromotionForm:
    store = request.store
    allowed = services.allowed_stores(user=request.user, organization_id=store.organization_id)
    store_ids = [s.pk for s in allowed]
    initial = None
    if promotion is not None:
        targets = list(promotion.targets.all())
        initial = {
            "name": promotion.name,
            "kind": promotion.kind,
            "amount": promotion.amount,
            "starts_at": timezone.localtime(promotion.starts_at, store.tzinfo).strftime(DATETIME_LOCAL),
            "ends_at": timezone.localtime(promotion.ends_at, store.tzinfo).strftime(DATETIME_LOCAL),
            "stores": [t.store_id for t in targets if t.store_id],
            "products": [t.product_id for t in targets if t.product_id],
            "variants": [t.variant_id for t in targets if t.variant_id],
            "notify_followers": promotion.notify_followers,
        }
    elif request.method != "POST":
        now = timezone.localtime(timezone.now(), store.tzinfo).replace(second=0, microsecond=0)
        initial = {
            "starts_at": now.strftime(DATETIME_LOCAL),
            "ends_at": (now + timedelta(days=7)).strftime(DATETIME_LOCAL),
            "stores": [store.pk],
        }
    return PromotionForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        stores=allowed,
        products=selectors.chooser_products(store_ids=store_ids),
        variants=selectors.chooser_variants(store_ids=store_ids),
    )


def _save(request: HttpRequest, form: PromotionForm, *, promotion=None):
    """Validate with the store's time zone active (the dates were typed in it), then save."""
    with timezone.override(request.store.tzinfo):
        valid = form.is_valid()
    if not valid:
        return None
    try:
        return services.save_promotion(
            user=request.user,
            organization_id=request.store.organization_id,
            data=form.data_for_service(),
            promotion=promotion,
        )
    except ValidationError as error:
        apply_service_errors(form, error)
        return None


def _form_page(request, form, promotion=None) -> HttpResponse:
    return render(
        request,
        "catalog/dashboard_promotion_form.html",
        {"form": form, "promotion": promotion, "nav": "promotions", "tz_name": request.store.time_zone},
    )


@active_store_required(area=Area.PROMOTIONS)
@require_http_methods(["GET", "POST"])
def dashboard_promotion_new(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    if request.method == "POST" and (promotion := _save(request, form)) is not None:
        messages.success(request, f"“{promotion.name}” is saved.")
        return redirect("catalog:dashboard_promotions")
    return _form_page(request, form)


@active_store_required(area=Area.PROMOTIONS)
@require_http_methods(["GET", "POST"])
def dashboard_promotion_edit(request: HttpRequest, promotion_id: int) -> HttpResponse:
    promotion = access_promotion(
        user=request.user, organization_id=request.store.organization_id, promotion_id=promotion_id
    )
    form = _form(request, promotion=promotion)
    if request.method == "POST" and _save(request, form, promotion=promotion) is not None:
        messages.success(request, f"“{promotion.name}” is saved.")
        return redirect("catalog:dashboard_promotions")
    return _form_page(request, form, promotion)


@active_store_required(area=Area.PROMOTIONS)
@require_POST
def dashboard_promotion_end(request: HttpRequest, promotion_id: int) -> HttpResponse:
    promotion = access_promotion(
        user=request.user, organization_id=request.store.organization_id, promotion_id=promotion_id
    )
    try:
        services.end_promotion(user=request.user, promotion=promotion)
        messages.success(request, f"“{promotion.name}” has ended: prices are back to normal.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("catalog:dashboard_promotions")
