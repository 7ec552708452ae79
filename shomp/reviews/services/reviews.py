"""Writing, editing and deleting reviews, and the store's responses."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from shomp.catalog.models import Product
from shomp.organizations.areas import Area
from shomp.stores.models import Store
from shomp.stores.policies import can

from ..models import (
    CONTENT_MAX_LENGTH,
    MAX_PHOTOS,
    MAX_RATING,
    MIN_RATING,
    RESPONSE_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Review,
    ReviewResponse,
)
from ..policies import review_refusal
from ..selectors import has_paid_for
from .media import (
    Photo,
    Video,
    check_write_rate,
    clear_video,
    count_uploads,
    delete_files_on_commit,
    photo_files,
    refresh_has_media,
    set_video,
    video_files,
)
from .media import add_photos as _add_photos
from .notices import enqueue
from .ratings import contribution, shift_ratings

# Checks ------------------------------------------------------------------------------------


def _clean_text(*, rating, title: str, content: str) -> tuple[int, str, str]:
    errors = {}
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not MIN_RATING <= rating <= MAX_RATING:
        errors["rating"] = f"Choose a rating from {MIN_RATING} to {MAX_RATING} stars."
    title, content = (title or "").strip(), (content or "").strip()
    if len(title) > TITLE_MAX_LENGTH:
        errors["title"] = f"The title can be at most {TITLE_MAX_LENGTH} characters (it has {len(title)})."
    if len(content) > CONTENT_MAX_LENGTH:
        errors["content"] = f"The review can be at most {CONTENT_MAX_LENGTH:,} characters (it has {len(content):,})."
    if errors:
        raise ValidationError(errors)
    return rating, title, content


def _check_photo_count(total: int) -> None:
    if total > MAX_PHOTOS:
        raise ValidationError({"photos": f"A review can have at most {MAX_PHOTOS} photos."})


def lock_review(review: Review) -> Review:
    # of=("self",): lock the review row only (PostgreSQL refuses to lock the outer-joined product).
    return Review.objects.select_for_update(of=("self",)).select_related("store", "product").get(pk=review.pk)


# Reviews ---------------------------------------------------------------------------------


def create_review(
    *,
    user,
    rating: int,
    product: Product | None = None,
    store: Store | None = None,
    title: str = "",
    content: str = "",
    photos: Sequence[Photo] = (),
    video: Video | None = None,
) -> Review:
    """A published review of `product`, or of `store` when there is no product.

    Whether `user` may write it is the policy's answer (`review_refusal`: logged in, not the store's
    own people, the product on sale, and in a buyers-only store a paid order), so a direct call
    is refused like the form. `verified_purchase` is computed here from the user's paid orders,
    never taken from input. One review per user per product (per store for store reviews), which
    the database enforces too."""
    if product is not None:
        if store is not None and product.store_id != store.pk:
            raise ValidationError("This product is not sold by that store.", code="wrong_store")
        store = product.store
    if store is None:
        raise ValueError("create_review needs a product or a store.")
    refusal = review_refusal(user, store=store, product=product)
    if refusal is not None:
        raise refusal
    rating, title, content = _clean_text(rating=rating, title=title, content=content)
    _check_photo_count(len(photos))
    check_write_rate(user=user, uploads=count_uploads(photos, video))
    with transaction.atomic():
        if _existing(user=user, store=store, product=product):
            raise _already_reviewed(product)
        try:
            with transaction.atomic():
                review = Review.objects.create(
                    store=store,
                    product=product,
                    user=user,
                    rating=rating,
                    title=title,
                    content=content,
                    verified_purchase=has_paid_for(user=user, store=store, product=product),
                )
        except IntegrityError:  # a second submission racing the first
            raise _already_reviewed(product) from None
        _add_photos(review, photos)
        if video is not None:
            set_video(review, video)
        refresh_has_media(review)
        shift_ratings(review, add=contribution(review))
        review_id = review.pk
        transaction.on_commit(lambda: _tell_the_store(review_id), robust=True)
    return review


def _tell_the_store(review_id: int) -> None:
    """After commit: the store's team members who answer reviews hear of the new one."""
    from shomp.notifications.notices import new_review

    review = Review.objects.select_related("store", "product", "user").filter(pk=review_id).first()
    if review is None:
        return
    new_review(
        review_id=review.pk,
        store=review.store,
        author=review.user.username,
        rating=review.rating,
        subject=review.subject_name,
        title=review.title,
        excerpt=review.content,
    )


