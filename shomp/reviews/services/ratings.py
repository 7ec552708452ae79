"""The rating summaries: shifted in the caller's transaction, or rebuilt from scratch.

Every change that moves a published rating (create, edit, delete, hide, restore, remove) calls
`shift_ratings` after the review's own row has changed, in the same transaction. The rows are
updated with `UPDATE ... SET count = count + 1, star_4 = star_4 + 1, ...`, which the database
serializes per row; `calculate_ratings` rebuilds them from the reviews themselves.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from shomp.catalog.models import Product
from shomp.core import pagecache
from shomp.stores.models import Store

from ..models import MAX_RATING, MIN_RATING, STAR_FIELDS, ProductRating, Review, StoreRating


def shift_ratings(review: Review, *, remove: int | None = None, add: int | None = None) -> None:
    """Take `remove` out of and put `add` into the review's product and store summaries (None: nothing).

    Called after the review's own row has changed. A summary row that does not exist yet is
    built from the reviews as they now are (so a missing row heals itself); an existing one is
    shifted by the difference in one UPDATE, which the database serializes per row."""
    if remove == add:
        return
    deltas: dict[str, int] = {}
    for rating, sign in ((remove, -1), (add, 1)):
        if rating is None:
            continue
        deltas["count"] = deltas.get("count", 0) + sign
        deltas["rating_sum"] = deltas.get("rating_sum", 0) + sign * rating
        field = f"star_{rating}"
        deltas[field] = deltas.get(field, 0) + sign
    updates = {field: F(field) + delta for field, delta in deltas.items() if delta}
    pagecache.bump(store_ids=[review.store_id])  # the summaries change by .update()
    targets = [(StoreRating, {"store_id": review.store_id})]
    if review.product_id is not None:
        targets.append((ProductRating, {"product_id": review.product_id}))
    for model, key in targets:
        _, created = model.objects.get_or_create(**key)
        if created:
            reviews = Review.objects.filter(status=Review.Status.PUBLISHED, **key)
            model.objects.filter(**key).update(**_row_values(reviews.aggregate(**_histogram_aggregates())))
        else:
            model.objects.filter(**key).update(**updates, updated_at=timezone.now())


def _row_values(row: dict) -> dict:
    return dict(zip(["count", "rating_sum", *STAR_FIELDS], _row_tuple(row), strict=True))


def contribution(review: Review) -> int | None:
    """What the review adds to the summaries: its rating while published, nothing otherwise."""
    return review.rating if review.status == Review.Status.PUBLISHED else None


def _histogram_aggregates() -> dict:
    return {
        "count": Count("pk"),
        "rating_sum": Sum("rating"),
        **{f"star_{stars}": Count("pk", filter=Q(rating=stars)) for stars in range(MIN_RATING, MAX_RATING + 1)},
    }


def computed_ratings(*, product: Product | None = None, store: Store | None = None) -> dict:
    """The summaries as they should be, from the published reviews: {("product"|"store", pk): tuple}.

    Each tuple is (count, rating_sum, star_1, ..., star_5), as RatingSummary.as_tuple()."""
    published = Review.objects.filter(status=Review.Status.PUBLISHED)
    if product is not None:
        published = published.filter(product=product)
    elif store is not None:
        published = published.filter(store=store)
    result = {}
    by_product = published.filter(product__isnull=False).values("product_id").annotate(**_histogram_aggregates())
    for row in by_product.order_by():
        result[("product", row["product_id"])] = _row_tuple(row)
    if product is None:
        for row in published.values("store_id").annotate(**_histogram_aggregates()).order_by():
            result[("store", row["store_id"])] = _row_tuple(row)
    return result


def _row_tuple(row: dict) -> tuple[int, ...]:
    return (row["count"], row["rating_sum"] or 0, *(row[field] for field in STAR_FIELDS))


@transaction.atomic
def calculate_ratings(*, product: Product | None = None, store: Store | None = None) -> int:
    """Rebuild the summary rows from scratch: one product's, one store's (and its products'), or all.

    The rows are locked first, so no review change interleaves. Returns how many rows it wrote."""
    if product is not None:
        product_ids = [product.pk]
        store_ids = []
    elif store is not None:
        product_ids = list(Product.objects.filter(store=store).values_list("pk", flat=True))
        store_ids = [store.pk]
    else:
        product_ids = list(
            Review.objects.filter(product__isnull=False).values_list("product_id", flat=True).distinct()
        ) + list(ProductRating.objects.values_list("product_id", flat=True))
        store_ids = list(Review.objects.values_list("store_id", flat=True).distinct()) + list(
            StoreRating.objects.values_list("store_id", flat=True)
        )
    product_ids, store_ids = sorted(set(product_ids)), sorted(set(store_ids))
    list(ProductRating.objects.select_for_update().filter(pk__in=product_ids).order_by("pk"))
    list(StoreRating.objects.select_for_update().filter(pk__in=store_ids).order_by("pk"))
    wanted = computed_ratings(product=product, store=store)
    zero = (0,) * (2 + len(STAR_FIELDS))
    written = 0
    for model, kind, key, ids in (
        (ProductRating, "product", "product_id", product_ids),
        (StoreRating, "store", "store_id", store_ids),
    ):
        for pk in ids:
            fields = dict(zip(["count", "rating_sum", *STAR_FIELDS], wanted.get((kind, pk), zero), strict=True))
            model.objects.update_or_create(**{key: pk}, defaults=fields)
            written += 1
    return written
