"""The variant manager page (/dashboard/products/<id>/variants/): generate, add one, grid, bulk.

One page, the variant manager, shows it all: options and their values, the generate preview,
the variant grid (edited in place, or in bulk), archived variants and stock at a glance. Each
action posts to its own URL, then redirects back with a message, or, when the input is refused,
renders the page again with the error next to the field that caused it and nothing changed.
options.py and inventory.py hold the page's other actions; they render it with _render_manager.
"""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from shomp.core.forms import apply_service_errors as apply_errors
from shomp.core.htmx import render
from shomp.core.money import format_money
from shomp.core.pagination import paginate
from shomp.organizations.areas import Area
from shomp.stores.policies import active_store_required

from .. import services
from ..forms import (
    BulkEditForm,
    InventorySettingsForm,
    OptionForm,
    OptionRenameForm,
    OptionValuesForm,
    ValueModifierForm,
    ValueRenameForm,
    VariantCreateForm,
    VariantRowForm,
)
from ..models import MAX_OPTIONS, Product
from ..policies import access_product_for_management, store_of_product
from ..selectors import variants as selectors

TEMPLATE = "catalog/dashboard_variants.html"
PER_PAGE = 50
ARCHIVED_PER_PAGE = 50

# The services name a variant's image "image"; the forms call the field "image_id".
_RENAMED = {"image": "image_id"}


def _product(request: HttpRequest, product_id: int) -> Product:
    return access_product_for_management(user=request.user, store=request.store, product_id=product_id)


def _back(request: HttpRequest, product: Product, *, anchor: str = "") -> HttpResponse:
    """To the manager, on the grid page the seller was on."""
    url = reverse("catalog:dashboard_variants", kwargs={"product_id": product.pk})
    page = request.GET.get("page", "")
    if page.isascii() and page.isdigit() and page != "1":
        url += f"?page={page}"
    return redirect(url + (f"#{anchor}" if anchor else ""))


def _renamed(error: ValidationError) -> ValidationError:
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError({_RENAMED.get(field, field): errors for field, errors in error.error_dict.items()})


def _money(product: Product, amount: Decimal) -> str:
    return format_money(amount, product.store.currency)


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _render_manager(
    request: HttpRequest,
    product: Product,
    *,
    option_form: OptionForm | None = None,
    values_forms: dict[int, OptionValuesForm] | None = None,
    modifier_forms: dict[int, ValueModifierForm] | None = None,
    settings_form: InventorySettingsForm | None = None,
    grid_forms: dict[int, VariantRowForm] | None = None,
    grid_error: str = "",
    bulk_form: BulkEditForm | None = None,
    plan: services.VariantPlan | None = None,
    generate_error: str = "",
    new_variant_form: VariantCreateForm | None = None,
    rename_forms: dict[str, OptionRenameForm | ValueRenameForm] | None = None,
) -> HttpResponse:
    """The whole manager page; bound forms passed in (a refused submission) keep what the
    seller typed and show their errors."""
    options = selectors.product_options(product=product)
    images = selectors.product_images(product=product)
    summary = selectors.inventory_summary(product=product)
    values_forms, modifier_forms, grid_forms = values_forms or {}, modifier_forms or {}, grid_forms or {}
    # Keyed by prefix ("rename-option-<id>", "rename-value-<id>"): a refused rename comes back bound.
    rename_forms = rename_forms or {}
    option_rows = [
        {
            "option": option,
            "values_form": values_forms.get(option.pk) or OptionValuesForm(prefix=f"option-{option.pk}"),
            "rename_form": rename_forms.get(f"rename-option-{option.pk}")
            or OptionRenameForm(prefix=f"rename-option-{option.pk}"),
            "values": [
                (
                    value,
                    modifier_forms.get(value.pk)
                    or ValueModifierForm(prefix=f"value-{value.pk}", initial={"price_modifier": value.price_modifier}),
                    rename_forms.get(f"rename-value-{value.pk}") or ValueRenameForm(prefix=f"rename-value-{value.pk}"),
                )
                for value in option.values.all()
            ],
        }
        for option in options
    ]
    page = paginate(request, selectors.live_variants(product=product), per_page=PER_PAGE)
    rows = [(variant, grid_forms.get(variant.pk) or VariantRowForm(variant=variant, images=images)) for variant in page]
    archived = Paginator(selectors.archived_variants(product=product), ARCHIVED_PER_PAGE).get_page(
        request.GET.get("archived_page")
    )
    bulk_form = bulk_form or BulkEditForm(images=images, field_labels=services.BULK_FIELDS)
    context = {
        "nav": "products",
        "product": product,
        "currency": product.store.currency,
        "option_rows": option_rows,
        "option_names": [option.name for option in options],
        "option_form": option_form or OptionForm(),
        "can_add_option": len(options) < MAX_OPTIONS,
        "max_options": MAX_OPTIONS,
        "summary": summary,
        "settings_form": settings_form
        or InventorySettingsForm(
            initial={"track_inventory": product.track_inventory, "low_stock_threshold": product.low_stock_threshold}
        ),
        "images": images,
        "page_obj": page,
        "rows": rows,
        "grid_error": grid_error,
        "archived": archived,
        "bulk_form": bulk_form,
        "selected": bulk_form.selected() if bulk_form.is_bound else set(),
        "plan": plan,
        "generate_error": generate_error,
        "new_variant_form": new_variant_form or VariantCreateForm(options=options),
    }
    return render(request, TEMPLATE, context)


