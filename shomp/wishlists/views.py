"""Hearts, my lists, a list, shared lists. Thin: parse, ask the policy, call a service or a
selector, render. The heart's state is a per-visitor fragment; the pages that show it stay shared."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shomp.catalog.policies import access_product_for_management
from shomp.core.exceptions import RateLimited
from shomp.core.htmx import render
from shomp.core.params import parse_id
from shomp.orders.services.cart import get_or_create_cart
from shomp.organizations.areas import Area
from shomp.stores.policies import active_store_required

from . import alerts, insights, selectors, services
from .forms import InsightsRangeForm
from .models import DEFAULT_NAME, DESCRIPTION_MAX, NAME_MAX, NOTE_MAX
from .policies import (
    access_insights_product,
    access_own_cart_line,
    access_own_item,
    access_own_wishlist,
    access_saveable_product,
    access_shared_item,
    access_shared_wishlist,
)

PENDING_KEY = "wishlists:pending"


def _local(url: str | None) -> str | None:
    if url and url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        return url
    return None


def _errors(error: ValidationError) -> str:
    return " ".join(error.messages)


# The heart -------------------------------------------------------------------------------


def _heart(request: HttpRequest, product, variant, *, message: str = "", error: str = "", compact: bool = False):
    saved_in = selectors.saved_in(user=request.user, product=product, variant_id=variant.pk if variant else None)
    lists = selectors.list_choices(user=request.user) if request.user.is_authenticated and not compact else []
    default = next((w for w in lists if w.is_default), None)
    context = {
        "product": product,
        "variant": variant,
        "saved": bool(saved_in),
        "saved_in": saved_in,
        "in_default": default is not None and default.pk in saved_in,
        "lists": lists,
        "message": message,
        "error": error,
        "compact": compact,
        "name_max": NAME_MAX,
    }
    return render(request, "wishlists/partials/_heart.html", context)


@login_not_required
@require_GET
def heart(request: HttpRequest, product_id: str) -> HttpResponse:
    """The heart and "Save to list…" for one product (and its chosen variant)."""
    product, variant = access_saveable_product(
        user=request.user, product_id=product_id, variant_id=request.GET.get("variant")
    )
    return _heart(request, product, variant, compact=request.GET.get("compact") == "1")


@login_not_required
@require_GET
def hearts_state(request: HttpRequest) -> JsonResponse:
    """Which of a grid's products the visitor saved: one request and one query for all cards."""
    ids = [pid for value in request.GET.getlist("p")[:200] if (pid := parse_id(value)) is not None]
    saved = selectors.saved_product_ids(user=request.user, product_ids=ids)
    response = JsonResponse({"saved": sorted(saved)})
    response["Cache-Control"] = "private, no-store"
    return response


def _ask_to_log_in(request: HttpRequest, product, variant) -> HttpResponse:
    """Remember what to save, then log in; /wishlists/pending/ saves it afterwards."""
    request.session[PENDING_KEY] = {
        "product": product.pk,
        "variant": variant.pk if variant else None,
        "back": _local(request.POST.get("next")) or product.get_absolute_url(),
    }
    url = f"{reverse('account_login')}?next={reverse('wishlists:pending')}"
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


@login_not_required
@require_POST
def heart_toggle(request: HttpRequest, product_id: str) -> HttpResponse:
    """One click: saved to Favourites (made on first use); again: removed from Favourites."""
    product, variant = access_saveable_product(
        user=request.user, product_id=product_id, variant_id=request.POST.get("variant")
    )
    if not request.user.is_authenticated:
        return _ask_to_log_in(request, product, variant)
    message = error = ""
    try:
        if request.POST.get("action") == "remove":
            default = services.default_wishlist(user=request.user)
            item = default.items.filter(product=product, variant=variant).first()
            if item is not None:
                services.remove_from_wishlist(user=request.user, item=item)
            message = f"Removed from {default.name}."
        else:
            result = services.add_to_wishlist(user=request.user, product=product, variant=variant)
            name = result.item.wishlist.name
            message = f"Saved to {name}." if result.created else f"Already in {name}."
    except ValidationError as exc:
        error = _errors(exc)
    if request.htmx:
        return _heart(
            request, product, variant, message=message, error=error, compact=request.POST.get("compact") == "1"
        )
    (messages.error if error else messages.success)(request, error or message)
    return redirect(_local(request.POST.get("next")) or product.get_absolute_url())


