"""The product's inventory settings (on the variant manager) and one variant's stock page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST

from shomp.core.forms import apply_service_errors as apply_errors
from shomp.core.htmx import render
from shomp.core.pagination import paginate
from shomp.organizations.areas import Area
from shomp.stores.policies import active_store_required

from .. import services
from ..forms import InventoryForm, InventorySettingsForm
from ..models import Product, Variant
from ..policies import store_of_product
from ..selectors import variants as selectors
from .variants import _back, _product, _render_manager

HISTORY_PER_PAGE = 25


def _variant(product: Product, variant_id: int) -> Variant:
    variant = selectors.get_product_variant(product=product, variant_id=variant_id)
    if variant is None:
        raise Http404("No such variant.")
    return variant


@active_store_required(area=Area.PRODUCTS)
@require_POST
def dashboard_inventory_settings(request: HttpRequest, product_id: int) -> HttpResponse:
    product = _product(request, product_id)
    form = InventorySettingsForm(request.POST)
    if form.is_valid():
        try:
            services.set_inventory_settings(
                product=product,
                track_inventory=form.cleaned_data["track_inventory"],
                low_stock_threshold=form.cleaned_data["low_stock_threshold"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Inventory settings saved.")
            return _back(request, product, anchor="inventory-glance")
    return _render_manager(request, product, settings_form=form)


@active_store_required(area=Area.PRODUCTS, store_of=store_of_product)
@require_http_methods(["GET", "POST"])
def dashboard_variant_inventory(request: HttpRequest, product_id: int, variant_id: int) -> HttpResponse:
    """A variant's stock: set, restock or adjust it with a reason, and its history."""
    product = _product(request, product_id)
    variant = _variant(product, variant_id)
    form = InventoryForm(request.POST or None, choices=services.InventoryAction.CHOICES, initial={"action": "restock"})
    if request.method == "POST" and variant.is_archived:
        messages.error(request, "This variant is archived: its stock can't change.")
        return redirect(request.path)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            variant = services.manage_inventory(
                variant=variant,
                action=data["action"],
                quantity=data["quantity"],
                reason=data["reason"],
                actor=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{variant.name}: {variant.inventory_count:,} in stock now.")
            return redirect(request.path)
    history = paginate(request, selectors.inventory_history(variant=variant), per_page=HISTORY_PER_PAGE)
    context = {
        "nav": "products",
        "product": product,
        "variant": variant,
        "form": form,
        "page_obj": history,
        "currency": product.store.currency,
    }
    return render(request, "catalog/dashboard_inventory.html", context, partial="history")


__all__ = [
    "dashboard_inventory_settings",
    "dashboard_variant_inventory",
]
