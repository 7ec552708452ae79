"""The pages as their users meet them: the heart, my lists, a list, a shared list; every door tried
by a stranger, a logged-out visitor, another store's owner and staff; bad input; query budgets."""

from decimal import Decimal

import pytest
from django.urls import reverse

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog.models import Product
from shomp.catalog.tests.factories import ProductFactory
from shomp.stores.tests.factories import StoreFactory
from shomp.wishlists import services
from shomp.wishlists.models import Wishlist, WishlistItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def saved(buyer, product):
    wishlist = services.create_wishlist(user=buyer, name="Private things")
    item = services.add_to_wishlist(user=buyer, product=product, wishlist=wishlist, note="for the office").item
    return wishlist, item


def _others():
    staff = UserFactory(is_staff=True)
    other_owner = StoreFactory().owner
    return {"stranger": UserFactory(), "staff": staff, "other store owner": other_owner}


def test_heart_saves_in_place_and_a_second_click_removes(client, buyer, product):
    client.force_login(buyer)
    url = reverse("wishlists:toggle", args=[product.pk])
    response = client.post(url, headers={"HX-Request": "true"})
    assert "Saved to Favourites." in response.content.decode()
    assert 'aria-pressed="true"' in response.content.decode()
    client.post(url, headers={"HX-Request": "true"})  # the double click's second request: still one
    assert WishlistItem.objects.count() == 1
    response = client.post(url, {"action": "remove"}, headers={"HX-Request": "true"})
    assert WishlistItem.objects.count() == 0


def test_double_add_is_one_item(client, buyer, product):
    client.force_login(buyer)
    url = reverse("wishlists:save_to", args=[product.pk])
    default = services.default_wishlist(user=buyer)
    for _ in range(2):
        response = client.post(url, {"wishlist": default.pk}, headers={"HX-Request": "true"})
    assert "Already in Favourites." in response.content.decode()
    assert WishlistItem.objects.count() == 1


def test_save_to_a_new_list(client, buyer, product):
    client.force_login(buyer)
    client.post(reverse("wishlists:save_to", args=[product.pk]), {"new_list": "Gifts"}, headers={"HX-Request": "true"})
    assert WishlistItem.objects.get().wishlist.name == "Gifts"


def test_anonymous_heart_logs_in_then_saves(client, product):
    response = client.post(reverse("wishlists:toggle", args=[product.pk]), headers={"HX-Request": "true"})
    assert response["HX-Redirect"].startswith(reverse("account_login"))
    assert not WishlistItem.objects.exists()
    user = UserFactory()
    client.force_login(user)  # the session (and what to save) survives the log-in
    response = client.get(reverse("wishlists:pending"))
    assert response.status_code == 302 and response["Location"] == product.get_absolute_url()
    assert WishlistItem.objects.get().wishlist.user == user


def test_unpublished_product_or_foreign_variant_is_404_and_saves_nothing(client, buyer, variant_product, product):
    client.force_login(buyer)
    draft = ProductFactory(status=Product.Status.DRAFT)
    assert client.post(reverse("wishlists:toggle", args=[draft.pk])).status_code == 404
    variant = variant_product.variants.first()
    response = client.post(reverse("wishlists:toggle", args=[product.pk]), {"variant": variant.pk})
    assert response.status_code == 404
    assert client.post(reverse("wishlists:toggle", args=["1e9"])).status_code == 404
    assert not WishlistItem.objects.exists()


def test_list_page_shows_current_price_and_was(client, buyer, saved, product):
    wishlist, _ = saved
    Product.objects.filter(pk=product.pk).update(price=Decimal("7.50"))
    client.force_login(buyer)
    page = client.get(wishlist.get_absolute_url()).content.decode()
    assert "$7.50" in page and "was $10.00 when you saved it" in page and "In stock" in page


def test_unpublished_products_stay_shown_as_no_longer_available(client, buyer, saved, product):
    wishlist, _ = saved
    Product.objects.filter(pk=product.pk).update(status=Product.Status.ARCHIVED)
    client.force_login(buyer)
    assert "No longer available" in client.get(wishlist.get_absolute_url()).content.decode()


