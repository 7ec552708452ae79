from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST

from shomp.core.forms import apply_service_errors as apply_errors
from shomp.core.htmx import render
from shomp.core.pagecache import STORE, shared_page
from shomp.core.pagination import paginate
from shomp.organizations.areas import MEMBER, Area
from shomp.stores.policies import active_store_required, can
from shomp.stores.selectors import get_store_by_slug

from .. import selectors, services
from ..forms import ProductForm
from ..models import Product
from ..policies import access_product_for_management, store_of_product

# Public pages ---------------------------------------------------------------------------


@shared_page(scope=STORE)
@login_not_required
def product_page(request: HttpRequest, store_slug: str, product_ref: str) -> HttpResponse:
    store = get_store_by_slug(slug=store_slug)
    if store is None:
        raise Http404("No such store.")
    product = selectors.get_visible_product(user=request.user, store=store, product_ref=product_ref)
    if product is None:
        raise Http404("No such product.")
    if product_ref != product.slug:  # a numeric id resolves, the slug is the address (the choice kept)
        query = request.GET.urlencode()
        return redirect(product.get_absolute_url() + (f"?{query}" if query else ""), permanent=False)
    # A product with variants: the option picker, from `?variant=<id>` or a partial `?o=..`.
    # Picking a value asks this same URL with HTMX and swaps the gallery and buy box only.
    picker = (
        selectors.variant_picker.build_variant_picker(product=product, params=request.GET)
        if product.has_variants
        else None
    )
    return render(
        request,
        "catalog/product_page.html",
        {
            "store": store,
            "product": product,
            "picker": picker,
            "is_manager": can(request.user, store, Area.PRODUCTS),
            "is_team": can(request.user, store, MEMBER),
        },
        partial="variant_choice",
    )


# Seller dashboard -----------------------------------------------------------------------


@active_store_required(area=Area.PRODUCTS)
def dashboard_products(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    query = request.GET.get("q", "")[:200]
    page = paginate(request, selectors.dashboard_products(store=request.store, status=status, query=query), per_page=25)
    return render(
        request,
        "catalog/dashboard_products.html",
        {"page_obj": page, "status": status, "query": query, "statuses": Product.Status.choices, "nav": "products"},
    )


@active_store_required(area=Area.PRODUCTS)
@require_http_methods(["GET", "POST"])
def dashboard_product_new(request: HttpRequest) -> HttpResponse:
    form = ProductForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            product = services.create_product(
                store=request.store,
                title=data["title"],
                slug=data["slug"],
                description=data["description"],
                price=data["price"],
                kind=data["kind"],
                stock=data["stock"],
                images=data["images"],
                digital_file=data["digital_file"],
                publish="publish" in request.POST,
                category=data["category"],
                tags=data["tags"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                f"“{product.title}” {'is live' if 'publish' in request.POST else 'saved as a draft'}."
                + _images_note(data),
            )
            if data.get("has_options"):  # on to its options and variants
                return redirect("catalog:dashboard_variants", product_id=product.pk)
            return redirect("catalog:dashboard_product_edit", product_id=product.pk)
    return render(request, "catalog/dashboard_product_form.html", {"form": form, "nav": "products"})


# A link from the product's public page, a review or an email, while another of the user's
# stores is active: the door opens the product's own store instead of a 404.
@active_store_required(area=Area.PRODUCTS, store_of=store_of_product)
@require_http_methods(["GET", "POST"])
def dashboard_product_edit(request: HttpRequest, product_id: int) -> HttpResponse:
    product = access_product_for_management(user=request.user, store=request.store, product_id=product_id)
    form = ProductForm(request.POST or None, request.FILES or None, product=product)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_product(
                product=product,
                title=data["title"],
                slug=data["slug"],
                description=data["description"],
                price=data["price"],
                kind=data["kind"],
                stock=data["stock"],
                digital_file=data["digital_file"],
                images=data["images"],
                category=data["category"],
                tags=data["tags"],
            )
        except ValidationError as error:
            product.refresh_from_db()
            apply_errors(form, error)
        else:
            messages.success(request, "Product saved." + _images_note(data))
            return redirect("catalog:dashboard_product_edit", product_id=product.pk)
    images = list(product.images.all())
    return render(
        request,
        "catalog/dashboard_product_form.html",
        {
            "form": form,
            "product": product,
            "images": images,
            "images_processing": any(image.is_processing for image in images),
            "variant_summary": selectors.variants.inventory_summary(product=product),
            "nav": "products",
        },
    )


def _images_note(data: dict) -> str:
    """New images are decoded by the worker: say so, or the seller looks for them in vain."""
    return " New images appear once they are processed, in a moment." if data.get("images") else ""


@active_store_required(area=Area.PRODUCTS)
@require_POST
def dashboard_product_status(request: HttpRequest, product_id: int) -> HttpResponse:
    product = access_product_for_management(user=request.user, store=request.store, product_id=product_id)
    action = request.POST.get("action")
    actions = {
        "publish": (services.publish_product, "“{}” is live."),
        "unpublish": (services.unpublish_product, "“{}” is back to draft."),
        "archive": (services.archive_product, "“{}” is archived."),
    }
    if action not in actions:
        messages.error(request, "Unknown action.")
    else:
        service, message = actions[action]
        try:
            service(product=product)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, message.format(product.title))
    next_url = request.POST.get("next", "")
    return redirect(next_url if next_url.startswith("/dashboard/") else "catalog:dashboard_products")


@active_store_required(area=Area.PRODUCTS)
@require_POST
def dashboard_product_image(request: HttpRequest, product_id: int, image_id: int) -> HttpResponse:
    product = access_product_for_management(user=request.user, store=request.store, product_id=product_id)
    action = request.POST.get("action")
    try:
        if action == "remove":
            services.remove_product_image(product=product, image_id=image_id)
        elif action in {"up", "down"}:
            services.move_product_image(product=product, image_id=image_id, direction=-1 if action == "up" else 1)
        else:
            raise ValidationError("Unknown action.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("catalog:dashboard_product_edit", product_id=product.pk)
