"""What of reviews the shared page cache watches (shomp/core/pagecache.py): reviews, their photos,
answers, votes and moderation, and the rating summaries store and product pages show. Services
that count with `.update()` (helpful votes, summaries) bump themselves."""

from __future__ import annotations

from shomp.core import pagecache

from .models import (
    HelpfulVote,
    ProductRating,
    Review,
    ReviewFlag,
    ReviewModeration,
    ReviewPhoto,
    ReviewResponse,
    StoreRating,
)


def _stores_of_reviews(ids: set) -> list[int]:
    return list(Review.objects.filter(pk__in=ids).values_list("store_id", flat=True))


def register() -> None:
    pagecache.register_resolver("review", _stores_of_reviews)
    pagecache.watch(Review, refs=lambda review: [("store", review.store_id)])
    pagecache.watch(ReviewResponse, refs=lambda response: [("store", response.store_id)])
    for model in (ReviewPhoto, HelpfulVote, ReviewFlag, ReviewModeration):
        pagecache.watch(model, refs=lambda row: [("review", row.review_id)])
    pagecache.watch(StoreRating, refs=lambda rating: [("store", rating.store_id)])
    pagecache.watch(ProductRating, refs=lambda rating: [("product", rating.product_id)])
