"""The promotions dashboard: create, edit, end now; bad input next to its field; who may open it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog.models import Promotion, PromotionTarget
from shomp.catalog.tests.factories import ProductFactory
from shomp.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db

LIST = reverse("catalog:dashboard_promotions")
NEW = reverse("catalog:dashboard_promotion_new")


def local(dt, store) -> str:
    return timezone.localtime(dt, store.tzinfo).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def store():
    return StoreFactory(name="Pottery", time_zone="America/New_York")


@pytest.fixture
def seller(client, store):
    client.force_login(store.owner)
    return client


def form(store, **overrides):
    now = timezone.now()
    data = {
        "name": "Autumn sale",
        "kind": "percent",
        "amount": "20",
        "starts_at": local(now + timedelta(hours=1), store),
        "ends_at": local(now + timedelta(days=3), store),
        "stores": [str(store.pk)],
        "notify_followers": "on",
    }
    data.update(overrides)
    return data


def make(store, name="Existing", starts=-1, ends=48):
    now = timezone.now()
    promotion = Promotion.objects.create(
        organization=store.organization,
        name=name,
        kind="percent",
        amount=Decimal("10"),
        starts_at=now + timedelta(hours=starts),
        ends_at=now + timedelta(hours=ends),
        created_by=store.owner,
    )
    PromotionTarget.objects.create(promotion=promotion, store=store)
    return promotion


def test_a_seller_creates_a_promotion_on_two_stores_in_the_store_time_zone(client, store):
    second = StoreFactory(owner=store.owner, organization=store.organization, name="Prints")
    client.force_login(store.owner)
    page = client.get(NEW).content.decode()
    assert "Pottery" in page and "Prints" in page and "America/New_York" in page
    response = client.post(
        NEW,
        form(store, stores=[str(store.pk), str(second.pk)], starts_at="2030-06-01T09:00", ends_at="2030-06-08T09:00"),
    )
    assert response.status_code == 302
    promotion = Promotion.objects.get()
    assert promotion.starts_at == timezone.datetime(2030, 6, 1, 13, 0, tzinfo=timezone.UTC)  # 09:00 EDT
    assert set(promotion.targets.values_list("store_id", flat=True)) == {store.pk, second.pk}
    listing = client.get(LIST).content.decode()
    assert "Autumn sale" in listing and "20% off" in listing and "Scheduled" in listing


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"amount": "150"}, "amount", "A percentage is at most 100%"),
        ({"amount": "-5"}, "amount", "Enter an amount above zero"),
        ({"amount": "12.5055"}, "amount", "two decimal places"),
        (
            {"ends_at": "2020-01-01T00:00", "starts_at": "2020-02-01T00:00"},
            "ends_at",
            "The end must be after the start.",
        ),
    ],
)
def test_bad_input_is_shown_next_to_its_field_and_nothing_is_saved(seller, store, changes, field, message):
    response = seller.post(NEW, form(store, **changes))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html and message in html
    assert not Promotion.objects.exists()


def test_a_percentage_with_a_decimal_comma_is_read(seller, store):
    assert seller.post(NEW, form(store, amount="12,5")).status_code == 302
    assert Promotion.objects.get().amount == Decimal("12.50")


def test_products_of_a_store_the_user_may_not_manage_are_refused(seller, store):
    foreign = ProductFactory(title="Not yours")
    response = seller.post(NEW, form(store, products=[str(foreign.pk)]))
    assert response.status_code == 200
    assert "You can only include products of stores you may run promotions on" in response.content.decode()
    response = seller.post(NEW, form(store, stores=[str(foreign.store_id)]))
    assert "You can only include stores you may run promotions on" in response.content.decode()
    assert not Promotion.objects.exists()


def test_overlapping_promotions_are_shown_and_the_page_says_the_best_one_wins(seller, store):
    make(store, "Spring sale")
    make(store, "Flash sale", starts=2, ends=5)
    html = seller.get(LIST).content.decode()
    assert "buyers get the best one" in html
    assert "Overlaps with “Flash sale”" in html and "Overlaps with “Spring sale”" in html


def test_editing_and_ending_now(seller, store):
    promotion = make(store)
    edit = reverse("catalog:dashboard_promotion_edit", args=[promotion.pk])
    assert 'value="Existing"' in seller.get(edit).content.decode()
    data = form(store, name="Renamed", starts_at=local(promotion.starts_at, store))
    assert seller.post(edit, data).status_code == 302
    promotion.refresh_from_db()
    assert promotion.name == "Renamed"
    assert seller.post(reverse("catalog:dashboard_promotion_end", args=[promotion.pk])).status_code == 302
    promotion.refresh_from_db()
    assert promotion.ended_at is not None
    assert "Ended" in seller.get(LIST).content.decode()


def test_the_empty_state(seller):
    assert "No promotions yet" in seller.get(LIST).content.decode()


# Access ----------------------------------------------------------------------------------


def test_visitors_go_to_log_in(client, store):
    promotion = make(store)
    for url in (LIST, NEW, reverse("catalog:dashboard_promotion_edit", args=[promotion.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response.url
    response = client.post(reverse("catalog:dashboard_promotion_end", args=[promotion.pk]))
    assert response.status_code == 302 and "login" in response.url
    promotion.refresh_from_db()
    assert promotion.ended_at is None


@pytest.mark.parametrize("who", ["stranger", "other_owner"])
def test_strangers_and_other_stores_owners_cannot_see_or_change_it(client, store, who):
    promotion = make(store)
    user = UserFactory() if who == "stranger" else StoreFactory().owner
    client.force_login(user)
    assert client.get(reverse("catalog:dashboard_promotion_edit", args=[promotion.pk])).status_code in (302, 404)
    assert client.post(reverse("catalog:dashboard_promotion_end", args=[promotion.pk])).status_code in (302, 404)
    if who == "other_owner":
        assert client.get(reverse("catalog:dashboard_promotion_edit", args=[promotion.pk])).status_code == 404
        assert "Existing" not in client.get(LIST).content.decode()
    promotion.refresh_from_db()
    assert promotion.ended_at is None and promotion.name == "Existing"


@pytest.mark.parametrize("count", [1, 50])
def test_query_budget_of_the_list(seller, store, django_assert_max_num_queries, count):
    for n in range(count):
        promotion = make(store, f"Sale {n}")
        PromotionTarget.objects.create(promotion=promotion, product=ProductFactory(store=store))
    with django_assert_max_num_queries(16):
        html = seller.get(LIST).content.decode()
    assert html.count('class="list-group-item py-3"') == min(count, 25)
