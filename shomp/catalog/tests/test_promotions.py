"""Promotions: the one pricing function, the services' checks and the start-once worker task."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog import hooks, services
from shomp.catalog.models import Promotion, PromotionTarget, Variant
from shomp.catalog.selectors import published_products
from shomp.catalog.selectors.products import with_sale_prices
from shomp.catalog.services import pricing, promotions
from shomp.catalog.tasks import start_promotion_task
from shomp.catalog.tests.factories import ProductFactory
from shomp.organizations.models import AuditLogEntry
from shomp.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db

D = Decimal


def promo(*, stores=(), products=(), variants=(), kind="percent", amount="20", starts=-1, ends=24, **fields):
    """A promotion straight in the database (the services are tested below), hours from now."""
    now = timezone.now()
    owner = (stores or [p.store for p in products] or [v.store for v in variants])[0]
    promotion = Promotion.objects.create(
        organization=owner.organization,
        name=fields.pop("name", "Summer sale"),
        kind=kind,
        amount=D(amount),
        starts_at=now + timedelta(hours=starts),
        ends_at=now + timedelta(hours=ends),
        **fields,
    )
    PromotionTarget.objects.bulk_create(
        [PromotionTarget(promotion=promotion, store=s) for s in stores]
        + [PromotionTarget(promotion=promotion, product=p) for p in products]
        + [PromotionTarget(promotion=promotion, variant=v) for v in variants]
    )
    return promotion


def sized(product, modifiers=("0", "5")):
    services.add_product_option(product=product, name="Size", values=[f"S{i}" for i in range(len(modifiers))])
    services.generate_variants(product=product)
    variants = list(Variant.objects.filter(product=product).order_by("pk"))
    for variant, modifier in zip(variants, modifiers, strict=True):
        services.update_variant(variant=variant, price_modifier=modifier)
    product.refresh_from_db()
    return [Variant.objects.select_related("product").get(pk=v.pk) for v in variants]


# Pricing ---------------------------------------------------------------------------------


def test_percent_off_a_whole_store():
    product = ProductFactory(price=D("19.99"))
    promo(stores=[product.store], amount="15")
    price = services.price_of(product=product)
    assert (price.paid, price.original, price.promotion_name) == (D("16.99"), D("19.99"), "Summer sale")
    assert services.calculate_price(product=product) == D("16.99")  # 19.99 - 3.00 (2.9985 rounded)


def test_fixed_amount_off_a_product_never_below_zero():
    product = ProductFactory(price=D("4.00"))
    promo(products=[product], kind="fixed", amount="10")
    assert services.calculate_price(product=product) == D("0.00")
    other = ProductFactory(store=product.store, price=D("25.00"))
    assert services.calculate_price(product=other) == D("25.00")  # not covered


def test_the_best_promotion_wins():
    product = ProductFactory(price=D("50.00"))
    promo(stores=[product.store], amount="10", name="Ten percent")  # 5.00 off
    promo(products=[product], kind="fixed", amount="8", name="Eight off")  # 8.00 off: wins
    promo(products=[product], amount="90", name="Later", starts=2)  # not started
    price = services.price_of(product=product)
    assert price.paid == D("42.00") and price.promotion_name == "Eight off"


def test_variants_have_their_own_promotions_and_modifiers():
    product = ProductFactory(price=D("20.00"))
    small, large = sized(product)
    promo(variants=[large], kind="fixed", amount="5")
    assert services.calculate_price(product=product, variant=small) == D("20.00")
    assert services.calculate_price(product=product, variant=large) == D("20.00")  # 25 - 5
    promo(products=[product], amount="50")
    assert services.calculate_price(product=product, variant=small) == D("10.00")
    assert services.calculate_price(product=product, variant=large) == D("12.50")


def test_not_started_ended_and_ended_early_promotions_change_nothing():
    product = ProductFactory(price=D("10.00"))
    promo(stores=[product.store], starts=1, ends=5)
    promo(stores=[product.store], starts=-5, ends=-1)
    promo(stores=[product.store], ended_at=timezone.now() - timedelta(minutes=1))
    assert services.calculate_price(product=product) == D("10.00")
    running = promo(stores=[product.store], amount="50")
    later = timezone.now() + timedelta(hours=30)
    assert services.calculate_price(product=product) == D("5.00")
    assert services.calculate_price(product=product, at=later) == D("10.00")  # past its end
    assert services.price_of(product=product).ends_at == running.ends_at


def test_a_product_pages_offers_are_what_load_offers_finds_for_it_at_any_moment():
    product = ProductFactory(price=D("10.00"))
    small, large = sized(product)
    other = ProductFactory(store=product.store)
    elsewhere = ProductFactory()
    store_wide = promo(stores=[product.store], amount="10", ends=2)
    own = promo(products=[product], amount="15", ends=30)
    on_large = promo(variants=[large], amount="25", starts=-2, ends=5)
    promo(products=[other], amount="40")  # another product of the store
    promo(stores=[elsewhere.store], amount="45")  # another store
    promo(variants=[small], amount="50", ended_at=timezone.now() - timedelta(minutes=1))  # ended early
    promo(products=[product], amount="55", starts=1, ends=6)  # not started

    def found(offers):
        by = lambda group: {key: sorted(o.promotion_id for o in found) for key, found in group.items() if found}  # noqa: E731
        return by(offers.by_store), by(offers.by_product), by(offers.by_variant)

    for hours in (0, 3, 10, 40):
        at = timezone.now() + timedelta(hours=hours)
        wanted = pricing.load_offers(
            store_ids=[product.store_id], product_ids=[product.pk], variants_of=[product.pk], at=at
        )
        assert found(pricing.product_offers(product=product, at=at)) == found(wanted)
    now = found(pricing.product_offers(product=product))
    assert now == ({product.store_id: [store_wide.pk]}, {product.pk: [own.pk]}, {large.pk: [on_large.pk]})
    assert found(pricing.product_offers(product=product, at=timezone.now() + timedelta(hours=40))) == ({}, {}, {})


def test_listing_sql_agrees_with_the_pricing_function():
    store = StoreFactory()
    plain = ProductFactory(store=store, price=D("19.99"), status="published")
    varied = ProductFactory(store=store, price=D("20.00"), status="published")
    other = ProductFactory(price=D("7.00"), status="published")
    _, large = sized(varied)
    promo(products=[plain], amount="15")
    promo(variants=[large], kind="fixed", amount="9")  # large: 25 - 9 = 16, below small's 20
    rows = {p.pk: p for p in with_sale_prices(published_products())}
    assert rows[plain.pk].sale_price == services.calculate_price(product=plain) == D("16.99")
    assert rows[varied.pk].sale_price == D("16.00")
    assert rows[other.pk].sale_price == D("7.00") and not rows[other.pk].on_sale
    assert rows[plain.pk].on_sale and rows[varied.pk].on_sale


# Services: the seller's input ------------------------------------------------------------


def data(**overrides):
    now = timezone.now()
    values = {
        "name": "Winter sale",
        "kind": "percent",
        "amount": D("20"),
        "starts_at": now + timedelta(hours=1),
        "ends_at": now + timedelta(days=2),
    }
    values.update(overrides)
    return promotions.PromotionData(**values)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": D("150")}, "amount"),
        ({"amount": D("-5")}, "amount"),
        ({"amount": D("0")}, "amount"),
        ({"kind": "fixed", "amount": D("-5")}, "amount"),
        ({"ends_at": timezone.now() - timedelta(hours=1)}, "ends_at"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_input_is_refused_by_field_and_nothing_is_written(changes, field):
    store = StoreFactory()
    with pytest.raises(ValidationError) as refused:
        promotions.save_promotion(
            user=store.owner,
            organization_id=store.organization_id,
            data=data(store_ids=frozenset({store.pk}), **changes),
        )
    assert field in refused.value.message_dict
    assert not Promotion.objects.exists() and not PromotionTarget.objects.exists()


def test_end_before_start_is_refused():
    store = StoreFactory()
    now = timezone.now()
    bad = data(store_ids=frozenset({store.pk}), starts_at=now + timedelta(days=2), ends_at=now + timedelta(days=1))
    with pytest.raises(ValidationError) as refused:
        promotions.save_promotion(user=store.owner, organization_id=store.organization_id, data=bad)
    assert refused.value.message_dict["ends_at"] == ["The end must be after the start."]


def test_products_of_a_store_the_user_may_not_manage_are_refused():
    store = StoreFactory()
    foreign = ProductFactory()  # another seller's product, its id forced into the form
    with pytest.raises(ValidationError) as refused:
        promotions.save_promotion(
            user=store.owner,
            organization_id=store.organization_id,
            data=data(store_ids=frozenset({store.pk}), product_ids=frozenset({foreign.pk})),
        )
    assert "products" in refused.value.message_dict
    with pytest.raises(ValidationError):
        promotions.save_promotion(
            user=store.owner,
            organization_id=store.organization_id,
            data=data(store_ids=frozenset({foreign.store_id})),
        )
    assert not Promotion.objects.exists()


def test_the_database_refuses_what_the_services_refuse():
    store = StoreFactory()
    now = timezone.now()
    for kind, amount, ends in (("percent", "150", 1), ("fixed", "-5", 1), ("percent", "10", -1)):
        with pytest.raises(IntegrityError), __import__("django.db").db.transaction.atomic():
            Promotion.objects.create(
                organization=store.organization,
                name="x",
                kind=kind,
                amount=D(amount),
                starts_at=now,
                ends_at=now + timedelta(hours=ends),
            )


def test_saving_and_ending_are_audited_and_end_restores_prices():
    store = StoreFactory()
    product = ProductFactory(store=store, price=D("10.00"))
    promotion = promotions.save_promotion(
        user=store.owner,
        organization_id=store.organization_id,
        data=data(store_ids=frozenset({store.pk}), starts_at=timezone.now() - timedelta(minutes=1)),
    )
    assert services.calculate_price(product=product) == D("8.00")
    promotions.end_promotion(user=store.owner, promotion=promotion)
    assert services.calculate_price(product=product) == D("10.00")
    actions = list(AuditLogEntry.objects.filter(organization=store.organization).values_list("action", flat=True))
    assert actions[:2] == [promotions.ACTION_ENDED, promotions.ACTION_SAVED]


# The worker: starting once ---------------------------------------------------------------


def test_a_promotion_starts_once_even_when_the_task_runs_again(django_capture_on_commit_callbacks):
    store = StoreFactory()
    promotion = promo(stores=[store], starts=-1)
    heard = []

    def listener(**kwargs):
        heard.append(kwargs)

    hooks.promotion_started.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assert promotions.start_promotion(promotion_id=promotion.pk) is True
        with django_capture_on_commit_callbacks(execute=True):
            assert promotions.start_promotion(promotion_id=promotion.pk) is False  # a retry
            assert promotions.start_due_promotions() == 0
    finally:
        hooks.promotion_started.disconnect(listener)
    assert heard == [{"promotion_id": promotion.pk}]
    promotion.refresh_from_db()
    assert promotion.started_at is not None


def test_a_scheduled_promotion_is_not_started_early_and_a_quiet_one_tells_nobody(
    django_capture_on_commit_callbacks,
):
    store = StoreFactory()
    scheduled = promo(stores=[store], starts=2, ends=5)
    quiet = promo(stores=[store], notify_followers=False)
    heard = []

    def listener(**kwargs):
        heard.append(kwargs)

    hooks.promotion_started.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assert promotions.start_promotion(promotion_id=scheduled.pk) is False
            assert promotions.start_due_promotions() == 1  # the quiet one: marked, no announcement
    finally:
        hooks.promotion_started.disconnect(listener)
    assert heard == []
    quiet.refresh_from_db()
    assert quiet.started_at is not None


def test_a_start_task_run_early_asks_again_for_the_start_time(monkeypatch):
    store = StoreFactory()
    early = promo(stores=[store], starts=1, ends=5)
    ended = promo(stores=[store], starts=1, ends=5, ended_at=timezone.now())
    running = promo(stores=[store])
    asked = []
    monkeypatch.setattr(promotions, "_schedule_start", lambda promotion: asked.append(promotion.pk))

    assert start_promotion_task.call(promotion_id=early.pk) is False  # too early: not started...
    assert asked == [early.pk]  # ...but asked again for its start time
    assert start_promotion_task.call(promotion_id=ended.pk) is False
    assert start_promotion_task.call(promotion_id=running.pk) is True
    assert start_promotion_task.call(promotion_id=running.pk) is False  # started once
    assert asked == [early.pk]  # the ended and the started ones are not asked again


def test_start_tells_followers_of_covered_stores_and_savers_once(django_capture_on_commit_callbacks):
    from shomp.follows.models import Follow
    from shomp.notifications.models import Notification
    from shomp.wishlists import services as wishlists

    store, other = StoreFactory(), StoreFactory()
    product = ProductFactory(store=store, status="published")
    follower, saver, stranger = UserFactory(), UserFactory(), UserFactory()
    Follow.objects.create(user=follower, store=store)
    Follow.objects.create(user=stranger, store=other)
    wishlists.add_to_wishlist(user=saver, product=product)
    promotion = promo(stores=[store], created_by=store.owner)
    with django_capture_on_commit_callbacks(execute=True):
        assert promotions.start_promotion(promotion_id=promotion.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert promotions.start_promotion(promotion_id=promotion.pk) is False  # a retry: nothing again
    assert Notification.objects.filter(user=follower, type="sale").count() == 1
    # The saver hears of it once, as a price drop (not a second "sale on something you saved").
    assert list(Notification.objects.filter(user=saver).values_list("type", flat=True)) == ["price_drop"]
    assert not Notification.objects.filter(user=stranger).exists()


# Pages -----------------------------------------------------------------------------------


def test_card_product_page_and_variant_picker_show_the_sale(client):
    store = StoreFactory(slug="shop")
    plain = ProductFactory(store=store, title="Mug", slug="mug", price=D("20.00"), status="published")
    tee = ProductFactory(store=store, title="Tee", slug="tee", price=D("20.00"), status="published")
    small, large = sized(tee)
    Variant.objects.filter(product=tee).update(inventory_count=5)
    promo(stores=[store], amount="25", name="Autumn sale")
    card = client.get("/shop/").content.decode()
    assert "$15.00" in card and "<s" in card and "$20.00" in card and "Sale</span> ends" in card
    page = client.get("/shop/products/mug/").content.decode()
    assert "You save $5.00" in page and "Autumn sale" in page
    picked = client.get("/shop/products/tee/", {"variant": large.pk}).content.decode()
    assert "$18.75" in picked and "$25.00" in picked and "You save $6.25" in picked
    assert plain.pk and small.pk


def test_browse_on_sale_filter_and_price_sort_use_the_sale_price(client):
    store, other = StoreFactory(slug="shop"), StoreFactory(slug="other")
    ProductFactory(store=store, title="Dear mug", slug="dear", price=D("30.00"), status="published")
    ProductFactory(store=other, title="Plain mug", slug="plain", price=D("20.00"), status="published")
    promo(stores=[store], amount="50")  # the dear mug now costs 15.00
    html = client.get("/search/", {"q": "mug", "sort": "price_asc"}).content.decode()
    assert html.index("Dear mug") < html.index("Plain mug")
    on_sale = client.get("/search/", {"q": "mug", "on_sale": "1"}).content.decode()
    assert "Dear mug" in on_sale and "Plain mug" not in on_sale
    cheap = client.get("/search/", {"q": "mug", "max_price": "16"}).content.decode()
    assert "Dear mug" in cheap and "Plain mug" not in cheap


def test_cards_price_variants_by_modifier_and_by_their_own_promotions(django_assert_num_queries):
    """attach_prices reads a product's variants grouped by price; a variant with a promotion of
    its own is priced on its own, so the "From" price and "varies" are what pricing each says."""
    varied = ProductFactory(price=D("20.00"), status="published")
    small, large, larger = sized(varied, modifiers=("5", "5", "9"))  # 25, 25, 29
    promo(variants=[large], kind="fixed", amount="9", name="Large only")  # large: 16
    same = ProductFactory(price=D("10.00"), status="published")
    sized(same, modifiers=("2", "2"))  # 12 and 12
    plain = ProductFactory(price=D("7.00"), status="published")
    products = [varied, same, plain]
    with django_assert_num_queries(2):
        services.attach_prices(products)
    assert varied.sale.paid == D("16.00") and varied.sale.promotion_name == "Large only" and varied.sale_varies
    assert varied.sale.paid == min(services.calculate_price(product=varied, variant=v) for v in (small, large, larger))
    assert (same.sale.paid, same.sale.on_sale, same.sale_varies) == (D("12.00"), False, False)
    assert (plain.sale.paid, plain.sale_varies) == (D("7.00"), False)
    Variant.objects.filter(pk=large.pk).update(is_enabled=False)  # its promotion no longer counts
    fresh = published_products().get(pk=varied.pk)
    services.attach_prices([fresh])
    assert (fresh.sale.paid, fresh.sale.on_sale, fresh.sale_varies) == (D("25.00"), False, True)
