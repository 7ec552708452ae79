"""What others see of a bulk operation: savers' price-drop alerts, the audit log's sentence,
and which rows the filters pick."""

import html
import re
from decimal import Decimal

import pytest
from django.utils.html import strip_tags

from shomp.accounts.tests.factories import UserFactory
from shomp.bulk import selectors, services
from shomp.bulk.plans import Action
from shomp.catalog.models import Product, Variant
from shomp.catalog.tests.factories import DigitalProductFactory, ProductFactory
from shomp.notifications.models import Notification, NotificationType
from shomp.stores.tests.factories import StoreFactory
from shomp.wishlists import services as wishlists

from .factories import sized_product, variants_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def store():
    return StoreFactory(name="Fern & Kiln", slug="fern")


def apply(user, store, *, target="products", action, value=None, reason="", ids=None, capture=None):
    job = services.prepare_operation(
        user=user,
        target=target,
        action=action,
        value=value,
        reason=reason,
        filters=selectors.Filters(store_ids=(store.pk,)),
        ids=ids,
    )
    with capture(execute=True):
        services.apply_job(user=user, job=job)
    return job


def drops(user) -> list[str]:
    return list(
        Notification.objects.filter(user=user, type=NotificationType.PRICE_DROP).values_list("title", flat=True)
    )


def test_a_bulk_price_drop_tells_the_savers_once_after_commit(store, django_capture_on_commit_callbacks):
    mug = ProductFactory(store=store, title="Blue mug", price=Decimal("10.00"))
    tee = sized_product(store, title="Tee", price="20.00")
    buyer, fan = UserFactory(), UserFactory()
    wishlists.add_to_wishlist(user=buyer, product=mug)
    wishlists.add_to_wishlist(user=fan, product=tee, variant=variants_of(tee)["M"])
    apply(
        store.owner,
        store,
        action=Action.PRICE_PERCENT,
        value="-20",
        ids=[mug.pk],
        capture=django_capture_on_commit_callbacks,
    )
    assert drops(buyer) == ["Blue mug is now $8.00"]
    apply(
        store.owner,
        store,
        target="variants",
        action=Action.PRICE_AMOUNT,
        value="-5",
        ids=[variants_of(tee)["M"].pk],
        capture=django_capture_on_commit_callbacks,
    )
    assert drops(fan) == ["Tee is now $15.00"]
    # A rise tells nobody.
    apply(
        store.owner,
        store,
        action=Action.PRICE_PERCENT,
        value="50",
        ids=[mug.pk],
        capture=django_capture_on_commit_callbacks,
    )
    assert drops(buyer) == ["Blue mug is now $8.00"]


def test_a_bulk_restock_tells_waiting_savers_once(store, django_capture_on_commit_callbacks):
    """The bulk stock path sends the catalog's `restocked` with a name per restock: the savers
    of what was sold out hear once, a retried task tells nobody again."""
    from unittest import mock

    from shomp.wishlists import alerts

    lamp = ProductFactory(store=store, title="Lamp", stock=0)
    tee = sized_product(store, title="Tee")
    small = variants_of(tee)["S"]
    Variant.objects.filter(pk=small.pk).update(inventory_count=0)
    lamp_fan, tee_fan, in_stock_fan = UserFactory(), UserFactory(), UserFactory()
    wishlists.add_to_wishlist(user=lamp_fan, product=lamp)
    wishlists.add_to_wishlist(user=tee_fan, product=tee, variant=small)
    wishlists.add_to_wishlist(user=in_stock_fan, product=tee, variant=variants_of(tee)["M"])
    with mock.patch.object(alerts, "_enqueue", wraps=alerts._enqueue) as queued:
        apply(
            store.owner,
            store,
            action=Action.STOCK_SET,
            value="3",
            reason="Delivery",
            ids=[lamp.pk],
            capture=django_capture_on_commit_callbacks,
        )
        apply(
            store.owner,
            store,
            target="variants",
            action=Action.STOCK_ADJUST,
            value="4",
            reason="Delivery",
            ids=[small.pk, variants_of(tee)["M"].pk],
            capture=django_capture_on_commit_callbacks,
        )
    back = Notification.objects.filter(type=NotificationType.BACK_IN_STOCK)
    assert sorted(back.values_list("user__username", "title")) == sorted(
        [(lamp_fan.username, "Lamp is back in stock"), (tee_fan.username, "Tee is back in stock")]
    )
    # The worker runs a task again (a retry): the same restock names the same event.
    restocks = [(call.args[0], call.kwargs) for call in queued.call_args_list if call.kwargs.get("restock_id")]
    assert sorted(product_id for product_id, _ in restocks) == sorted([lamp.pk, tee.pk])
    for product_id, kwargs in restocks:
        assert alerts.check_product_alerts(product_id=product_id, **kwargs) == 0
    assert back.count() == 2


