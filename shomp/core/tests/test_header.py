"""The header's account menu lists what the apps registered (core.header), in their order, for
signed-in users only; a newly registered link appears without touching the template."""

import re

import pytest

from shomp.accounts.tests.factories import UserFactory
from shomp.core import header

pytestmark = pytest.mark.django_db


def account_menu(html: str) -> list[str]:
    menu = re.search(r'aria-labelledby="account-menu">(.*?)</ul>', html, re.S)
    assert menu, "no account menu"
    return [re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li>(.*?)</li>", menu.group(1), re.S)]


def test_the_account_menu_lists_the_registered_links_in_order(client):
    client.force_login(UserFactory())
    labels = account_menu(client.get("/").content.decode())
    assert labels[:8] == [
        "My orders",
        "Addresses",
        "Wishlists",
        "Following",
        "Notifications",
        "Seller dashboard",
        "Notification settings",
        "Account settings",
    ]


def test_a_registered_link_appears_where_its_order_puts_it(client):
    header.register_account_link("help", label="Help centre", icon="bi-question", url_name="stores:list", order=15)
    try:
        client.force_login(UserFactory())
        html = client.get("/").content.decode()
        labels = account_menu(html)
        # order 15: after My orders (10) and Addresses (12), before Wishlists (20)
        assert labels.index("Help centre") == labels.index("Addresses") + 1 == labels.index("Wishlists") - 1
        assert 'href="/stores/"><i class="bi bi-question me-2"' in html
    finally:
        header.unregister_account_link("help")
    assert "Help centre" not in client.get("/").content.decode()


def test_logged_out_visitors_get_no_account_menu(client):
    html = client.get("/").content.decode()
    assert 'id="account-menu"' not in html and "My orders" not in html
