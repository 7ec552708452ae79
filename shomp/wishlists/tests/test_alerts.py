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


def test_a_retried_restock_task_tells_nobody_twice_and_the_next_restock_is_news(
    buyer, variant_product, django_capture_on_commit_callbacks
):
    from unittest import mock

    small = variant_product.variants.order_by("pk").first()
    services.add_to_wishlist(user=buyer, product=variant_product, variant=small)
    with django_capture_on_commit_callbacks(execute=True):
        catalog.manage_inventory(variant=small, action="set", quantity=0)
    with (
        mock.patch.object(alerts, "_enqueue", wraps=alerts._enqueue) as queued,
        django_capture_on_commit_callbacks(execute=True),
    ):
        catalog.manage_inventory(variant=small, action="restock", quantity=4)
    [(args, restock)] = [(call.args, call.kwargs) for call in queued.call_args_list]
    assert restock["restock_id"].startswith("adjustment-")  # named by the stock history row
    notes = Notification.objects.filter(user=buyer, type=NotificationType.BACK_IN_STOCK)
    assert notes.count() == 1
    # The worker runs the same task again (a retry after a lost acknowledgement): nobody twice.
    assert alerts.check_product_alerts(product_id=args[0], **restock) == 0
    assert notes.count() == 1
    # Sold out and restocked again: a new restock, news again.
    with django_capture_on_commit_callbacks(execute=True):
        catalog.manage_inventory(variant=small, action="set", quantity=0)
    with django_capture_on_commit_callbacks(execute=True):
        catalog.manage_inventory(variant=small, action="restock", quantity=2)
    assert notes.count() == 2


def test_a_restock_tells_only_who_saved_it_before(buyer, variant_product):
    """Saved after the restock (in stock when saved, never seen sold out): not told."""
    from datetime import timedelta

    from django.utils import timezone

    small = variant_product.variants.order_by("pk").first()
    services.add_to_wishlist(user=buyer, product=variant_product, variant=small)
    restocked_at = (timezone.now() - timedelta(minutes=5)).isoformat()
    assert (
        alerts.check_product_alerts(
            product_id=variant_product.pk, restocked=small.pk, restock_id="adjustment-1", restocked_at=restocked_at
        )
        == 0
    )
    earlier = (timezone.now() + timedelta(seconds=1)).isoformat()
    assert (
        alerts.check_product_alerts(
            product_id=variant_product.pk, restocked=small.pk, restock_id="adjustment-2", restocked_at=earlier
        )
        == 1
    )


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


# Promotions: a sale is a price drop too ---------------------------------------------------


def _promotion(product, *, amount="20", promotion=None, notify_followers=False, **targets):
    from datetime import timedelta

    from django.utils import timezone

    from shomp.catalog.services import promotions

    store = product.store
    now = timezone.now()
    data = promotions.PromotionData(
        name="Summer sale",
        kind="percent",
        amount=Decimal(amount),
        starts_at=promotion.starts_at if promotion else now - timedelta(minutes=1),
        ends_at=now + timedelta(days=2),
        product_ids=frozenset(targets.get("product_ids", {product.pk})),
        variant_ids=frozenset(targets.get("variant_ids", ())),
        notify_followers=notify_followers,
    )
    return promotions.save_promotion(
        user=store.owner, organization_id=store.organization_id, data=data, promotion=promotion
    )


def test_a_promotion_start_is_a_price_drop_once_whatever_it_tells_followers(
    buyer, product, django_capture_on_commit_callbacks
):
    """Through the real services: saving a promotion that has begun starts it (the worker's
    task), and its start queues the savers' check, even with `notify_followers` off."""
    from shomp.catalog.models import Promotion
    from shomp.catalog.services import promotions

    other = UserFactory()
    services.add_to_wishlist(user=buyer, product=product)
    services.add_to_wishlist(user=other, product=product)
    stranger_product = ProductFactory(title="Plate", store=product.store)
    stranger = UserFactory()
    services.add_to_wishlist(user=stranger, product=stranger_product)  # not covered
    with django_capture_on_commit_callbacks(execute=True):
        promotion = _promotion(product, notify_followers=False)
    assert Promotion.objects.get(pk=promotion.pk).started_at is not None
    assert [n.title for n in _drops(buyer)] == ["Blue mug is now $8.00"]
    assert "was $10.00 when you saved it" in _drops(buyer)[0].content
    assert len(_drops(other)) == 1 and _drops(stranger) == []
    assert not Notification.objects.filter(type=NotificationType.SAVED_SALE).exists()  # no followers notice
    # A second run (a retried start task, the check again): nothing new.
    with django_capture_on_commit_callbacks(execute=True):
        assert promotions.start_promotion(promotion_id=promotion.pk) is False
    assert alerts.check_promotion_alerts(promotion_id=promotion.pk) == 1
    assert len(_drops(buyer)) == 1


