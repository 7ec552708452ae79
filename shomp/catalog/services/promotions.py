"""Promotions: a seller's sale over some of their organization's stores, products or variants.

`save_promotion` creates or edits one (checked whole: amounts, dates, and that every store,
product and variant is one the user may run promotions on), `end_promotion` ends it now (or
cancels it before it starts). Pricing reads them (pricing.py); the worker starts them
(`start_due_promotions`): once per promotion, under a row lock, it marks the start and then
sends `hooks.promotion_prices_changed` (always: wishlists re-checks covered saved items for price
drops) and, when it tells followers, `hooks.promotion_started`, which follows (the covered stores'
followers) and wishlists (a sale notice to savers of covered items) act on. Editing a running
promotion sends `promotion_prices_changed` again. Ending one raises prices: nobody is told.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from shomp.core.money import MAX_PRICE
from shomp.organizations.areas import Area
from shomp.organizations.policies import can
from shomp.stores.models import Store

from .. import hooks
from ..models import MAX_PERCENT_OFF, Product, Promotion, PromotionTarget, Variant

NAME_MAX = 120
MAX_TARGETS = 5000  # stores + products + variants in one promotion

# Audit log actions (organizations.AuditLogEntry.Action)
ACTION_SAVED = "promotion_saved"  # AuditLogEntry.Action.PROMOTION_SAVED
ACTION_ENDED = "promotion_ended"  # AuditLogEntry.Action.PROMOTION_ENDED


@dataclass(frozen=True)
class PromotionData:
    name: str
    kind: str
    amount: Decimal | None
    starts_at: datetime | None
    ends_at: datetime | None
    store_ids: frozenset[int] = frozenset()
    product_ids: frozenset[int] = frozenset()
    variant_ids: frozenset[int] = frozenset()
    notify_followers: bool = True


def _check_values(data: PromotionData) -> dict[str, str]:
    errors: dict[str, str] = {}
    name = (data.name or "").strip()
    if not name:
        errors["name"] = "Give the promotion a name buyers will see, such as “Summer sale”."
    elif len(name) > NAME_MAX:
        errors["name"] = f"The name can be at most {NAME_MAX} characters (it has {len(name)})."
    if data.kind not in Promotion.Kind.values:
        errors["kind"] = "Choose a percentage or an amount off."
    amount = data.amount
    if amount is None:
        errors["amount"] = "Enter how much off, such as 20."
    elif amount <= 0:
        errors["amount"] = "Enter an amount above zero: a promotion takes something off."
    elif data.kind == Promotion.Kind.PERCENT and amount > MAX_PERCENT_OFF:
        errors["amount"] = f"A percentage is at most {MAX_PERCENT_OFF}% (100% makes it free)."
    elif amount > MAX_PRICE:
        errors["amount"] = "Enter an amount up to 1,000,000."
    elif amount != amount.quantize(Decimal("0.01")):
        errors["amount"] = "Use at most two decimal places, such as 12.50."
    if data.starts_at is None:
        errors["starts_at"] = "Enter when the promotion starts."
    if data.ends_at is None:
        errors["ends_at"] = "Enter when the promotion ends."
    elif data.starts_at is not None and data.ends_at <= data.starts_at:
        errors["ends_at"] = "The end must be after the start."
    return errors


def allowed_stores(*, user, organization_id: int) -> list[Store]:
    """The organization's stores `user` may run promotions on (the door, no query per store)."""
    stores = Store.objects.filter(organization_id=organization_id).order_by("name", "pk")
    return [store for store in stores if can(user, store, Area.PROMOTIONS)]


