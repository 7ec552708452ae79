"""Review reads for the pages: already scoped, with what each card shows joined or prefetched."""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse

from shomp.catalog.models import Product
from shomp.core.params import parse_id
from shomp.orders.models import Order, OrderItem
from shomp.stores.models import Store

from .models import (
    MAX_RATING,
    MIN_RATING,
    HelpfulVote,
    MediaStatus,
    ProductRating,
    RatingSummary,
    Review,
    ReviewFlag,
    ReviewPhoto,
    StoreRating,
)

# Every sort lists verified purchases first: a store that takes reviews from anyone shows its
# buyers' reviews before the others (and a buyers-only store, the older unverified ones last).
SORTS = {
    "newest": ("Newest", ["-verified_purchase", "-created_at", "-pk"]),
    "highest": ("Highest rated", ["-verified_purchase", "-rating", "-created_at", "-pk"]),
    "lowest": ("Lowest rated", ["-verified_purchase", "rating", "-created_at", "-pk"]),
    "helpful": ("Most helpful", ["-verified_purchase", "-helpful_count", "-created_at", "-pk"]),
    "photos": ("With photos first", ["-verified_purchase", "-has_media", "-created_at", "-pk"]),
}
DASHBOARD_FILTERS = {
    "": "All reviews",
    "unanswered": "Unanswered",
    "low": "Low ratings (1–2 stars)",
    "flagged": "Flagged",
}
LOW_RATING = 2


@dataclass(frozen=True)
class ReviewQuery:
    """What a review list was asked for, from the query string; anything unknown falls back."""

    sort: str = "newest"
    stars: int | None = None
    verified: bool = False

    @classmethod
    def from_request(cls, data) -> "ReviewQuery":
        sort = data.get("sort", "newest")
        stars = parse_id(data.get("stars", ""))
        return cls(
            sort=sort if sort in SORTS else "newest",
            stars=stars if stars is not None and MIN_RATING <= stars <= MAX_RATING else None,
            verified=data.get("verified") in {"1", "on", "true"},
        )

    @property
    def is_filtered(self) -> bool:
        return self.stars is not None or self.verified


def has_paid_for(*, user, store: Store, product: Product | None) -> bool:
    """A paid order (paid, shipped or fulfilled: anything but cancelled) with the product, or from the
    store. It decides "Verified purchase", and who may review a buyers-only store."""
    if user is None or not user.is_authenticated:
        return False
    if product is not None:
        items = OrderItem.objects.filter(order__buyer=user, product=product)
        return items.exclude(order__status=Order.Status.CANCELLED).exists()
    return Order.objects.filter(buyer=user, store=store).exclude(status=Order.Status.CANCELLED).exists()


def _photos() -> Prefetch:
    """Photos to show: ready ones, and those still processing (a placeholder). Failed ones are
    the author's business: the edit form shows them with the reason."""
    photos = ReviewPhoto.objects.exclude(status=MediaStatus.FAILED).order_by("position", "pk")
    return Prefetch("photos", queryset=photos)


def _for_viewer(reviews: QuerySet[Review], viewer) -> QuerySet[Review]:
    """Annotate `viewer_voted` and `viewer_flagged` in the same query (False for visitors)."""
    if viewer is None or not viewer.is_authenticated:
        return reviews
    return reviews.annotate(
        viewer_voted=Exists(HelpfulVote.objects.filter(review=OuterRef("pk"), user=viewer)),
        viewer_flagged=Exists(ReviewFlag.objects.filter(review=OuterRef("pk"), user=viewer)),
    )


def _published_list(reviews: QuerySet[Review], query: ReviewQuery, viewer) -> QuerySet[Review]:
    reviews = reviews.filter(status=Review.Status.PUBLISHED)
    if query.stars is not None:
        reviews = reviews.filter(rating=query.stars)
    if query.verified:
        reviews = reviews.filter(verified_purchase=True)
    reviews = reviews.select_related("user", "store", "product__store", "response").prefetch_related(_photos())
    return _for_viewer(reviews, viewer).order_by(*SORTS[query.sort][1])


def product_reviews(*, product: Product, query: ReviewQuery | None = None, viewer=None) -> QuerySet[Review]:
    """The published reviews of one product, filtered and sorted as asked."""
    return _published_list(Review.objects.filter(product=product), query or ReviewQuery(), viewer)


def store_reviews(*, store: Store, query: ReviewQuery | None = None, viewer=None) -> QuerySet[Review]:
    """The published reviews of a store: reviews of the store and of its products."""
    return _published_list(Review.objects.filter(store=store), query or ReviewQuery(), viewer)


def published_for_viewer(*, ids: list[int], viewer) -> QuerySet[Review]:
    """The published reviews among `ids` with the viewer's vote and flag, in one query: what the
    per-visitor actions of a shared page's review list need (views.review_actions)."""
    reviews = Review.objects.filter(pk__in=ids, status=Review.Status.PUBLISHED).select_related("store")
    return _for_viewer(reviews, viewer).order_by("pk")