def test_private_list_is_404_to_everyone_else(client, saved):
    wishlist, item = saved
    urls_get = [wishlist.get_absolute_url()]
    urls_post = [
        reverse("wishlists:rename", args=[wishlist.pk]),
        reverse("wishlists:share", args=[wishlist.pk]),
        reverse("wishlists:delete", args=[wishlist.pk]),
        reverse("wishlists:to_cart", args=[wishlist.pk]),
        reverse("wishlists:item_update", args=[item.pk]),
        reverse("wishlists:item_remove", args=[item.pk]),
    ]
    for who, user in _others().items():
        client.force_login(user)
        for url in urls_get:
            assert client.get(url).status_code == 404, (who, url)
        for url in urls_post:
            assert client.post(url, {"name": "Hacked", "note": "x", "public": "on"}).status_code == 404, (who, url)
        assert "Private things" not in client.get(reverse("wishlists:index")).content.decode()
    client.logout()
    for url in urls_get + urls_post:
        response = client.get(url) if url in urls_get else client.post(url)
        assert response.status_code == 302 and reverse("account_login") in response["Location"]
    wishlist.refresh_from_db()
    item.refresh_from_db()
    assert wishlist.name == "Private things" and not wishlist.public and item.note == "for the office"


def test_moving_into_another_users_list_is_404(client, buyer, saved):
    _, item = saved
    theirs = services.create_wishlist(user=UserFactory(), name="Theirs")
    client.force_login(buyer)
    assert client.post(reverse("wishlists:item_move", args=[item.pk]), {"to": theirs.pk}).status_code == 404
    assert not theirs.items.exists()


def test_shared_page_owner_username_only_noindex_no_referrer(client, buyer, saved):
    wishlist, _ = saved
    buyer.first_name, buyer.last_name = "Secret", "Person"
    buyer.save()
    services.share_wishlist(user=buyer, wishlist=wishlist, public=True)
    wishlist.refresh_from_db()
    response = client.get(wishlist.get_share_url())
    page = response.content.decode()
    assert response.status_code == 200 and "Blue mug" in page and buyer.username in page
    assert buyer.email not in page and "Secret" not in page
    assert response["Referrer-Policy"] == "no-referrer"
    assert '<meta name="robots" content="noindex' in page


def test_revoked_guessed_and_malformed_tokens_are_404(client, buyer, saved):
    wishlist, _ = saved
    services.share_wishlist(user=buyer, wishlist=wishlist, public=True)
    wishlist.refresh_from_db()
    old = wishlist.get_share_url()
    services.regenerate_link(user=buyer, wishlist=wishlist)
    for url in [old, "/wishlists/shared/guess/", "/wishlists/shared/" + "a" * 500 + "/"]:
        assert client.get(url).status_code == 404, url


def test_claims_on_a_gift_list_and_the_owner_can_hide_them(client, buyer, saved):
    wishlist, item = saved
    services.share_wishlist(user=buyer, wishlist=wishlist, public=True, gift_list=True, owner_sees_claims=False)
    wishlist.refresh_from_db()
    friend = UserFactory()
    client.force_login(friend)
    client.post(reverse("wishlists:claim", args=[wishlist.share_token, item.pk]))
    item.refresh_from_db()
    assert item.claimed_by == friend
    client.force_login(UserFactory())
    assert "Claimed" in client.get(wishlist.get_share_url()).content.decode()
    client.force_login(buyer)
    assert "Claimed" not in client.get(wishlist.get_share_url()).content.decode()
    assert "Claimed" not in client.get(wishlist.get_absolute_url()).content.decode()


def test_bad_list_name_is_told_next_to_the_field(client, buyer):
    client.force_login(buyer)
    response = client.post(reverse("wishlists:index"), {"name": "x" * 500})
    assert response.status_code == 400
    assert 'id="id_name_error"' in response.content.decode() and "at most" in response.content.decode()
    assert not Wishlist.objects.exists()


def test_add_all_to_cart_page(client, buyer, saved):
    wishlist, _ = saved
    client.force_login(buyer)
    response = client.post(reverse("wishlists:to_cart", args=[wishlist.pk]), follow=True)
    assert "Added to your cart: Blue mug" in response.content.decode()


# Query budgets -----------------------------------------------------------------------------


def _fill(user, count):
    products = ProductFactory.create_batch(count)
    wishlist = services.create_wishlist(user=user, name=f"List {count}")
    WishlistItem.objects.bulk_create(
        [WishlistItem(wishlist=wishlist, product=p, price_when_added=p.price) for p in products]
    )
    return wishlist, products