def _check_targets(*, user, organization_id: int, data: PromotionData) -> dict[str, str]:
    """Every store, product and variant is the organization's and one `user` may run promotions on."""
    errors: dict[str, str] = {}
    allowed = {store.pk for store in allowed_stores(user=user, organization_id=organization_id)}
    refusal = "You can only include {what} you may run promotions on: remove the others."
    if not data.store_ids <= allowed:
        errors["stores"] = refusal.format(what="stores")
    product_stores = dict(Product.objects.filter(pk__in=data.product_ids).values_list("pk", "store_id"))
    if len(product_stores) != len(data.product_ids) or not set(product_stores.values()) <= allowed:
        errors["products"] = refusal.format(what="products of stores")
    variant_stores = dict(
        Variant.objects.filter(pk__in=data.variant_ids, archived_at__isnull=True).values_list("pk", "store_id")
    )
    if len(variant_stores) != len(data.variant_ids) or not set(variant_stores.values()) <= allowed:
        errors["variants"] = refusal.format(what="variants of stores")
    total = len(data.store_ids) + len(data.product_ids) + len(data.variant_ids)
    if total == 0 and not errors:
        errors["stores"] = "Choose what the promotion covers: whole stores, products or variants."
    elif total > MAX_TARGETS:
        errors["products"] = f"A promotion can cover at most {MAX_TARGETS:,} stores, products and variants."
    return errors


@transaction.atomic
def save_promotion(*, user, organization_id: int, data: PromotionData, promotion: Promotion | None = None) -> Promotion:
    """Create a promotion (or edit `promotion`), all or nothing; ValidationError by field."""
    errors = _check_values(data)
    errors.update(_check_targets(user=user, organization_id=organization_id, data=data))
    now = timezone.now()
    if promotion is not None:
        promotion = Promotion.objects.select_for_update().get(pk=promotion.pk)
        status = promotion.status_at(now)
        if status in ("ended", "cancelled"):
            errors[""] = "This promotion is over: make a new one instead."
        elif status == "running" and data.starts_at is not None and data.starts_at > now:
            errors["starts_at"] = "It has started already: its start can't move into the future."
    if data.ends_at is not None and data.ends_at <= now and "ends_at" not in errors:
        errors["ends_at"] = "The end is in the past: pick a time to come."
    if errors:
        raise ValidationError({key or "__all__": value for key, value in errors.items()})
    creating = promotion is None
    if creating:
        promotion = Promotion(organization_id=organization_id, created_by=user)
    promotion.name = data.name.strip()
    promotion.kind = data.kind
    promotion.amount = data.amount
    promotion.starts_at = data.starts_at
    promotion.ends_at = data.ends_at
    promotion.notify_followers = data.notify_followers
    promotion.save()
    if not creating:
        promotion.targets.all().delete()
    PromotionTarget.objects.bulk_create(
        [PromotionTarget(promotion=promotion, store_id=pk) for pk in sorted(data.store_ids)]
        + [PromotionTarget(promotion=promotion, product_id=pk) for pk in sorted(data.product_ids)]
        + [PromotionTarget(promotion=promotion, variant_id=pk) for pk in sorted(data.variant_ids)]
    )
    _audit(user, promotion, ACTION_SAVED, created=creating, data=data)
    if promotion.started_at is not None and promotion.status_at(now) == "running":
        # A running sale edited: prices changed now (savers may hear of a deeper drop).
        hooks.promotion_prices_changed.send_on_commit(promotion_id=promotion.pk)
    if promotion.started_at is None:
        transaction.on_commit(lambda: _schedule_start(promotion), robust=True)
    return promotion


@transaction.atomic
def end_promotion(*, user, promotion: Promotion) -> Promotion:
    """End a running promotion now, or cancel a scheduled one: prices go back at once."""
    promotion = Promotion.objects.select_for_update().get(pk=promotion.pk)
    now = timezone.now()
    if promotion.status_at(now) in ("ended", "cancelled"):
        raise ValidationError("This promotion is over already.")
    promotion.ended_at = now
    promotion.save(update_fields=["ended_at", "updated_at"])
    _audit(user, promotion, ACTION_ENDED)
    return promotion


def _audit(user, promotion: Promotion, action: str, **extra) -> None:
    from shomp.organizations.services import record_activity

    details: dict = {"promotion_id": promotion.pk}
    data: PromotionData | None = extra.get("data")
    if data is not None:
        details.update(
            created=extra.get("created", False),
            kind=data.kind,
            amount=str(data.amount),
            starts_at=data.starts_at.isoformat() if data.starts_at else "",
            ends_at=data.ends_at.isoformat() if data.ends_at else "",
            stores=sorted(data.store_ids),
            products=len(data.product_ids),
            variants=len(data.variant_ids),
        )
    record_activity(
        organization_id=promotion.organization_id, actor=user, action=action, object=promotion.name, **details
    )


