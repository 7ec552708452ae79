"""seed_demo's shipping: every demo store charges differently (one doesn't ship abroad), the demo
orders pay it, the buyer's address is saved; made once."""

import io

import pytest
from django.core.management import call_command

from shomp.demo import catalogue
from shomp.orders.models import Address, Order, ShippingSettings


@pytest.mark.django_db
def test_every_demo_store_has_its_own_shipping_and_the_demo_orders_pay_it():
    call_command("seed_demo", products_per_store=2, stdout=io.StringIO())
    settings = {s.store.slug: s for s in ShippingSettings.objects.select_related("store")}
    assert set(settings) == {store.slug for store in catalogue.STORES}
    rates = {(s.ships_from, s.domestic_rate, s.international_rate, s.free_over) for s in settings.values()}
    assert len(rates) == len(settings)  # all different
    assert any(s.international_rate is None for s in settings.values())
    physical = Order.objects.exclude(ship_line1="")
    assert physical.exists() and all(o.ship_country_code == "US" for o in physical)
    assert physical.filter(shipping_total__gt=0).exists()
    assert Address.objects.filter(user__username="demo-buyer", country="US").count() == 1

    call_command("seed_demo", products_per_store=2, stdout=io.StringIO())
    assert ShippingSettings.objects.count() == len(catalogue.STORES)
