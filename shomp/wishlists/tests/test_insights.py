"""Seller insights at /dashboard/wishlists/analytics: counts only, never who; the door is the
"analytics" area; flat queries; the sale notice's bad input."""

import pytest
from django.urls import reverse

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog import services as catalog
from shomp.catalog.tests.factories import ProductFactory
from shomp.notifications.models import Notification, NotificationType
from shomp.orders.tests.factories import OrderFactory, OrderItemFactory
from shomp.organizations.tests.factories import add_member
from shomp.stores.tests.factories import StoreFactory
from shomp.wishlists import insights, services

pytestmark = pytest.mark.django_db
URL = "/dashboard/wishlists/analytics/"


def test_counts_per_product_and_variant_and_never_who(client, variant_product):
    store = variant_product.store
    small, medium = variant_product.variants.order_by("pk")
    savers = [UserFactory(username=f"secret-saver-{n}") for n in range(3)]
    for saver in savers:
        services.add_to_wishlist(user=saver, product=variant_product, variant=small)
    services.add_to_wishlist(user=savers[0], product=variant_product, variant=medium)
    catalog.update_variant(variant=medium, inventory_count=0)  # one saver waits on it
    order = OrderFactory(buyer=savers[1], store=store)
    OrderItemFactory(order=order, product=variant_product, variant=small)
    client.force_login(store.owner)
    response = client.get(URL)
    page = response.content.decode()
    assert response.status_code == 200
    assert '<option value="30" selected>' in page  # the days the page shows, not the first choice
    # 3 lists hold it (savers[0]'s list holds two of its variants: once), 4 adds.
    assert 'id="total-lists">3<' in page and 'id="total-adds">4<' in page
    assert 'id="total-bought">1<' in page and 'id="total-waiting">1<' in page
    assert "secret-saver" not in page and savers[0].email not in page
    assert f">{small.name}<" in page


def test_only_the_analytics_area_and_only_the_own_store(client, product):
    services.add_to_wishlist(user=UserFactory(), product=product)
    client.logout()
    response = client.get(URL)
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    client.force_login(UserFactory())  # a stranger with no store
    assert client.get(URL).status_code == 302
    other_owner = StoreFactory().owner
    client.force_login(other_owner)
    page = client.get(URL).content.decode()
    assert product.title not in page
    # Another store's product in the sale form is a 404, and nobody is told anything.
    assert client.post(URL, {"product": product.pk, "message": "Sale!"}).status_code == 404
    support = add_member(product.store, role="support").user
    client.force_login(support)
    assert client.get(URL).status_code == 302
    assert not Notification.objects.filter(type=NotificationType.SAVED_SALE).exists()


def test_bad_range_and_empty_sale_message_are_told(client, product, buyer):
    services.add_to_wishlist(user=buyer, product=product)
    client.force_login(product.store.owner)
    page = client.get(URL + "?days=abc").content.decode()
    assert 'id="id_days_error"' in page and "Fix the days above" in page
    response = client.post(URL, {"product": product.pk, "message": "   "})
    assert response.status_code == 400 and 'id="id_message_error"' in response.content.decode()
    response = client.post(URL, {"product": "x", "message": "Sale"})
    assert response.status_code == 400 and "Choose one of your products" in response.content.decode()
    assert not Notification.objects.filter(type=NotificationType.SAVED_SALE).exists()


@pytest.mark.parametrize("count", [1, 60])
def test_insights_budget(client, django_assert_max_num_queries, count):
    store = StoreFactory()
    saver = UserFactory()
    for product in ProductFactory.create_batch(count, store=store):
        services.add_to_wishlist(user=saver, product=product)
    client.force_login(store.owner)
    with django_assert_max_num_queries(20):
        response = client.get(URL)
    assert response.content.decode().count("data-product=") == min(count, insights.PER_PAGE)


def _row(page: str, product_id: int) -> list[str]:
    """The product row's cells: lists, adds, bought, waiting."""
    import re

    row = page.split(f'data-product="{product_id}"', 1)[1].split("</tr>", 1)[0]
    return re.findall(r'<td class="text-end">([^<]*)</td>', row)


def test_a_saver_counts_once_per_product_and_bought_follows_the_variant(client, variant_product):
    store = variant_product.store
    small, medium = variant_product.variants.order_by("pk")
    both, two_variants, product_and_variant = UserFactory(), UserFactory(), UserFactory()
    services.add_to_wishlist(user=both, product=variant_product, variant=small)
    services.add_to_wishlist(user=both, product=variant_product, variant=medium)  # same list, two variants
    services.add_to_wishlist(user=product_and_variant, product=variant_product)
    services.add_to_wishlist(user=product_and_variant, product=variant_product, variant=small)
    catalog.update_variant(variant=medium, inventory_count=0)
    catalog.update_variant(variant=small, inventory_count=0)  # both variants sold out
    # `both` bought M (not S); `two_variants` saved nothing of it and bought.
    OrderItemFactory(order=OrderFactory(buyer=both, store=store), product=variant_product, variant=medium)
    OrderItemFactory(order=OrderFactory(buyer=two_variants, store=store), product=variant_product, variant=small)
    client.force_login(store.owner)
    page = client.get(URL).content.decode()
    # Lists: 2 lists hold it (not 4 items). Bought: 1 saver. Waiting: 2 savers (not 3 items).
    assert _row(page, variant_product.pk) == ["2", "4", "1", "2"]
    assert 'id="total-lists">2<' in page and 'id="total-bought">1<' in page and 'id="total-waiting">2<' in page
    # Variant rows: S is held by 2 lists, bought by nobody who saved S; M bought by its saver.
    table = page.split('id="insights-table"', 1)[1]
    small_row = table.split(f">{small.name}</td>", 1)[1].split("</tr>", 1)[0]
    medium_row = table.split(f">{medium.name}</td>", 1)[1].split("</tr>", 1)[0]
    assert small_row.count('">2</td>') == 3 and '">0</td>' in small_row  # lists 2, adds 2, bought 0, waiting 2
    assert medium_row.count('">1</td>') == 4  # lists, adds, bought, waiting: 1 each


