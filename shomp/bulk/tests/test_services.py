from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from shomp.accounts.tests.factories import UserFactory
from shomp.bulk import selectors, services, tasks
from shomp.bulk.models import BulkJob
from shomp.bulk.plans import Action
from shomp.catalog import hooks as catalog_hooks
from shomp.catalog.models import InventoryAdjustment, Product, Variant
from shomp.catalog.tests.factories import DigitalProductFactory, ProductFactory
from shomp.organizations.models import AuditLogEntry
from shomp.stores.tests.factories import StoreFactory

from .factories import sized_product, variants_of

pytestmark = pytest.mark.django_db


def everything(store, **kwargs) -> selectors.Filters:
    return selectors.Filters(store_ids=(store.pk,), **kwargs)


def prepare(user, store, *, target="products", action, value=None, reason="", ids=None, **filters):
    return services.prepare_operation(
        user=user,
        target=target,
        action=action,
        value=value,
        reason=reason,
        filters=everything(store, **filters),
        ids=ids,
    )


@pytest.fixture
def store():
    return StoreFactory(name="Fern & Kiln", slug="fern")


@pytest.fixture
def seller(store):
    return store.owner


@pytest.fixture
def heard():
    calls = []

    def listen(**kwargs):
        calls.append(kwargs)

    catalog_hooks.price_changed.connect(listen)
    yield calls
    catalog_hooks.price_changed.disconnect(listen)


def test_percentage_on_products_previews_then_applies_base_prices_and_keeps_modifiers(
    store, seller, heard, django_capture_on_commit_callbacks
):
    mug = ProductFactory(store=store, title="Mug", price=Decimal("12.35"))
    tee = sized_product(store, title="Tee", price="20.00")
    job = prepare(seller, store, action=Action.PRICE_PERCENT, value="-10")
    mug.refresh_from_db()
    assert mug.price == Decimal("12.35")  # the preview writes nothing
    rows = {c["label"]: c for c in job.changes}
    assert rows["Mug"]["price"] == ["12.35", "11.12"]  # 11.115 rounds half up
    assert rows["Tee"]["price"] == ["20.00", "18.00"]
    with django_capture_on_commit_callbacks(execute=True):
        services.apply_job(user=seller, job=job)
    job.refresh_from_db()
    assert job.status == BulkJob.Status.DONE
    mug.refresh_from_db()
    assert mug.price == Decimal("11.12")
    large = variants_of(tee)["L"]
    assert large.price == Decimal("20.00")  # 18.00 + the L's own 2.00 modifier, kept
    assert {(h["product_id"], h["new_price"]) for h in heard} == {
        (mug.pk, Decimal("11.12")),
        (tee.pk, Decimal("18.00")),
    }


def test_variant_prices_change_the_variants_own_modifier_not_the_base(
    store, seller, heard, django_capture_on_commit_callbacks
):
    tee = sized_product(store, price="20.00")
    variants = variants_of(tee)
    job = prepare(seller, store, target="variants", action=Action.PRICE_AMOUNT, value="-3.00", ids=[variants["L"].pk])
    assert job.changes[0]["price"] == ["22.00", "19.00"]
    with django_capture_on_commit_callbacks(execute=True):
        services.apply_job(user=seller, job=job)
    tee.refresh_from_db()
    assert tee.price == Decimal("20.00")
    after = variants_of(tee)
    assert after["L"].price == Decimal("19.00") and after["M"].price == Decimal("20.00")
    assert heard == [{"product_id": tee.pk, "variant_id": None, "old_price": None, "new_price": None}]


def test_an_amount_below_zero_clamps_at_zero_and_says_so(store, seller):
    ProductFactory(store=store, title="Sticker", price=Decimal("2.00"))
    job = prepare(seller, store, action=Action.PRICE_AMOUNT, value="-5")
    assert job.changes[0]["price"] == ["2.00", "0.00"]
    assert job.changes[0]["note"] == "Clamped at 0.00."


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-150", "-100 % or less"),
        ("-100", "-100 % or less"),
        ("1500", "+1000"),
        ("12.345", "two decimals"),
        ("abc", "number"),
    ],
)
def test_bad_percentages_are_refused_and_nothing_is_planned(store, seller, value, message):
    ProductFactory(store=store)
    with pytest.raises(ValidationError) as excinfo:
        prepare(seller, store, action=Action.PRICE_PERCENT, value=value)
    assert message in excinfo.value.message_dict["value"][0]
    assert not BulkJob.objects.exists()


