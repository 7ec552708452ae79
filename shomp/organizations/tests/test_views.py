"""The organization pages: who may open them, what they show, and what another team's ids get."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shomp.accounts.tests.factories import UserFactory
from shomp.organizations import services
from shomp.organizations.models import Invitation, Membership, Organization
from shomp.stores.policies import ACTIVE_STORE_SESSION_KEY
from shomp.stores.tests.factories import StoreFactory, big_studio

from .factories import add_member

pytestmark = pytest.mark.django_db

MEMBERS = "/dashboard/organization/members/"
SETTINGS = "/dashboard/organization/settings/"


def logged_in(client, user):
    client.force_login(user)
    return client


def invitation_url(token):
    return f"/organizations/invitations/{token}/"


# The members page -------------------------------------------------------------------------------


def test_a_seller_alone_sees_just_them(client):
    store = StoreFactory(owner__username="maker")
    response = logged_in(client, store.owner).get(MEMBERS)

    assert response.status_code == 200
    assert "Just you." in response.text and "maker" in response.text
    assert "Invite a member" in response.text and "No pending invitations" in response.text


def test_the_members_page_shows_usernames_never_emails_or_names(client):
    store = StoreFactory()
    add_member(store, user=UserFactory(username="packer", email="secret@example.com"), role="fulfilment")
    viewer = add_member(store, role="support").user

    text = logged_in(client, viewer).get(MEMBERS).text

    assert "packer" in text and "Fulfilment" in text
    assert "secret@example.com" not in text and "Private" not in text and "Person" not in text
    assert "Invite a member" not in text  # support doesn't manage members


def test_pending_invitations_show_the_address_in_full_only_to_who_typed_it(client):
    store = StoreFactory()
    services.invite_member(organization=store.organization, actor=store.owner, email="bea@example.com", role="support")
    admin = add_member(store, role="admin").user

    assert "bea@example.com" in logged_in(client, store.owner).get(MEMBERS).text
    text = logged_in(client, admin).get(MEMBERS).text
    assert "bea@example.com" not in text and "b***@example.com" in text


def test_the_owner_invites_by_email(client, django_capture_on_commit_callbacks):
    store = StoreFactory()
    logged_in(client, store.owner)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(MEMBERS, {"email": "new@example.com", "role": "support", "access": "all"})

    assert response.status_code == 302
    assert Invitation.objects.get().email == "new@example.com"
    assert len(mail.outbox) == 1
    assert "Invitation sent to new@example.com" in client.get(MEMBERS).text


def test_an_invitation_error_shows_next_to_its_field(client):
    store = StoreFactory()
    response = logged_in(client, store.owner).post(MEMBERS, {"email": "nope", "role": "owner", "access": "all"})

    assert response.status_code == 200
    assert 'id="id_email_error"' in response.text or "Enter a valid email address" in response.text
    assert not Invitation.objects.exists()


def test_a_member_without_the_members_area_cant_invite(client):
    store = StoreFactory()
    manager = add_member(store, role="manager").user

    response = logged_in(client, manager).post(MEMBERS, {"email": "x@example.com", "role": "analyst", "access": "all"})

    assert response.status_code == 404
    assert not Invitation.objects.exists()


def test_a_manager_cant_raise_their_own_role_by_posting(client):
    store = StoreFactory()
    manager = add_member(store, role="manager", added={"members"})

    response = logged_in(client, manager.user).post(f"{MEMBERS}{manager.pk}/", {"role": "admin", "access": "all"})

    assert response.status_code == 404
    assert Membership.objects.get(pk=manager.pk).role == "manager"


def test_the_owner_lowers_a_role_and_the_member_loses_access_on_the_next_click(client):
    store = StoreFactory()
    member = add_member(store, role="admin")
    member_client = logged_in(client.__class__(), member.user)
    assert member_client.get("/dashboard/store/").status_code == 200

    response = logged_in(client, store.owner).post(f"{MEMBERS}{member.pk}/", {"role": "support", "access": "all"})

    assert response.status_code == 302
    assert member_client.get("/dashboard/store/")["Location"] == MEMBERS
    assert member_client.get(MEMBERS).status_code == 200


def test_removing_a_member_and_leaving(client):
    store = StoreFactory()
    removed = add_member(store, role="support")
    leaver = add_member(store, role="analyst")

    assert logged_in(client, store.owner).post(f"{MEMBERS}{removed.pk}/remove/").status_code == 302
    member_client = logged_in(client.__class__(), leaver.user)
    assert member_client.post("/dashboard/organization/leave/").status_code == 302

    assert list(Membership.objects.filter(organization=store.organization).values_list("role", flat=True)) == ["owner"]
    assert member_client.get(MEMBERS)["Location"] == "/dashboard/stores/new/"


def test_the_owner_cant_leave_or_be_removed_from_the_page(client):
    store = StoreFactory()
    owner_membership = Membership.objects.get(user=store.owner)
    admin = add_member(store, role="admin").user

    assert logged_in(client, admin).post(f"{MEMBERS}{owner_membership.pk}/remove/").status_code == 302
    assert logged_in(client, store.owner).post("/dashboard/organization/leave/").status_code == 302
    assert Membership.objects.filter(pk=owner_membership.pk).exists()


# Another organization's ids are 404 -------------------------------------------------------------


def test_another_organizations_ids_are_404(client):
    mine, theirs = StoreFactory(), StoreFactory()
    their_member = add_member(theirs, role="support")
    their_invitation = services.invite_member(
        organization=theirs.organization, actor=theirs.owner, email="t@example.com", role="support"
    )
    logged_in(client, mine.owner)

    assert client.get(f"{MEMBERS}{their_member.pk}/").status_code == 404
    assert client.post(f"{MEMBERS}{their_member.pk}/", {"role": "analyst", "access": "all"}).status_code == 404
    assert client.post(f"{MEMBERS}{their_member.pk}/remove/").status_code == 404
    assert client.post(f"/dashboard/organization/invitations/{their_invitation.pk}/revoke/").status_code == 404
    assert client.post(f"/dashboard/organization/invitations/{their_invitation.pk}/resend/").status_code == 404
    assert client.post("/dashboard/organization/transfer/", {"member": their_member.pk}).status_code == 302
    assert Membership.objects.get(pk=their_member.pk).role == "support"
    assert Invitation.objects.get(pk=their_invitation.pk).revoked_at is None
    theirs.organization.refresh_from_db()
    assert theirs.organization.ownership_offered_to is None
    # An invitation form naming their store is refused too.
    client.post(MEMBERS, {"email": "n@example.com", "role": "support", "access": "some", "stores": [theirs.pk]})
    assert not Invitation.objects.filter(email="n@example.com").exists()


def test_a_session_naming_another_organizations_store_falls_back_to_ones_own(client):
    mine, theirs = StoreFactory(owner__username="me"), StoreFactory()
    add_member(theirs, role="support", user=UserFactory(username="theirmember"))
    logged_in(client, mine.owner)
    session = client.session
    session[ACTIVE_STORE_SESSION_KEY] = theirs.pk
    session.save()

    text = client.get(MEMBERS).text

    assert "theirmember" not in text and "me" in text


ROUTES = [
    ("get", MEMBERS),
    ("post", MEMBERS),
    ("get", f"{MEMBERS}{{membership}}/"),
    ("post", f"{MEMBERS}{{membership}}/remove/"),
    ("post", "/dashboard/organization/leave/"),
    ("post", "/dashboard/organization/invitations/{invitation}/resend/"),
    ("post", "/dashboard/organization/invitations/{invitation}/revoke/"),
    ("get", SETTINGS),
    ("post", "/dashboard/organization/transfer/"),
    ("post", "/dashboard/organization/transfer/cancel/"),
    ("post", "/dashboard/organization/transfer/confirm/"),
    ("post", "/dashboard/organization/delete/"),
]


@pytest.fixture
def team():
    store = StoreFactory()
    membership = add_member(store, role="support")
    invitation = services.invite_member(
        organization=store.organization, actor=store.owner, email="t@example.com", role="support"
    )
    return store, membership, invitation


@pytest.mark.parametrize(("method", "route"), ROUTES)
def test_each_route_logged_out_goes_to_log_in(client, team, method, route):
    _store, membership, invitation = team
    url = route.format(membership=membership.pk, invitation=invitation.pk)

    response = getattr(client, method)(url)

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(("method", "route"), ROUTES)
def test_each_route_for_a_stranger_without_a_store_sends_them_to_open_one(client, team, method, route):
    _store, membership, invitation = team
    url = route.format(membership=membership.pk, invitation=invitation.pk)

    response = getattr(logged_in(client, UserFactory()), method)(url)

    assert response.status_code == 302 and response["Location"] == "/dashboard/stores/new/"
    assert Membership.objects.filter(pk=membership.pk).exists()


@pytest.mark.parametrize(("method", "route"), ROUTES)
def test_each_route_for_another_stores_owner_touches_nothing_of_theirs(client, team, method, route):
    store, membership, invitation = team
    url = route.format(membership=membership.pk, invitation=invitation.pk)
    other = StoreFactory()

    response = getattr(logged_in(client, other.owner), method)(url)

    assert response.status_code in (200, 302, 404)
    assert Membership.objects.filter(pk=membership.pk, role="support").exists()
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
    assert type(store.organization).objects.filter(pk=store.organization_id).exists()
    if response.status_code == 200:
        assert "t@example.com" not in response.text and membership.user.username not in response.text


def test_support_cant_open_settings_or_act_as_owner(client, team):
    store, _membership, _invitation = team
    support = add_member(store, role="support").user
    logged_in(client, support)

    assert client.get(SETTINGS).status_code == 404
    assert client.post("/dashboard/organization/delete/").status_code == 404
    assert client.post("/dashboard/organization/transfer/", {"member": 1}).status_code == 404


# Settings ---------------------------------------------------------------------------------------


def test_settings_rename_and_audit_log(client):
    store = StoreFactory()
    logged_in(client, store.owner)

    response = client.post(SETTINGS, {"name": "Studio North", "description": "Pots"})

    assert response.status_code == 302
    text = client.get(SETTINGS).text
    assert "Studio North" in text and "Transfer ownership" in text and "holds 1 store" in text
    assert "changed the name or description" in text


def test_transfer_asked_and_confirmed_through_the_pages(client):
    store = StoreFactory()
    member = add_member(store, role="admin")
    logged_in(client, store.owner).post("/dashboard/organization/transfer/", {"member": member.pk})
    member_client = logged_in(client.__class__(), member.user)
    assert "asked you to take over" in member_client.get(MEMBERS).text

    member_client.post("/dashboard/organization/transfer/confirm/")

    store.refresh_from_db()
    assert store.owner == member.user


# An organization without stores: reached with ?organization=<id> ---------------------------------


def _empty_organization(owner, *, members=()):
    organization = services.create_organization(owner=owner, name="Empty Studio")
    for user in members:
        Membership.objects.create(organization=organization, user=user, role="support")
    return organization


def test_the_owner_reaches_an_organization_without_stores_from_the_switcher_and_deletes_it(client):
    store = StoreFactory()
    empty = _empty_organization(store.owner)
    logged_in(client, store.owner)

    # Listed in the switcher of the organization pages, under its name.
    switcher = client.get(MEMBERS).text
    assert f"{MEMBERS}?organization={empty.pk}" in switcher and "Empty Studio" in switcher
    page = client.get(f"{SETTINGS}?organization={empty.pk}")
    assert page.status_code == 200
    assert f'action="/dashboard/organization/delete/?organization={empty.pk}"' in page.text

    response = client.post(f"/dashboard/organization/delete/?organization={empty.pk}")

    assert response.status_code == 302 and response["Location"] == "/"
    assert not Organization.objects.filter(pk=empty.pk).exists()
    assert Organization.objects.filter(pk=store.organization_id).exists()  # the other one untouched


def test_an_owner_with_no_store_at_all_lands_on_their_empty_organization(client):
    owner = UserFactory()
    empty = _empty_organization(owner)
    logged_in(client, owner)

    response = client.get(SETTINGS)

    assert response.status_code == 200 and "Delete Empty Studio" in response.text
    assert "No store" in response.text
    assert client.post("/dashboard/organization/delete/").status_code == 302
    assert not Organization.objects.filter(pk=empty.pk).exists()
    assert client.get(MEMBERS)["Location"] == "/dashboard/stores/new/"  # nothing left: open a store


def test_a_member_leaves_an_organization_without_stores(client):
    store = StoreFactory()
    member = UserFactory()
    empty = _empty_organization(store.owner, members=[member])
    logged_in(client, member)

    # A team with no store for them: the dashboard sends them to its page, which offers Leave.
    assert client.get("/dashboard/orders/")["Location"] == MEMBERS
    page = client.get(MEMBERS)
    assert page.status_code == 200 and "Empty Studio" in page.text
    assert (
        f'action="/dashboard/organization/leave/?organization={empty.pk}"'
        in client.get(f"{MEMBERS}?organization={empty.pk}").text
    )

    response = client.post(f"/dashboard/organization/leave/?organization={empty.pk}")

    assert response.status_code == 302
    assert not Membership.objects.filter(user=member).exists()
    assert Organization.objects.filter(pk=empty.pk).exists()


def test_a_member_whose_stores_all_left_can_still_leave(client):
    store = StoreFactory()
    member = add_member(store, role="support", stores=[store]).user
    organization = store.organization
    store.delete()  # its only store went (a move out behaves the same for them)
    logged_in(client, member)

    response = client.post(f"/dashboard/organization/leave/?organization={organization.pk}")

    assert response.status_code == 302
    assert not Membership.objects.filter(user=member).exists()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", MEMBERS),
        ("get", SETTINGS),
        ("post", "/dashboard/organization/delete/"),
        ("post", "/dashboard/organization/leave/"),
        ("post", SETTINGS),
    ],
)
def test_another_organizations_id_in_the_query_is_404(client, method, path):
    mine = StoreFactory()
    stranger_owner = UserFactory()
    theirs = _empty_organization(stranger_owner, members=[UserFactory()])
    logged_in(client, mine.owner)

    url = f"{path}?organization={theirs.pk}"
    response = client.post(url, {"name": "Mine now"}) if method == "post" else client.get(url)

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "Empty Studio" and theirs.memberships.count() == 2


@pytest.mark.parametrize("value", ["abc", "0", "-1", "1.5", "99999999999999999999", ""])
def test_a_malformed_organization_id_is_404(client, value):
    logged_in(client, StoreFactory().owner)

    assert client.get(f"{MEMBERS}?organization={value}").status_code == 404


def test_logged_out_the_organization_query_asks_to_log_in(client):
    organization = _empty_organization(UserFactory())

    response = client.get(f"{MEMBERS}?organization={organization.pk}")

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# The invitation link ----------------------------------------------------------------------------


def _invitation(store, email="new@example.com"):
    return services.invite_member(organization=store.organization, actor=store.owner, email=email, role="support")


@pytest.mark.parametrize("token", ["x", "a" * 42, "A" * 43, "%21" * 43])
def test_a_bad_link_is_404(client, token):
    assert client.get(invitation_url(token)).status_code == 404


def test_logged_out_the_link_offers_log_in_and_sign_up(client):
    invitation = _invitation(StoreFactory())

    response = client.get(invitation_url(invitation.token))

    assert response.status_code == 200
    assert f"/accounts/login/?next=/organizations/invitations/{invitation.token}/" in response.text
    assert client.post(invitation_url(invitation.token))["Location"].startswith("/accounts/login/")


def test_the_wrong_account_gets_a_clear_refusal(client):
    invitation = _invitation(StoreFactory())
    other = UserFactory(email="other@example.com")
    EmailAddress.objects.create(user=other, email=other.email, verified=True, primary=True)
    logged_in(client, other)

    assert "confirmed address of" in client.get(invitation_url(invitation.token)).text
    response = client.post(invitation_url(invitation.token))

    assert response.status_code == 403 and "confirmed address of" in response.text
    assert not Membership.objects.filter(user=other).exists()


def test_the_invitee_accepts_and_lands_on_the_members_page(client):
    store = StoreFactory()
    invitation = _invitation(store)
    invitee = UserFactory(username="newbie", email="new@example.com")
    EmailAddress.objects.create(user=invitee, email=invitee.email, verified=True, primary=True)
    logged_in(client, invitee)

    response = client.post(invitation_url(invitation.token))

    assert response["Location"] == MEMBERS
    assert client.session[ACTIVE_STORE_SESSION_KEY] == store.pk
    text = client.get(MEMBERS).text
    assert "newbie" in text and "Welcome to" in text
    assert "used already" in client.post(invitation_url(invitation.token)).text


def test_a_database_error_mid_accept_says_nothing_changed_and_the_link_still_works(client, monkeypatch):
    store = StoreFactory()
    invitation = _invitation(store)
    invitee = UserFactory(username="newbie", email="new@example.com")
    EmailAddress.objects.create(user=invitee, email=invitee.email, verified=True, primary=True)
    logged_in(client, invitee)

    def boom(*args, **kwargs):
        raise DatabaseError("forced")

    with monkeypatch.context() as patch:
        patch.setattr(services, "_log", boom)  # the last step of the accept's transaction
        response = client.post(invitation_url(invitation.token))

    assert response.status_code == 503
    assert "Nothing changed: the invitation still works. Please try again." in response.text
    assert "Try again" in response.text
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING and invitation.accepted_by is None
    assert not Membership.objects.filter(user=invitee).exists()
    assert ACTIVE_STORE_SESSION_KEY not in client.session
    # Once the database answers again, the same link works.
    assert client.post(invitation_url(invitation.token))["Location"] == MEMBERS
    assert Membership.objects.get(user=invitee).role == "support"


# Query budget -----------------------------------------------------------------------------------


def _members_page_queries(client, *, stores: int, members: int) -> int:
    store = StoreFactory()
    others = [StoreFactory(owner=store.owner) for _ in range(stores - 1)]
    for index in range(members - 1):
        limited = [store, *others[:2]] if index % 2 else None
        add_member(store, role=["support", "admin", "analyst"][index % 3], stores=limited)
    for index in range(min(members, 20)):
        services.invite_member(
            organization=store.organization, actor=store.owner, email=f"i{index}@example.com", role="analyst"
        )
    logged_in(client, store.owner)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(MEMBERS)
    assert response.status_code == 200
    return len(queries)


def test_the_members_page_is_flat_from_1_store_and_member_to_50_and_200(client):
    small = _members_page_queries(client, stores=1, members=1)
    client.logout()
    large = _members_page_queries(client.__class__(), stores=50, members=200)

    assert large == small


@pytest.mark.parametrize(("stores", "members"), [(1, 1), (50, 200)])
def test_the_settings_page_is_flat_from_1_store_and_member_to_50_and_200(
    client, django_assert_max_num_queries, stores, members
):
    owner, first = big_studio(stores, members)
    for index in range(30):  # more than a page of the audit log
        services.invite_member(
            organization=first.organization, actor=owner, email=f"a{index}@example.com", role="analyst"
        )
    logged_in(client, owner).post("/dashboard/switch/", {"store": first.pk})
    # session, user, the door's stores and memberships, the storeless teams, the organization,
    # the members (transfer form) with their store limits, the store count, the audit log page
    # and its count: no query per store, member or log entry.
    with django_assert_max_num_queries(11):
        response = client.get(SETTINGS)
    assert response.status_code == 200
    assert len(response.context["transfer_form"].fields["member"].choices) == 1 + members
    assert len(response.context["page_obj"].object_list) == 25


# Last activity ----------------------------------------------------------------------------------


def test_the_dashboard_notes_activity_at_most_every_5_minutes_and_the_members_page_shows_it(client):
    store = StoreFactory()
    member = add_member(store, role="fulfilment")
    idle = add_member(store, role="analyst")
    logged_in(client, member.user)
    member.refresh_from_db()
    assert member.last_active_at is not None  # logging in counts
    Membership.objects.filter(pk=member.pk).update(last_active_at=None)  # as if logged in long ago

    client.get("/dashboard/orders/")
    member.refresh_from_db()
    first = member.last_active_at
    assert first is not None

    # Within 5 minutes: compared in Python with what the door loaded, no UPDATE.
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/dashboard/orders/").status_code == 200
    assert not [q for q in queries if q["sql"].lstrip().upper().startswith("UPDATE")]
    member.refresh_from_db()
    assert member.last_active_at == first

    # Over 5 minutes: one UPDATE, of this membership only.
    Membership.objects.filter(pk=member.pk).update(last_active_at=first - timedelta(minutes=6))
    with CaptureQueriesContext(connection) as queries:
        client.get("/dashboard/orders/")
    updates = [q for q in queries if q["sql"].lstrip().upper().startswith("UPDATE")]
    assert len(updates) == 1
    member.refresh_from_db()
    assert member.last_active_at > first

    Membership.objects.filter(pk=member.pk).update(last_active_at=timezone.now() - timedelta(minutes=3, seconds=5))
    logged_in(client, store.owner)
    rows = client.get(MEMBERS).text.replace("\xa0", " ")  # timesince keeps "3 minutes" together
    assert "Active 3 minutes ago" in rows
    assert Membership.objects.get(pk=idle.pk).last_active_at is None
    idle_row = rows[rows.index(f'id="member-{idle.pk}"') :]
    assert "Never" in idle_row[: idle_row.index("</tr>")]
    assert "Active just now" in rows  # the owner, who just opened the page


def test_activity_is_noted_on_the_organization_the_page_is_for(client):
    store = StoreFactory()
    other = StoreFactory()
    member = add_member(store, role="support")
    elsewhere = add_member(other, user=member.user, role="support")
    logged_in(client, member.user).post("/dashboard/switch/", {"store": other.pk})
    Membership.objects.filter(user=member.user).update(last_active_at=None)

    client.get("/dashboard/messages/")

    assert Membership.objects.get(pk=elsewhere.pk).last_active_at is not None
    assert Membership.objects.get(pk=member.pk).last_active_at is None