def _existing(*, user, store: Store, product: Product | None) -> bool:
    if product is not None:
        return Review.objects.filter(user=user, product=product).exists()
    return Review.objects.filter(user=user, store=store, product__isnull=True).exists()


def _already_reviewed(product: Product | None) -> ValidationError:
    noun = "product" if product is not None else "store"
    return ValidationError(
        f"You have already reviewed this {noun}. You can edit your review instead.", code="duplicate"
    )


@transaction.atomic
def update_review(
    *,
    review: Review,
    rating: int,
    title: str = "",
    content: str = "",
    add_photos: Sequence[Photo] = (),
    remove_photo_ids: Sequence[int] = (),
    video: Video | None = None,
    remove_video: bool = False,
) -> Review:
    """The author's edit. Before the store responds, as often as they like; after, once, and marked."""
    review = lock_review(review)
    if review.status == Review.Status.REMOVED:
        raise ValidationError("This review was removed by our moderators and can't be changed.", code="removed")
    rating, title, content = _clean_text(rating=rating, title=title, content=content)
    photos_to_remove = list(review.photos.filter(pk__in=list(remove_photo_ids)))
    _check_photo_count(review.photos.count() - len(photos_to_remove) + len(add_photos))
    changed = (
        (rating, title, content) != (review.rating, review.title, review.content)
        or add_photos
        or photos_to_remove
        or video is not None
        or (remove_video and review.video_status)
    )
    if not changed:
        return review
    if ReviewResponse.objects.filter(review=review).exists():
        if review.updated_after_response_at is not None:
            raise ValidationError(
                "You have already updated this review after the store's response; it can't be changed again.",
                code="locked",
            )
        review.rating_before_response = review.rating
        review.updated_after_response_at = timezone.now()
    check_write_rate(user=review.user, uploads=count_uploads(add_photos, video))
    before = contribution(review)
    review.rating, review.title, review.content = rating, title, content
    review.edited_at = timezone.now()
    review.verified_purchase = has_paid_for(user=review.user, store=review.store, product=review.product)
    review.save()
    shift_ratings(review, remove=before, add=contribution(review))
    for photo in photos_to_remove:
        delete_files_on_commit(photo_files(photo))
        photo.delete()
    _add_photos(review, add_photos)
    if video is not None:
        set_video(review, video)
    elif remove_video and review.video_status:
        clear_video(review)
    refresh_has_media(review)
    return review


@transaction.atomic
def delete_review(*, review: Review) -> None:
    """The author takes their review down for good (its photos, video, response, flags and votes too)."""
    review = lock_review(review)
    if review.status == Review.Status.REMOVED:
        raise ValidationError("This review was removed by our moderators.", code="removed")
    files = video_files(review)
    for photo in review.photos.all():
        files += photo_files(photo)
    delete_files_on_commit(files)
    gone = Review(pk=review.pk, store_id=review.store_id, product_id=review.product_id)
    rating = contribution(review)
    review.delete()
    shift_ratings(gone, remove=rating)


# Responses -------------------------------------------------------------------------------


@transaction.atomic
def respond_to_review(*, review: Review, store: Store, user, content: str) -> ReviewResponse:
    """The store's public reply: one per review, which it can edit. The reviewer hears of the first."""
    review = lock_review(review)
    if review.store_id != store.pk or not can(user, store, Area.REVIEWS):
        raise ValidationError("You can only respond to reviews of your own store.", code="not_yours")
    if review.status == Review.Status.REMOVED:
        raise ValidationError("This review was removed by our moderators.", code="removed")
    content = (content or "").strip()
    if not content:
        raise ValidationError({"content": "Write your response first."})
    if len(content) > RESPONSE_MAX_LENGTH:
        raise ValidationError(
            {"content": f"A response can be at most {RESPONSE_MAX_LENGTH:,} characters (it has {len(content):,})."}
        )
    response = ReviewResponse.objects.filter(review=review).first()
    if response is None:
        response = ReviewResponse.objects.create(review=review, store=store, content=content, author=user)
        transaction.on_commit(lambda: enqueue("send_response_notice_task", response_id=response.pk))
    elif response.content != content:
        response.content = content
        response.save(update_fields=["content", "updated_at"])
    return response
