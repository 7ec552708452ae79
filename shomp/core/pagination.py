from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PAGE_SIZE = 24


def paginate(request: HttpRequest, queryset, *, per_page: int = PAGE_SIZE) -> Page:
    """The requested page of `queryset`; a bad or too-high page number gives the nearest page."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
