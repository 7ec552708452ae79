"""core.sql.Precompiled: the ORM's SQL compiled once, each caller's ids filled in per call."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Q

from shomp.accounts.tests.factories import UserFactory
from shomp.core.sql import IDS, Precompiled, PrecompiledIn, set_prefetched

pytestmark = pytest.mark.django_db


def _run(query: Precompiled, **values) -> list:
    with connection.cursor() as cursor:
        cursor.execute(*query.sql(**values))
        return [row[0] for row in cursor.fetchall()]


def test_each_call_answers_for_the_ids_it_is_given_and_the_queryset_is_built_once():
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    builds = []

    def build(user_id):
        builds.append(user_id)
        return get_user_model().objects.filter(pk=user_id).order_by("pk")

    query = Precompiled(build, user_id=int)
    assert [user.username for user in query(user_id=alice.pk)] == ["alice"]
    built = len(builds)
    assert [user.username for user in query(user_id=bob.pk)] == ["bob"]
    assert query(user_id=-1) == []
    assert _run(query, user_id=bob.pk) == [bob.pk]  # the same compiled SQL, for a cursor
    assert len(builds) == built


def test_an_id_used_twice_and_two_ids_are_each_filled_in_their_places():
    alice, bob, carol = (UserFactory(username=name) for name in ("alice", "bob", "carol"))
    users = get_user_model().objects
    either = Precompiled(
        lambda first, second: users.filter(pk__in=[first, second]),
        first=int,
        second=int,
    )
    assert sorted(user.username for user in either(first=alice.pk, second=carol.pk)) == ["alice", "carol"]
    assert sorted(user.username for user in either(first=bob.pk, second=bob.pk)) == ["bob"]
    twice = Precompiled(
        lambda user_id: users.filter(pk=user_id).union(users.filter(pk=user_id)).values_list("username"),
        user_id=int,
    )
    assert _run(twice, user_id=alice.pk) == ["alice"]
    assert _run(twice, user_id=bob.pk) == ["bob"]


def test_a_uuid_is_filled_in_on_either_database():
    from shomp.messaging.models import Conversation  # a model with a uuid field

    query = Precompiled(lambda key: Conversation.objects.filter(uuid=key), key=uuid.UUID)
    assert query(key=uuid.uuid4()) == []


def test_a_string_is_filled_in_as_given_and_matched_exactly():
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    query = Precompiled(lambda store_id, name: get_user_model().objects.filter(username=name), store_id=int, name=str)
    with pytest.raises(ValueError, match="no parameter"):  # store_id is not in the query
        query(store_id=1, name="alice")
    by_name = Precompiled(lambda name: get_user_model().objects.filter(username=name), name=str)
    assert [user.pk for user in by_name(name="alice")] == [alice.pk]
    assert [user.pk for user in by_name(name="bob")] == [bob.pk]
    assert by_name(name="ALICE") == []  # as given: no lowering on the way
    assert by_name(name="' OR 1=1 --") == []  # a parameter, never SQL
    assert by_name(name="") == []


def test_a_string_the_orm_would_change_is_refused():
    query = Precompiled(lambda name: get_user_model().objects.filter(username__icontains=name), name=str)
    with pytest.raises(ValueError, match="no parameter"):
        query(name="ali")


def test_a_moment_is_filled_in_in_the_databases_own_form():
    alice = UserFactory(username="alice")
    joined = get_user_model().objects.get(pk=alice.pk).date_joined
    query = Precompiled(
        lambda user_id, at: get_user_model().objects.filter(pk=user_id, date_joined__lte=at), user_id=int, at=datetime
    )
    assert [user.pk for user in query(user_id=alice.pk, at=joined)] == [alice.pk]
    assert [user.pk for user in query(user_id=alice.pk, at=joined + timedelta(days=1))] == [alice.pk]
    assert query(user_id=alice.pk, at=joined - timedelta(microseconds=1)) == []
    with pytest.raises(TypeError, match="aware"):
        query(user_id=alice.pk, at=datetime(2026, 1, 1))  # naive: which zone it means is a guess
    assert query(user_id=alice.pk, at=datetime(2000, 1, 1, tzinfo=UTC)) == []
    for _ in range(2):  # the converters kept from the first run convert the next runs' rows too
        (again,) = query(user_id=alice.pk, at=joined)
        assert again.date_joined == joined and again.date_joined.tzinfo is not None
        assert again.is_active is True


def test_a_query_that_drops_the_id_is_refused_rather_than_answering_for_everyone():
    UserFactory()
    query = Precompiled(lambda user_id: get_user_model().objects.values_list("pk"), user_id=int)
    with pytest.raises(ValueError, match="no parameter"):
        query.sql(user_id=1)


@pytest.mark.parametrize("value", ["1", None, True, 1.0])
def test_only_an_integer_id_is_filled_in(value):
    query = Precompiled(lambda user_id: get_user_model().objects.filter(pk=user_id), user_id=int)
    with pytest.raises(TypeError):
        query(user_id=value)


def test_only_the_declared_arguments_are_taken():
    query = Precompiled(lambda user_id: get_user_model().objects.filter(pk=user_id), user_id=int)
    with pytest.raises(TypeError):
        query(pk=1)
    with pytest.raises(TypeError):
        Precompiled(lambda amount: get_user_model().objects.filter(pk=amount), amount=float)


def test_lists_of_ids_are_compiled_once_per_length_and_answer_for_the_ids_given():
    users = [UserFactory(username=name) for name in ("alice", "bob", "carol", "dave")]
    alice, bob, carol, dave = (user.pk for user in users)
    builds = []

    def build(ids, others, joined_after):
        builds.append((len(ids), len(others)))
        condition = Q(pk__in=ids) if ids else Q()
        if others:
            condition |= Q(pk__in=others)
        return get_user_model().objects.filter(condition, date_joined__gt=joined_after).order_by("username")

    query = PrecompiledIn(build, ids=IDS, others=IDS, joined_after=datetime, most=3)
    long_ago = datetime(2000, 1, 1, tzinfo=UTC)
    names = lambda **values: [user.username for user in query(**values, joined_after=long_ago)]  # noqa: E731
    assert names(ids=[carol, alice], others=[]) == ["alice", "carol"]
    built = len(builds)
    assert names(ids=[bob, dave], others=[]) == ["bob", "dave"]  # the same length: not built again
    assert names(ids=[bob, bob, dave], others=[]) == ["bob", "dave"]  # deduplicated: the same shape
    assert len(builds) == built
    assert names(ids=[alice], others=[dave]) == ["alice", "dave"]
    assert names(ids=[alice, bob, carol, dave], others=[]) == ["alice", "bob", "carol", "dave"]  # past `most`
    assert query(ids=[alice], others=[], joined_after=datetime.now(UTC) + timedelta(days=1)) == []
    with pytest.raises(TypeError):
        query(ids=["1"], others=[], joined_after=long_ago)
    kept_in = PrecompiledIn(lambda ids: get_user_model().objects.filter(pk__in=ids), ids=IDS)
    for _ in range(2):  # `__in=[]` has no SQL: answered as the ORM does, nothing found
        assert kept_in(ids=[]) == []
    assert [user.pk for user in kept_in(ids=[bob])] == [bob]


def test_rows_set_as_prefetched_are_what_the_relation_answers_without_a_query(django_assert_num_queries):
    from shomp.catalog.models import ProductImage
    from shomp.catalog.tests.factories import ProductFactory

    product = ProductFactory()
    first, second = (ProductImage.objects.create(product=product, position=n) for n in (1, 2))
    set_prefetched(product, "images", [second, first])
    with django_assert_num_queries(0):
        assert list(product.images.all()) == [second, first]
        assert product.images.all().count() == 2
    set_prefetched(product, "images", [])
    with django_assert_num_queries(0):
        assert list(product.images.all()) == []
