"""The permission door: `can(user, store, area)`, its queryset twins, and can_manage_store on it.

The role table is written out here on purpose, row by row, as docs/ARCHITECTURE.md shows it:
a change to areas.py must change this test too.
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from shomp.accounts.tests.factories import UserFactory
from shomp.organizations.areas import ALL_AREAS, EVERY, MEMBER, Area, Role
from shomp.organizations.policies import can
from shomp.stores.policies import can_manage_store
from shomp.stores.selectors import get_managed_stores, get_store_managers, stores_for, users_for
from shomp.stores.tests.factories import StoreFactory

from .factories import add_member

pytestmark = pytest.mark.django_db

ALL = set(Area.values)
ROLE_TABLE = {
    "owner": ALL,
    "admin": ALL,
    "manager": {
        "products",
        "orders",
        "orders.view",
        "messages",
        "reviews",
        "analytics",
        "analytics.view",
        "appearance",
        "followers",
        "promotions",
    },
    "support": {"messages", "reviews", "orders.view"},
    "fulfilment": {"orders", "orders.view"},
    "analyst": {"analytics.view"},
}
ROWS = [(role, area) for role in ROLE_TABLE for area in sorted(ALL)]


def fresh(user):
    """The user as the next request loads it (nothing cached)."""
    return get_user_model().objects.get(pk=user.pk)


def _member_with_role(role):
    store = StoreFactory()
    if role == Role.OWNER:
        return store, store.owner
    return store, add_member(store, role=role).user


def test_the_table_names_every_role_and_area():
    assert set(ROLE_TABLE) == set(Role.values)
    assert ALL == ALL_AREAS


@pytest.mark.parametrize(("role", "area"), ROWS)
def test_role_table_row_by_row_and_the_twins_agree(role, area):
    store, user = _member_with_role(role)
    expected = area in ROLE_TABLE[role]

    assert can(fresh(user), store, area) is expected
    assert stores_for(user=fresh(user), area=area).filter(pk=store.pk).exists() is expected
    assert users_for(store=store, area=area).filter(pk=user.pk).exists() is expected


@pytest.mark.parametrize("role", list(ROLE_TABLE))
def test_managing_the_store_means_every_area_and_any_member_is_a_member(role):
    store, user = _member_with_role(role)
    everything = ROLE_TABLE[role] == ALL

    assert can_manage_store(fresh(user), store) is everything
    assert get_managed_stores(user=fresh(user)).filter(pk=store.pk).exists() is everything
    assert get_store_managers(store=store).filter(pk=user.pk).exists() is everything
    assert can(fresh(user), store, MEMBER)
    assert stores_for(user=fresh(user), area=MEMBER).filter(pk=store.pk).exists()


OVERRIDES = [
    # role, added, removed, area, expected
    ("support", {"products"}, set(), "products", True),
    ("support", set(), {"messages"}, "messages", False),
    ("support", set(), {"messages"}, "reviews", True),
    ("analyst", {"analytics"}, set(), "analytics", True),
    ("analyst", {"orders.view"}, set(), "orders.view", True),
    ("analyst", {"orders.view"}, set(), "orders", False),
    ("fulfilment", set(), {"orders.view"}, "orders", False),  # nobody fulfils what they can't see
    ("fulfilment", set(), {"orders.view"}, "orders.view", False),
    ("manager", set(), {"orders"}, "orders.view", True),
    ("manager", {"members"}, set(), "members", True),
    ("admin", set(), {"settings"}, "settings", False),
    ("admin", set(), {"settings"}, EVERY, False),
]


@pytest.mark.parametrize(("role", "added", "removed", "area", "expected"), OVERRIDES)
def test_overrides_add_and_remove_areas_in_both_forms(role, added, removed, area, expected):
    store = StoreFactory()
    user = add_member(store, role=role, added=added, removed=removed).user

    assert can(fresh(user), store, area) is expected
    assert stores_for(user=fresh(user), area=area).filter(pk=store.pk).exists() is expected
    assert users_for(store=store, area=area).filter(pk=user.pk).exists() is expected


def test_a_membership_limited_to_some_stores_works_on_those_only():
    first = StoreFactory()
    second = StoreFactory(owner=first.owner)
    assert second.organization_id == first.organization_id
    user = add_member(first, role="admin", stores=[first]).user

    assert can(fresh(user), first, "products")
    assert not can(fresh(user), second, "products")
    assert not can(fresh(user), second, MEMBER)
    assert list(stores_for(user=fresh(user), area="products")) == [first]
    assert not users_for(store=second, area="products").filter(pk=user.pk).exists()


def test_a_limit_naming_another_organizations_store_gives_nothing():
    mine, theirs = StoreFactory(), StoreFactory()
    user = add_member(mine, role="admin", stores=[theirs]).user

    assert not can(fresh(user), theirs, "products")
    assert not can(fresh(user), mine, "products")
    assert not stores_for(user=fresh(user), area="products").exists()


def test_members_of_one_organization_can_do_nothing_on_anothers_stores():
    mine, theirs = StoreFactory(), StoreFactory()
    user = add_member(mine, role="admin").user

    assert not can(fresh(user), theirs, MEMBER)
    assert not can_manage_store(fresh(user), theirs)
    assert list(stores_for(user=fresh(user), area=MEMBER)) == [mine]


def test_nobody_anonymous_or_inactive_gets_in():
    store = StoreFactory()
    member = add_member(store, role="admin").user
    member.is_active = False
    member.save()

    assert not can(AnonymousUser(), store, MEMBER)
    assert not can(fresh(member), store, "products")
    assert not stores_for(user=AnonymousUser(), area=MEMBER).exists()
    assert not users_for(store=store, area="products").filter(pk=member.pk).exists()
    assert not can(UserFactory(), None, MEMBER)


def test_an_unknown_area_is_nobodys_for_members():
    store = StoreFactory()
    user = add_member(store, role="admin").user

    assert not can(fresh(user), store, "no-such-area")
    assert not stores_for(user=fresh(user), area="no-such-area").exists()


def test_the_door_reads_memberships_once_per_user_object(django_assert_num_queries):
    owner = UserFactory()
    stores = [StoreFactory(owner=owner) for _ in range(10)]
    other = StoreFactory()
    user = add_member(stores[0], role="manager", stores=stores[:5]).user
    add_member(other, user=user, role="support")
    user = fresh(user)

    with django_assert_num_queries(1):
        answers = [can(user, store, area) for store in [*stores, other] for area in sorted(ALL_AREAS)]
    assert any(answers) and not all(answers)


def test_the_owner_is_answered_without_a_query(django_assert_num_queries):
    store = StoreFactory()
    owner = fresh(store.owner)

    with django_assert_num_queries(0):
        assert can(owner, store, "settings") and can_manage_store(owner, store)


def test_lowering_a_role_takes_effect_on_the_next_user_object():
    store = StoreFactory()
    membership = add_member(store, role="admin")
    assert can_manage_store(fresh(membership.user), store)

    membership.role = "support"
    membership.save()

    assert not can_manage_store(fresh(membership.user), store)
    assert can(fresh(membership.user), store, "messages")


def test_the_rules_permission_asks_the_door():
    store = StoreFactory()
    admin = add_member(store, role="admin").user
    support = add_member(store, role="support").user

    assert fresh(admin).has_perm("stores.manage_store", store)
    assert not fresh(support).has_perm("stores.manage_store", store)


def test_a_visitor_asking_about_a_store_without_a_team_costs_no_query(django_assert_num_queries):
    store = StoreFactory()
    visitor = fresh(UserFactory())

    with django_assert_num_queries(0):
        assert not can_manage_store(visitor, store) and not can(visitor, store, MEMBER)


def test_the_owners_rights_come_from_the_stores_owner():
    """Handing a store to someone else (store.owner) takes it from the old owner at once."""
    store = StoreFactory()
    old_owner = store.owner
    store.owner = UserFactory()
    store.save()

    assert not can_manage_store(fresh(old_owner), store)
    assert not stores_for(user=fresh(old_owner), area=MEMBER).exists()


def test_the_compiled_door_answers_for_each_user_it_is_asked_about():
    # stores_for compiles the door's SQL once per area and puts each user's id in: asked in turn
    # about different users (owners, members limited to some stores), each gets their own stores.
    first, second = StoreFactory(), StoreFactory()
    limited = add_member(first, role="support", stores=[first]).user
    for _ in range(2):
        for area in (MEMBER, Area.MESSAGES, EVERY):
            assert list(stores_for(user=fresh(first.owner), area=area)) == [first]
            assert list(stores_for(user=fresh(second.owner), area=area)) == [second]
        assert list(stores_for(user=fresh(limited), area=Area.MESSAGES)) == [first]
        assert list(stores_for(user=fresh(limited), area=EVERY)) == []
