from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shomp.catalog.selectors import get_visible_product
from shomp.core.exceptions import RateLimited
from shomp.core.forms import apply_service_errors as _apply_errors
from shomp.core.htmx import render
from shomp.core.pagecache import STORE, shared_page
from shomp.core.pagination import paginate
from shomp.organizations.areas import MEMBER, Area
from shomp.stores.policies import active_store_required, can
from shomp.stores.selectors import get_store_by_slug

from . import selectors, services
from .forms import FlagForm, ResponseForm, ReviewForm
from .models import Review
from .policies import (
    ONLY_BUYERS,
    access_review,
    access_review_for_author,
    access_review_for_store,
    access_reviewable_product,
    can_view_review,
    review_refusal,
)

PER_PAGE = 10


def _store_or_404(store_slug: str):
    store = get_store_by_slug(slug=store_slug)
    if store is None:
        raise Http404("No such store.")
    return store


def _list_context(request: HttpRequest, reviews, *, summary, base_url: str) -> dict:
    query = selectors.ReviewQuery.from_request(request.GET)
    return {
        "page_obj": paginate(request, reviews(query), per_page=PER_PAGE),
        "summary": summary,
        "query": query,
        "sorts": [(key, label) for key, (label, _) in selectors.SORTS.items()],
        "base_url": base_url,
    }


# Public pages ----------------------------------------------------------------------------


@shared_page(scope=STORE)
@login_not_required
def store_reviews(request: HttpRequest, store_slug: str) -> HttpResponse:
    store = _store_or_404(store_slug)
    context = _list_context(
        request,
        lambda query: selectors.store_reviews(store=store, query=query, viewer=request.user),
        summary=selectors.rating_summary(store),
        base_url=reverse("reviews:store", kwargs={"store_slug": store.slug}),
    )
    context |= {
        "store": store,
        "is_manager": can(request.user, store, Area.REVIEWS),
        "is_team": can(request.user, store, MEMBER),
    }
    return render(request, "reviews/store_reviews.html", context, partial="reviews")


@shared_page(scope=STORE)
@login_not_required
def product_reviews(request: HttpRequest, store_slug: str, product_ref: str) -> HttpResponse:
    store = _store_or_404(store_slug)
    # Scoped by the store: another store's product id under this store's address is a 404.
    product = get_visible_product(user=request.user, store=store, product_ref=product_ref)
    if product is None:
        raise Http404("No such product.")
    context = _list_context(
        request,
        lambda query: selectors.product_reviews(product=product, query=query, viewer=request.user),
        summary=selectors.rating_summary(product),
        base_url=reverse("reviews:product", kwargs={"store_slug": store.slug, "product_ref": product_ref}),
    )
    context |= {
        "store": store,
        "product": product,
        "is_manager": can(request.user, store, Area.REVIEWS),
        "is_team": can(request.user, store, MEMBER),
    }
    return render(request, "reviews/product_reviews.html", context, partial="reviews")


@login_not_required
def review_detail(request: HttpRequest, review_id: int) -> HttpResponse:
    review = access_review(user=request.user, review_id=review_id)
    review = selectors.review_detail(review=review, viewer=request.user)
    return render(
        request,
        "reviews/review_detail.html",
        {
            "review": review,
            "is_manager": can(request.user, review.store, Area.REVIEWS),
            "is_team": can(request.user, review.store, MEMBER),
        },
    )


# Writing, editing and deleting one's own review ------------------------------------------


@require_http_methods(["GET", "POST"])
def write_review(request: HttpRequest, product_id: int) -> HttpResponse:
    product = access_reviewable_product(user=request.user, product_id=product_id)
    return _write(request, product=product, store=product.store)


@require_http_methods(["GET", "POST"])
def write_store_review(request: HttpRequest, store_slug: str) -> HttpResponse:
    return _write(request, product=None, store=_store_or_404(store_slug))