@pytest.mark.parametrize("count", [1, 200])
def test_list_page_budget(client, buyer, django_assert_max_num_queries, count):
    wishlist, _ = _fill(buyer, count)
    client.force_login(buyer)
    with django_assert_max_num_queries(12):
        assert client.get(wishlist.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("wishlists:index")).status_code == 200


@pytest.mark.parametrize("count", [1, 200])
def test_shared_page_budget(client, buyer, django_assert_max_num_queries, count):
    wishlist, _ = _fill(buyer, count)
    services.share_wishlist(user=buyer, wishlist=wishlist, public=True)
    wishlist.refresh_from_db()
    with django_assert_max_num_queries(8):
        assert client.get(wishlist.get_share_url()).status_code == 200


@pytest.mark.parametrize("count", [1, 48])
def test_hearts_of_a_grid_budget(client, buyer, django_assert_max_num_queries, count):
    wishlist, products = _fill(buyer, count)
    WishlistItem.objects.filter(wishlist=wishlist).update(wishlist=services.default_wishlist(user=buyer))
    client.force_login(buyer)
    query = "&".join(f"p={p.pk}" for p in products)
    with django_assert_max_num_queries(4):
        response = client.get(f"{reverse('wishlists:hearts')}?{query}")
    assert len(response.json()["saved"]) == count


@pytest.mark.parametrize("count", [1, 200])
def test_adding_budget(client, buyer, product, django_assert_max_num_queries, count):
    _fill(buyer, count)
    services.default_wishlist(user=buyer)
    client.force_login(buyer)
    with django_assert_max_num_queries(16):
        client.post(reverse("wishlists:toggle", args=[product.pk]), headers={"HX-Request": "true"})
    assert WishlistItem.objects.filter(product=product).count() == 1


def test_product_page_and_cart_carry_no_personal_heart_state(client, buyer, product):
    """Public pages stay shared: the heart's state comes in its own fragment."""
    services.add_to_wishlist(user=buyer, product=product)
    anonymous = client.get(product.get_absolute_url()).content.decode()
    client.force_login(buyer)
    saver = client.get(product.get_absolute_url()).content.decode()
    assert 'class="wishlist-heart-slot"' in saver and 'aria-pressed="true"' not in saver
    assert reverse("wishlists:heart", args=[product.pk]) in anonymous
    fragment = client.get(reverse("wishlists:heart", args=[product.pk])).content.decode()
    assert 'aria-pressed="true"' in fragment and "Saved" in fragment