def test_plus_150_percent_is_allowed(store, seller):
    ProductFactory(store=store, price=Decimal("10.00"))
    job = prepare(seller, store, action=Action.PRICE_PERCENT, value="150")
    assert job.changes[0]["price"] == ["10.00", "25.00"]


def test_ids_of_another_store_refuse_the_whole_request(store, seller):
    mine = ProductFactory(store=store)
    theirs = ProductFactory(price=Decimal("10.00"))
    with pytest.raises(ValidationError) as excinfo:
        prepare(seller, store, action=Action.PRICE_PERCENT, value="-50", ids=[mine.pk, theirs.pk])
    assert "aren't in a store you can bulk-edit" in excinfo.value.messages[0]
    other_filters = selectors.Filters(store_ids=(theirs.store_id,))
    with pytest.raises(ValidationError):
        services.prepare_operation(
            user=seller, target="products", action=Action.PUBLISH, value=None, filters=other_filters, ids=None
        )
    theirs.refresh_from_db()
    assert theirs.price == Decimal("10.00") and not BulkJob.objects.exists()


def test_a_base_that_would_put_a_variant_below_zero_is_refused_and_nothing_applies(store, seller):
    tee = sized_product(store, price="5.00")
    Variant.objects.filter(product=tee, name="S").update(price_modifier=Decimal("-4.00"))
    ProductFactory(store=store, title="Mug", price=Decimal("10.00"))
    job = prepare(seller, store, action=Action.PRICE_AMOUNT, value="-2")
    assert job.errors == 1 and "less than nothing" in next(c for c in job.changes if c["error"])["error"]
    with pytest.raises(ValidationError):
        services.apply_job(user=seller, job=job)
    assert Product.objects.get(title="Mug").price == Decimal("10.00")


def test_stock_adjust_writes_each_variants_history_with_the_reason(store, seller):
    tee = sized_product(store)
    job = prepare(
        seller, store, target="variants", action=Action.STOCK_ADJUST, value="3", reason="Delivery from the kiln"
    )
    services.apply_job(user=seller, job=job)
    assert set(Variant.objects.filter(product=tee).values_list("inventory_count", flat=True)) == {8}
    history = InventoryAdjustment.objects.filter(variant__product=tee)
    assert history.count() == 3
    assert {(a.delta, a.resulting_count, a.reason, a.actor_id, a.kind) for a in history} == {
        (3, 8, "Delivery from the kiln", seller.pk, "adjust")
    }


def test_stock_needs_a_reason_and_never_goes_negative(store, seller):
    tee = sized_product(store)
    with pytest.raises(ValidationError) as excinfo:
        prepare(seller, store, target="variants", action=Action.STOCK_SET, value="4")
    assert "reason" in excinfo.value.message_dict
    job = prepare(seller, store, target="variants", action=Action.STOCK_ADJUST, value="-6", reason="Breakage")
    assert job.errors == 3 and "would leave -1 in stock" in job.changes[0]["error"]
    with pytest.raises(ValidationError):
        services.apply_job(user=seller, job=job)
    assert set(Variant.objects.filter(product=tee).values_list("inventory_count", flat=True)) == {5}


def test_publish_unpublish_archive(store, seller):
    draft = ProductFactory(store=store, title="Draft", status=Product.Status.DRAFT, published_at=None)
    digital = DigitalProductFactory(store=store, title="Guide", status=Product.Status.DRAFT, digital_file="")
    live = ProductFactory(store=store, title="Live")
    job = prepare(seller, store, action=Action.PUBLISH, ids=[draft.pk, live.pk])
    assert [c["note"] for c in job.changes if c["label"] == "Live"] == ["Already published."]
    services.apply_job(user=seller, job=job)
    draft.refresh_from_db()
    assert draft.status == "published" and draft.published_at is not None
    refused = prepare(seller, store, action=Action.PUBLISH, ids=[digital.pk])
    assert refused.errors == 1
    services.apply_job(user=seller, job=prepare(seller, store, action=Action.ARCHIVE, ids=[live.pk]))
    live.refresh_from_db()
    assert live.status == "archived"