def test_the_audit_log_reads_who_did_what_where(client, store, django_capture_on_commit_callbacks):
    ProductFactory(store=store, title="Mug")
    second = StoreFactory(owner=store.owner, name="Inkwell & Ash", slug="ink")
    ProductFactory(store=second, title="Card")
    job = services.prepare_operation(
        user=store.owner,
        target="products",
        action=Action.ARCHIVE,
        value=None,
        filters=selectors.Filters(store_ids=(store.pk, second.pk)),
        ids=None,
    )
    services.apply_job(user=store.owner, job=job)
    client.force_login(store.owner)
    page = client.get("/dashboard/organization/settings/").text
    log = page.split('id="audit-log"', 1)[1]
    first = " ".join(html.unescape(strip_tags(re.findall(r"<li[^>]*>(.*?)</li>", log, flags=re.S)[0])).split())
    assert first.startswith(f"{store.owner.username} ran a bulk edit: Archive 2 products in Fern & Kiln, Inkwell & Ash")


def test_filters_pick_the_rows(store):
    low = ProductFactory(store=store, title="Low mug", price=Decimal("5.00"), stock=1)
    out = ProductFactory(store=store, title="Out vase", price=Decimal("50.00"), stock=0, status=Product.Status.DRAFT)
    guide = DigitalProductFactory(store=store, title="Guide", price=Decimal("8.00"))
    tee = sized_product(store, title="Tee", price="20.00")
    ProductFactory(store=store, title="Made for one buyer", reserved_for=UserFactory())
    ProductFactory(title="Someone else's mug")

    def titles(target="products", **filters):
        rows = selectors.rows_for(target=target, filters=selectors.Filters(store_ids=(store.pk,), **filters))
        return sorted(r.title if target == "products" else f"{r.product.title} {r.name}" for r in rows)

    assert titles() == ["Guide", "Low mug", "Out vase", "Tee"]  # no custom order, no other store
    assert titles(stock="out") == ["Out vase"]
    assert titles(stock="low") == ["Low mug"]
    assert titles(stock="in") == ["Guide", "Low mug", "Tee"]
    assert titles(status="draft") == ["Out vase"]
    assert titles(price_min=Decimal("6"), price_max=Decimal("20")) == ["Guide", "Tee"]
    assert titles(q="mug") == ["Low mug"]
    Variant.objects.filter(product=tee, name="S").update(inventory_count=0)
    assert titles("variants", stock="out") == ["Tee S"]
    assert titles("variants", price_min=Decimal("21")) == ["Tee L"]
    assert titles("variants", q="tee-m") == ["Tee M"]
    assert low and out and guide


def test_an_unexpected_failure_marks_the_job_failed_and_writes_nothing(store, monkeypatch):
    mug = ProductFactory(store=store, price=Decimal("10.00"))
    job = services.prepare_operation(
        user=store.owner,
        target="products",
        action=Action.PRICE_AMOUNT,
        value="1",
        filters=selectors.Filters(store_ids=(store.pk,)),
        ids=None,
    )

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_audit", broken)
    job = services.apply_job(user=store.owner, job=job)
    job.refresh_from_db()
    assert job.status == "failed" and job.message == "Something went wrong, so nothing was changed. Please try again."
    mug.refresh_from_db()
    assert mug.price == Decimal("10.00")