def test_save_for_later_moves_the_cart_line_to_favourites(client, buyer, variant_product):
    from shomp.orders.models import Cart, CartItem

    small, medium = variant_product.variants.order_by("pk")
    cart = Cart.objects.create(user=buyer)
    line = CartItem.objects.create(cart=cart, product=variant_product, variant=medium, quantity=3)
    kept = CartItem.objects.create(cart=cart, product=variant_product, variant=small, quantity=1)
    client.force_login(buyer)
    page = client.get(reverse("orders:cart")).content.decode()
    assert reverse("wishlists:save_for_later", args=[line.pk]) in page
    response = client.post(reverse("wishlists:save_for_later", args=[line.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("orders:cart")
    assert f"Saved “{variant_product.title}” for later in Favourites." in response.content.decode()
    saved = WishlistItem.objects.get()
    assert (saved.product, saved.variant, saved.quantity, saved.wishlist.user) == (variant_product, medium, 3, buyer)
    assert list(CartItem.objects.filter(cart=cart)) == [kept]
    # Already in Favourites: the line still leaves the cart, and the list keeps one item.
    again = CartItem.objects.create(cart=cart, product=variant_product, variant=medium, quantity=1)
    response = client.post(reverse("wishlists:save_for_later", args=[again.pk]), follow=True)
    assert "was in Favourites already" in response.content.decode()
    assert WishlistItem.objects.count() == 1 and list(CartItem.objects.filter(cart=cart)) == [kept]


def test_save_for_later_of_another_cart_line_is_a_404_and_changes_nothing(client, buyer, product):
    from shomp.orders.models import Cart, CartItem

    theirs = CartItem.objects.create(cart=Cart.objects.create(user=UserFactory()), product=product, quantity=2)
    client.force_login(buyer)
    for item_id in (theirs.pk, "x", "9" * 30):
        assert client.post(reverse("wishlists:save_for_later", args=[item_id])).status_code == 404
    assert CartItem.objects.filter(pk=theirs.pk, quantity=2).exists() and not WishlistItem.objects.exists()


def test_save_for_later_asks_a_visitor_to_log_in_and_their_cart_offers_the_heart(client, product):
    from shomp.orders.models import CartItem

    client.post(reverse("orders:cart_add"), {"product": product.pk, "quantity": 1})
    line = CartItem.objects.get()
    page = client.get(reverse("orders:cart")).content.decode()
    assert reverse("wishlists:toggle", args=[product.pk]) in page
    assert reverse("wishlists:save_for_later", args=[line.pk]) not in page
    response = client.post(reverse("wishlists:save_for_later", args=[line.pk]))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert CartItem.objects.filter(pk=line.pk).exists() and not WishlistItem.objects.exists()


def test_pending_save_of_a_product_gone_meanwhile_says_so(client, product):
    client.post(reverse("wishlists:toggle", args=[product.pk]))
    Product.objects.filter(pk=product.pk).update(status=Product.Status.ARCHIVED)
    client.force_login(UserFactory())
    response = client.get(reverse("wishlists:pending"), follow=True)
    assert "available to save" in response.content.decode() and response.redirect_chain[-1][0] == "/wishlists/"
    assert not WishlistItem.objects.exists()


# The card heart and "Save to list…" ------------------------------------------------------


def test_a_card_heart_is_pressed_exactly_when_pressing_it_removes(client, buyer):
    """The card heart adds to and removes from Favourites, so it shows Favourites only: a
    product kept in another list shows unpressed (its lists show in "Save to list…")."""
    in_favourites, elsewhere = ProductFactory(), ProductFactory()
    services.add_to_wishlist(user=buyer, product=in_favourites)
    gifts = services.create_wishlist(user=buyer, name="Gifts")
    services.add_to_wishlist(user=buyer, product=elsewhere, wishlist=gifts)
    client.force_login(buyer)
    state = client.get(reverse("wishlists:hearts"), {"p": [in_favourites.pk, elsewhere.pk]}).json()
    assert state["saved"] == [in_favourites.pk]
    # Pressing the pressed heart (hearts.js sends action=remove) removes what it showed.
    client.post(reverse("wishlists:toggle", args=[in_favourites.pk]), {"action": "remove"}, HTTP_HX_REQUEST="true")
    assert not WishlistItem.objects.filter(product=in_favourites).exists()
    # Pressing the unpressed one saves it to Favourites too; Gifts keeps its copy.
    client.post(reverse("wishlists:toggle", args=[elsewhere.pk]), HTTP_HX_REQUEST="true")
    assert sorted(WishlistItem.objects.filter(product=elsewhere).values_list("wishlist__name", flat=True)) == [
        "Favourites",
        "Gifts",
    ]
    picker = client.get(reverse("wishlists:picker", args=[elsewhere.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert ">Gifts (saved)</option>" in picker and ">Favourites (saved)</option>" in picker


def test_the_picker_saves_to_a_chosen_or_new_list_and_says_where(client, buyer, variant_product):
    small = variant_product.variants.order_by("pk").first()
    url = reverse("wishlists:save_to", args=[variant_product.pk])
    anonymous = client.get(reverse("wishlists:picker", args=[variant_product.pk]), HTTP_HX_REQUEST="true")
    anonymous = anonymous.content.decode()
    assert reverse("account_login") in anonymous and 'name="new_list"' not in anonymous
    client.force_login(buyer)
    picker = client.get(
        reverse("wishlists:picker", args=[variant_product.pk]), {"variant": small.pk}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'hx-params="wishlist,new_list,variant,picker"' in picker and f'value="{small.pk}"' in picker
    assert '<option value="default">Favourites</option>' in picker  # offered before it exists
    # Nothing chosen and no name: told next to the field, nothing saved.
    response = client.post(url, {"picker": "1", "variant": small.pk}, HTTP_HX_REQUEST="true").content.decode()
    assert "Choose a list, or name a new one." in response and 'id="picker-error-' in response
    assert not WishlistItem.objects.exists()
    response = client.post(
        url, {"picker": "1", "variant": small.pk, "new_list": "Birthday"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    birthday = Wishlist.objects.get(name="Birthday")
    assert "Saved to Birthday." in response and reverse("wishlists:detail", args=[birthday.pk]) in response
    assert WishlistItem.objects.get().variant == small
    # The same name again is a clear message next to the field, nothing new.
    response = client.post(url, {"picker": "1", "new_list": "birthday"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'class="invalid-feedback d-block mb-1"' in response and Wishlist.objects.filter(user=buyer).count() == 1
    response = client.post(
        url, {"picker": "1", "variant": small.pk, "wishlist": birthday.pk}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Already in Birthday." in response and WishlistItem.objects.count() == 1


def test_cards_and_cart_lines_offer_save_to_list(client, buyer, product):
    from shomp.orders.models import Cart, CartItem

    page = client.get(product.store.get_absolute_url()).content.decode()
    assert reverse("wishlists:picker", args=[product.pk]) in page  # the same for every visitor
    cart = Cart.objects.create(user=buyer)
    CartItem.objects.create(cart=cart, product=product, quantity=1)
    client.force_login(buyer)
    page = client.get(reverse("orders:cart")).content.decode()
    assert "Save for later" in page and reverse("wishlists:picker", args=[product.pk]) in page


# The shared page: what visitors see ---------------------------------------------------------


def test_the_shared_page_hides_notes_and_the_saved_price(client, buyer, saved, product):
    """Notes are the owner's own ("for the office"); the saved price is theirs too: visitors see
    the price now, never "was $X when you saved it"."""
    wishlist, _ = saved
    Product.objects.filter(pk=product.pk).update(price=Decimal("7.50"))
    services.share_wishlist(user=buyer, wishlist=wishlist, public=True, gift_list=True)
    wishlist.refresh_from_db()
    for who in (None, UserFactory()):
        if who:
            client.force_login(who)
        page = client.get(wishlist.get_share_url()).content.decode()
        assert "$7.50" in page and "Blue mug" in page
        assert "for the office" not in page and "when you saved it" not in page and "$10.00" not in page
    client.force_login(buyer)  # the owner's own page keeps both
    page = client.get(wishlist.get_absolute_url()).content.decode()
    assert 'value="for the office"' in page and "was $10.00 when you saved it" in page


@pytest.mark.parametrize("gone", ["archived product", "draft product", "archived variant", "disabled variant"])
def test_claiming_an_item_no_longer_for_sale_is_refused(client, buyer, variant_product, gone):
    from django.utils import timezone

    from shomp.catalog.models import Variant

    small = variant_product.variants.order_by("pk").first()
    wishlist = services.create_wishlist(user=buyer, name="Birthday")
    item = services.add_to_wishlist(user=buyer, product=variant_product, variant=small, wishlist=wishlist).item
    services.share_wishlist(user=buyer, wishlist=wishlist, public=True, gift_list=True)
    wishlist.refresh_from_db()
    match gone:
        case "archived product":
            Product.objects.filter(pk=variant_product.pk).update(status=Product.Status.ARCHIVED)
        case "draft product":
            Product.objects.filter(pk=variant_product.pk).update(status=Product.Status.DRAFT)
        case "archived variant":
            Variant.objects.filter(pk=small.pk).update(archived_at=timezone.now())
        case "disabled variant":
            Variant.objects.filter(pk=small.pk).update(is_enabled=False)
    client.force_login(UserFactory())
    page = client.get(wishlist.get_share_url()).content.decode()
    assert "No longer available" in page and "I'm getting this" not in page
    response = client.post(reverse("wishlists:claim", args=[wishlist.share_token, item.pk]), follow=True)
    assert "no longer for sale, so it can&#x27;t be claimed" in response.content.decode()
    item.refresh_from_db()
    assert item.claimed_by is None


# Attacks: another user's ids, revoked tokens; each a 404 and nothing changed ----------------


def test_another_users_item_on_move_is_404(client, buyer, saved):
    _, theirs = saved  # the buyer's item...
    mine = services.create_wishlist(user=(attacker := UserFactory()), name="Mine")
    client.force_login(attacker)  # ...moved by someone else into their own list
    for data in ({"to": mine.pk}, {"to": mine.pk, "copy": "1"}):
        assert client.post(reverse("wishlists:item_move", args=[theirs.pk]), data).status_code == 404
    theirs.refresh_from_db()
    assert theirs.wishlist.name == "Private things" and not mine.items.exists()


def test_new_link_on_another_users_list_is_404(client, buyer, saved):
    wishlist, _ = saved
    services.share_wishlist(user=buyer, wishlist=wishlist, public=True)
    wishlist.refresh_from_db()
    token = wishlist.share_token
    for user in _others().values():
        client.force_login(user)
        assert client.post(reverse("wishlists:new_link", args=[wishlist.pk])).status_code == 404
    wishlist.refresh_from_db()
    assert wishlist.share_token == token


def test_save_to_another_users_list_is_404(client, buyer, product):
    theirs = services.create_wishlist(user=UserFactory(), name="Theirs")
    client.force_login(buyer)
    url = reverse("wishlists:save_to", args=[product.pk])
    for data in ({"wishlist": theirs.pk}, {"wishlist": theirs.pk, "picker": "1"}):
        assert client.post(url, data, HTTP_HX_REQUEST="true").status_code == 404
    assert not WishlistItem.objects.exists()


def test_save_to_with_a_variant_of_another_product_is_404(client, buyer, product, variant_product):
    client.force_login(buyer)
    default = services.default_wishlist(user=buyer)
    foreign = variant_product.variants.first()
    url = reverse("wishlists:save_to", args=[product.pk])
    for data in ({"wishlist": default.pk, "variant": foreign.pk}, {"new_list": "Sneaky", "variant": foreign.pk}):
        assert client.post(url, data, HTTP_HX_REQUEST="true").status_code == 404
    assert not WishlistItem.objects.exists() and not Wishlist.objects.filter(name="Sneaky").exists()
    assert client.get(reverse("wishlists:picker", args=[product.pk]), {"variant": foreign.pk}).status_code == 404


def test_claim_with_an_item_of_another_list_or_a_revoked_token_is_404(client, buyer, saved, product):
    wishlist, _ = saved
    services.share_wishlist(user=buyer, wishlist=wishlist, public=True, gift_list=True)
    other_owner = UserFactory()
    other = services.create_wishlist(user=other_owner, name="Other gifts")
    elsewhere = services.add_to_wishlist(user=other_owner, product=product, wishlist=other).item
    services.share_wishlist(user=other_owner, wishlist=other, public=True, gift_list=True)
    wishlist.refresh_from_db()
    friend = UserFactory()
    client.force_login(friend)
    # An item of another (even public, gift) list under this list's token.
    assert client.post(reverse("wishlists:claim", args=[wishlist.share_token, elsewhere.pk])).status_code == 404
    # A revoked token, with this list's own item.
    item = wishlist.items.get()
    old = wishlist.share_token
    services.regenerate_link(user=buyer, wishlist=wishlist)
    assert client.post(reverse("wishlists:claim", args=[old, item.pk])).status_code == 404
    assert client.post(reverse("wishlists:claim", args=["x" * 300, item.pk])).status_code == 404
    assert not WishlistItem.objects.filter(claimed_by__isnull=False).exists()


# Page paths that succeed ------------------------------------------------------------------


def test_rename_delete_and_new_link_succeed(client, buyer, saved):
    wishlist, _ = saved
    client.force_login(buyer)
    response = client.post(
        reverse("wishlists:rename", args=[wishlist.pk]), {"name": "Office", "description": "Desk things"}, follow=True
    )
    wishlist.refresh_from_db()
    assert (wishlist.name, wishlist.description) == ("Office", "Desk things") and "Office" in response.content.decode()
    services.share_wishlist(user=buyer, wishlist=wishlist, public=True)
    wishlist.refresh_from_db()
    old = wishlist.share_token
    response = client.post(reverse("wishlists:new_link", args=[wishlist.pk]), follow=True)
    wishlist.refresh_from_db()
    assert wishlist.share_token and wishlist.share_token != old
    assert wishlist.share_token in response.content.decode()
    assert client.get(f"/wishlists/shared/{old}/").status_code == 404
    assert client.get(wishlist.get_share_url()).status_code == 200
    response = client.post(reverse("wishlists:delete", args=[wishlist.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("wishlists:index") and "is deleted" in response.content.decode()
    assert not Wishlist.objects.filter(pk=wishlist.pk).exists() and not WishlistItem.objects.exists()


def test_item_update_remove_and_move_succeed(client, buyer, saved, product):
    wishlist, item = saved
    client.force_login(buyer)
    response = client.post(
        reverse("wishlists:item_update", args=[item.pk]), {"quantity": "3", "note": "two for home"}, follow=True
    )
    item.refresh_from_db()
    assert (item.quantity, item.note) == (3, "two for home") and "Blue mug: saved." in response.content.decode()
    # Bad input: told, nothing changed.
    response = client.post(reverse("wishlists:item_update", args=[item.pk]), {"quantity": "0", "note": ""}, follow=True)
    item.refresh_from_db()
    assert item.quantity == 3 and "Blue mug:" in response.content.decode()
    gifts = services.create_wishlist(user=buyer, name="Gifts")
    response = client.post(reverse("wishlists:item_move", args=[item.pk]), {"to": gifts.pk, "copy": "1"}, follow=True)
    assert "Copied “Blue mug” to Gifts." in response.content.decode()
    assert sorted(WishlistItem.objects.values_list("wishlist__name", flat=True)) == ["Gifts", "Private things"]
    moved = WishlistItem.objects.get(wishlist=wishlist)
    archive = services.create_wishlist(user=buyer, name="Archive")
    response = client.post(reverse("wishlists:item_move", args=[moved.pk]), {"to": archive.pk}, follow=True)
    assert "Moved “Blue mug” to Archive." in response.content.decode()
    moved = WishlistItem.objects.get(product=product, wishlist=archive)  # note and quantity go along
    assert moved.note == "two for home" and moved.quantity == 3 and not wishlist.items.exists()
    response = client.post(reverse("wishlists:item_remove", args=[moved.pk]), follow=True)
    assert "Removed “Blue mug”." in response.content.decode()
    assert list(WishlistItem.objects.values_list("wishlist__name", flat=True)) == ["Gifts"]


def test_my_lists_show_each_lists_count_and_picture(client, buyer):
    from shomp.catalog.tests.factories import ProductImageFactory

    pictured = ProductFactory(title="Vase")
    image = ProductImageFactory(product=pictured)
    plain = ProductFactory(title="Cup")
    services.add_to_wishlist(user=buyer, product=plain)
    services.add_to_wishlist(user=buyer, product=pictured)  # the newest: Favourites' picture
    gifts = services.create_wishlist(user=buyer, name="Gifts")
    services.add_to_wishlist(user=buyer, product=plain, wishlist=gifts)
    services.create_wishlist(user=buyer, name="Empty")
    client.force_login(buyer)
    page = client.get(reverse("wishlists:index")).content.decode()
    rows = {}
    for row in page.split('id="wishlists"', 1)[1].split("</ul>", 1)[0].split("<li")[1:]:
        name = row.split('class="fw-semibold text-break" href="', 1)[1].split(">", 1)[1].split("<", 1)[0]
        rows[name] = row
    assert set(rows) == {"Favourites", "Gifts", "Empty"}
    assert "2 items" in rows["Favourites"] and image.thumbnail.url in rows["Favourites"]
    assert "1 item " in rows["Gifts"] and "<img" not in rows["Gifts"] and "bi-heart" in rows["Gifts"]
    assert "0 items" in rows["Empty"]


@pytest.mark.parametrize("gone", ["archived", "disabled"])
def test_an_archived_or_disabled_variant_shows_no_longer_available(client, buyer, variant_product, gone):
    from django.utils import timezone

    from shomp.catalog.models import Variant

    small, medium = variant_product.variants.order_by("pk")
    services.add_to_wishlist(user=buyer, product=variant_product, variant=small)
    services.add_to_wishlist(user=buyer, product=variant_product, variant=medium)
    if gone == "archived":
        Variant.objects.filter(pk=small.pk).update(archived_at=timezone.now(), is_enabled=False)
    else:
        Variant.objects.filter(pk=small.pk).update(is_enabled=False)
    client.force_login(buyer)
    page = client.get(services.default_wishlist(user=buyer).get_absolute_url()).content.decode()
    rows = {
        row.split("— ", 1)[1].split("<", 1)[0]: row for row in page.split('class="list-group-item wishlist-item"')[1:]
    }
    assert "No longer available" in rows[small.name] and "item-price" not in rows[small.name]
    assert "No longer available" not in rows[medium.name] and "In stock" in rows[medium.name]
