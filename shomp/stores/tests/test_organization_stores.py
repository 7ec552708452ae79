"""/dashboard/organization/stores: the organization's stores and who works on each, opening a
store in the organization, moving stores in and out (only someone who owns both sides)."""

import pytest
from django.contrib.messages import get_messages
from django.db import IntegrityError
from django.urls import reverse

from shomp.accounts.models import User
from shomp.accounts.tests.factories import UserFactory
from shomp.organizations import services as organizations
from shomp.organizations.models import AuditLogEntry, Membership
from shomp.organizations.tests.factories import add_member
from shomp.stores import services
from shomp.stores.models import Store
from shomp.stores.tests.factories import StoreFactory, big_studio

pytestmark = pytest.mark.django_db

PAGE = reverse("stores:organization")


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def studio():
    """An owner with their own organization (Home, one store) and a second one (Studio North,
    two stores) with an admin, a manager on every store, and support limited to one store."""
    owner = UserFactory(username="maker")
    home = services.create_store(owner=owner, name="Home Pots", slug="home-pots")
    studio = organizations.create_organization(owner=owner, name="Studio North")
    north = services.create_store(owner=owner, name="North Prints", slug="north-prints", organization=studio)
    south = services.create_store(owner=owner, name="South Knits", slug="south-knits", organization=studio)
    admin = add_member(north, role="admin", user=UserFactory(username="ada")).user
    manager = add_member(north, role="manager", user=UserFactory(username="manny")).user
    support = add_member(north, role="support", user=UserFactory(username="sue"), stores=[south]).user
    return {
        "owner": owner,
        "home": home,
        "studio": studio,
        "north": north,
        "south": south,
        "admin": admin,
        "manager": manager,
        "support": support,
    }


def _work_on(client, user, store):
    client.force_login(user)
    client.post(reverse("stores:switch"), {"store": store.pk})


# The page -------------------------------------------------------------------------------------


def test_the_owner_sees_the_stores_and_who_works_on_each(client, studio):
    _work_on(client, studio["owner"], studio["north"])
    response = client.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    rows = response.context["rows"]
    assert [row["store"].name for row in rows] == ["North Prints", "South Knits"]
    assert [m.user.username for m in rows[1]["limited"]] == ["sue"]  # support, only South
    assert rows[0]["limited"] == []
    assert [m.user.username for m in response.context["everywhere"]] == ["maker", "ada", "manny"]
    assert "only this store" in html
    assert "Home Pots" not in html.split('id="organization-stores"')[1].split("</ul>")[0]
    assert "@example.com" not in html  # never an email
    assert "Private Person" not in html  # nor a name
    assert "Open a store in Studio North" in html
    assert "Move to maker" in html  # out, into the owner's own organization
    assert "Home Pots" in html.split('id="move-in-store"')[1]  # in, from their own


def test_a_member_limited_to_some_stores_sees_only_theirs(client, studio):
    _work_on(client, studio["support"], studio["south"])
    response = client.get(PAGE)
    assert response.status_code == 200
    assert [row["store"].name for row in response.context["rows"]] == ["South Knits"]
    html = response.content.decode()
    assert "North Prints" not in html.split('id="stores-title"')[1].split('id="everywhere-title"')[0]
    assert "Open a store" not in html and "Move" not in html


@pytest.mark.parametrize("who", ["manager", "support"])
def test_managers_and_support_see_the_page_without_the_owner_forms(client, studio, who):
    _work_on(client, studio[who], studio["south"])
    html = client.get(PAGE).content.decode()
    assert "Open a store" not in html and "Move to" not in html and "Move a store in" not in html


def test_logged_out_visitors_go_to_the_login(client, studio):
    for response in (
        client.get(PAGE),
        client.post(PAGE, {"new-name": "Sneaky"}),
        client.post(reverse("stores:organization_move_in"), {"store": studio["home"].pk}),
        client.post(reverse("stores:organization_move_out", args=[studio["north"].pk])),
    ):
        assert response.status_code == 302 and "/accounts/login/" in response.url
    assert not Store.objects.filter(name="Sneaky").exists()
    assert Store.objects.get(pk=studio["north"].pk).organization_id == studio["studio"].pk


def test_a_stranger_is_sent_to_open_a_store_and_sees_nothing(client, studio):
    client.force_login(UserFactory())
    response = client.get(PAGE)
    assert response.status_code == 302 and response.url == reverse("stores:create")
    moved = client.post(reverse("stores:organization_move_out", args=[studio["north"].pk]))
    assert moved.status_code == 302 and moved.url == reverse("stores:create")
    assert Store.objects.get(pk=studio["north"].pk).organization_id == studio["studio"].pk


