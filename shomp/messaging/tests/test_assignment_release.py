"""A conversation stays assigned only to someone who may still handle its store's messages:
removing a member, their leaving, lowering their role or stores, or moving the store away gives
their conversations back to nobody (organizations' access_lost moment), and the open pages are
told. Others' assignments stay."""

import pytest

from shomp.accounts.tests.factories import UserFactory
from shomp.messaging import events, services
from shomp.messaging.models import Conversation
from shomp.organizations import services as organizations
from shomp.organizations.models import Membership
from shomp.organizations.policies import forget_memberships
from shomp.organizations.tests.factories import add_member
from shomp.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def studio(django_capture_on_commit_callbacks):
    north = StoreFactory(name="North Mugs")
    south = StoreFactory(name="South Bowls", owner=north.owner, organization=north.organization)
    helper = add_member(north, role="support", user=UserFactory(username="helper")).user
    colleague = add_member(north, role="support", user=UserFactory(username="colleague")).user
    threads = {}
    with django_capture_on_commit_callbacks(execute=True):
        for name, store, assignee in [
            ("north-helper", north, helper),
            ("south-helper", south, helper),
            ("north-colleague", north, colleague),
        ]:
            conversation = services.create_conversation(
                store=store, customer=UserFactory(), type="general", subject=name, content="Hello"
            )
            services.assign_conversation(conversation=conversation, assignee=assignee, actor=north.owner)
            threads[name] = conversation
    return {"north": north, "south": south, "owner": north.owner, "helper": helper, "colleague": colleague, **threads}


def assignees(studio) -> dict[str, str | None]:
    rows = Conversation.objects.filter(subject__in=["north-helper", "south-helper", "north-colleague"])
    return {c.subject: (c.assigned_to.username if c.assigned_to else None) for c in rows.select_related("assigned_to")}


def _membership(user) -> Membership:
    return Membership.objects.get(user=user)


def test_removing_a_member_gives_their_conversations_back_to_nobody(studio, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        organizations.remove_member(membership=_membership(studio["helper"]), actor=studio["owner"])
    assert assignees(studio) == {"north-helper": None, "south-helper": None, "north-colleague": "colleague"}


def test_a_member_who_leaves_is_unassigned(studio, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        organizations.leave_organization(organization=studio["north"].organization, user=studio["helper"])
    assert assignees(studio)["north-helper"] is None and assignees(studio)["north-colleague"] == "colleague"


def test_lowering_a_role_unassigns_only_where_messages_are_lost(studio, django_capture_on_commit_callbacks):
    # Limited to North: South's conversation goes back to nobody, North's stays theirs.
    with django_capture_on_commit_callbacks(execute=True):
        organizations.manage_permissions(
            membership=_membership(studio["helper"]), actor=studio["owner"], role="support",
            store_ids=[studio["north"].pk],
        )  # fmt: skip
    assert assignees(studio) == {"north-helper": "helper", "south-helper": None, "north-colleague": "colleague"}
    # Fulfilment handles no messages at all.
    forget_memberships(studio["helper"])
    with django_capture_on_commit_callbacks(execute=True):
        organizations.manage_permissions(
            membership=_membership(studio["helper"]), actor=studio["owner"], role="fulfilment"
        )
    assert assignees(studio)["north-helper"] is None


def test_moving_a_store_away_unassigns_those_who_do_not_follow_it(studio, django_capture_on_commit_callbacks):
    elsewhere = organizations.create_organization(owner=studio["owner"], name="Elsewhere")
    with django_capture_on_commit_callbacks(execute=True):
        organizations.move_store(store=studio["south"], actor=studio["owner"], to_organization=elsewhere)
    assert assignees(studio) == {"north-helper": "helper", "south-helper": None, "north-colleague": "colleague"}


def test_open_pages_are_told_of_the_release(studio, monkeypatch, django_capture_on_commit_callbacks):
    told: list[int] = []
    monkeypatch.setattr(events, "conversation_assigned", lambda *, conversation_id: told.append(conversation_id))
    with django_capture_on_commit_callbacks(execute=True):
        organizations.remove_member(membership=_membership(studio["colleague"]), actor=studio["owner"])
    assert told == [studio["north-colleague"].pk]
