"""core.sql.PrecompiledQuery: the ORM's SQL compiled once, each caller's id filled in per call."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from shomp.accounts.tests.factories import UserFactory
from shomp.core.sql import PrecompiledQuery

pytestmark = pytest.mark.django_db


def _run(query: PrecompiledQuery, value: int) -> list:
    with connection.cursor() as cursor:
        cursor.execute(*query.sql(value))
        return [row[0] for row in cursor.fetchall()]


def test_each_call_answers_for_the_id_it_is_given_and_the_queryset_is_built_once():
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    builds = []

    def build(user_id):
        builds.append(user_id)
        return get_user_model().objects.filter(pk=user_id).values_list("username")

    query = PrecompiledQuery(build)
    assert _run(query, alice.pk) == ["alice"]
    assert _run(query, bob.pk) == ["bob"]
    assert _run(query, alice.pk) == ["alice"]
    assert _run(query, -1) == []
    assert len(builds) == 1


def test_an_id_used_twice_in_the_query_is_filled_in_both_places():
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    users = get_user_model().objects
    query = PrecompiledQuery(
        lambda user_id: users.filter(pk=user_id).union(users.filter(pk=user_id)).values_list("username")
    )
    assert _run(query, alice.pk) == ["alice"]
    assert _run(query, bob.pk) == ["bob"]


def test_a_query_that_drops_the_id_is_refused_rather_than_answering_for_everyone():
    UserFactory()
    query = PrecompiledQuery(lambda user_id: get_user_model().objects.values_list("pk"))
    with pytest.raises(ValueError, match="no parameter"):
        query.sql(1)


@pytest.mark.parametrize("value", ["1", None, True, 1.0])
def test_only_an_integer_id_is_filled_in(value):
    query = PrecompiledQuery(lambda user_id: get_user_model().objects.filter(pk=user_id))
    with pytest.raises(TypeError):
        query.sql(value)