# Starting: the worker --------------------------------------------------------------------


def _schedule_start(promotion: Promotion) -> None:
    """Ask the worker to start it at its start time (now, if that has passed)."""
    from ..tasks import start_promotion_task

    run_after = promotion.starts_at if promotion.starts_at > timezone.now() else None
    if run_after is None:
        start_promotion_task.enqueue(promotion_id=promotion.pk)
    elif start_promotion_task.get_backend().supports_defer:  # django-tasks-db: yes
        start_promotion_task.using(run_after=run_after).enqueue(promotion_id=promotion.pk)
    # Else (the immediate backend of tests) `manage.py start_due_promotions` starts it.


def covered_store_ids(promotion: Promotion) -> set[int]:
    """The stores a promotion touches: whole stores, and the stores of its products and variants."""
    rows = PromotionTarget.objects.filter(promotion=promotion).values_list(
        "store_id", "product__store_id", "variant__store_id"
    )
    return {pk for row in rows for pk in row if pk}


def covered_products(promotion: Promotion) -> QuerySet[Product]:
    """Published products a promotion covers (its stores' products, its products, its variants'),
    as one query to filter by (`pk__in=covered_products(p).values("pk")`)."""
    targets = PromotionTarget.objects.filter(promotion=promotion)
    store_ids = targets.filter(store__isnull=False).values("store_id")
    product_ids = targets.filter(product__isnull=False).values("product_id")
    variant_products = targets.filter(variant__isnull=False).values("variant__product_id")
    return Product.objects.filter(status=Product.Status.PUBLISHED).filter(
        Q(store_id__in=store_ids) | Q(pk__in=product_ids) | Q(pk__in=variant_products)
    )


def covered_product_ids(promotion: Promotion) -> set[int]:
    return set(covered_products(promotion).values_list("pk", flat=True))


def start_promotion(*, promotion_id: int, at: datetime | None = None) -> bool:
    """Mark the promotion started and announce it, once: the marker is set under the row's lock,
    so a retried or duplicate task finds it set and sends nothing. Too early (moved start), ended
    or cancelled: nothing. Returns whether it was started now."""
    at = at or timezone.now()
    with transaction.atomic():
        promotion = Promotion.objects.select_for_update().filter(pk=promotion_id).first()
        if promotion is None or promotion.started_at is not None:
            return False
        if promotion.status_at(at) != "running":
            return False
        promotion.started_at = at
        promotion.save(update_fields=["started_at"])
        hooks.promotion_prices_changed.send_on_commit(promotion_id=promotion.pk)
        if promotion.notify_followers:
            hooks.promotion_started.send_on_commit(promotion_id=promotion.pk)
    return True


def schedule_start_again_if_early(*, promotion_id: int) -> bool:
    """A start task that ran before the start asks again for the start time, so the sale is
    announced on time rather than by the minute's safety net: RQ's scheduler counts whole
    seconds and may run a deferred task up to a second early. Returns whether it asked."""
    promotion = Promotion.objects.filter(
        pk=promotion_id, started_at__isnull=True, ended_at__isnull=True, starts_at__gt=timezone.now()
    ).first()
    if promotion is None:
        return False
    _schedule_start(promotion)
    return True


def due_promotions(at: datetime | None = None) -> Iterable[int]:
    """Running promotions not announced yet (a safety net for a lost scheduled task)."""
    at = at or timezone.now()
    return list(
        Promotion.objects.filter(started_at__isnull=True, starts_at__lte=at, ends_at__gt=at)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=at))
        .values_list("pk", flat=True)
    )


def start_due_promotions(*, at: datetime | None = None) -> int:
    return sum(start_promotion(promotion_id=pk, at=at) for pk in due_promotions(at))