def _write(request: HttpRequest, *, product, store) -> HttpResponse:
    existing = selectors.viewer_review(user=request.user, product=product, store=store)
    if existing is not None and request.method == "GET":
        messages.info(request, "You have reviewed this already: here is your review to edit.")
        return redirect("reviews:edit", review_id=existing.pk)
    refusal = review_refusal(request.user, store=store, product=product)
    if refusal is not None:
        # Refused before the form is validated (no upload is checked): the page says why, nothing changes.
        context = {"product": product, "store": store, "refusal": refusal}
        return render(request, "reviews/review_form.html", context, status=403)
    form = ReviewForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            review = services.create_review(
                user=request.user,
                product=product,
                store=store,
                rating=data["rating"],
                title=data["title"],
                content=data["content"],
                photos=data["photos"],
                video=data["video"],
            )
        except (ValidationError, RateLimited) as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Thank you! Your review is published." + _processing_note(data))
            return redirect(review.get_absolute_url())
    return render(request, "reviews/review_form.html", {"form": form, "product": product, "store": store})


# The per-visitor button ----------------------------------------------------------------------
# Whether this visitor may review stays out of the shared product and review pages (DESIGN.md
# section 9): their way to review (write, edit theirs, or why not) loads in as this fragment.


@login_not_required
@require_GET
def write_button(request: HttpRequest, product_id: int) -> HttpResponse:
    product = access_reviewable_product(user=request.user, product_id=product_id)
    return _write_button(request, product=product, store=product.store)


@login_not_required
@require_GET
def write_store_button(request: HttpRequest, store_slug: str) -> HttpResponse:
    return _write_button(request, product=None, store=_store_or_404(store_slug))


def _write_button(request: HttpRequest, *, product, store) -> HttpResponse:
    own_review = selectors.viewer_review(user=request.user, product=product, store=store)
    refusal = None if own_review else review_refusal(request.user, store=store, product=product)
    if product is not None:
        write_url = reverse("reviews:write", kwargs={"product_id": product.pk})
    else:
        write_url = reverse("reviews:write_store", kwargs={"store_slug": store.slug})
    context = {
        "product": product,
        "store": store,
        "own_review": own_review,
        # A visitor is told the store's rule and may log in; the store's own people see nothing.
        "code": refusal.code if refusal is not None else "",
        "buyers_only": store.review_policy == store.ReviewPolicy.BUYERS,
        "only_buyers": ONLY_BUYERS["product" if product is not None else "store"],
        "write_url": write_url,
        "compact": request.GET.get("compact") == "1",
    }
    return render(request, "reviews/partials/_write_button.html", context)


def _processing_note(data: dict) -> str:
    if data.get("video"):
        return " Your photos and video appear once they are processed, in a moment."
    if data.get("photos"):
        return " Your photos appear once they are processed, in a moment."
    return ""


@require_http_methods(["GET", "POST"])
def edit_review(request: HttpRequest, review_id: int) -> HttpResponse:
    review = access_review_for_author(user=request.user, review_id=review_id)
    form = ReviewForm(request.POST or None, request.FILES or None, review=review)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_review(
                review=review,
                rating=data["rating"],
                title=data["title"],
                content=data["content"],
                add_photos=data["photos"],
                remove_photo_ids=data.get("remove_photos") or [],
                video=data["video"],
                remove_video=bool(data.get("remove_video")),
            )
        except (ValidationError, RateLimited) as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Your review is updated." + _processing_note(data))
            return redirect(review.get_absolute_url())
    return render(
        request,
        "reviews/review_form.html",
        {"form": form, "review": review, "product": review.product, "store": review.store},
    )


@require_POST
def delete_review(request: HttpRequest, review_id: int) -> HttpResponse:
    review = access_review_for_author(user=request.user, review_id=review_id)
    subject_url = review.subject_url or review.store.get_absolute_url()
    try:
        services.delete_review(review=review)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(review.get_absolute_url())
    messages.success(request, "Your review is deleted.")
    return redirect(subject_url)


# Helpful votes and flags -------------------------------------------------------------------

MAX_ACTION_IDS = 50  # a list shows PER_PAGE reviews; more is not a page's