def test_editing_a_running_promotion_deeper_alerts_once_more_and_unrelated_changes_never_repeat(
    buyer, variant_product, django_capture_on_commit_callbacks
):
    small, medium = variant_product.variants.order_by("pk")
    services.add_to_wishlist(user=buyer, product=variant_product, variant=small)
    with django_capture_on_commit_callbacks(execute=True):
        promotion = _promotion(variant_product)
    assert [n.title for n in _drops(buyer)] == ["Tee is now $8.00"]
    # An unrelated price change (another variant) re-checks the product: the sale price was told.
    with django_capture_on_commit_callbacks(execute=True):
        catalog.update_variant(variant=medium, price_modifier="-1.00")
    assert len(_drops(buyer)) == 1
    # The seller edits the running sale to a deeper discount: told once more, at the new price.
    with django_capture_on_commit_callbacks(execute=True):
        promotion = _promotion(variant_product, amount="30", promotion=promotion)
    assert [n.title for n in _drops(buyer)] == ["Tee is now $8.00", "Tee is now $7.00"]
    with django_capture_on_commit_callbacks(execute=True):
        _promotion(variant_product, amount="30", promotion=promotion)  # saved again unchanged
    assert len(_drops(buyer)) == 2
    # A smaller discount, then the end: prices rise, nobody is told, and going back to the
    # price already told is no news.
    with django_capture_on_commit_callbacks(execute=True):
        promotion = _promotion(variant_product, amount="10", promotion=promotion)
    from shomp.catalog.services import promotions

    with django_capture_on_commit_callbacks(execute=True):
        promotions.end_promotion(user=variant_product.store.owner, promotion=promotion)
    with django_capture_on_commit_callbacks(execute=True):
        catalog.update_variant(variant=small, price_modifier="-3.00")  # $7.00 again, from the list price
    assert len(_drops(buyer)) == 2
    # Below everything told before: news.
    with django_capture_on_commit_callbacks(execute=True):
        catalog.update_variant(variant=small, price_modifier="-4.00")
    assert [n.title for n in _drops(buyer)][-1] == "Tee is now $6.00"


def test_a_variant_promotion_reaches_that_variants_savers_in_batches(
    variant_product, django_capture_on_commit_callbacks
):
    small, medium = variant_product.variants.order_by("pk")
    small_savers, medium_savers = UserFactory.create_batch(3), UserFactory.create_batch(2)
    for user in small_savers:
        services.add_to_wishlist(user=user, product=variant_product, variant=small)
    for user in medium_savers:
        services.add_to_wishlist(user=user, product=variant_product, variant=medium)
    others = [ProductFactory(store=variant_product.store) for _ in range(3)]
    for other in others:
        services.add_to_wishlist(user=small_savers[0], product=other)
    with django_capture_on_commit_callbacks(execute=True):
        promotion = _promotion(variant_product, product_ids=[o.pk for o in others], variant_ids=[small.pk])
    assert Notification.objects.filter(type=NotificationType.PRICE_DROP, title="Tee is now $8.00").count() == 3
    assert not Notification.objects.filter(user__in=medium_savers).exists()
    assert alerts.check_promotion_alerts(promotion_id=promotion.pk, batch_size=2) == 4  # 4 saved products
    assert Notification.objects.filter(type=NotificationType.PRICE_DROP).count() == 3 + 3


def test_a_promotion_that_tells_followers_tells_a_saver_once(buyer, product, django_capture_on_commit_callbacks):
    """A saver who doesn't follow the store gets one notice of the sale: the price drop, not a
    second "sale on something you saved" beside it."""
    services.add_to_wishlist(user=buyer, product=product)
    with django_capture_on_commit_callbacks(execute=True):
        _promotion(product, notify_followers=True)
    assert [n.type for n in Notification.objects.filter(user=buyer)] == [NotificationType.PRICE_DROP]