def _picker(request: HttpRequest, product, variant, **extra) -> HttpResponse:
    """ "Save to list…" for a card or a cart line: the visitor's lists, or a log-in link."""
    authenticated = request.user.is_authenticated
    lists = selectors.list_choices(user=request.user) if authenticated else []
    context = {
        "product": product,
        "variant": variant,
        "lists": lists,
        "no_default": authenticated and not any(w.is_default for w in lists),
        "default_name": DEFAULT_NAME,
        "saved_in": selectors.saved_in(user=request.user, product=product, variant_id=variant.pk if variant else None),
        "name_max": NAME_MAX,
        "next": _local(request.htmx.current_url_abs_path if request.htmx else None) or product.get_absolute_url(),
        **extra,
    }
    return render(request, "wishlists/partials/_picker.html", context)


@login_not_required
@require_GET
def picker(request: HttpRequest, product_id: str) -> HttpResponse:
    product, variant = access_saveable_product(
        user=request.user, product_id=product_id, variant_id=request.GET.get("variant")
    )
    response = _picker(request, product, variant)
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def save_to(request: HttpRequest, product_id: str) -> HttpResponse:
    """The second control: save to a chosen list, or to a new one named here. From a card's or
    a cart line's picker (`picker=1`) it answers with the picker; from the product page, the heart."""
    product, variant = access_saveable_product(
        user=request.user, product_id=product_id, variant_id=request.POST.get("variant")
    )
    message = error = ""
    wishlist = None
    new_name = (request.POST.get("new_list") or "").strip()
    try:
        if new_name:
            wishlist = services.create_wishlist(user=request.user, name=new_name)
        elif not request.POST.get("wishlist"):
            raise ValidationError("Choose a list, or name a new one.")
        elif request.POST.get("wishlist") == "default":  # the picker offers Favourites before it exists
            wishlist = services.default_wishlist(user=request.user)
        else:
            wishlist = access_own_wishlist(user=request.user, wishlist_id=request.POST.get("wishlist"))
        result = services.add_to_wishlist(user=request.user, product=product, variant=variant, wishlist=wishlist)
        message = f"Saved to {wishlist.name}." if result.created else f"Already in {wishlist.name}."
    except ValidationError as exc:
        error = _errors(exc)
        wishlist = None
    if request.htmx and request.POST.get("picker") == "1":
        return _picker(
            request,
            product,
            variant,
            message=message,
            error=error,
            saved_to=wishlist,
            chosen=wishlist.pk if wishlist else None,
            new_list=new_name if error else "",
        )
    if request.htmx:
        return _heart(request, product, variant, message=message, error=error)
    (messages.error if error else messages.success)(request, error or message)
    return redirect(_local(request.POST.get("next")) or product.get_absolute_url())


@require_GET
def pending(request: HttpRequest) -> HttpResponse:
    """After logging in: save what the visitor hearted before (put in the session by a POST)."""
    data = request.session.pop(PENDING_KEY, None)
    if not isinstance(data, dict):
        return redirect("wishlists:index")
    back = _local(data.get("back")) or reverse("wishlists:index")
    try:
        product, variant = access_saveable_product(
            user=request.user, product_id=data.get("product"), variant_id=data.get("variant")
        )
        result = services.add_to_wishlist(user=request.user, product=product, variant=variant)
        messages.success(request, f"Saved “{product.title}” to {result.item.wishlist.name}.")
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        back = reverse("wishlists:index")
    except Http404:  # the product went away (or out of sight) meanwhile: its page would be a 404
        messages.error(request, services.PRODUCT_UNAVAILABLE)
        back = reverse("wishlists:index")
    return redirect(back)


# My lists --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    errors: dict[str, str] = {}
    values = {"name": "", "description": ""}
    if request.method == "POST":
        values = {"name": request.POST.get("name", ""), "description": request.POST.get("description", "")}
        try:
            wishlist = services.create_wishlist(user=request.user, **values)
        except ValidationError as exc:
            errors = (
                {k: " ".join(v) for k, v in exc.message_dict.items()}
                if hasattr(exc, "error_dict")
                else {"name": _errors(exc)}
            )
        else:
            messages.success(request, f"“{wishlist.name}” is ready.")
            return redirect(wishlist)
    context = {
        "wishlists": selectors.my_wishlists(user=request.user),
        "errors": errors,
        "values": values,
        "name_max": NAME_MAX,
        "description_max": DESCRIPTION_MAX,
    }
    return render(request, "wishlists/index.html", context, status=400 if errors else None)


@require_GET
def detail(request: HttpRequest, wishlist_id: str) -> HttpResponse:
    wishlist = access_own_wishlist(user=request.user, wishlist_id=wishlist_id)
    context = {
        "wishlist": wishlist,
        "items": selectors.wishlist_items(wishlist=wishlist),
        "lists": [w for w in selectors.list_choices(user=request.user) if w.pk != wishlist.pk],
        "note_max": NOTE_MAX,
        "name_max": NAME_MAX,
        "description_max": DESCRIPTION_MAX,
    }
    return render(request, "wishlists/detail.html", context)


