"""On PostgreSQL the queries every request repeats are prepared once per connection
(settings: DATABASE_PREPARED_STATEMENTS), and still answer for each request's own values."""

import pytest
from django.db import connection

from shomp.accounts.models import User
from shomp.accounts.tests.factories import UserFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"),
]

USERNAME_BY_ID = 'SELECT "accounts_user"."username" AS "username" FROM "accounts_user" WHERE%'


def _prepared_username_lookups() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s", [USERNAME_BY_ID])
        return [row[0] for row in cursor.fetchall()]


def test_a_query_repeated_on_a_connection_is_prepared_and_answers_for_each_value():
    users = [UserFactory() for _ in range(7)]
    assert _prepared_username_lookups() == []

    found = [User.objects.filter(pk=user.pk).values_list("username", flat=True).get() for user in users]

    assert found == [user.username for user in users]
    (statement,) = _prepared_username_lookups()
    assert '"accounts_user"."id" = $1' in statement  # bound by the server: one statement for every id
