"""The data migration puts every existing store in its owner's organization, losing nothing."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("stores", "0003_store_organization")]
AFTER = [("stores", "0005_store_organization_required")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_latest():
    """Later migrations add columns (stores.0006 the time zone): the models of the AFTER state are
    the migration's own, and the schema goes back to the latest state for the tests that follow."""
    yield
    executor = MigrationExecutor(connection)
    _migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_each_owner_gets_one_organization_holding_their_stores_back_and_forth(back_to_latest):
    apps = _migrate(BEFORE)
    User = apps.get_model("accounts", "User")
    OldStore = apps.get_model("stores", "Store")
    alice = User.objects.create(username="alice", email="alice@example.com")
    bob = User.objects.create(username="bob", email="bob@example.com")
    User.objects.create(username="carol", email="carol@example.com")  # no store: no organization
    for owner, slug in [(alice, "a-one"), (alice, "a-two"), (bob, "b-one")]:
        OldStore.objects.create(owner=owner, name=slug, slug=slug, description="kept", review_policy="anyone")

    after = _migrate(AFTER)
    Store = after.get_model("stores", "Store")
    Membership = after.get_model("organizations", "Membership")
    Organization = after.get_model("organizations", "Organization")

    stores = {store.slug: store for store in Store.objects.select_related("organization")}
    assert set(stores) == {"a-one", "a-two", "b-one"}
    assert all(store.description == "kept" and store.review_policy == "anyone" for store in stores.values())
    assert stores["a-one"].organization_id == stores["a-two"].organization_id != stores["b-one"].organization_id
    assert stores["a-one"].organization.owner.username == "alice"
    assert stores["a-one"].organization.name == "alice"
    assert stores["b-one"].organization.owner.username == "bob"
    assert sorted(Membership.objects.values_list("user__username", "role")) == [("alice", "owner"), ("bob", "owner")]

    # Backwards and forwards again: the same organizations, nothing doubled.
    _migrate(BEFORE)
    _migrate(AFTER)

    assert Organization.objects.count() == 2
    assert Membership.objects.count() == 2
    again = {store.slug: store.organization_id for store in Store.objects.all()}
    assert again == {slug: store.organization_id for slug, store in stores.items()}
