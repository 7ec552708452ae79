"""The products dashboard asks the permission door for "products". Each role against each
dashboard route; another store's product ids; a lowered member loses access on the next request."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from shomp.catalog.models import Product, Promotion, PromotionTarget
from shomp.organizations.models import Membership
from shomp.organizations.tests.factories import add_member
from shomp.stores.tests.factories import StoreFactory

from .factories import ProductFactory

pytestmark = pytest.mark.django_db

ROLES = ["owner", "admin", "manager", "support", "fulfilment", "analyst"]
PRODUCT_PEOPLE = {"owner", "admin", "manager"}


def _world():
    store = StoreFactory()
    product = ProductFactory(store=store, title="Speckled mug", status=Product.Status.DRAFT)
    users = {"owner": store.owner}
    for role in ROLES[1:]:
        users[role] = add_member(store, role=role).user
    return store, product, users


def _routes(product):
    return [
        reverse("catalog:dashboard_products"),
        reverse("catalog:dashboard_product_new"),
        reverse("catalog:dashboard_product_edit", kwargs={"product_id": product.pk}),
        reverse("catalog:dashboard_variants", kwargs={"product_id": product.pk}),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_the_products_dashboard_only_with_products(client, role):
    _store, product, users = _world()
    client.force_login(users[role])
    for url in _routes(product):
        response = client.get(url)
        if role in PRODUCT_PEOPLE:
            assert response.status_code == 200, url
        else:  # no store where they may do products: sent to the team page
            assert response.status_code == 302, url
            assert "Speckled" not in response.content.decode()
    # A draft is shown to those who may work on products only.
    page = client.get(product.get_absolute_url())
    assert (page.status_code == 200) == (role in PRODUCT_PEOPLE)


@pytest.mark.parametrize("role", ["support", "fulfilment", "analyst"])
def test_roles_without_products_cannot_change_one(client, role):
    _store, product, users = _world()
    client.force_login(users[role])
    url = reverse("catalog:dashboard_product_edit", kwargs={"product_id": product.pk})
    client.post(url, {"title": "Hacked", "price": "1.00", "status": "published"})
    product.refresh_from_db()
    assert product.title == "Speckled mug"


def test_member_limited_to_store_a_cannot_use_store_b_ids(client):
    store_a = StoreFactory()
    store_b = StoreFactory(owner=store_a.owner, organization=store_a.organization)
    product_b = ProductFactory(store=store_b)
    member = add_member(store_a, role="manager", stores=[store_a]).user
    client.force_login(member)
    for url in _routes(product_b)[2:]:
        assert client.get(url).status_code == 404, url


def test_lowering_a_role_takes_effect_on_the_next_request(client):
    _store, product, users = _world()
    member = users["manager"]
    client.force_login(member)
    url = reverse("catalog:dashboard_product_edit", kwargs={"product_id": product.pk})
    assert client.get(url).status_code == 200
    Membership.objects.filter(user=member).update(role="support")
    assert client.get(url).status_code == 302


PROMOTION_PEOPLE = {"owner", "admin", "manager"}  # the roles with "promotions"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_the_promotions_dashboard_only_with_promotions(client, role):
    store, _product, users = _world()
    now = timezone.now()
    promotion = Promotion.objects.create(
        organization=store.organization,
        name="Spring sale",
        kind="percent",
        amount=Decimal("10"),
        starts_at=now + timedelta(hours=1),
        ends_at=now + timedelta(days=2),
        created_by=store.owner,
    )
    PromotionTarget.objects.create(promotion=promotion, store=store)
    client.force_login(users[role])
    routes = [
        reverse("catalog:dashboard_promotions"),
        reverse("catalog:dashboard_promotion_new"),
        reverse("catalog:dashboard_promotion_edit", kwargs={"promotion_id": promotion.pk}),
    ]
    for url in routes:
        response = client.get(url)
        if role in PROMOTION_PEOPLE:
            assert response.status_code == 200, url
        else:  # no store where they may do promotions: sent to the team page
            assert response.status_code == 302, url
            assert response["Location"] == reverse("organizations:members"), url
    end = client.post(reverse("catalog:dashboard_promotion_end", kwargs={"promotion_id": promotion.pk}))
    promotion.refresh_from_db()
    if role in PROMOTION_PEOPLE:
        assert end.status_code == 302 and promotion.ended_at is not None
    else:
        assert end.status_code == 302 and promotion.ended_at is None