def _list_action(request: HttpRequest, wishlist_id: str, action, success: str) -> HttpResponse:
    wishlist = access_own_wishlist(user=request.user, wishlist_id=wishlist_id)
    try:
        action(wishlist)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, success.format(name=wishlist.name))
    return redirect(wishlist)


@require_POST
def rename(request: HttpRequest, wishlist_id: str) -> HttpResponse:
    return _list_action(
        request,
        wishlist_id,
        lambda w: services.rename_wishlist(
            user=request.user,
            wishlist=w,
            name=request.POST.get("name", ""),
            description=request.POST.get("description", ""),
        ),
        "Saved.",
    )


@require_POST
def share(request: HttpRequest, wishlist_id: str) -> HttpResponse:
    return _list_action(
        request,
        wishlist_id,
        lambda w: services.share_wishlist(
            user=request.user,
            wishlist=w,
            public=request.POST.get("public") == "on",
            gift_list=request.POST.get("gift_list") == "on",
            owner_sees_claims=request.POST.get("hide_claims") != "on",
        ),
        "Sharing updated.",
    )


@require_POST
def new_link(request: HttpRequest, wishlist_id: str) -> HttpResponse:
    return _list_action(
        request,
        wishlist_id,
        lambda w: services.regenerate_link(user=request.user, wishlist=w),
        "New link made: the old one no longer works.",
    )


@require_POST
def delete(request: HttpRequest, wishlist_id: str) -> HttpResponse:
    wishlist = access_own_wishlist(user=request.user, wishlist_id=wishlist_id)
    services.delete_wishlist(user=request.user, wishlist=wishlist)
    messages.success(request, f"“{wishlist.name}” is deleted.")
    return redirect("wishlists:index")


@require_POST
def save_for_later(request: HttpRequest, item_id: str) -> HttpResponse:
    """A cart line goes to Favourites and leaves the cart (logged-in buyers; a visitor's cart
    line offers the heart, which saves after logging in)."""
    cart = get_or_create_cart(user=request.user, session=request.session)
    line = access_own_cart_line(cart=cart, item_id=item_id)
    title = line.product.title
    try:
        result = services.save_for_later(user=request.user, cart=cart, item_id=line.pk)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        where = result.item.wishlist.name
        messages.success(
            request,
            f"Saved “{title}” for later in {where}."
            if result.created
            else f"“{title}” was in {where} already; it has left your cart.",
        )
    return redirect("orders:cart")


@require_POST
def to_cart(request: HttpRequest, wishlist_id: str) -> HttpResponse:
    wishlist = access_own_wishlist(user=request.user, wishlist_id=wishlist_id)
    cart = get_or_create_cart(user=request.user, session=request.session)
    outcome = services.add_all_to_cart(user=request.user, wishlist=wishlist, cart=cart)
    if outcome.added:
        messages.success(request, f"Added to your cart: {', '.join(outcome.added)}.")
    if outcome.skipped:
        messages.warning(request, "Skipped: " + "; ".join(f"{what} ({why})" for what, why in outcome.skipped) + ".")
    if not outcome.added:
        return redirect(wishlist)
    return redirect("orders:cart")


# Items -----------------------------------------------------------------------------------


@require_POST
def item_update(request: HttpRequest, item_id: str) -> HttpResponse:
    item = access_own_item(user=request.user, item_id=item_id)
    try:
        services.update_item(
            user=request.user, item=item, quantity=request.POST.get("quantity"), note=request.POST.get("note")
        )
    except ValidationError as exc:
        messages.error(request, f"{item.product.title}: {_errors(exc)}")
    else:
        messages.success(request, f"{item.product.title}: saved.")
    return redirect(item.wishlist)


@require_POST
def item_remove(request: HttpRequest, item_id: str) -> HttpResponse:
    item = access_own_item(user=request.user, item_id=item_id)
    services.remove_from_wishlist(user=request.user, item=item)
    messages.success(request, f"Removed “{item.product.title}”.")
    return redirect(item.wishlist)


@require_POST
def item_move(request: HttpRequest, item_id: str) -> HttpResponse:
    item = access_own_item(user=request.user, item_id=item_id)
    to = access_own_wishlist(user=request.user, wishlist_id=request.POST.get("to"))
    copy = request.POST.get("copy") == "1"
    try:
        (services.copy_item if copy else services.move_item)(user=request.user, item=item, to=to)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, f"{'Copied' if copy else 'Moved'} “{item.product.title}” to {to.name}.")
    return redirect(item.wishlist)


