"""Who may review: a store setting. "Buyers only" (the default) needs a paid order of the product
(or, for a store review, from the store); "anyone logged in" takes unverified reviews too, labelled
and listed after the verified ones. The policy, the service, the form pages and the per-visitor
button all give the same answer."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.urls import reverse

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog.tests.factories import ProductFactory
from shomp.orders.models import Order
from shomp.orders.tests.factories import OrderFactory, OrderItemFactory
from shomp.reviews import services
from shomp.reviews.models import ProductRating, Review, StoreRating
from shomp.reviews.policies import can_review_product, can_review_store, review_refusal
from shomp.stores.models import Store
from shomp.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db

ONLY_PRODUCT_BUYERS = "Only buyers of this product can review it."
ONLY_STORE_BUYERS = "Only buyers from this store can review it."


def anyone_may_review(store: Store) -> Store:
    store.review_policy = Store.ReviewPolicy.ANYONE
    store.save(update_fields=["review_policy"])
    return store


def bought(user, product, *, status=Order.Status.PAID):
    OrderItemFactory(order=OrderFactory(buyer=user, store=product.store, status=status), product=product)
    return user


def write_url(product) -> str:
    return reverse("reviews:write", kwargs={"product_id": product.pk})


def store_write_url(store) -> str:
    return reverse("reviews:write_store", kwargs={"store_slug": store.slug})


def html(response) -> str:
    return response.content.decode()


# The setting ------------------------------------------------------------------------------


def test_buyers_only_is_the_default_for_a_new_store(store):
    assert Store.objects.get(pk=store.pk).review_policy == Store.ReviewPolicy.BUYERS == "buyers"


# The policy and the service, in both modes ----------------------------------------------------

# Who is asking, and what they bought: "buyer" paid for the product; "unpaid" has only a
# cancelled order of it; "other_store_buyer" paid for something from another store; "store_buyer"
# paid for another product of the same store.
PEOPLE = ["buyer", "unpaid", "other_store_buyer", "store_buyer", "stranger"]


@pytest.fixture
def people(product, store):
    buyer = bought(UserFactory(), product)
    unpaid = bought(UserFactory(), product, status=Order.Status.CANCELLED)
    other_store_buyer = bought(UserFactory(), ProductFactory(store=StoreFactory()))
    store_buyer = bought(UserFactory(), ProductFactory(store=store))
    return {
        "buyer": buyer,
        "unpaid": unpaid,
        "other_store_buyer": other_store_buyer,
        "store_buyer": store_buyer,
        "stranger": UserFactory(),
    }


MAY_REVIEW_THE_PRODUCT = {"buyer"}
MAY_REVIEW_THE_STORE = {"buyer", "store_buyer"}


@pytest.mark.parametrize("who", PEOPLE)
def test_buyers_only_product_reviews_need_a_paid_order_of_the_product(people, product, who):
    user = people[who]
    allowed = who in MAY_REVIEW_THE_PRODUCT
    assert can_review_product(user, product) is allowed
    assert user.has_perm("reviews.review_product", product) is allowed

    if allowed:
        review = services.create_review(user=user, product=product, rating=5)
        assert review.verified_purchase
    else:
        assert review_refusal(user, store=product.store, product=product).code == "buyers_only"
        with pytest.raises(ValidationError, match=ONLY_PRODUCT_BUYERS) as error:
            services.create_review(user=user, product=product, rating=1, title="Bomb")
        assert error.value.code == "buyers_only"
        assert not Review.objects.exists()
        assert not ProductRating.objects.filter(count__gt=0).exists()


@pytest.mark.parametrize("who", PEOPLE)
def test_buyers_only_store_reviews_need_a_paid_order_from_the_store(people, store, who):
    user = people[who]
    allowed = who in MAY_REVIEW_THE_STORE
    assert can_review_store(user, store) is allowed
    assert user.has_perm("reviews.review_store", store) is allowed

    if allowed:
        assert services.create_review(user=user, store=store, rating=4).verified_purchase
    else:
        with pytest.raises(ValidationError, match=ONLY_STORE_BUYERS):
            services.create_review(user=user, store=store, rating=1)
        assert not Review.objects.exists()
        assert not StoreRating.objects.filter(count__gt=0).exists()


@pytest.mark.parametrize("who", PEOPLE)
def test_anyone_logged_in_may_review_and_the_badge_still_means_a_paid_order(people, store, product, who):
    anyone_may_review(store)
    user = people[who]
    assert can_review_product(user, product) and can_review_store(user, store)

    product_review = services.create_review(user=user, product=product, rating=3)
    store_review = services.create_review(user=user, store=store, rating=3)

    assert product_review.verified_purchase is (who in MAY_REVIEW_THE_PRODUCT)
    assert store_review.verified_purchase is (who in MAY_REVIEW_THE_STORE)


def test_visitors_the_stores_own_people_and_drafts_are_refused_in_both_modes(seller, store, product):
    draft = ProductFactory(store=store, status="draft")
    for mode in Store.ReviewPolicy:
        store.review_policy = mode
        store.save()
        assert not can_review_product(None, product)
        assert not can_review_store(AnonymousUser(), store)
        assert not can_review_product(seller, product) and not can_review_store(seller, store)
        assert review_refusal(seller, store=store, product=product).code == "own_store"
        assert not can_review_product(bought(UserFactory(), draft), draft)


def test_switching_back_to_buyers_only_keeps_the_reviews_already_written(people, store, product):
    anyone_may_review(store)
    unverified = services.create_review(user=people["stranger"], product=product, rating=2)
    store.review_policy = Store.ReviewPolicy.BUYERS
    store.save()

    assert Review.objects.filter(pk=unverified.pk, status=Review.Status.PUBLISHED).exists()
    # The author may still edit what they wrote; a new review from them would be refused.
    services.update_review(review=unverified, rating=3, title="Second thoughts")
    assert Review.objects.get(pk=unverified.pk).rating == 3
    with pytest.raises(ValidationError, match=ONLY_STORE_BUYERS):
        services.create_review(user=people["stranger"], store=store, rating=1)


# The form pages ---------------------------------------------------------------------------


def test_a_non_buyer_opening_the_form_gets_the_message_and_no_form(client, stranger, store, product):
    client.force_login(stranger)
    for url, message in [(write_url(product), ONLY_PRODUCT_BUYERS), (store_write_url(store), ONLY_STORE_BUYERS)]:
        response = client.get(url)
        assert response.status_code == 403
        page = html(response)
        assert message in page
        assert "Publish review" not in page and 'name="rating"' not in page


def test_a_non_buyer_posting_the_form_changes_nothing(client, stranger, store, product):
    client.force_login(stranger)
    for url, message in [(write_url(product), ONLY_PRODUCT_BUYERS), (store_write_url(store), ONLY_STORE_BUYERS)]:
        response = client.post(url, {"rating": "1", "title": "Review bomb", "content": "Never bought it."})
        assert response.status_code == 403
        assert message in html(response)
    assert not Review.objects.exists()
    assert not ProductRating.objects.filter(count__gt=0).exists()
    assert not StoreRating.objects.filter(count__gt=0).exists()


def test_a_buyer_writes_product_and_store_reviews_through_the_forms(client, paid_buyer, store, product):
    client.force_login(paid_buyer)
    assert 'name="rating"' in html(client.get(write_url(product)))
    response = client.post(write_url(product), {"rating": "5", "title": "Lovely"})
    assert response.status_code == 302
    response = client.post(store_write_url(store), {"rating": "4", "title": "Quick shipping"})
    assert response.status_code == 302
    assert set(Review.objects.values_list("title", "verified_purchase")) == {
        ("Lovely", True),
        ("Quick shipping", True),
    }


def test_in_anyone_mode_a_non_buyer_writes_through_the_form(client, stranger, store, product):
    anyone_may_review(store)
    client.force_login(stranger)
    assert 'name="rating"' in html(client.get(write_url(product)))
    client.post(write_url(product), {"rating": "2", "title": "From the market stall"})
    review = Review.objects.get()
    assert (review.title, review.verified_purchase) == ("From the market stall", False)


# The per-visitor button --------------------------------------------------------------------


def button(client, obj, **params):
    if isinstance(obj, Store):
        url = reverse("reviews:write_store_button", kwargs={"store_slug": obj.slug})
    else:
        url = reverse("reviews:write_button", kwargs={"product_id": obj.pk})
    response = client.get(url, params, headers={"HX-Request": "true"})
    assert response.status_code == 200
    return html(response)


def test_shared_pages_load_the_button_for_each_visitor(client, store, product):
    """The product page and the review lists carry the same HTML for everyone: the button is a fragment."""
    button_url = reverse("reviews:write_button", kwargs={"product_id": product.pk})
    store_button_url = reverse("reviews:write_store_button", kwargs={"store_slug": store.slug})
    pages = {
        product.get_absolute_url(): button_url,
        reverse("reviews:product", args=[store.slug, product.slug]): button_url,
        reverse("reviews:store", args=[store.slug]): store_button_url,
    }
    for url, fragment in pages.items():
        page = html(client.get(url))
        assert f'hx-get="{fragment}' in page, url
        assert "Write a review" not in page and "Review this store" not in page and "Only buyers" not in page


def test_the_button_offers_writing_only_to_those_who_may(client, stranger, paid_buyer, seller, store, product):
    # A visitor: the rule, and a way to log in for a buyer who isn't.
    visitor = button(client, product)
    assert ONLY_PRODUCT_BUYERS in visitor and "Log in" in visitor and write_url(product) in visitor
    assert ONLY_STORE_BUYERS in button(client, store)

    client.force_login(stranger)
    assert ONLY_PRODUCT_BUYERS in button(client, product)
    assert "Write a review" not in button(client, product)
    assert ONLY_STORE_BUYERS in button(client, store)
    assert "Review this store" not in button(client, store)

    client.force_login(paid_buyer)
    assert "Write a review" in button(client, product) and write_url(product) in button(client, product)
    assert "Review this store" in button(client, store) and "Only buyers" not in button(client, store)
    review = services.create_review(user=paid_buyer, product=product, rating=5)
    assert "Edit your review" in button(client, product)
    assert reverse("reviews:edit", args=[review.pk]) in button(client, product)

    client.force_login(seller)
    assert "Write a review" not in button(client, product) and "Only buyers" not in button(client, product)


def test_in_anyone_mode_the_button_is_offered_to_everyone_logged_in_or_not(client, stranger, store, product):
    anyone_may_review(store)
    assert "Write a review" in button(client, product) and "Only buyers" not in button(client, product)
    client.force_login(stranger)
    assert "Write a review" in button(client, product)
    assert "Review this store" in button(client, store)


# Order and labels -----------------------------------------------------------------------------


def test_verified_reviews_come_first_and_unverified_ones_are_labelled(client, store, product):
    anyone_may_review(store)
    # Newest first would put the strangers' reviews on top; verified ones lead instead.
    buyer_1, buyer_2 = bought(UserFactory(), product), bought(UserFactory(), product)
    services.create_review(user=buyer_1, product=product, rating=2, title="Verified older")
    services.create_review(user=UserFactory(), product=product, rating=5, title="Stranger older")
    services.create_review(user=buyer_2, product=product, rating=4, title="Verified newer")
    services.create_review(user=UserFactory(), product=product, rating=1, title="Stranger newer")
    services.create_review(user=UserFactory(), store=store, rating=3, title="Stranger on the store")

    titles = ["Verified older", "Stranger older", "Verified newer", "Stranger newer", "Stranger on the store"]

    def order(url, **query):
        page = html(client.get(url, query))
        return sorted((title for title in titles if title in page), key=page.index)

    product_url = reverse("reviews:product", args=[store.slug, product.slug])
    store_url = reverse("reviews:store", args=[store.slug])
    verified_newer_first = ["Verified newer", "Verified older"]
    assert order(product_url) == [*verified_newer_first, "Stranger newer", "Stranger older"]
    assert order(product_url, sort="highest") == [*verified_newer_first, "Stranger older", "Stranger newer"]
    assert order(product_url, sort="lowest") == ["Verified older", "Verified newer", "Stranger newer", "Stranger older"]
    assert order(store_url) == [
        "Verified newer",
        "Verified older",
        "Stranger on the store",
        "Stranger newer",
        "Stranger older",
    ]

    page = html(client.get(product_url))
    assert page.count("unverified-badge") == 2 and page.count("text-bg-success verified-badge") == 2
    assert page.count(">Unverified<") == 2
