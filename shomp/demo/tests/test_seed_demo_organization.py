"""seed_demo's team: Studio North with its owner, a manager of one store, a support member and
a waiting invitation; made once, and the members may do what their roles say."""

import io
from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from shomp.demo import catalogue
from shomp.organizations.areas import Area
from shomp.organizations.models import AuditLogEntry, Invitation, Membership, Organization
from shomp.organizations.policies import can
from shomp.stores.models import Store


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", products_per_store=1, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "organizations": Organization.objects.count(),
        "members": Membership.objects.count(),
        "invitations": Invitation.objects.count(),
        "audit": AuditLogEntry.objects.count(),
    }


@pytest.mark.django_db
def test_studio_north_has_an_owner_a_manager_a_support_member_and_a_waiting_invitation(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        output = seed()
    assert "demo-support@example.com" in output

    studio = Organization.objects.get(name="Studio North")
    assert studio.owner.username == "demo-seller"
    assert set(studio.stores.values_list("slug", flat=True)) == {"inkwell-and-ash", "fern-and-kiln", "purl-theory"}
    assert not Organization.objects.filter(name="demo-seller").exists()  # renamed, not a second one
    members = {m.user.username: m for m in studio.memberships.select_related("user")}
    assert {name: m.role for name, m in members.items()} == {
        "demo-seller": "owner",
        "demo-seller2": "manager",
        "demo-support": "support",
    }
    manager = members["demo-seller2"]
    assert not manager.all_stores
    assert list(manager.stores.values_list("slug", flat=True)) == ["fern-and-kiln"]
    assert members["demo-support"].all_stores

    waiting = Invitation.objects.get(organization=studio, email="newhelper@example.com")
    assert waiting.status == Invitation.Status.PENDING
    assert waiting.role == "fulfilment"
    assert "newhelper@example.com" in [address for message in mail.outbox for address in message.to]
    # demo-seller2 still owns their own stores in their own organization.
    assert Store.objects.get(slug="marginalia-press").organization.owner.username == "demo-seller2"
    assert studio.audit_log.filter(action=AuditLogEntry.Action.JOINED).count() == 2


@pytest.mark.django_db
def test_the_demo_members_may_do_what_their_roles_say():
    seed()
    seller2 = authenticate(None, username="demo-seller2", password=catalogue.DEMO_PASSWORD)
    support = authenticate(None, username="demo-support@example.com", password=catalogue.DEMO_PASSWORD)
    assert support is not None and support.username == "demo-support"
    fern, inkwell = Store.objects.get(slug="fern-and-kiln"), Store.objects.get(slug="inkwell-and-ash")

    assert can(seller2, fern, Area.PRODUCTS)
    assert not can(seller2, inkwell, Area.PRODUCTS)  # limited to Fern & Kiln
    assert can(support, inkwell, Area.MESSAGES)
    assert can(support, fern, Area.ORDERS_VIEW)
    assert not can(support, fern, Area.ORDERS)
    assert not can(support, fern, Area.PRODUCTS)


@pytest.mark.django_db
def test_a_second_run_makes_no_second_member_or_invitation():
    seed()
    before = counts()
    token_hash = Invitation.objects.get(email="newhelper@example.com").token_hash
    output = seed()
    assert counts() == before
    assert Invitation.objects.get(email="newhelper@example.com").token_hash == token_hash  # the link still works
    assert "already there" in output


@pytest.mark.django_db
def test_a_run_after_the_invitation_expired_sends_a_fresh_one():
    seed()
    Invitation.objects.filter(email="newhelper@example.com").update(expires_at=timezone.now() - timedelta(days=1))
    seed()
    invitations = Invitation.objects.filter(email="newhelper@example.com")
    assert [i.status for i in invitations] == [Invitation.Status.PENDING, Invitation.Status.REVOKED]


@pytest.mark.django_db
def test_a_removed_demo_member_joins_again_on_the_next_run():
    seed()
    Membership.objects.filter(user__username="demo-support").delete()
    seed()
    assert Membership.objects.get(user__username="demo-support").role == "support"


@pytest.mark.django_db
def test_the_support_member_has_a_conversation_assigned_in_their_inbox():
    seed()
    from shomp.messaging.models import Conversation

    assigned = Conversation.objects.filter(assigned_to__username="demo-support").select_related("store")
    assert [(c.store.slug, c.subject) for c in assigned] == [("inkwell-and-ash", "Do you do gift wrapping?")]
    seed()  # a second run assigns nothing twice
    assert Conversation.objects.filter(assigned_to__username="demo-support").count() == 1
