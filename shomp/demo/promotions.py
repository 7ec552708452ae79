"""Demo promotions (issue 16): Studio North runs one cross-store sale now (15% off two of its
stores, announced to followers by the worker) and has one scheduled (an amount off some products
of a third store, in two weeks). Made through the seller's services; idempotent by name."""

from collections import Counter
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from shomp.catalog.models import Product, Promotion
from shomp.catalog.services import promotions
from shomp.stores.models import Store

RUNNING = "Winter Warmers"
SCHEDULED = "Spring Preview"


def seed(*, stores: dict[str, Store], created: Counter) -> None:
    owner_store = stores.get("inkwell-and-ash")
    if owner_store is None:
        return
    organization_id = owner_store.organization_id
    owner = owner_store.owner
    existing = set(Promotion.objects.filter(organization_id=organization_id).values_list("name", flat=True))
    now = timezone.now().replace(second=0, microsecond=0)
    cross = [s.pk for slug in ("inkwell-and-ash", "fern-and-kiln") if (s := stores.get(slug)) is not None]
    if RUNNING not in existing and len(cross) == 2:
        promotion = promotions.save_promotion(
            user=owner,
            organization_id=organization_id,
            data=promotions.PromotionData(
                name=RUNNING,
                kind=Promotion.Kind.PERCENT,
                amount=Decimal("15"),
                starts_at=now - timedelta(days=1),
                ends_at=now + timedelta(days=10),
                store_ids=frozenset(cross),
            ),
        )
        promotions.start_promotion(promotion_id=promotion.pk)  # announced once the seed commits
        created["promotions"] += 1
    purl = stores.get("purl-theory")
    if SCHEDULED not in existing and purl is not None and purl.organization_id == organization_id:
        product_ids = list(
            Product.objects.filter(store=purl, status=Product.Status.PUBLISHED)
            .order_by("pk")
            .values_list("pk", flat=True)[:3]
        )
        if product_ids:
            promotions.save_promotion(
                user=owner,
                organization_id=organization_id,
                data=promotions.PromotionData(
                    name=SCHEDULED,
                    kind=Promotion.Kind.FIXED,
                    amount=Decimal("5.00"),
                    starts_at=now + timedelta(days=14),
                    ends_at=now + timedelta(days=21),
                    product_ids=frozenset(product_ids),
                ),
            )
            created["promotions"] += 1
