from collections.abc import Callable

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PAGE_SIZE = 24


def paginate(
    request: HttpRequest,
    queryset,
    *,
    per_page: int = PAGE_SIZE,
    count_short: bool = True,
    first_rows: Callable[[int], list] | None = None,
    count: Callable[[], int] | None = None,
) -> Page:
    """The requested page of `queryset`; a bad or too-high page number gives the nearest page.

    `count_short=False` (lists that are short for most users, such as an inbox): the first page
    reads one row more than it shows, and when that row isn't there the list fits on the page
    and its length is the count: no COUNT query. (Not the default: the query-budget tests of
    the other lists compare a short list's queries with a long one's, equal.)
    `first_rows(n)`: the queryset's first n rows by a cheaper road (a query compiled once,
    core.sql), for the first page; `count()`, the queryset's length by one, with it."""
    paginator = Paginator(queryset, per_page)
    number = request.GET.get("page")
    if not count_short and number in (None, "", "1"):
        rows = first_rows(per_page + 1) if first_rows else list(queryset[: per_page + 1])
        if len(rows) <= per_page:
            paginator.count = len(rows)  # a cached_property: set, the database is never asked
        return Page(rows[:per_page], 1, paginator)
    if first_rows and count and number in (None, "", "1"):
        paginator.count = count()
        return Page(first_rows(per_page), 1, paginator)
    return paginator.get_page(number)
