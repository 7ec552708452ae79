"""Follow buttons, the Following list, announcement pages, and the dashboard's followers and
announcements. Thin: parse, ask the policy, call a service or a selector, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shomp.core.forms import apply_service_errors as _apply_errors
from shomp.core.htmx import render
from shomp.core.pagecache import SITE, shared_page
from shomp.core.pagination import paginate
from shomp.organizations.areas import Area
from shomp.stores.policies import active_store_required, can

from . import selectors, services
from .forms import AnnouncementForm
from .policies import access_announcement, access_store, access_store_by_id, can_follow_store


def _local(url: str | None) -> str | None:
    if url and url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        return url
    return None


# The follow button -----------------------------------------------------------------------


def _button(request: HttpRequest, store, *, next_url: str | None = None, error: str = "") -> HttpResponse:
    context = {
        "store": store,
        "count": selectors.follower_count(store=store),
        "following": selectors.is_following(user=request.user, store=store),
        "can_follow": can_follow_store(request.user, store),
        "is_owner": can(request.user, store, Area.FOLLOWERS),
        "next_url": next_url or store.get_absolute_url(),
        "error": error,
    }
    return render(request, "follows/partials/_follow_button.html", context)


@login_not_required
@require_GET
def follow_button(request: HttpRequest, store_slug: str) -> HttpResponse:
    """The button and follower count; store and product pages load it with HTMX."""
    store = access_store(slug=store_slug)
    current = _local(request.htmx.current_url_abs_path) if request.htmx else None
    return _button(request, store, next_url=current)


def _follow_action(request: HttpRequest, store_slug: str, action) -> HttpResponse:
    store = access_store(slug=store_slug)
    next_url = _local(request.POST.get("next"))
    error = ""
    try:
        action(user=request.user, store=store)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if request.htmx:
        return _button(request, store, next_url=next_url, error=error)
    if error:
        messages.error(request, error)
    elif action is services.follow_store:
        messages.success(request, f"You follow {store.name}: you'll hear about its new products and sales.")
    else:
        messages.success(request, f"You no longer follow {store.name}.")
    return redirect(next_url or store.get_absolute_url())


PENDING_KEY = "follows:pending"


def _ask_to_log_in(request: HttpRequest, store) -> HttpResponse:
    """A visitor pressed Follow: remember it, log in, and /stores/follow/pending/ follows then
    (the intent survives the login, like a wishlist heart)."""
    request.session[PENDING_KEY] = {"store": store.pk, "back": _local(request.POST.get("next"))}
    url = f"{reverse('account_login')}?next={reverse('follows:pending')}"
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


@login_not_required
@require_POST
def follow(request: HttpRequest, store_slug: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return _ask_to_log_in(request, access_store(slug=store_slug))
    return _follow_action(request, store_slug, services.follow_store)


@require_GET
def pending(request: HttpRequest) -> HttpResponse:
    """After logging in: follow the store the visitor pressed Follow on (put in the session by a POST)."""
    data = request.session.pop(PENDING_KEY, None)
    if not isinstance(data, dict):
        return redirect("follows:following")
    try:
        store = access_store_by_id(store_id=data.get("store"))
    except Http404:
        messages.error(request, "That store isn't open any more.")
        return redirect("follows:following")
    back = _local(data.get("back")) or store.get_absolute_url()
    try:
        services.follow_store(user=request.user, store=store)
    except ValidationError as exc:  # already following, or their own store: say so, nothing changes
        messages.info(request, " ".join(exc.messages))
    else:
        messages.success(request, f"You follow {store.name}: you'll hear about its new products and sales.")
    return redirect(back)


@require_POST
def unfollow(request: HttpRequest, store_slug: str) -> HttpResponse:
    return _follow_action(request, store_slug, services.unfollow_store)


@require_GET
def following(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.get_followed_stores(user=request.user), per_page=24)
    return render(request, "follows/following.html", {"page_obj": page})


@shared_page(scope=SITE)
@login_not_required
@require_GET
def announcement(request: HttpRequest, announcement_uuid) -> HttpResponse:
    item = access_announcement(announcement_uuid=announcement_uuid)
    return render(request, "follows/announcement.html", {"announcement": item, "store": item.store})


# Seller dashboard ------------------------------------------------------------------------


@active_store_required(area=Area.FOLLOWERS)
@require_GET
def dashboard_followers(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.get_followers(store=request.store), per_page=50)
    growth = selectors.follower_growth(store=request.store)
    chart = {
        "labels": [f"{week.start:%b} {week.start.day}" for week in growth],
        "new": [week.new for week in growth],
        "total": [week.total for week in growth],
    }
    return render(
        request,
        "follows/dashboard_followers.html",
        {"page_obj": page, "growth": growth, "chart": chart, "nav": "followers"},
    )


@active_store_required(area=Area.FOLLOWERS)
@require_http_methods(["GET", "POST"])
def dashboard_announcements(request: HttpRequest) -> HttpResponse:
    form = AnnouncementForm(request.POST if request.method == "POST" else None)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {
            "kind": data["kind"],
            "title": data["title"],
            "body": data["body"],
            "sale_ends_at": form.sale_ends_at(),
        }
        try:
            if "send" in request.POST:
                sent = services.send_announcement(store=request.store, author=request.user, **fields)
                messages.success(request, f"“{sent.title}” is on its way to your followers.")
                return redirect("follows:dashboard_announcements")
            preview = services.preview_announcement(store=request.store, **fields)
        except ValidationError as error:
            _apply_errors(form, error)
    page = paginate(request, selectors.store_announcements(store=request.store), per_page=20)
    return render(
        request,
        "follows/dashboard_announcements.html",
        {
            "form": form,
            "preview": preview,
            "page_obj": page,
            "follower_count": selectors.follower_count(store=request.store),
            "nav": "announcements",
        },
        partial="composer",
    )