def test_a_change_since_the_preview_refuses_everything(store, seller):
    a = ProductFactory(store=store, title="A", price=Decimal("10.00"))
    b = ProductFactory(store=store, title="B", price=Decimal("10.00"))
    job = prepare(seller, store, action=Action.PRICE_PERCENT, value="10")
    Product.objects.filter(pk=b.pk).update(price=Decimal("11.00"))
    job = services.apply_job(user=seller, job=job)
    job.refresh_from_db()
    assert job.status == BulkJob.Status.FAILED and "changed since the preview" in job.message
    a.refresh_from_db()
    assert a.price == Decimal("10.00")


def test_applied_operations_are_in_the_audit_log(store, seller):
    ProductFactory(store=store, title="A")
    services.apply_job(user=seller, job=prepare(seller, store, action=Action.PRICE_PERCENT, value="5"))
    entry = AuditLogEntry.objects.get(action=AuditLogEntry.Action.BULK_OPERATION)
    assert entry.actor == seller and entry.organization_id == store.organization_id
    assert entry.object == "Prices +5% on 1 product" and entry.details["rows"] == 1
    assert entry.details["stores"] == ["Fern & Kiln"]


def test_large_operations_go_to_the_worker_and_apply_once(store, seller, settings):
    for n in range(5):
        ProductFactory(store=store, price=Decimal("10.00"), title=f"P{n}")
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}
    job = prepare(seller, store, action=Action.PRICE_AMOUNT, value="1")
    original = services.WORKER_THRESHOLD
    services.WORKER_THRESHOLD = 2
    try:
        job = services.apply_job(user=seller, job=job)
    finally:
        services.WORKER_THRESHOLD = original
    assert job.status == BulkJob.Status.QUEUED
    assert set(Product.objects.values_list("price", flat=True)) == {Decimal("10.00")}
    services.run_job(job_id=job.pk)
    services.run_job(job_id=job.pk)  # a retried task changes nothing more
    assert set(Product.objects.values_list("price", flat=True)) == {Decimal("11.00")}
    job.refresh_from_db()
    assert job.status == BulkJob.Status.DONE and job.percent == 100


def test_a_stranger_cannot_apply_someone_elses_plan(store, seller):
    ProductFactory(store=store)
    job = prepare(seller, store, action=Action.PRICE_PERCENT, value="5")
    with pytest.raises(ValidationError):
        services.apply_job(user=UserFactory(), job=job)


def test_old_previews_are_pruned_and_applied_jobs_stay(store, seller):
    ProductFactory(store=store)
    old = prepare(seller, store, action=Action.PRICE_PERCENT, value="5")
    applied = services.apply_job(user=seller, job=prepare(seller, store, action=Action.ARCHIVE))
    fresh = prepare(seller, store, action=Action.PRICE_PERCENT, value="5")
    long_ago = timezone.now() - timedelta(days=services.PREVIEW_DAYS + 1)
    BulkJob.objects.filter(pk__in=[old.pk, applied.pk]).update(created_at=long_ago)
    assert tasks.prune_previews.call() == 1
    assert set(BulkJob.objects.values_list("pk", flat=True)) == {applied.pk, fresh.pk}


def test_a_job_whose_worker_died_is_given_up_and_one_still_going_is_not(store, seller):
    ProductFactory(store=store)
    dead = prepare(seller, store, action=Action.PRICE_PERCENT, value="5")
    alive = prepare(seller, store, action=Action.PRICE_PERCENT, value="6")
    long_ago = timezone.now() - services.STALLED_AFTER - timedelta(minutes=1)
    BulkJob.objects.filter(pk=dead.pk).update(status="running", heartbeat_at=long_ago)
    BulkJob.objects.filter(pk=alive.pk).update(status="running", heartbeat_at=timezone.now())
    assert tasks.fail_stalled_jobs.call() == 1
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert (dead.status, dead.message) == ("failed", services.STALLED)
    assert alive.status == "running"
    services.run_job(job_id=dead.pk)  # a late retry of the task changes nothing
    assert Product.objects.get().price == Decimal("10.00")
