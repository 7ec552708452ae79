import logging
import uuid
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from shomp.catalog.models import Product, Variant
from shomp.catalog.policies import can_view_product
from shomp.core.countries import country_choices, country_name, is_country
from shomp.core.exceptions import ServiceError
from shomp.core.forms import apply_service_errors
from shomp.core.htmx import render
from shomp.core.pagination import paginate
from shomp.core.uploads import serve_private_file
from shomp.organizations.areas import MEMBER, Area
from shomp.stores.policies import active_store_required, can

from . import events, hooks, selectors, services
from .forms import AddressChoiceForm, AddToCartForm, PaymentForm, ShippingForm, ShippingSettingsForm
from .models import Checkout, Order
from .payments import Card, get_payment_provider
from .policies import access_address, access_order_for_buyer, can_download_item

logger = logging.getLogger(__name__)


def _cart_context(request: HttpRequest, *, country: str = "") -> dict:
    cart = selectors.find_cart(user=request.user, session=request.session)
    items = selectors.cart_items(cart=cart)
    context = {
        "cart": cart,
        "groups": selectors.group_by_store(items),
        "items_total": sum((item.line_total for item in items), 0),
        "cart_count": sum(item.quantity for item in items),
        "needs_shipping": any(not item.product.is_digital for item in items),
    }
    return context | _shipping_context(context, country=country)


def _shipping_context(context: dict, *, country: str) -> dict:
    """Each store's shipping to `country` (services.quote_shipping) on its group, and the totals:
    `total` is the items plus every store's shipping, once every store's shipping is known."""
    for group in context["groups"]:
        group["shipping"] = services.quote_shipping(
            store=group["store"], lines=services.cart_lines(group["items"]), country=country
        )
    quotes = [group["shipping"] for group in context["groups"]]
    shipping_total = sum((quote.amount for quote in quotes if quote.ships), 0)
    return {
        "country": country,
        "country_name": country_name(country),
        "shipping_total": shipping_total,
        "shipping_known": all(quote.ships for quote in quotes),
        "shipping_refusals": [quote.refusal for quote in quotes if quote.refusal],
        "total": context["items_total"] + shipping_total,
    }


def _buyer_country(request: HttpRequest, addresses=None) -> str:
    """The country the cart shows shipping to: the one picked on the page, else the buyer's
    last used address's, else none yet."""
    picked = request.POST.get("country") or request.GET.get("country", "")
    if is_country(picked):
        return picked
    addresses = selectors.user_addresses(user=request.user) if addresses is None else addresses
    return addresses[0].country if addresses else ""


# Cart ------------------------------------------------------------------------------------


@login_not_required
def cart(request: HttpRequest) -> HttpResponse:
    context = _cart_context(request, country=_buyer_country(request))
    return render(request, "orders/cart.html", context | {"countries": country_choices()}, partial="cart")


@login_not_required
@require_POST
def cart_add(request: HttpRequest) -> HttpResponse:
    """Add to cart from a product page. With HTMX the buyer stays on the page: the buy box's status
    line says what happened (with a link to the cart) and the header's badges follow. Without
    JavaScript: back to the product page with the same message."""
    form = AddToCartForm(request.POST)
    if not form.is_valid():
        error = " ".join(e for errors in form.errors.values() for e in errors)
        if request.htmx:
            return _added(request, error=error)
        messages.error(request, error)
        referer = request.META.get("HTTP_REFERER", "")
        safe = url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()})
        return redirect(referer if referer and safe else "orders:cart")
    product = Product.objects.select_related("store").filter(pk=form.cleaned_data["product"]).first()
    if product is None or not can_view_product(request.user, product):
        raise Http404("No such product.")
    variant_id = form.cleaned_data["variant"]
    variant = selectors.find_variant(variant_id=variant_id) if variant_id else None
    try:
        if variant_id and variant is None:
            raise ValidationError(services.VARIANT_UNAVAILABLE)
        services.add_to_cart(
            cart=services.get_or_create_cart(user=request.user, session=request.session),
            product=product,
            variant=variant,
            quantity=form.cleaned_data["quantity"],
        )
    except ValidationError as error:
        if request.htmx:
            return _added(request, error=" ".join(error.messages))
        messages.error(request, " ".join(error.messages))
        return redirect(_product_url(product, variant))
    label = services.line_label(product, variant)
    if request.htmx:
        return _added(request, label=label)
    messages.success(
        request, format_html('Added “{}” to your cart. <a href="{}">View cart</a>', label, reverse("orders:cart"))
    )
    return redirect(_product_url(product, variant))


