import pytest

from shomp.accounts.tests.factories import UserFactory
from shomp.wishlists import services

pytestmark = pytest.mark.django_db


def test_admin_lists_and_shows_a_list_read_only_without_its_link(client, buyer, product):
    wishlist = services.create_wishlist(user=buyer, name="Shared things", public=True)
    services.add_to_wishlist(user=buyer, product=product, wishlist=wishlist)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert "Shared things" in client.get("/admin/wishlists/wishlist/").content.decode()
    page = client.get(f"/admin/wishlists/wishlist/{wishlist.pk}/change/").content.decode()
    assert "Blue mug" in page and wishlist.share_token not in page
    assert client.get("/admin/wishlists/wishlist/add/").status_code == 403
