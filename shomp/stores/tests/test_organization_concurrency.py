"""Stores opened and moved while the team changes, with real threads and transactions: a store's
`has_team` ends up saying what its organization's members say, and a store moved twice at once
moves once. PostgreSQL only: on SQLite every write transaction takes the whole database."""

import pytest
from allauth.account.models import EmailAddress
from django.db import connection

from shomp.accounts.tests.factories import UserFactory
from shomp.core.testing.threads import outcomes, run_together
from shomp.organizations import services as organizations
from shomp.organizations.models import AuditLogEntry, Membership
from shomp.organizations.selectors import has_team
from shomp.stores import services
from shomp.stores.models import Store

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks only exist on PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def _two_organizations():
    owner = UserFactory(username="maker")
    home = services.create_store(owner=owner, name="Home Pots", slug="home-pots")
    studio = organizations.create_organization(owner=owner, name="Studio North")
    north = services.create_store(owner=owner, name="North Prints", slug="north-prints", organization=studio)
    return owner, home, studio, north


def _invited(organization, owner, username: str):
    user = UserFactory(username=username)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    invitation = organizations.invite_member(organization=organization, actor=owner, email=user.email, role="manager")
    return user, invitation.token


def test_a_store_opened_while_the_first_member_joins_knows_it_has_a_team():
    owner, _home, studio, _north = _two_organizations()
    user, token = _invited(studio, owner, "joiner")

    def work(i):
        if i == 0:
            return services.create_store(owner=owner, name="West Glass", slug="west-glass", organization=studio)
        return organizations.accept_invitation(token=token, user=user)

    assert outcomes(run_together(2, work)) == ["ok", "ok"]
    assert Store.objects.get(slug="west-glass").has_team
    assert set(Store.objects.filter(organization=studio).values_list("has_team", flat=True)) == {True}


def test_a_store_moved_in_while_the_last_member_leaves_ends_with_the_right_flag():
    owner, home, studio, _north = _two_organizations()
    user, token = _invited(studio, owner, "leaver")
    organizations.accept_invitation(token=token, user=user)

    def work(i):
        if i == 0:
            return organizations.move_store(store=home, actor=owner, to_organization=studio)
        return organizations.leave_organization(organization=studio, user=user)

    assert outcomes(run_together(2, work)) == ["ok", "ok"]
    assert not Membership.objects.filter(user=user).exists()
    home.refresh_from_db()
    assert home.organization_id == studio.pk
    assert home.has_team is has_team(organization_id=studio.pk) is False


def test_a_store_moved_twice_at_once_moves_once():
    owner, home, studio, _north = _two_organizations()

    results = run_together(
        3, lambda i: organizations.move_store(store=home, actor=owner, to_organization=studio), timeout=60
    )

    assert sorted(outcomes(results)) == ["ValidationError", "ValidationError", "ok"]
    messages = {" ".join(error.messages) for outcome, error in results if outcome == "error"}
    assert messages <= {
        "Home Pots is in Studio North already.",
        "Home Pots was just moved by someone else. Please look again.",
    }
    assert AuditLogEntry.objects.filter(action="store_moved_in").count() == 1
    assert AuditLogEntry.objects.filter(action="store_moved_out").count() == 1


def test_moves_in_opposite_directions_at_once_do_not_deadlock():
    owner, home, studio, north = _two_organizations()
    own = home.organization

    def work(i):
        if i == 0:
            return organizations.move_store(store=home, actor=owner, to_organization=studio)
        return organizations.move_store(store=north, actor=owner, to_organization=own)

    assert outcomes(run_together(2, work)) == ["ok", "ok"]
    assert Store.objects.get(pk=home.pk).organization_id == studio.pk
    assert Store.objects.get(pk=north.pk).organization_id == own.pk