def _added(request: HttpRequest, *, label: str = "", error: str = "") -> HttpResponse:
    """The buy box's status line after an HTMX add, with the header's cart badges out of band."""
    return render(request, "orders/partials/_added_to_cart.html", {"label": label, "error": error})


def _product_url(product: Product, variant: Variant | None) -> str:
    """Back to the product page, with the buyer's choice still picked when it is one of its own."""
    url = product.get_absolute_url()
    if variant is not None and variant.product_id == product.pk and variant.is_enabled and not variant.is_archived:
        url += f"?variant={variant.pk}"
    return url


@login_not_required
@require_POST
def cart_update(request: HttpRequest, item_id: int) -> HttpResponse:
    cart = selectors.find_cart(user=request.user, session=request.session)
    if cart is None:
        raise Http404("No cart.")
    error_message = None
    try:
        quantity = 0 if "remove" in request.POST else int(request.POST.get("quantity", ""))
        services.update_cart_item(cart=cart, item_id=item_id, quantity=quantity)
    except ValueError:
        error_message = "Enter a whole number."
    except ValidationError as error:
        if error.messages == ["That item is not in your cart."]:
            raise Http404("No such cart item.") from None
        error_message = " ".join(error.messages)
    context = _cart_context(request, country=_buyer_country(request)) | {
        "line_error": {item_id: error_message} if error_message else {},
        "countries": country_choices(),
    }
    if not request.htmx and error_message:
        messages.error(request, error_message)
    if not request.htmx:
        return redirect("orders:cart")
    return render(request, "orders/cart.html", context, partial="cart")


# Checkout --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def checkout(request: HttpRequest) -> HttpResponse:
    context = _cart_context(request)
    if not context["groups"]:
        # A double submit, or another tab, whose cart a checkout just emptied: show that checkout.
        if request.method == "POST" and (placed := _placed_checkout(request)) is not None:
            return _already_placed(request, placed)
        messages.info(request, "Your cart is empty.")
        return redirect("orders:cart")
    summary_only = request.method == "GET" and request.htmx  # the address changed: new shipping figures
    if request.method == "GET" and not summary_only:  # the buyer is at the checkout with these stores' items
        hooks.checkout_started.send(
            cart_id=context["cart"].pk,
            store_ids=[group["store"].pk for group in context["groups"]],
            user_id=request.user.pk,
        )
    needs_shipping = context["needs_shipping"]
    addresses = selectors.user_addresses(user=request.user) if needs_shipping else []
    data = request.POST if request.method == "POST" else (request.GET if summary_only else None)
    choice_form = (
        AddressChoiceForm(data, addresses=addresses, initial={"address": str(addresses[0].pk)}) if addresses else None
    )
    # A form without the choice (opened before the buyer had saved addresses) carries a new one.
    new_address = needs_shipping and (not addresses or (data or {}).get("ship-address", "new") == "new")
    shipping_form = ShippingForm(request.POST if request.method == "POST" and new_address else None)
    # A new country: new shipping figures (with the "new address" choice, when there is one).
    # hx-sync: the country and the address choice share one queue, one request at a time and the
    # latest waiting one kept (an answer for an earlier choice could otherwise land last and
    # undo the country the buyer just picked).
    summary_attrs = {
        "hx-get": reverse("orders:checkout"),
        "hx-target": "#checkout-summary",
        "hx-sync": "#checkout-summary:queue last",
    }
    shipping_form.fields["country"].widget.attrs.update(summary_attrs)
    if addresses:
        shipping_form.fields["country"].widget.attrs["hx-include"] = "#ship-address-new"
    context |= _shipping_context(context, country=_checkout_country(data, addresses))
    if summary_only:
        return render(request, "orders/checkout.html", context, partial="summary")
    provider = get_payment_provider()
    payment_form = PaymentForm(request.POST or None, initial={"token": uuid.uuid4()})
    if request.method == "POST":
        shipping, shipping_ok = None, True
        if needs_shipping and not new_address:
            shipping_ok = choice_form.is_valid() and choice_form.chosen() is not None
            if shipping_ok:
                shipping = services.ShippingAddress.of(choice_form.chosen())
        elif needs_shipping:
            shipping_ok = shipping_form.is_valid()
            if shipping_ok:
                shipping = services.ShippingAddress(**shipping_form.cleaned_data)
        if payment_form.is_valid() and shipping_ok:
            data = payment_form.cleaned_data
            try:
                placed = services.place_order(
                    buyer=request.user,
                    cart=context["cart"],
                    token=data["token"],
                    card=Card(number=data["card_number"], expiry=data["expiry"], cvc=data["cvc"]),
                    shipping=shipping,
                    provider=provider,
                    expected_items_total=_shown_items_total(request),
                    expected_shipping_total=_shown_amount(request, "expected_shipping_total"),
                )
            except services.AlreadyPlaced as already:  # a double submit or another tab: show the first
                return _already_placed(request, already.checkout)
            except (ValidationError, ServiceError) as error:
                message = error.message if isinstance(error, ServiceError) else " ".join(error.messages)
                payment_form.add_error(None, message)
                # A new token: the refused attempt left nothing behind, the next one is fresh.
                payment_form = _refresh_token(payment_form)
                context = _cart_context(request, country=context["country"])
            else:
                return redirect("orders:checkout_done", token=placed.token)
    return render(
        request,
        "orders/checkout.html",
        context
        | {
            "shipping_form": shipping_form if needs_shipping else None,
            "choice_form": choice_form,
            "new_address": new_address,
            "payment_form": payment_form,
            "provider": provider,
        },
    )