# The manager page -------------------------------------------------------------------------


@active_store_required(area=Area.PRODUCTS, store_of=store_of_product)
@require_GET
def dashboard_variants(request: HttpRequest, product_id: int) -> HttpResponse:
    return _render_manager(request, _product(request, product_id))


@active_store_required(area=Area.PRODUCTS)
@require_GET
def dashboard_variants_preview(request: HttpRequest, product_id: int) -> HttpResponse:
    """What "Generate variants" would do now; nothing is written. HTMX gets the fragment."""
    product = _product(request, product_id)
    plan = services.preview_variants(product=product)
    if getattr(request, "htmx", False):
        context = {"product": product, "plan": plan, "option_names": selectors.option_names(product=product)}
        return render(request, TEMPLATE, context, partial="preview")
    return _render_manager(request, product, plan=plan)


@active_store_required(area=Area.PRODUCTS)
@require_POST
def dashboard_variants_generate(request: HttpRequest, product_id: int) -> HttpResponse:
    product = _product(request, product_id)
    try:
        created = services.generate_variants(product=product)
    except ValidationError as error:
        return _render_manager(request, product, generate_error=" ".join(error.messages))
    if created:
        messages.success(request, f"Created {_plural(len(created), 'variant')}. Set their stock and SKUs below.")
    else:
        messages.info(request, "Nothing to create: every combination already has a variant.")
    return _back(request, product, anchor="variant-grid")


@active_store_required(area=Area.PRODUCTS)
@require_POST
def dashboard_variant_add(request: HttpRequest, product_id: int) -> HttpResponse:
    """One variant for one chosen combination (generate makes them all)."""
    product = _product(request, product_id)
    form = VariantCreateForm(request.POST, options=selectors.product_options(product=product))
    if form.is_valid():
        try:
            variant = services.create_variant(product=product, options=form.chosen(), actor=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Added the variant {variant.name}.")
            return _back(request, product, anchor="variant-grid")
    return _render_manager(request, product, new_variant_form=form)


# The grid and bulk edit -----------------------------------------------------------------


def _ids(values: list[str]) -> list[int]:
    """The row ids posted with the grid; anything that can't be a row id (not ASCII digits, or
    past a database integer: a 500 before) is ignored."""
    return sorted({int(value) for value in values if value.isascii() and value.isdigit() and len(value) <= 18})


@active_store_required(area=Area.PRODUCTS)
@require_POST
def dashboard_variants_grid(request: HttpRequest, product_id: int) -> HttpResponse:
    """Save the grid page's rows: every changed row through services.update_variant, in one
    transaction. One refused value and nothing of the submission is saved."""
    product = _product(request, product_id)
    images = selectors.product_images(product=product)
    variants = selectors.grid_variants(product=product, ids=_ids(request.POST.getlist("rows")))
    forms = {variant.pk: VariantRowForm(request.POST, variant=variant, images=images) for variant in variants}
    saved, failed = 0, False
    with transaction.atomic():
        for variant in variants:
            form = forms[variant.pk]
            if not form.is_valid():
                failed = True
                continue
            changes = form.changes()
            if not changes:
                continue
            try:
                services.update_variant(variant=variant, actor=request.user, **changes)
            except ValidationError as error:
                apply_errors(form, _renamed(error))
                failed = True
            else:
                saved += 1
        if failed:
            transaction.set_rollback(True)
    if failed:
        return _render_manager(
            request, product, grid_forms=forms, grid_error="Nothing was saved: correct the fields marked below."
        )
    if saved:
        messages.success(request, f"Saved {_plural(saved, 'variant')}.")
    else:
        messages.info(request, "Nothing to save: no field was changed.")
    return _back(request, product, anchor="variant-grid")


def _bulk_message(form: BulkEditForm, count: int, product: Product) -> str:
    field, value = form.cleaned_data["field"], form.value()
    what = _plural(count, "variant")
    if field == "inventory_count":
        return f"Stock set to {value:,} on {what}."
    if field == "price_modifier":
        if value == "":
            return f"{what.capitalize()} now take their price modifier from their options."
        return f"Price modifier set to {_money(product, value)} on {what}."
    if field == "is_enabled":
        return f"{'Enabled' if value else 'Disabled'} {what}."
    return f"{'Image set' if value else 'Image removed'} on {what}."


@active_store_required(area=Area.PRODUCTS)
@require_POST
def dashboard_variants_bulk(request: HttpRequest, product_id: int) -> HttpResponse:
    product = _product(request, product_id)
    images = selectors.product_images(product=product)
    form = BulkEditForm(request.POST, images=images, field_labels=services.BULK_FIELDS)
    if form.is_valid():
        try:
            count = services.bulk_update_variants(
                product=product,
                variant_ids=form.cleaned_data["variant_ids"],
                field=form.cleaned_data["field"],
                value=form.value(),
                actor=request.user,
            )
        except ValidationError as error:
            apply_errors(form, _renamed(error))
        else:
            messages.success(request, _bulk_message(form, count, product))
            return _back(request, product, anchor="variant-grid")
    return _render_manager(request, product, bulk_form=form)


__all__ = [
    "dashboard_variant_add",
    "dashboard_variants",
    "dashboard_variants_bulk",
    "dashboard_variants_generate",
    "dashboard_variants_grid",
    "dashboard_variants_preview",
]