def test_the_days_are_from_to_with_errors_next_to_the_field(client, product, buyer):
    from datetime import timedelta

    from django.utils import timezone

    from shomp.wishlists.models import WishlistItem

    services.add_to_wishlist(user=buyer, product=product)
    WishlistItem.objects.update(added_at=timezone.now() - timedelta(days=40))
    client.force_login(product.store.owner)
    assert 'id="total-adds">0<' in client.get(URL).content.decode()  # last 30 days
    today = timezone.now().astimezone(product.store.tzinfo).date()
    start, end = today - timedelta(days=45), today - timedelta(days=35)
    page = client.get(URL, {"days": "custom", "start": start.isoformat(), "end": end.isoformat()}).content.decode()
    assert 'id="total-adds">1<' in page and "Fix the days" not in page
    data = page.split('id="wishlist-adds-data"', 1)[1]
    assert f"{start:%b} {start.day}" in data and f"{end:%b} {end.day}" in data
    for params, field, message in [
        ({"start": end, "end": start}, "end", "The last day comes before the first"),
        ({"start": today, "end": today + timedelta(days=2)}, "end", "can&#x27;t end in the future"),
        ({"start": "tomorrow", "end": today}, "start", "Enter a valid date"),
        ({"start": today - timedelta(days=400), "end": today}, "end", "at most 366 days"),
        ({"end": today}, "start", "Choose the first day"),
        ({"start": "1999-12-31", "end": today}, "start", "Choose a day from January 1, 2000 on"),
    ]:
        page = client.get(URL, {"days": "custom", **params}).content.decode()
        error = page.split(f'id="id_{field}_error">', 1)[1].split("</div>", 1)[0]
        assert message in error, (params, error)
        assert 'id="total-adds">0<' in page  # the default days meanwhile


def test_drill_down_charts_one_product_and_tells_its_savers(client, buyer, django_capture_on_commit_callbacks):
    import json

    store = StoreFactory()
    mug, vase = ProductFactory(store=store, title="Mug"), ProductFactory(store=store, title="Vase")
    services.add_to_wishlist(user=buyer, product=mug)
    services.add_to_wishlist(user=UserFactory(), product=vase)
    services.add_to_wishlist(user=UserFactory(), product=vase)
    client.force_login(store.owner)

    def chart(page):
        return json.loads(page.split('id="wishlist-adds-data" type="application/json">', 1)[1].split("</script>")[0])

    everything = client.get(URL).content.decode()
    assert sum(chart(everything)["adds"]) == 3 and 'id="sale-hint"' in everything
    page = client.get(URL, {"product": mug.pk}).content.decode()
    assert sum(chart(page)["adds"]) == 1 and chart(page)["title"] == "Mug"
    assert 'id="chart-title">Adds per day: Mug<' in page and f'data-product="{vase.pk}"' not in page
    assert f'name="product" value="{mug.pk}"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"product": mug.pk, "message": "Mugs 20% off"})
    assert response.status_code == 302
    assert list(Notification.objects.filter(type=NotificationType.SAVED_SALE).values_list("user", flat=True)) == [
        buyer.pk
    ]
    # Another store's product, or nonsense, is a 404.
    other = ProductFactory()
    assert client.get(URL, {"product": other.pk}).status_code == 404
    assert client.get(URL, {"product": "x"}).status_code == 404


def test_products_are_paged_and_the_sale_notice_reaches_any_of_them(client, django_capture_on_commit_callbacks):
    store = StoreFactory()
    saver = UserFactory()
    products = ProductFactory.create_batch(insights.PER_PAGE + 5, store=store)
    for product in products:
        services.add_to_wishlist(user=saver, product=product)
    client.force_login(store.owner)
    first = client.get(URL).content.decode()
    second = client.get(URL, {"page": 2}).content.decode()
    assert first.count("data-product=") == insights.PER_PAGE and second.count("data-product=") == 5
    shown = {int(x.split('"')[1]) for x in (first + second).split("data-product=")[1:]}
    assert shown == {p.pk for p in products}
    last = next(p for p in products if f'data-product="{p.pk}"' in second)
    assert f'href="?product={last.pk}"' in second
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(URL, {"product": last.pk, "message": "Half off"}).status_code == 302
    assert Notification.objects.filter(user=saver, type=NotificationType.SAVED_SALE).count() == 1