def test_another_organizations_owner_sees_only_their_own(client, studio):
    other = StoreFactory(name="Elsewhere")
    client.force_login(other.owner)
    response = client.get(PAGE)
    html = response.content.decode()
    assert [row["store"].name for row in response.context["rows"]] == ["Elsewhere"]
    assert "North Prints" not in html and "Studio North" not in html and "ada" not in html
    # Our store's id in their move-out URL: no such store for them.
    assert client.post(reverse("stores:organization_move_out", args=[studio["north"].pk])).status_code == 404
    # Nor can they move our store into theirs.
    response = client.post(reverse("stores:organization_move_in"), {"store": studio["north"].pk})
    assert "Pick one of your stores" in _messages(response)[-1]
    assert Store.objects.get(pk=studio["north"].pk).organization_id == studio["studio"].pk


# Opening a store in the organization ------------------------------------------------------------


def test_the_owner_opens_a_store_in_the_organization(client, studio):
    _work_on(client, studio["owner"], studio["north"])
    response = client.post(PAGE, {"new-name": "West Glass", "new-slug": "", "new-description": "Blown."})
    assert response.status_code == 302
    store = Store.objects.get(name="West Glass")
    assert store.organization_id == studio["studio"].pk and store.owner_id == studio["owner"].pk
    assert store.has_team  # the organization has members: the door must read them
    assert "West Glass is open in Studio North." in _messages(response)
    assert AuditLogEntry.objects.filter(
        organization=studio["studio"], action="store_opened", object="West Glass"
    ).exists()
    # The whole team works on it at once; support, limited to South, doesn't.
    _work_on(client, studio["manager"], store)
    assert client.get(reverse("catalog:dashboard_products")).context["request"].store == store
    client.force_login(studio["support"])
    assert client.post(reverse("stores:switch"), {"store": store.pk}).status_code == 404


def test_an_admin_opens_a_store_that_the_owner_owns(client, studio):
    _work_on(client, studio["admin"], studio["north"])
    client.post(PAGE, {"new-name": "Admin's Idea"})
    store = Store.objects.get(name="Admin's Idea")
    assert store.owner_id == studio["owner"].pk and store.organization_id == studio["studio"].pk


@pytest.mark.parametrize("who", ["manager", "support"])
def test_members_who_may_not_open_stores_are_refused(client, studio, who):
    _work_on(client, studio[who], studio["south"])
    response = client.post(PAGE, {"new-name": "Not Mine"})
    assert response.status_code == 302
    assert "Only the owner or an admin of Studio North can open stores in it." in _messages(response)
    assert not Store.objects.filter(name="Not Mine").exists()


def test_an_admin_limited_to_some_stores_may_not_open_one(studio):
    limited = add_member(studio["north"], role="admin", stores=[studio["north"]]).user
    with pytest.raises(Exception, match="Only the owner or an admin"):
        services.create_store(owner=limited, name="Sideways", organization=studio["studio"])
    assert not Store.objects.filter(name="Sideways").exists()


def test_bad_input_is_shown_next_to_the_field_and_opens_nothing(client, studio):
    _work_on(client, studio["owner"], studio["north"])
    count = Store.objects.count()
    response = client.post(PAGE, {"new-name": "  ", "new-slug": ""})
    assert response.status_code == 400
    assert "This field is required." in response.context["form"].errors["name"]
    response = client.post(PAGE, {"new-name": "Copy", "new-slug": "north-prints"})
    assert "The address “north-prints” is taken. Please choose another." in response.context["form"].errors["slug"]
    assert 'id="id_new-slug_error"' in response.content.decode()
    assert Store.objects.count() == count


# Moving stores ----------------------------------------------------------------------------------


def test_moving_a_store_out_lands_it_in_the_owners_own_organization(client, studio):
    _work_on(client, studio["owner"], studio["north"])
    south = studio["south"]
    response = client.post(reverse("stores:organization_move_out", args=[south.pk]))
    assert "South Knits moved out of Studio North into maker." in _messages(response)
    south.refresh_from_db()
    assert south.organization_id == studio["home"].organization_id
    assert not south.has_team  # the owner's own organization has nobody else
    # Support was limited to South: they lose it (and keep their membership, with no store).
    membership = Membership.objects.get(user=studio["support"])
    assert list(membership.stores.all()) == []
    client.force_login(studio["support"])
    assert client.get(reverse("messaging:dashboard_inbox")).status_code == 302
    assert client.post(reverse("stores:switch"), {"store": south.pk}).status_code == 404
    # Nor do the rest of the old team work on it.
    client.force_login(studio["manager"])
    assert client.post(reverse("stores:switch"), {"store": south.pk}).status_code == 404
    out = AuditLogEntry.objects.get(organization=studio["studio"], action="store_moved_out")
    assert out.object == "South Knits" and out.details == {"to": "maker", "lost": ["sue"]}
    into = AuditLogEntry.objects.get(organization=south.organization, action="store_moved_in")
    assert into.details == {"from": "Studio North"}


def test_moving_the_active_store_out_keeps_the_owner_in_the_organization(client, studio):
    _work_on(client, studio["owner"], studio["north"])
    client.post(reverse("stores:organization_move_out", args=[studio["north"].pk]))
    response = client.get(PAGE)
    assert response.context["organization"] == studio["studio"]
    assert [row["store"].name for row in response.context["rows"]] == ["South Knits"]


