"""Test helpers: a member of a store's organization, made directly (the services are tested
on their own in test_services.py)."""

from shomp.accounts.tests.factories import UserFactory
from shomp.organizations.areas import format_areas
from shomp.organizations.models import Membership
from shomp.organizations.policies import forget_memberships
from shomp.organizations.services import sync_store_teams


def add_member(store, *, user=None, role: str = "manager", stores=None, added=(), removed=()) -> Membership:
    """`user` (a new one if None) joins `store`'s organization with `role`; `stores` limits them."""
    user = user or UserFactory()
    membership = Membership.objects.create(
        organization_id=store.organization_id,
        user=user,
        role=role,
        all_stores=stores is None,
        added_areas=format_areas(added),
        removed_areas=format_areas(removed),
    )
    if stores is not None:
        membership.stores.set(stores)
    sync_store_teams(organization=store.organization_id)
    store.refresh_from_db(fields=["has_team"])
    forget_memberships(user)
    return membership