def _checkout_country(data, addresses) -> str:
    """The country shipping is figured for: the chosen saved address's, or the new address's
    country; on opening the page, the last used address's."""
    if data is None:
        return addresses[0].country if addresses else ""
    choice = data.get("ship-address", "new")
    chosen = next((a for a in addresses if str(a.pk) == choice), None)
    if chosen is not None:
        return chosen.country
    code = data.get("ship-country", "")
    return code if is_country(code) else ""


def _shown_amount(request: HttpRequest, name: str) -> Decimal | None:
    """An amount the checkout page showed (a hidden field); None when missing or not an amount."""
    try:
        return Decimal(request.POST.get(name, "")).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return None


def _shown_items_total(request: HttpRequest) -> Decimal | None:
    """The items' total the checkout page showed (its hidden field): place_order refuses to
    charge anything else. None when missing or not an amount (then it isn't compared)."""
    try:
        return Decimal(request.POST.get("expected_items_total", "")).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return None


def _posted_token(request: HttpRequest) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(request.POST.get("token", "")))
    except ValueError:
        return None


def _placed_checkout(request: HttpRequest) -> Checkout | None:
    """The checkout this user already placed with the submitted form's token, or else the one
    that emptied their cart a moment ago (from another tab), if any."""
    token = _posted_token(request)
    placed = Checkout.objects.filter(token=token, buyer=request.user).first() if token else None
    return placed or selectors.recent_checkout(buyer=request.user)


def _already_placed(request: HttpRequest, placed: Checkout) -> HttpResponse:
    """To the confirmation of the checkout that paid for this cart; a word when it was another tab's."""
    if placed.token != _posted_token(request):
        messages.info(request, "Your cart was already paid for in another tab or window: this is that order.")
    return redirect("orders:checkout_done", token=placed.token)


def _refresh_token(form: PaymentForm) -> PaymentForm:
    data = form.data.copy()
    data["token"] = str(uuid.uuid4())
    refreshed = PaymentForm(data)
    refreshed.is_valid()
    for error in form.non_field_errors():
        refreshed.add_error(None, error)
    return refreshed