@login_not_required
@require_GET
def review_actions(request: HttpRequest) -> HttpResponse:
    """A logged-in visitor's actions on a shared page's reviews (their vote, flag, edit link),
    swapped in by id (hole "review_actions"): the cached list shows them as to anyone."""
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    ids = [int(part) for part in request.GET.get("ids", "").split(",")[:MAX_ACTION_IDS] if part.isdigit()]
    reviews = [
        review
        for review in selectors.published_for_viewer(ids=ids, viewer=request.user)
        if can_view_review(request.user, review)
    ]
    for review in reviews:
        review.viewer_is_team = can(request.user, review.store, MEMBER)
    return render(
        request,
        "reviews/partials/_review_actions_oob.html",
        # The forms' no-JavaScript `next`: the page (a htmx request says which), as _back checks.
        {"reviews": reviews, "next_url": request.htmx.current_url_abs_path if request.htmx else ""},
    )


@require_POST
def helpful(request: HttpRequest, review_id: int) -> HttpResponse:
    review = access_review(user=request.user, review_id=review_id)
    error = None
    try:
        if request.POST.get("action") == "remove":
            services.remove_helpful_vote(review=review, user=request.user)
        else:
            services.vote_helpful(review=review, user=request.user)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect(_back(request, review))
    review = selectors.review_detail(review=review, viewer=request.user)
    return render(
        request,
        "reviews/partials/_helpful.html",
        {
            "review": review,
            "error": error,
            "is_manager": can(request.user, review.store, Area.REVIEWS),
            "is_team": can(request.user, review.store, MEMBER),
        },
    )


@require_POST
def flag(request: HttpRequest, review_id: int) -> HttpResponse:
    review = access_review(user=request.user, review_id=review_id)
    form = FlagForm(request.POST)
    error = None
    if form.is_valid():
        try:
            services.flag_review(
                review=review, user=request.user, reason=form.cleaned_data["reason"], note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = " ".join(message for messages_ in form.errors.values() for message in messages_)
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, "Thank you: our moderators will look at this review.")
        return redirect(_back(request, review))
    review.refresh_from_db(fields=["status"])
    return render(
        request,
        "reviews/partials/_flag.html",
        {"review": review, "flag_error": error, "flagged_now": error is None},
    )


def _back(request: HttpRequest, review: Review) -> str:
    """Where a no-JavaScript form post returns: the page it came from, if it is ours."""
    next_url = request.POST.get("next", "")
    if next_url.startswith("/") and not next_url.startswith("//"):
        return next_url
    if can_view_review(request.user, review):
        return review.get_absolute_url()
    return review.subject_url or review.store.get_absolute_url()


# Seller dashboard --------------------------------------------------------------------------


@active_store_required(area=Area.REVIEWS)
def dashboard_reviews(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "")
    show = show if show in selectors.DASHBOARD_FILTERS else ""
    page = paginate(
        request, selectors.dashboard_reviews(store=request.store, show=show, viewer=request.user), per_page=20
    )
    return render(
        request,
        "reviews/dashboard_reviews.html",
        {
            "page_obj": page,
            "show": show,
            "filters": selectors.DASHBOARD_FILTERS,
            "counts": selectors.dashboard_counts(store=request.store),
            "nav": "reviews",
        },
        partial="reviews",
    )


@active_store_required(area=Area.REVIEWS)
@require_POST
def dashboard_respond(request: HttpRequest, review_id: int) -> HttpResponse:
    review = access_review_for_store(user=request.user, store=request.store, review_id=review_id)
    form = ResponseForm(request.POST)
    saved = False
    if form.is_valid():
        try:
            services.respond_to_review(
                review=review, store=request.store, user=request.user, content=form.cleaned_data["content"]
            )
            saved = True
        except ValidationError as error:
            _apply_errors(form, error)
    if not request.htmx:
        if saved:
            messages.success(request, "Your response is published.")
        else:
            messages.error(request, " ".join(message for errors in form.errors.values() for message in errors))
        return redirect(request.POST.get("next") if _is_dashboard(request.POST.get("next")) else "reviews:dashboard")
    review = selectors.dashboard_reviews(store=request.store, viewer=request.user).get(pk=review.pk)
    return render(
        request,
        "reviews/partials/_dashboard_review.html",
        {"review": review, "response_form": None if saved else form, "saved": saved},
    )


def _is_dashboard(url: str | None) -> bool:
    return bool(url) and url.startswith("/dashboard/reviews/")
