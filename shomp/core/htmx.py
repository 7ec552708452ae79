"""One endpoint, full page or fragment: the single place that decides which."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render as django_render
from django.utils.cache import patch_vary_headers


def render(
    request: HttpRequest,
    template_name: str,
    context: dict | None = None,
    *,
    partial: str | None = None,
    status: int | None = None,
) -> HttpResponse:
    """Render `template_name`, or only its `{% partialdef partial %}` for an HTMX request.

    History restores and boosted navigations want the whole page, so they get it.
    """
    htmx = getattr(request, "htmx", None)
    if partial and htmx and not htmx.history_restore_request and not htmx.boosted:
        template_name = f"{template_name}#{partial}"
    response = django_render(request, template_name, context or {}, status=status)
    if partial:
        patch_vary_headers(response, ["HX-Request"])  # one URL, a page or a fragment: caches keep both
    return response
