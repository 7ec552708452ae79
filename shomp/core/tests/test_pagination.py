"""core.pagination.paginate(count_short=False): a short list costs no COUNT query; long lists
page as before."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from shomp.accounts.tests.factories import UserFactory
from shomp.core.pagination import paginate

pytestmark = pytest.mark.django_db


def _page(number: str | None, *, per_page: int = 3):
    request = RequestFactory().get("/", {"page": number} if number is not None else {})
    users = get_user_model().objects.order_by("pk")
    with CaptureQueriesContext(connection) as queries:
        page = paginate(request, users, per_page=per_page, count_short=False)
        shown = [user.pk for user in page.object_list]
        pages = (page.number, page.paginator.num_pages, page.has_next(), page.paginator.count)
    return shown, pages, [q["sql"] for q in queries]


def test_a_list_that_fits_its_first_page_is_read_once_without_a_count():
    users = UserFactory.create_batch(3)
    shown, pages, sql = _page(None)
    assert shown == [user.pk for user in users]
    assert pages == (1, 1, False, 3)
    assert len(sql) == 1 and "COUNT(" not in sql[0].upper()
    assert _page("1")[2] == sql


def test_an_empty_list_is_one_empty_page():
    shown, pages, sql = _page(None)
    assert shown == [] and pages == (1, 1, False, 0) and len(sql) == 1


def test_a_longer_list_shows_its_first_page_and_counts_the_rest():
    users = UserFactory.create_batch(7)
    shown, pages, sql = _page(None)
    assert shown == [user.pk for user in users[:3]]
    assert pages == (1, 3, True, 7)
    assert len(sql) == 2  # the rows (one more than shown) and the count
    assert _page("3")[:2] == ([users[6].pk], (3, 3, False, 7))
    assert _page("9")[:2] == ([users[6].pk], (3, 3, False, 7))  # past the end: the last page
    assert _page("x")[:2] == (shown, pages)  # not a number: the first


def test_by_default_the_first_page_is_counted_as_django_counts_it():
    UserFactory.create_batch(2)
    request = RequestFactory().get("/")
    with CaptureQueriesContext(connection) as queries:
        page = paginate(request, get_user_model().objects.order_by("pk"), per_page=3)
        assert len(page.object_list) == 2 and page.paginator.count == 2
    assert len(queries) == 2


def test_first_rows_gives_the_first_page_s_rows_and_only_the_first_page_s():
    users = UserFactory.create_batch(7)
    asked = []

    def first_rows(count: int) -> list:
        asked.append(count)
        return list(get_user_model().objects.order_by("pk")[:count])

    def page(number: str | None):
        request = RequestFactory().get("/", {"page": number} if number is not None else {})
        found = paginate(
            request, get_user_model().objects.order_by("pk"), per_page=3, count_short=False, first_rows=first_rows
        )
        return [user.pk for user in found.object_list], found.paginator.count

    assert page(None) == ([user.pk for user in users[:3]], 7)
    assert asked == [4]  # one row more than shown, as the queryset's slice
    assert page("2") == ([user.pk for user in users[3:6]], 7)
    assert asked == [4]  # later pages: the queryset, paged by Django
