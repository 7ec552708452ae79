"""A support member (messages, reviews, orders read only) calling what their role doesn't
include: analytics exports, the bulk price-and-stock export, and every member action. Each is
refused (sent to the team page, or a 404) and nothing changes: no export, no invitation, no
role, membership or link touched, no email, no log line."""

import pytest
from django.core import mail

from shomp.analytics.models import ReportExport
from shomp.organizations import services
from shomp.organizations.models import AuditLogEntry, Invitation, Membership
from shomp.stores.tests.factories import StoreFactory

from .factories import add_member

pytestmark = pytest.mark.django_db

MEMBERS = "/dashboard/organization/members/"


@pytest.fixture
def team():
    store = StoreFactory()
    support = add_member(store, role="support").user
    analyst = add_member(store, role="analyst")
    invitation = services.invite_member(
        organization=store.organization, actor=store.owner, email="pending@example.com", role="fulfilment"
    )
    mail.outbox.clear()
    return {"store": store, "support": support, "analyst": analyst, "invitation": invitation}


def _state(team) -> tuple:
    invitation = Invitation.objects.get(pk=team["invitation"].pk)
    return (
        ReportExport.objects.count(),
        Invitation.objects.count(),
        (invitation.token_hash, invitation.revoked_at, invitation.accepted_at, invitation.expires_at),
        sorted(Membership.objects.values_list("pk", "role", "added_areas", "removed_areas", "all_stores")),
        AuditLogEntry.objects.count(),
        len(mail.outbox),
    )


def _calls(team):
    analyst, invitation = team["analyst"].pk, team["invitation"].pk
    return {
        "analytics export": ("post", "/dashboard/analytics/exports/", {"report": "overview", "range": "30d"}),
        "bulk export": ("get", "/dashboard/bulk/export.csv", None),
        "invite": ("post", MEMBERS, {"email": "x@example.com", "role": "support", "access": "all"}),
        "member edit page": ("get", f"/dashboard/organization/members/{analyst}/", None),
        "member edit": ("post", f"/dashboard/organization/members/{analyst}/", {"role": "manager", "access": "all"}),
        "remove": ("post", f"/dashboard/organization/members/{analyst}/remove/", {}),
        "resend": ("post", f"/dashboard/organization/invitations/{invitation}/resend/", {}),
        "revoke": ("post", f"/dashboard/organization/invitations/{invitation}/revoke/", {}),
    }


CALLS = ["analytics export", "bulk export", "invite", "member edit page", "member edit", "remove", "resend", "revoke"]


@pytest.mark.parametrize("call", CALLS)
def test_a_support_member_is_refused_and_nothing_changes(client, team, call):
    method, path, data = _calls(team)[call]
    before = _state(team)
    client.force_login(team["support"])

    response = client.post(path, data) if method == "post" else client.get(path)

    assert response.status_code in (302, 403, 404), call
    if response.status_code == 302:  # the door: no store where their role allows it
        assert response["Location"] == MEMBERS, call
    assert "text/csv" not in response.get("Content-Type", ""), call
    assert _state(team) == before, call


@pytest.mark.parametrize("call", CALLS)
def test_the_same_calls_by_the_owner_do_work(client, team, call):
    """The control: these requests are well formed, so the refusals above are the door's."""
    method, path, data = _calls(team)[call]
    before = _state(team)
    client.force_login(team["store"].owner)

    response = client.post(path, data) if method == "post" else client.get(path)

    if call in ("analytics export", "bulk export"):
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv"), call
    elif call == "member edit page":
        assert response.status_code == 200
    else:
        assert response.status_code == 302 and _state(team) != before, call
