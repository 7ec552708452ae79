"""seed_demo's wishlists: demo-buyer has Favourites, a public list and a gift list with a claim,
and price drops to see; a second run makes nothing."""

import io

import pytest
from django.core.management import call_command
from django.test import Client

from shomp.notifications.models import Notification, NotificationType
from shomp.wishlists.models import Wishlist, WishlistItem


@pytest.mark.django_db
def test_demo_buyer_has_lists_a_gift_list_and_price_drops():
    call_command("seed_demo", stdout=io.StringIO())
    lists = {w.name: w for w in Wishlist.objects.filter(user__username="demo-buyer")}
    assert set(lists) == {"Favourites", "Studio wall", "Birthday wishes"}
    assert not lists["Favourites"].public and lists["Studio wall"].public and lists["Birthday wishes"].is_gift_list
    assert WishlistItem.objects.filter(wishlist=lists["Birthday wishes"], claimed_by__isnull=False).count() == 1
    drops = Notification.objects.filter(user__username="demo-buyer", type=NotificationType.PRICE_DROP)
    assert drops.count() == 2
    page = Client().get(lists["Studio wall"].get_share_url())
    assert page.status_code == 200 and "demo-buyer" in page.content.decode()
    counts = (WishlistItem.objects.count(), Wishlist.objects.count(), drops.count())

    call_command("seed_demo", stdout=io.StringIO())
    assert (WishlistItem.objects.count(), Wishlist.objects.count(), drops.count()) == counts
