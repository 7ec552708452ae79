"""seed_demo's promotions: one cross-store sale running (its stores' prices lowered, announced to
followers once) and one scheduled; a second seed adds neither again."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from shomp.catalog.models import Product, Promotion
from shomp.catalog.services import calculate_price
from shomp.core.money import quantize
from shomp.follows.models import StoreAnnouncement


def seed() -> None:
    call_command("seed_demo", products_per_store=1, stdout=io.StringIO())


@pytest.mark.django_db
def test_one_running_cross_store_sale_and_one_scheduled(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        seed()
    now = timezone.now()
    running = Promotion.objects.get(name="Winter Warmers")
    scheduled = Promotion.objects.get(name="Spring Preview")
    assert running.status_at(now) == "running" and running.started_at is not None
    assert running.targets.filter(store__isnull=False).count() == 2
    assert scheduled.status_at(now) == "scheduled"
    product = Product.objects.filter(store__slug="inkwell-and-ash", has_variants=False).first()
    assert calculate_price(product=product) == product.price - quantize(product.price * Decimal("0.15"))
    assert StoreAnnouncement.objects.filter(title__startswith="Winter Warmers").count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        seed()
    assert Promotion.objects.count() == 2
    assert StoreAnnouncement.objects.filter(title__startswith="Winter Warmers").count() == 2
