"""Query budgets: the centre and the bell cost the same with 1 notification as with 200."""

import pytest
from django.urls import reverse

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog.tests.factories import ProductFactory
from shomp.notifications.models import Notification, NotificationType
from shomp.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db

# Session, user, then the page: count, rows, the products they point at, the unread total,
# whether the user is on a store's team (the type filter's seller types); plus the header's
# cart badge.
CENTRE_BUDGET = 8
# Session, user, unread count, latest ten, the products they point at.
BELL_BUDGET = 5


def fill(user, count: int) -> None:
    stores = [StoreFactory() for _ in range(3)]
    products = [ProductFactory(store=stores[n % 3]) for n in range(min(count, 30))]
    rows = []
    for n in range(count):
        if n % 2:
            product = products[n % len(products)]
            rows.append(
                Notification(
                    user=user,
                    type=NotificationType.NEW_PRODUCT,
                    key=f"new-product:{n}",
                    title=f"{product.store.name} launched {product.title}",
                    data={"url": product.get_absolute_url(), "product_id": product.pk},
                )
            )
        else:
            rows.append(
                Notification(
                    user=user, type=NotificationType.SALE, key=f"sale:{n}", title=f"Sale {n}", data={"url": "/x/"}
                )
            )
    Notification.objects.bulk_create(rows)


@pytest.mark.parametrize("count", [1, 200])
def test_centre(client, django_assert_max_num_queries, count):
    user = UserFactory()
    fill(user, count)
    client.force_login(user)
    with django_assert_max_num_queries(CENTRE_BUDGET):
        response = client.get(reverse("notifications:centre"))
    assert response.content.decode().count('class="list-group-item') == min(count, 20)
    with django_assert_max_num_queries(CENTRE_BUDGET):
        assert (
            client.get(reverse("notifications:centre"), {"type": "new_product", "unread": "on", "page": 2}).status_code
            == 200
        )


@pytest.mark.parametrize("count", [1, 200])
def test_bell(client, django_assert_max_num_queries, count):
    user = UserFactory()
    fill(user, count)
    client.force_login(user)
    with django_assert_max_num_queries(BELL_BUDGET):
        response = client.get(reverse("notifications:bell"))
    assert response.content.decode().count('class="dropdown-item notification-item') == min(count, 10)