def review_detail(*, review: Review, viewer=None) -> Review:
    """One review (any status: the caller's policy has said yes) with everything its page shows."""
    reviews = Review.objects.filter(pk=review.pk).select_related("user", "store", "product__store", "response")
    reviews = reviews.annotate(failed_photos=Count("photos", filter=Q(photos__status=MediaStatus.FAILED)))
    return _for_viewer(reviews.prefetch_related(_photos()), viewer).get()


def viewer_review(*, user, product: Product | None = None, store: Store | None = None) -> Review | None:
    """The user's own review of this product (or of this store), to offer editing instead of writing."""
    if user is None or not user.is_authenticated:
        return None
    if product is not None:
        return Review.objects.filter(user=user, product=product).first()
    return Review.objects.filter(user=user, store=store, product__isnull=True).first()


def dashboard_reviews(*, store: Store, show: str = "", viewer=None) -> QuerySet[Review]:
    """The store's reviews for its dashboard, published and hidden (removed ones are gone for good)."""
    open_flags = ReviewFlag.objects.filter(review=OuterRef("pk"), resolved_at__isnull=True)
    flag_count = open_flags.order_by().values("review").annotate(n=Count("pk")).values("n")
    reviews = (
        Review.objects.filter(store=store, status__in=[Review.Status.PUBLISHED, Review.Status.HIDDEN])
        .select_related("user", "product__store", "store", "response")
        .prefetch_related(_photos())
        .annotate(has_open_flags=Exists(open_flags), open_flag_count=Coalesce(Subquery(flag_count), 0))
    )
    if show == "unanswered":
        reviews = reviews.filter(response__isnull=True)
    elif show == "low":
        reviews = reviews.filter(rating__lte=LOW_RATING)
    elif show == "flagged":
        reviews = reviews.filter(Q(has_open_flags=True) | Q(status=Review.Status.HIDDEN))
    return _for_viewer(reviews, viewer).order_by("-created_at", "-pk")


def rating_summary(obj) -> RatingSummary:
    """The summary row of a product or store, joined by its selector when it can be (no query then);
    an empty one when nobody has rated it yet."""
    summary = getattr(obj, "rating_summary", None)  # RelatedObjectDoesNotExist is an AttributeError
    if summary is not None:
        return summary
    return ProductRating(product_id=obj.pk) if isinstance(obj, Product) else StoreRating(store_id=obj.pk)


def dashboard_counts(*, store: Store) -> dict[str, int]:
    """How many reviews each dashboard filter holds (for the filter's labels)."""
    open_flags = ReviewFlag.objects.filter(review=OuterRef("pk"), resolved_at__isnull=True)
    visible = Review.objects.filter(store=store, status__in=[Review.Status.PUBLISHED, Review.Status.HIDDEN])
    counts = visible.aggregate(
        all=Count("pk"),
        unanswered=Count("pk", filter=Q(response__isnull=True)),
        low=Count("pk", filter=Q(rating__lte=LOW_RATING)),
        flagged=Count("pk", filter=Exists(open_flags) | Q(status=Review.Status.HIDDEN)),
    )
    return counts


def order_review_links(*, user, order: Order) -> dict[int, list[tuple[str, str, str]]]:
    """ "Write a review" (or "Edit your review") for each line of the buyer's `order` whose product
    they may review now: the policy's rules (`review_refusal`) answered for the whole order at
    once, as the order itself is the paid purchase. Nothing for a cancelled or refunded order, a
    product no longer on sale, or an order from a store the user works on. Reads the order's
    prefetched items (with their products); one query for the user's reviews, one for the door."""
    from shomp.organizations.areas import MEMBER
    from shomp.stores.policies import can

    if order.buyer_id != getattr(user, "pk", None) or order.status in {Order.Status.CANCELLED, Order.Status.REFUNDED}:
        return {}
    items = [
        item
        for item in order.items.all()
        if item.product is not None and item.product.status == Product.Status.PUBLISHED
    ]
    if not items or can(user, order.store, MEMBER):
        return {}
    reviewed = dict(
        Review.objects.filter(user=user, product_id__in={item.product_id for item in items}).values_list(
            "product_id", "pk"
        )
    )
    links: dict[int, list[tuple[str, str, str]]] = {}
    for item in items:
        if item.product_id in reviewed:
            url = reverse("reviews:edit", kwargs={"review_id": reviewed[item.product_id]})
            links[item.pk] = [("Edit your review", url, "pencil")]
        else:
            links[item.pk] = [
                ("Write a review", reverse("reviews:write", kwargs={"product_id": item.product_id}), "star")
            ]
    return links
