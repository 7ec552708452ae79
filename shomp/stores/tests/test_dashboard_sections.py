"""Dashboard sections register themselves (core.dashboard) and the menu and the organization
tabs show each only to those whose areas allow it, asked of the door's cached answer."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shomp.core import dashboard
from shomp.organizations.tests.factories import add_member
from shomp.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db

ROLES = ["owner", "admin", "manager", "support", "fulfilment", "analyst"]


def _world():
    store = StoreFactory(name="Kiln & Co")
    users = {"owner": store.owner}
    for role in ROLES[1:]:
        users[role] = add_member(store, role=role).user
    return store, users


def _menu(html: str) -> list[str]:
    nav = html.split('class="nav flex-md-column dashboard-nav', 1)[1].split("</nav>", 1)[0]
    return [re.sub(r"<[^>]+>", "", link).strip() for link in re.findall(r"<a [^>]*>.*?</a>", nav, re.S)]


def _tabs(html: str) -> list[str]:
    tabs = html.split('aria-label="Organization"', 1)[1].split("</ul>", 1)[0]
    return [re.sub(r"<[^>]+>", "", link).strip() for link in re.findall(r"<a [^>]*>.*?</a>", tabs, re.S)]


@pytest.fixture
def fake_section():
    section = dashboard.register_section(
        "fake-insights", label="Fake insights", icon="bi-graph-up", url_name="stores:edit", area="analytics", order=35
    )
    yield section
    dashboard.unregister_section("fake-insights")


@pytest.fixture
def fake_tab():
    section = dashboard.register_section(
        "fake-overview",
        label="Fake overview",
        icon="bi-grid",
        url_name="organizations:members",
        area="analytics.view",
        order=5,
        scope=dashboard.ORGANIZATION,
    )
    yield section
    dashboard.unregister_section("fake-overview", scope=dashboard.ORGANIZATION)


def test_every_registered_section_names_a_real_url():
    assert dashboard.check_urls() == []
    keys = {s.key for s in dashboard.sections(dashboard.STORE)}
    assert {"home", "products", "orders", "messages", "reviews", "followers", "announcements"} <= keys


def test_the_owner_menu_keeps_its_order(client):
    _store, users = _world()
    client.force_login(users["owner"])
    html = client.get(reverse("orders:dashboard_home")).content.decode()
    known = {
        "Overview",
        "Products",
        "Orders",
        "Messages",
        "Reviews",
        "Followers",
        "Announcements",
        "Team",
        "Store settings",
        "View store",
        "New store",
    }
    menu = [label for label in _menu(html) if label in known]  # other apps' sections may sit between
    assert menu == [
        "Overview",
        "Products",
        "Orders",
        "Messages",
        "Reviews",
        "Followers",
        "Announcements",
        "Team",
        "Store settings",
        "View store",
        "New store",
    ]


def test_the_active_section_is_marked(client):
    _store, users = _world()
    client.force_login(users["owner"])
    html = client.get(reverse("catalog:dashboard_products")).content.decode()
    active = re.findall(r'<a class="nav-link active" href="([^"]+)" aria-current="page">', html)
    assert active == [reverse("catalog:dashboard_products")]


@pytest.mark.parametrize("role", ROLES)
def test_a_registered_section_appears_only_for_those_who_may_use_it(client, fake_section, role):
    _store, users = _world()
    client.force_login(users[role])
    html = client.get(reverse("orders:dashboard_home")).content.decode()
    menu = _menu(html)
    # "analytics" (full): the owner, admins and managers; the analyst's is read-only.
    assert ("Fake insights" in menu) == (role in {"owner", "admin", "manager"})
    if "Fake insights" in menu:
        assert menu.index("Orders") < menu.index("Fake insights") < menu.index("Messages")


def test_a_member_lowered_loses_the_section_on_the_next_request(client, fake_section):
    store, _users = _world()
    membership = add_member(store, role="manager")
    client.force_login(membership.user)
    assert "Fake insights" in _menu(client.get(reverse("orders:dashboard_home")).content.decode())
    membership.role = "support"
    membership.save()
    assert "Fake insights" not in _menu(client.get(reverse("orders:dashboard_home")).content.decode())


@pytest.mark.parametrize("role", ROLES)
def test_an_organization_section_appears_as_a_tab_for_those_who_may_use_it(client, fake_tab, role):
    _store, users = _world()
    client.force_login(users[role])
    tabs = _tabs(client.get(reverse("organizations:members")).content.decode())
    allowed = role in {"owner", "admin", "manager", "analyst"}
    assert ("Fake overview" in tabs) == allowed
    assert "Members" in tabs
    if allowed:
        assert tabs.index("Fake overview") < tabs.index("Members")  # order 5 before 10
    assert ("Settings" in tabs) == (role in {"owner", "admin"})


def test_a_whole_organization_tab_is_hidden_from_a_member_limited_to_some_stores(client, fake_tab):
    store = StoreFactory()
    limited = add_member(store, role="admin", stores=[store]).user
    client.force_login(limited)
    tabs = _tabs(client.get(reverse("organizations:members")).content.decode())
    assert "Fake overview" not in tabs and "Settings" not in tabs
    assert "Members" in tabs


def test_the_menu_costs_no_query_per_section(client):
    _store, users = _world()
    client.force_login(users["manager"])
    url = reverse("orders:dashboard_home")
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for n in range(10):
        dashboard.register_section(
            f"extra-{n}", label=f"Extra {n}", icon="bi-x", url_name="stores:edit", area="products"
        )
    try:
        with CaptureQueriesContext(connection) as after:
            html = client.get(url).content.decode()
        assert "Extra 9" in html
    finally:
        for n in range(10):
            dashboard.unregister_section(f"extra-{n}")
    assert len(after) == len(before)