def test_moving_a_store_in_from_another_organization_the_owner_owns(client, studio):
    _work_on(client, studio["owner"], studio["north"])
    home = studio["home"]
    response = client.post(reverse("stores:organization_move_in"), {"store": home.pk})
    assert "Home Pots moved from maker into Studio North." in _messages(response)
    home.refresh_from_db()
    assert home.organization_id == studio["studio"].pk and home.has_team
    _work_on(client, studio["manager"], home)
    assert client.get(reverse("catalog:dashboard_products")).context["request"].store == home


def test_the_owners_own_organization_keeps_its_stores_until_moved_in_elsewhere(client, studio):
    _work_on(client, studio["owner"], studio["home"])
    html = client.get(PAGE).content.decode()
    assert "Move to" not in html and "is your own organization" in html
    response = client.post(reverse("stores:organization_move_out", args=[studio["home"].pk]))
    assert "maker is your own organization" in _messages(response)[-1]
    assert Store.objects.get(pk=studio["home"].pk).organization_id == studio["home"].organization_id


def test_an_admin_may_not_move_stores_out(client, studio):
    _work_on(client, studio["admin"], studio["north"])
    StoreFactory(owner=studio["admin"])  # they own an organization of their own
    response = client.post(reverse("stores:organization_move_out", args=[studio["north"].pk]))
    assert "Only the owner of Studio North can move its stores out" in _messages(response)[-1]
    assert Store.objects.get(pk=studio["north"].pk).organization_id == studio["studio"].pk


def test_moving_in_needs_the_owner_of_both_sides(client, studio):
    """An admin of Studio North who owns their own store can't move it into Studio North, and the
    service refuses the owner of only one side whoever calls it."""
    theirs = StoreFactory(owner=studio["admin"], name="Ada's Own")
    _work_on(client, studio["admin"], studio["north"])
    response = client.post(reverse("stores:organization_move_in"), {"store": theirs.pk})
    assert "Only someone who owns both" in _messages(response)[-1]
    theirs.refresh_from_db()
    assert theirs.organization_id != studio["studio"].pk
    with pytest.raises(Exception, match="Only someone who owns both"):
        organizations.move_store(store=studio["north"], actor=studio["owner"], to_organization=theirs.organization)
    assert Store.objects.get(pk=studio["north"].pk).organization_id == studio["studio"].pk
    assert not AuditLogEntry.objects.filter(action__startswith="store_moved").exists()


def test_moving_into_the_same_organization_is_refused(studio):
    with pytest.raises(Exception, match="is in Studio North already"):
        organizations.move_store(store=studio["north"], actor=studio["owner"], to_organization=studio["studio"])


def test_the_move_in_form_refuses_a_bad_id(client, studio):
    _work_on(client, studio["owner"], studio["north"])
    for value in ["", "abc", "99999999", str(studio["south"].pk)]:  # South is in Studio North already
        response = client.post(reverse("stores:organization_move_in"), {"store": value})
        assert "Pick one of your stores" in _messages(response)[-1]


# Leftovers: has_team on every path, no silent organization -------------------------------------


def test_a_store_made_outside_create_store_gets_its_organizations_team_flag():
    first = StoreFactory()
    add_member(first, role="manager")
    second = StoreFactory(owner=first.owner)  # the same (own) organization, straight through the ORM
    assert second.organization_id == first.organization_id
    assert second.has_team


def test_a_store_needs_an_organization():
    with pytest.raises(IntegrityError):
        Store.objects.create(owner=UserFactory(), name="Nowhere", slug="nowhere")


# Query budget -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("stores", "members"), [(1, 1), (50, 200)])
def test_the_page_costs_the_same_for_1_or_50_stores_and_200_members(
    client, django_assert_max_num_queries, stores, members
):
    owner, first = big_studio(stores, members)
    _work_on(client, owner, first)
    # session, user, the door's stores and memberships, the stores, members and their limits,
    # the owner's own organization, the stores they could move in; no query per store or member.
    with django_assert_max_num_queries(10):
        response = client.get(PAGE)
    assert len(response.context["rows"]) == stores
    assert len(response.context["everywhere"]) == 1 + (members + 1) // 2
    assert len(response.context["movable"]) == stores


@pytest.mark.parametrize(("path", "budget"), [("/dashboard/", 9), ("/dashboard/orders/", 6)])
@pytest.mark.parametrize(("stores", "members"), [(1, 2), (50, 200)])
def test_a_store_page_seen_by_a_limited_member_costs_the_same_for_1_or_50_stores_and_200_members(
    client, django_assert_max_num_queries, stores, members, path, budget
):
    big_studio(stores, members)
    member = User.objects.get(username="member1")  # a manager limited to one store
    mine = member.memberships.get().stores.get()
    _work_on(client, member, mine)
    # session, user, the door's stores and memberships, then the page's own few queries: the
    # door asks each store of 50 from the memberships it read once, and nothing per member.
    with django_assert_max_num_queries(budget):
        response = client.get(path)
    assert response.status_code == 200
    assert response.wsgi_request.store == mine
    assert [s.pk for s in response.wsgi_request.managed_stores] == [mine.pk]
