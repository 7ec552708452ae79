"""Seller tools submitted twice at once (a double click, two tabs), with real threads and real
transactions: one row, and never an IntegrityError (a 500). PostgreSQL only: on SQLite every
write transaction takes the whole database, so nothing races."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from shomp.core.testing.threads import outcomes, run_together, widen_check_then_act
from shomp.messaging import services
from shomp.messaging.models import Block, SavedReply

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks only exist on PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def slow_checks(monkeypatch):
    widen_check_then_act(monkeypatch)


@pytest.mark.parametrize("shared", [False, True])
def test_the_same_saved_reply_created_twice_at_once_is_saved_once(store, seller, slow_checks, shared):
    titles = ["Shipping", "shipping", "SHIPPING", "Shipping"]  # the database compares without case too
    results = run_together(
        4,
        lambda i: services.create_saved_reply(
            store=store, actor=seller, title=titles[i], content="Two days.", shared=shared
        ),
    )

    assert sorted(outcomes(results)) == ["ValidationError"] * 3 + ["ok"]
    refusals = [error.message_dict for outcome, error in results if outcome == "error"]
    taken = (
        "Your organization has a shared reply with this name already."
        if shared
        else "This store has a saved reply with this name already."
    )
    assert refusals == [{"title": [taken]}] * 3
    assert SavedReply.objects.get().title.lower() == "shipping"


def test_blocking_the_same_customer_twice_at_once_blocks_once(store, seller, customer, slow_checks):
    results = run_together(4, lambda i: services.block_user(store=store, user=customer, actor=seller))

    assert outcomes(results) == ["ok"] * 4
    assert {block.pk for _, block in results} == {Block.objects.get(store=store, user=customer).pk}


def test_a_refused_block_is_still_refused_under_a_race(store, seller):
    results = run_together(2, lambda i: services.block_user(store=store, user=seller, actor=seller))

    assert outcomes(results) == ["ValidationError"] * 2
    assert all(isinstance(error, ValidationError) for _, error in results)
    assert not Block.objects.exists()


def test_assigning_the_same_conversation_twice_at_once_notifies_once(store, seller, conversation, slow_checks):
    from shomp.messaging.models import Conversation
    from shomp.notifications.models import Notification
    from shomp.organizations.tests.factories import add_member

    helper = add_member(store, role="support").user
    store.refresh_from_db()
    results = run_together(
        4,
        lambda i: services.assign_conversation(
            conversation=Conversation.objects.select_related("store").get(pk=conversation.pk),
            assignee=helper,
            actor=seller,
        ),
    )

    assert outcomes(results) == ["ok"] * 4
    assert Conversation.objects.get(pk=conversation.pk).assigned_to_id == helper.pk
    assert Notification.objects.filter(user=helper, type="conversation_assigned").count() == 1
