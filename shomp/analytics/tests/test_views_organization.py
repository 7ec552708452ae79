"""/dashboard/organization: the organization's stores side by side with totals, only the stores
the member may see analytics of, the other columns per their own areas; flat queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from shomp.accounts.models import User
from shomp.accounts.tests.factories import UserFactory
from shomp.analytics.summaries import summarize_days
from shomp.analytics.tests.factories import daily_stat, page_view
from shomp.catalog.models import Variant
from shomp.messaging.tests.factories import ConversationFactory
from shomp.orders.tests.factories import product_with_variants
from shomp.organizations.tests.factories import add_member
from shomp.reviews.tests.factories import StoreReviewFactory
from shomp.stores.models import Store
from shomp.stores.tests.factories import StoreFactory, big_studio

pytestmark = pytest.mark.django_db
URL = reverse("analytics:organization")


def _yesterday(store) -> dt.date:
    return timezone.now().astimezone(store.tzinfo).date() - dt.timedelta(days=1)


def _org():
    first = StoreFactory(name="Fern & Kiln")
    second = StoreFactory(name="Studio Two", owner=first.owner, organization=first.organization)
    outside = StoreFactory(name="Someone else")
    daily_stat(first, _yesterday(first), visits=100, purchases=4, revenue="80")
    daily_stat(second, _yesterday(second), visits=50, purchases=1, revenue="20")
    page_view(second, is_entry=True)  # today, raw
    daily_stat(outside, _yesterday(outside), visits=999, purchases=9, revenue="999")
    product = product_with_variants(store=first, options={"Size": ["S", "M"]}, inventory=1)
    Variant.objects.filter(product=product, name="M").update(inventory_count=50)
    ConversationFactory(store=first, store_unread_count=2)
    StoreReviewFactory(store=second)  # unanswered
    return first, second, outside


def test_owner_sees_every_store_side_by_side_with_totals(client):
    first, _second, _outside = _org()
    client.force_login(first.owner)
    response = client.get(URL)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Fern &amp; Kiln" in page and "Studio Two" in page and "Someone else" not in page
    assert "$999" not in page
    rows = response.context["rows"]
    numbers = {
        row["store"].name: (row["visits"], row["orders"], row["waiting"], row["unanswered"], row["low_stock"])
        for row in rows
    }
    assert numbers == {"Fern & Kiln": (100, 4, 1, 0, 1), "Studio Two": (51, 1, 0, 1, 0)}
    totals = response.context["totals"]
    assert totals["visits"] == 151 and totals["orders"] == 5 and str(totals["revenue"]) == "100.00"
    assert totals["conversion_rate"] == pytest.approx(5 / 151 * 100)
    assert 'id="organization-totals"' in page
    # The same with one store's days read from its report summaries.
    summarize_days(store_id=first.pk, first=_yesterday(first) - dt.timedelta(days=40), last=_yesterday(first))
    again = client.get(URL).context["rows"]
    assert [(r["visits"], r["orders"], r["revenue"]) for r in again] == [
        (r["visits"], r["orders"], r["revenue"]) for r in rows
    ]
    # The organization's Overview tab is registered and shown.
    assert 'href="/dashboard/organization/"' in page


def test_an_analyst_limited_to_one_store_sees_only_it_and_no_other_areas(client):
    first, second, _outside = _org()
    analyst = add_member(first, role="analyst", stores=[second]).user
    client.force_login(analyst)
    response = client.get(URL)
    rows = response.context["rows"]
    assert [row["store"].name for row in rows] == ["Studio Two"]
    assert rows[0]["waiting"] is None and rows[0]["unanswered"] is None and rows[0]["low_stock"] is None
    assert "Fern &amp; Kiln</th>" not in response.content.decode()


def test_support_sees_an_empty_state_and_strangers_nothing(client):
    first, _second, _outside = _org()
    support = add_member(first, role="support").user
    client.force_login(support)
    page = client.get(URL).content.decode()
    assert "No store's numbers to show you" in page and "$80.00" not in page
    client.force_login(UserFactory())
    assert client.get(URL)["Location"] == reverse("stores:create")
    client.logout()
    assert "/accounts/login/" in client.get(URL)["Location"]


def test_bad_range_is_a_message_next_to_the_field(client):
    first, _second, _outside = _org()
    client.force_login(first.owner)
    page = client.get(URL + "?range=custom&start=2026-01-10&end=2026-01-01").content.decode()
    assert "The last day comes before the first" in page


def test_query_count_is_flat_from_1_to_50_stores(client):
    counts = []
    for how_many in (1, 50):
        owner = UserFactory()
        first = StoreFactory(owner=owner)
        for n in range(how_many - 1):
            StoreFactory(owner=owner, organization=first.organization, time_zone=["UTC", "Asia/Tokyo"][n % 2])
        for n, store in enumerate(Store.objects.filter(organization=first.organization)):
            daily_stat(store, _yesterday(store), visits=3)
            page_view(store, is_entry=True)
            if n % 2:
                summarize_days(store_id=store.pk, first=_yesterday(store), last=_yesterday(store))
        client.force_login(owner)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize(("stores", "members"), [(1, 2), (50, 200)])
def test_the_overview_is_flat_with_200_members_for_the_owner_and_a_limited_member(
    client, django_assert_max_num_queries, stores, members
):
    owner, first = big_studio(stores, members)
    limited = User.objects.get(username="member1")  # a manager on one store only
    for user, shown in ((owner, stores), (limited, 1)):
        client.force_login(user)
        if user == owner:
            client.post(reverse("stores:switch"), {"store": first.pk})  # the studio with the 200 members
        # session, user, the door's stores and memberships, then the report's few queries
        # (stores, orders, visits, conversations, reviews, stock): none per store or member.
        with django_assert_max_num_queries(13):
            response = client.get(URL)
        assert response.status_code == 200
        assert len(response.context["rows"]) == shown
