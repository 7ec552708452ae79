"""Store settings ask the permission door for "settings"; the dashboard menu shows only the
sections the member's areas allow, and every member lands on the dashboard of a store they work
on. Each role; another store's id; a lowered member on the next request."""

import pytest
from django.urls import reverse

from shomp.organizations.models import Membership
from shomp.organizations.tests.factories import add_member
from shomp.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db

ROLES = ["owner", "admin", "manager", "support", "fulfilment", "analyst"]
SETTINGS_PEOPLE = {"owner", "admin"}
MENU = {  # menu link -> the roles that see it
    reverse("catalog:dashboard_products"): {"owner", "admin", "manager"},
    reverse("orders:dashboard_orders"): {"owner", "admin", "manager", "support", "fulfilment"},
    reverse("messaging:dashboard_inbox"): {"owner", "admin", "manager", "support"},
    reverse("reviews:dashboard"): {"owner", "admin", "manager", "support"},
    reverse("follows:dashboard_followers"): {"owner", "admin", "manager"},
    reverse("stores:edit"): SETTINGS_PEOPLE,
}


def _world():
    store = StoreFactory(name="Kiln & Co")
    users = {"owner": store.owner}
    for role in ROLES[1:]:
        users[role] = add_member(store, role=role).user
    return store, users


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_store_settings_only_with_settings(client, role):
    store, users = _world()
    client.force_login(users[role])
    page = client.get(reverse("stores:edit"))
    saved = client.post(reverse("stores:edit"), {"name": "Renamed", "slug": store.slug, "description": ""})
    store.refresh_from_db()
    if role in SETTINGS_PEOPLE:
        assert page.status_code == 200
    else:  # no store where they may change settings: sent to the team page, nothing saved
        assert page.status_code == 302 and saved.status_code == 302
        assert store.name == "Kiln & Co"


@pytest.mark.parametrize("role", ROLES)
def test_every_member_lands_on_the_dashboard_and_sees_only_their_sections(client, role):
    _store, users = _world()
    client.force_login(users[role])
    home = client.get(reverse("orders:dashboard_home"))
    assert home.status_code == 200
    html = home.content.decode()
    for url, roles in MENU.items():
        assert (f'href="{url}"' in html) == (role in roles), url


def test_member_limited_to_store_a_cannot_edit_store_b(client):
    store_a = StoreFactory()
    store_b = StoreFactory(owner=store_a.owner, organization=store_a.organization)
    member = add_member(store_a, role="admin", stores=[store_a]).user
    client.force_login(member)
    assert client.get(reverse("stores:edit") + f"?store={store_b.pk}").status_code == 404
    assert client.post(reverse("stores:switch"), {"store": store_b.pk}).status_code == 404


def test_lowering_a_role_takes_effect_on_the_next_request(client):
    _store, users = _world()
    member = users["admin"]
    client.force_login(member)
    assert client.get(reverse("stores:edit")).status_code == 200
    Membership.objects.filter(user=member).update(role="manager")
    assert client.get(reverse("stores:edit")).status_code == 302
