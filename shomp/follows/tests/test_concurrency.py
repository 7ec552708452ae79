"""Following submitted twice at once (a double click, two tabs), with real threads and real
transactions: one follow, and never an IntegrityError (a 500). PostgreSQL only: on SQLite every
write transaction takes the whole database, so nothing races."""

import pytest
from django.db import connection

from shomp.accounts.tests.factories import UserFactory
from shomp.core.testing.threads import outcomes, run_together, widen_check_then_act
from shomp.follows import services
from shomp.follows.models import Follow
from shomp.stores.tests.factories import StoreFactory

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks only exist on PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def test_following_twice_at_once_follows_once(monkeypatch):
    widen_check_then_act(monkeypatch)
    user, store = UserFactory(), StoreFactory(name="Fern & Kiln")

    results = run_together(4, lambda i: services.follow_store(user=user, store=store))

    assert sorted(outcomes(results)) == ["ValidationError"] * 3 + ["ok"]
    assert {" ".join(error.messages) for outcome, error in results if outcome == "error"} == {
        "You already follow Fern & Kiln."
    }
    assert Follow.objects.filter(user=user, store=store).count() == 1
