"""Counts storefront page views on the way out, outside whatever made the response.

Placed in settings.MIDDLEWARE right after AuthenticationMiddleware (it reads request.user) and
above everything that may answer from a cache: a page cache's FetchFromCacheMiddleware goes at
the end of the list, so a cached page still passes back through here and is counted. That is
also why the page is found by resolving the path here (process_view doesn't run for a cached
response) and nothing is read from the view.

Only successful GETs of real pages count (200, not HEAD, not a prefetch, not an HTMX fragment),
except the product page's variant picker: an HTMX request that settles on `?variant=<id>` counts
as a VARIANT view. The work here is small (resolve, parse the user agent from a cache,
classify the referrer, one buffer append) and its failures are logged, never raised.

It also sets `services.current_request` while the view runs, so a conversion sent on commit
(add to cart, follow...) is attributed to this visitor.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404

from shomp.core.params import parse_id
from shomp.core.urls import cached_resolve

from .models import PageKind
from .services import current_request, track_view

logger = logging.getLogger(__name__)

#: Route name -> what a view of it is.
TRACKED_ROUTES = {
    "catalog:store": PageKind.STORE,
    "catalog:product": PageKind.PRODUCT,
    "reviews:store": PageKind.REVIEWS,
    "reviews:product": PageKind.REVIEWS,
    "follows:announcement": PageKind.ANNOUNCEMENT,
}
_SKIP_PREFIXES = ("/static/", "/media/", "/dashboard/", "/admin/", "/accounts/", "/ws/")


class AnalyticsMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_request.set(request)
        try:
            response = self.get_response(request)
        finally:
            current_request.reset(token)
        if request.method == "GET" and response.status_code == 200 and not request.path.startswith(_SKIP_PREFIXES):
            try:
                count_page_view(request)
            except Exception:  # analytics never costs a page
                logger.exception("Could not count a page view of %s", request.path[:200])
        return response


def count_page_view(request: HttpRequest) -> bool:
    """Count `request` if it is a storefront page (see the module docstring)."""
    purpose = request.headers.get("Sec-Purpose", "") or request.headers.get("Purpose", "")
    if "prefetch" in purpose.lower():
        return False
    match = request.resolver_match
    if match is None:
        try:
            match = cached_resolve(request.path_info)
        except Resolver404:
            return False
    kind = TRACKED_ROUTES.get(match.view_name)
    if kind is None:
        return False
    variant_id = parse_id(request.GET.get("variant", "")) if kind == PageKind.PRODUCT else None
    if request.headers.get("HX-Request") == "true":
        if variant_id is None:
            return False  # a fragment (paging, a partial choice): not a page view
        kind = PageKind.VARIANT
    kwargs = match.kwargs
    return track_view(
        request=request,
        kind=kind,
        store_slug=str(kwargs.get("store_slug", "")),
        product_ref=str(kwargs.get("product_ref", "")) if kind != PageKind.REVIEWS or "product_ref" in kwargs else "",
        variant_id=variant_id,
        announcement_uuid=str(kwargs.get("announcement_uuid", "")),
    )
