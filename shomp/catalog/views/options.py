"""The variant manager's option and value actions: add, extend, rename, price and remove them."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from shomp.core.forms import apply_service_errors as apply_errors
from shomp.organizations.areas import Area
from shomp.stores.policies import active_store_required

from .. import services
from ..forms import OptionForm, OptionRenameForm, OptionValuesForm, ValueModifierForm, ValueRenameForm
from ..models import Product, ProductOption, ProductOptionValue
from ..selectors import variants as selectors
from .variants import _back, _money, _plural, _product, _render_manager


def _option(product: Product, option_id: int) -> ProductOption:
    option = selectors.get_product_option(product=product, option_id=option_id)
    if option is None:
        raise Http404("No such option.")
    return option


def _value(product: Product, value_id: int) -> ProductOptionValue:
    value = selectors.get_option_value(product=product, value_id=value_id)
    if value is None:
        raise Http404("No such value.")
    return value


@active_store_required(area=Area.PRODUCTS)
@require_POST
def dashboard_option_add(request: HttpRequest, product_id: int) -> HttpResponse:
    product = _product(request, product_id)
    form = OptionForm(request.POST)
    if form.is_valid():
        try:
            option = services.add_product_option(
                product=product, name=form.cleaned_data["name"], values=form.cleaned_data["values"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            values = ", ".join(value.value for value in option.values.all())
            messages.success(
                request,
                f"Added {option.name}: {values}. Preview and generate the variants when your options are ready.",
            )
            return _back(request, product, anchor="variant-options")
    return _render_manager(request, product, option_form=form)


@active_store_required(area=Area.PRODUCTS)
@require_POST
def dashboard_option_values(request: HttpRequest, product_id: int, option_id: int) -> HttpResponse:
    product = _product(request, product_id)
    option = _option(product, option_id)
    form = OptionValuesForm(request.POST, prefix=f"option-{option.pk}")
    if form.is_valid():
        try:
            added = services.add_option_values(option=option, values=form.cleaned_data["values"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            names = ", ".join(value.value for value in added)
            messages.success(
                request, f"Added to {option.name}: {names}. Generate variants to add only the new combinations."
            )
            return _back(request, product, anchor=f"option-{option.pk}")
    return _render_manager(request, product, values_forms={option.pk: form})


@active_store_required(area=Area.PRODUCTS)
@require_POST
def dashboard_option_remove(request: HttpRequest, product_id: int, option_id: int) -> HttpResponse:
    product = _product(request, product_id)
    option = _option(product, option_id)
    try:
        archived = services.remove_product_option(option=option)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"Removed the option {option.name}"
            + (f"; {_plural(archived, 'variant')} archived (past orders keep them)." if archived else "."),
        )
    return _back(request, product, anchor="variant-options")


@active_store_required(area=Area.PRODUCTS)
@require_POST
def dashboard_option_rename(request: HttpRequest, product_id: int, option_id: int) -> HttpResponse:
    """Correct an option's name; its live variants follow, keeping their stock and SKUs."""
    product = _product(request, product_id)
    option = _option(product, option_id)
    form = OptionRenameForm(request.POST, prefix=f"rename-option-{option.pk}")
    if form.is_valid():
        try:
            renamed = services.rename_product_option(option=option, name=form.cleaned_data["name"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Renamed the option {option.name} to {renamed.name}.")
            return _back(request, product, anchor=f"option-{option.pk}")
    return _render_manager(request, product, rename_forms={form.prefix: form})


@active_store_required(area=Area.PRODUCTS)
@require_POST
def dashboard_option_value_rename(request: HttpRequest, product_id: int, value_id: int) -> HttpResponse:
    """Correct a value; its live variants follow, keeping their stock and SKUs."""
    product = _product(request, product_id)
    value = _value(product, value_id)
    form = ValueRenameForm(request.POST, prefix=f"rename-value-{value.pk}")
    if form.is_valid():
        try:
            renamed = services.rename_option_value(value=value, new_value=form.cleaned_data["value"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Renamed {value.value} to {renamed.value} in {value.option.name}.")
            return _back(request, product, anchor=f"option-{value.option_id}")
    return _render_manager(request, product, rename_forms={form.prefix: form})


@active_store_required(area=Area.PRODUCTS)
@require_POST
def dashboard_option_value(request: HttpRequest, product_id: int, value_id: int) -> HttpResponse:
    """Set a value's price modifier ("XL +4.00")."""
    product = _product(request, product_id)
    value = _value(product, value_id)
    form = ValueModifierForm(request.POST, prefix=f"value-{value.pk}")
    if form.is_valid():
        modifier = form.cleaned_data["price_modifier"]
        try:
            value = services.set_option_value_modifier(
                value=value, price_modifier=Decimal("0") if modifier is None else modifier
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if value.price_modifier:
                verb = "adds" if value.price_modifier > 0 else "takes off"
                change = f"{verb} {_money(product, abs(value.price_modifier))}"
            else:
                change = "no longer changes the price"
            messages.success(request, f"{value.option.name} {value.value} {change}.")
            return _back(request, product, anchor=f"option-{value.option_id}")
    return _render_manager(request, product, modifier_forms={value.pk: form})


@active_store_required(area=Area.PRODUCTS)
@require_POST
def dashboard_option_value_remove(request: HttpRequest, product_id: int, value_id: int) -> HttpResponse:
    product = _product(request, product_id)
    value = _value(product, value_id)
    try:
        archived = services.remove_option_value(value=value)
    except ValidationError as error:
        form = ValueModifierForm(
            request.POST, prefix=f"value-{value.pk}", initial={"price_modifier": value.price_modifier}
        )
        form.is_valid()
        apply_errors(form, error)
        return _render_manager(request, product, modifier_forms={value.pk: form})
    messages.success(
        request,
        f"Removed {value.value} from {value.option.name}"
        + (f"; {_plural(archived, 'variant')} archived (past orders keep them)." if archived else "."),
    )
    return _back(request, product, anchor=f"option-{value.option_id}")


__all__ = [
    "dashboard_option_add",
    "dashboard_option_remove",
    "dashboard_option_rename",
    "dashboard_option_value",
    "dashboard_option_value_remove",
    "dashboard_option_value_rename",
    "dashboard_option_values",
]
