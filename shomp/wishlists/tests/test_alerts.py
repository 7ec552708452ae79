"""Price drops, back in stock and sale notices reach savers through the notification centre,
once per drop, whatever path changed the price."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog import services as catalog
from shomp.catalog.tests.factories import ProductFactory
from shomp.core.exceptions import RateLimited
from shomp.notifications.models import Notification, NotificationType
from shomp.notifications.services import set_preferences
from shomp.wishlists import alerts, services

pytestmark = pytest.mark.django_db


def _edit_price(product, price, callbacks):
    with callbacks(execute=True):
        catalog.update_product(
            product=product, title=product.title, price=Decimal(price), kind=product.kind, stock=product.stock
        )


def _drops(user):
    return list(Notification.objects.filter(user=user, type=NotificationType.PRICE_DROP).order_by("pk"))


def test_a_price_drop_tells_each_saver_once(buyer, product, django_capture_on_commit_callbacks):
    other = UserFactory()
    services.add_to_wishlist(user=buyer, product=product)
    services.add_to_wishlist(user=other, product=product)
    _edit_price(product, "8.00", django_capture_on_commit_callbacks)
    [note] = _drops(buyer)
    assert note.title == "Blue mug is now $8.00"
    assert "was $10.00 when you saved it" in note.content
    assert len(_drops(other)) == 1
    # The same price again, a rise, and back down to the same price: nothing new.
    alerts.check_product_alerts(product_id=product.pk)
    _edit_price(product, "9.00", django_capture_on_commit_callbacks)
    _edit_price(product, "8.00", django_capture_on_commit_callbacks)
    assert len(_drops(buyer)) == 1
    # A deeper drop is news again.
    _edit_price(product, "6.00", django_capture_on_commit_callbacks)
    assert [n.title for n in _drops(buyer)] == ["Blue mug is now $8.00", "Blue mug is now $6.00"]


def test_a_rise_or_a_price_above_the_saved_one_tells_nobody(buyer, product, django_capture_on_commit_callbacks):
    services.add_to_wishlist(user=buyer, product=product)
    _edit_price(product, "12.00", django_capture_on_commit_callbacks)
    _edit_price(product, "11.00", django_capture_on_commit_callbacks)  # lower, but above $10.00 saved
    assert _drops(buyer) == []


def test_a_variant_modifier_or_an_option_modifier_drop_tells_its_savers(
    buyer, variant_product, django_capture_on_commit_callbacks
):
    small, medium = variant_product.variants.order_by("pk")
    services.add_to_wishlist(user=buyer, product=variant_product, variant=small)
    other = UserFactory()
    services.add_to_wishlist(user=other, product=variant_product, variant=medium)
    with django_capture_on_commit_callbacks(execute=True):
        catalog.update_variant(variant=small, price_modifier="-2.00")
    assert [n.title for n in _drops(buyer)] == ["Tee is now $8.00"]
    assert _drops(other) == []
    value = medium.options.get().value
    with django_capture_on_commit_callbacks(execute=True):
        catalog.set_option_value_modifier(value=value, price_modifier="-3.00")
    assert [n.title for n in _drops(other)] == ["Tee is now $7.00"]


def test_back_in_stock_tells_savers_of_that_variant_once(buyer, variant_product, django_capture_on_commit_callbacks):
    small, medium = variant_product.variants.order_by("pk")
    services.add_to_wishlist(user=buyer, product=variant_product, variant=small)
    medium_saver = UserFactory()
    services.add_to_wishlist(user=medium_saver, product=variant_product, variant=medium)
    with django_capture_on_commit_callbacks(execute=True):
        catalog.manage_inventory(variant=small, action="set", quantity=0)
    with django_capture_on_commit_callbacks(execute=True):
        catalog.manage_inventory(variant=small, action="restock", quantity=4)
    notes = Notification.objects.filter(type=NotificationType.BACK_IN_STOCK)
    assert [(n.user, n.title) for n in notes] == [(buyer, "Tee is back in stock")]
    with django_capture_on_commit_callbacks(execute=True):
        catalog.manage_inventory(variant=small, action="restock", quantity=4)  # had stock: no news
    assert notes.count() == 1


def test_a_sold_out_product_restocked_by_edit(buyer, django_capture_on_commit_callbacks):
    lamp = ProductFactory(title="Lamp", stock=0)
    services.add_to_wishlist(user=buyer, product=lamp)
    with django_capture_on_commit_callbacks(execute=True):
        catalog.update_product(product=lamp, title="Lamp", price=lamp.price, kind=lamp.kind, stock=2)
    assert Notification.objects.filter(user=buyer, type=NotificationType.BACK_IN_STOCK).count() == 1


def test_preferences_decide(buyer, product, django_capture_on_commit_callbacks):
    services.add_to_wishlist(user=buyer, product=product)
    set_preferences(user=buyer, preferences={NotificationType.PRICE_DROP: (False, False)})
    _edit_price(product, "5.00", django_capture_on_commit_callbacks)
    assert _drops(buyer) == []


def test_batched_fan_out_reaches_every_saver(product):
    users = UserFactory.create_batch(7)
    for user in users:
        services.add_to_wishlist(user=user, product=product)
    type(product).objects.filter(pk=product.pk).update(price=Decimal("4.00"))
    assert alerts.check_product_alerts(product_id=product.pk, batch_size=3) == 7
    assert alerts.check_product_alerts(product_id=product.pk, batch_size=3) == 0


def test_sale_notice_is_rate_limited_per_product(buyer, product, django_capture_on_commit_callbacks):
    services.add_to_wishlist(user=buyer, product=product)
    seller = product.store.owner
    with pytest.raises(ValidationError):
        alerts.notify_savers_of_sale(actor=seller, product=product, message="  ")
    with django_capture_on_commit_callbacks(execute=True):
        alerts.notify_savers_of_sale(actor=seller, product=product, message="20% off this week")
    [note] = Notification.objects.filter(user=buyer, type=NotificationType.SAVED_SALE)
    assert note.content == "20% off this week"
    with pytest.raises(RateLimited):
        alerts.notify_savers_of_sale(actor=seller, product=product, message="Again!")
    other = ProductFactory(store=product.store)
    alerts.notify_savers_of_sale(actor=seller, product=other, message="Another product is fine")
