"""Who may see, write, change, respond to and report reviews. What isn't yours to see is a 404.

Who may write a new review is answered here only (`review_refusal`, and the predicates
`can_review_product` / `can_review_store` built on it): the write service, the form pages and the
per-visitor "Write a review" button all ask it."""

import rules
from django.core.exceptions import ValidationError
from django.http import Http404

from shomp.catalog.models import Product
from shomp.catalog.policies import can_view_product
from shomp.organizations.areas import MEMBER, Area
from shomp.stores.models import Store
from shomp.stores.policies import can

from .models import Review
from .selectors import has_paid_for

ONLY_BUYERS = {
    "product": "Only buyers of this product can review it.",
    "store": "Only buyers from this store can review it.",
}


def _authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


@rules.predicate
def is_review_author(user, review: Review | None) -> bool:
    return review is not None and _authenticated(user) and review.user_id == user.pk


@rules.predicate
def can_manage_review_store(user, review: Review | None) -> bool:
    # The store side of a review (hidden ones, responses): the door's "reviews" area.
    return review is not None and can(user, review.store, Area.REVIEWS)


@rules.predicate
def is_moderator(user) -> bool:
    return _authenticated(user) and user.is_staff


@rules.predicate
def can_view_review(user, review: Review | None) -> bool:
    """Published reviews are public. A hidden one: its author, its store and staff. A removed one:
    its author and staff."""
    if review is None:
        return False
    if review.status == Review.Status.PUBLISHED:
        return True
    if is_review_author(user, review) or is_moderator(user):
        return True
    return review.status == Review.Status.HIDDEN and can_manage_review_store(user, review)


@rules.predicate
def can_respond_to_review(user, review: Review | None) -> bool:
    return review is not None and review.status != Review.Status.REMOVED and can_manage_review_store(user, review)


def review_refusal(user, *, store: Store, product: Product | None = None) -> ValidationError | None:
    """Why `user` may not write a new review of `product` (of `store` when there is none), as the
    error to raise or show; None when they may. Not answered here: whether they already have one
    (they are sent to edit it) and the text itself (the service checks both).

    A store's own people (its whole team) never review it. A buyers-only store (the default) takes reviews from those
    with a paid order of the product, or for a store review from the store; "anyone" takes any
    logged-in user's (unverified ones are labelled and listed last)."""
    if not _authenticated(user):
        return ValidationError("Log in to write a review.", code="login")
    if product is not None and product.status != Product.Status.PUBLISHED:
        return ValidationError("This product is not for sale, so it can't be reviewed.", code="not_published")
    # Anyone on the store's team, whatever their areas: a review by staff is not a customer's.
    if can(user, store, MEMBER):
        return ValidationError("You can't review your own store or its products.", code="own_store")
    if store.review_policy == Store.ReviewPolicy.BUYERS and not has_paid_for(user=user, store=store, product=product):
        return ValidationError(ONLY_BUYERS["product" if product is not None else "store"], code="buyers_only")
    return None


@rules.predicate
def can_review_product(user, product: Product | None) -> bool:
    return product is not None and review_refusal(user, store=product.store, product=product) is None


@rules.predicate
def can_review_store(user, store: Store | None) -> bool:
    return store is not None and review_refusal(user, store=store) is None


rules.add_perm("reviews.view_review", can_view_review)
rules.add_perm("reviews.review_product", can_review_product)
rules.add_perm("reviews.review_store", can_review_store)
rules.add_perm("reviews.change_own_review", is_review_author)
rules.add_perm("reviews.respond_to_review", can_respond_to_review)


def _review(review_id: int):
    return Review.objects.select_related("store", "product__store", "user").filter(pk=review_id).first()


def access_review(*, user, review_id: int) -> Review:
    """A review `user` may see, else Http404."""
    review = _review(review_id)
    if not can_view_review(user, review):
        raise Http404("No such review.")
    return review


def access_review_for_author(*, user, review_id: int) -> Review:
    """The user's own review, else Http404 (a store owner never edits a customer's review)."""
    review = _review(review_id)
    if not is_review_author(user, review):
        raise Http404("No such review.")
    return review


def access_review_for_store(*, user, store, review_id: int) -> Review:
    """A review of the active `store` that `user` may respond to; another store's review id is a 404."""
    review = Review.objects.select_related("store", "product", "user").filter(pk=review_id, store=store).first()
    if not can_respond_to_review(user, review):
        raise Http404("No such review.")
    return review


def access_reviewable_product(*, user, product_id: int) -> Product:
    """A product on public sale to write about. Drafts (even your own), custom orders made for one
    buyer (they review the store instead) and unknown ids are a 404."""
    product = Product.objects.select_related("store").filter(pk=product_id, reserved_for__isnull=True).first()
    if product is None or not product.is_published or not can_view_product(user, product):
        raise Http404("No such product.")
    return product