# Shared lists ----------------------------------------------------------------------------


def _no_referrer(response: HttpResponse) -> HttpResponse:
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@login_not_required
@require_GET
def shared(request: HttpRequest, token: str) -> HttpResponse:
    """A public list by its link: the owner's username only, noindex, and the token kept out of
    the Referer of every link followed from it."""
    wishlist = access_shared_wishlist(token=token)
    is_owner = request.user.is_authenticated and request.user.pk == wishlist.user_id
    show_claims = wishlist.is_gift_list and (not is_owner or wishlist.owner_sees_claims)
    context = {
        "wishlist": wishlist,
        "owner_name": wishlist.user.username,
        "items": selectors.shared_items(wishlist=wishlist),
        "is_owner": is_owner,
        "show_claims": show_claims,
        "my_claims": selectors.my_claimed_ids(user=request.user, wishlist=wishlist),
    }
    return _no_referrer(render(request, "wishlists/shared.html", context))


@login_not_required
@require_POST
def claim(request: HttpRequest, token: str, item_id: str) -> HttpResponse:
    """ "I'm getting this". The shared page's Referrer-Policy is no-referrer, under which a
    browser's plain form POST says `Origin: null` (refused by the CSRF check), so the page posts
    with htmx, whose requests carry the real Origin."""
    wishlist = access_shared_wishlist(token=token)
    item = access_shared_item(wishlist=wishlist, item_id=item_id)
    if not request.user.is_authenticated:
        return _no_referrer(redirect(f"{reverse('account_login')}?next={wishlist.get_share_url()}"))
    try:
        if request.POST.get("action") == "unclaim":
            services.unclaim_item(user=request.user, item=item)
            messages.success(request, "You're no longer getting this.")
        else:
            services.claim_item(user=request.user, item=item)
            messages.success(request, "Marked: others see it's taken.")
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    if request.htmx:  # the page sends no Referer, so its forms post with htmx (an Origin header)
        response = HttpResponse(status=204)
        response["HX-Redirect"] = wishlist.get_share_url()
        return _no_referrer(response)
    return _no_referrer(redirect(wishlist.get_share_url()))


# Seller insights -------------------------------------------------------------------------


@active_store_required(area=Area.ANALYTICS)
@require_http_methods(["GET", "POST"])
def dashboard_insights(request: HttpRequest) -> HttpResponse:
    """Counts only: how many lists hold each product and variant, adds in the chosen days,
    savers who bought, savers waiting on sold-out variants. `?product=<id>` drills into one
    product (its chart, its variants) and offers the sale notice to its savers."""
    sale_errors: dict[str, str] = {}
    sale_values = {"product": "", "message": ""}
    product = None
    if request.method == "POST":
        sale_values = {"product": request.POST.get("product", ""), "message": request.POST.get("message", "")}
        product_id = parse_id(sale_values["product"])
        if product_id is None:
            sale_errors["product"] = "Choose one of your products."
        else:
            product = access_product_for_management(user=request.user, store=request.store, product_id=product_id)
            try:
                alerts.notify_savers_of_sale(actor=request.user, product=product, message=sale_values["message"])
            except ValidationError as exc:
                sale_errors.update({k: " ".join(v) for k, v in exc.message_dict.items()})
            except RateLimited as exc:
                sale_errors["product"] = str(exc)
            else:
                messages.success(request, f"Everyone who saved “{product.title}” will hear about your sale.")
                return redirect(f"{reverse('wishlists:dashboard_insights')}?product={product.pk}")
    elif request.GET.get("product"):
        product = access_insights_product(store=request.store, product_id=request.GET["product"])
    form = InsightsRangeForm(request.GET or None, tz=request.store.tzinfo)
    form.is_valid()
    start, end = form.bounds()
    data = insights.store_insights(
        store=request.store,
        start=start,
        end=end,
        days=insights.chart_days(*form.period()),
        page=request.GET.get("page") or 1,
        product=product,
    )
    keep = request.GET.copy()
    keep.pop("page", None)
    keep.pop("product", None)
    context = {
        **data,
        "form": form,
        "range_label": form.label,
        "query": keep.urlencode(),
        "chosen": product,
        "sale_errors": sale_errors,
        "sale_values": sale_values,
        "sale_max": alerts.SALE_MESSAGE_MAX,
        "nav": "wishlists",
    }
    return render(request, "wishlists/dashboard_insights.html", context, status=400 if sale_errors else None)