def checkout_done(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    placed = Checkout.objects.filter(token=token, buyer=request.user).first()
    if placed is None:
        raise Http404("No such checkout.")
    orders = list(placed.orders.select_related("store").prefetch_related("items").order_by("pk"))
    return render(request, "orders/checkout_done.html", {"checkout": placed, "orders": orders})


# Buyer's orders --------------------------------------------------------------------------


def order_list(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.buyer_orders(user=request.user), per_page=20)
    return render(request, "orders/order_list.html", {"page_obj": page})


def order_download(request: HttpRequest, order_uuid: uuid.UUID, item_id: int) -> HttpResponse:
    order = access_order_for_buyer(user=request.user, order_uuid=order_uuid)
    item = order.items.select_related("product").filter(pk=item_id).first()
    if item is None or not can_download_item(request.user, order, item):
        raise Http404("No such download.")
    product = item.product
    if not product.digital_file.storage.exists(product.digital_file.name):
        logger.error("Digital file missing from storage: product %s, file %s", product.pk, product.digital_file.name)
        raise Http404("This file is missing.")
    return serve_private_file(
        product.digital_file,
        download_name=product.digital_file_name or f"{product.slug}",
        content_type=product.digital_file_type or None,
    )


# Seller dashboard ------------------------------------------------------------------------


@active_store_required(area=MEMBER)
def dashboard_home(request: HttpRequest) -> HttpResponse:
    # Every member lands here; the orders overview only for those who may read orders.
    store = request.store
    if not can(request.user, store, Area.ORDERS_VIEW):
        return render(request, "orders/dashboard_home.html", {"nav": "home", "can_view_orders": False})
    recent = selectors.recent_store_orders(store=store)
    return render(
        request,
        "orders/dashboard_home.html",
        {
            "overview": selectors.store_overview(store=store),
            "orders": recent,
            "nav": "home",
            "can_view_orders": True,
            "realtime_topics": [events.store_orders_topic(store.pk)],
        },
    )


@active_store_required(area=Area.ORDERS_VIEW)
def dashboard_orders(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    page = paginate(request, selectors.store_orders(store=request.store, status=status), per_page=25)
    return render(
        request,
        "orders/dashboard_orders.html",
        {
            "page_obj": page,
            "status": status,
            "statuses": Order.Status.choices,
            "nav": "orders",
            "realtime_topics": [events.store_orders_topic(request.store.pk)] if not status else [],
        },
    )


@active_store_required(area=Area.SETTINGS)
@require_http_methods(["GET", "POST"])
def dashboard_shipping(request: HttpRequest) -> HttpResponse:
    store = request.store
    current = selectors.shipping_settings(store=store)
    initial = {"processing_days": services.shipping.DEFAULT_PROCESSING_DAYS}
    if current is not None:
        initial = {
            "ships_from": current.ships_from,
            "domestic_rate": current.domestic_rate,
            "domestic_extra_item_rate": current.domestic_extra_item_rate,
            "ships_abroad": current.international_rate is not None,
            "international_rate": current.international_rate,
            "international_extra_item_rate": current.international_extra_item_rate,
            "free_over": current.free_over,
            "processing_days": current.processing_days,
        }
    form = ShippingSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        abroad = data["ships_abroad"]
        try:
            services.update_shipping_settings(
                store=store,
                actor=request.user,
                ships_from=data["ships_from"],
                domestic_rate=data["domestic_rate"],
                domestic_extra_item_rate=data["domestic_extra_item_rate"] or 0,
                international_rate=data["international_rate"] if abroad else None,
                international_extra_item_rate=(data["international_extra_item_rate"] or 0) if abroad else 0,
                free_over=data["free_over"],
                processing_days=data["processing_days"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Shipping saved.")
            return redirect("orders:dashboard_shipping")
    return render(
        request,
        "orders/dashboard_shipping.html",
        {"form": form, "settings": current, "store": store, "nav": "shipping"},
    )


# The buyer's addresses -------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def address_list(request: HttpRequest) -> HttpResponse:
    form = ShippingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_address(user=request.user, shipping=services.ShippingAddress(**form.cleaned_data))
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Address saved.")
            return redirect("orders:addresses")
    addresses = selectors.user_addresses(user=request.user)
    return render(request, "orders/address_list.html", {"addresses": addresses, "form": form})


@require_POST
def address_delete(request: HttpRequest, address_id: int) -> HttpResponse:
    address = access_address(user=request.user, address_id=address_id)
    services.delete_address(user=request.user, address=address)
    messages.success(request, "Address deleted.")
    return redirect("orders:addresses")
