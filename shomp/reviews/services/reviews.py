"""Writing, editing and deleting reviews, and the store's responses."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from shomp.catalog.models import Product
from shomp.core.uploads import ProcessedImage
from shomp.core.video import ProcessedVideo
from shomp.orders.models import Order, OrderItem
from shomp.stores.models import Store
from shomp.stores.policies import can_manage_store

from ..models import (
    CONTENT_MAX_LENGTH,
    MAX_PHOTOS,
    MAX_RATING,
    MIN_RATING,
    RESPONSE_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Review,
    ReviewPhoto,
    ReviewResponse,
)
from .notices import enqueue
from .ratings import contribution, shift_ratings

# Checks ------------------------------------------------------------------------------------


def has_paid_for(*, user, store: Store, product: Product | None) -> bool:
    """A paid order (paid, shipped or fulfilled: anything but cancelled) with the product, or from the store."""
    if product is not None:
        items = OrderItem.objects.filter(order__buyer=user, product=product)
        return items.exclude(order__status=Order.Status.CANCELLED).exists()
    return Order.objects.filter(buyer=user, store=store).exclude(status=Order.Status.CANCELLED).exists()


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
    photos: Sequence[ProcessedImage] = (),
    video: ProcessedVideo | None = None,
) -> Review:
    """A published review of `product`, or of `store` when there is no product.

    `verified_purchase` is computed here from the user's paid orders, never taken from input. A
    store's own staff can't review it; one review per user per product (per store for store
    reviews), which the database enforces too."""
    if product is not None:
        if store is not None and product.store_id != store.pk:
            raise ValidationError("This product is not sold by that store.", code="wrong_store")
        store = product.store
    if store is None:
        raise ValueError("create_review needs a product or a store.")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise ValidationError("Log in to write a review.", code="login")
    if product is not None and product.status != Product.Status.PUBLISHED:
        raise ValidationError("This product is not for sale, so it can't be reviewed.", code="not_published")
    if can_manage_store(user, store):
        raise ValidationError("You can't review your own store or its products.", code="own_store")
    rating, title, content = _clean_text(rating=rating, title=title, content=content)
    _check_photo_count(len(photos))
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
            _set_video(review, video)
        _refresh_has_media(review)
        shift_ratings(review, add=contribution(review))
    return review


def _existing(*, user, store: Store, product: Product | None) -> bool:
    if product is not None:
        return Review.objects.filter(user=user, product=product).exists()
    return Review.objects.filter(user=user, store=store, product__isnull=True).exists()


def _already_reviewed(product: Product | None) -> ValidationError:
    noun = "product" if product is not None else "store"
    return ValidationError(
        f"You have already reviewed this {noun}. You can edit your review instead.", code="duplicate"
    )


def _add_photos(review: Review, photos: Sequence[ProcessedImage]) -> None:
    start = review.photos.count()
    for offset, photo in enumerate(photos):
        ReviewPhoto.objects.create(
            review=review, image=photo.content, thumbnail=photo.thumbnail, position=start + offset
        )


def _set_video(review: Review, video: ProcessedVideo) -> None:
    old = _video_files(review)
    review.video.save(video.content.name, video.content, save=False)
    review.video_poster.save(video.poster.content.name, video.poster.content, save=False)
    review.video_poster_thumbnail.save(video.poster.thumbnail.name, video.poster.thumbnail, save=False)
    review.video_content_type = video.content_type
    review.video_duration = round(video.duration, 2)
    review.save(
        update_fields=["video", "video_poster", "video_poster_thumbnail", "video_content_type", "video_duration"]
    )
    _delete_files_on_commit(old)


def _clear_video(review: Review) -> None:
    old = _video_files(review)
    review.video = review.video_poster = review.video_poster_thumbnail = ""
    review.video_content_type, review.video_duration = "", 0
    review.save(
        update_fields=["video", "video_poster", "video_poster_thumbnail", "video_content_type", "video_duration"]
    )
    _delete_files_on_commit(old)


def _video_files(review: Review) -> list:
    return [field for field in (review.video, review.video_poster, review.video_poster_thumbnail) if field]


def _delete_files_on_commit(fields: list) -> None:
    """Remove stored files once the rows that named them are gone for good."""
    stored = [(field.storage, field.name) for field in fields if field and field.name]
    if stored:
        transaction.on_commit(lambda: [storage.delete(name) for storage, name in stored])


def _refresh_has_media(review: Review) -> None:
    has_media = bool(review.video) or review.photos.exists()
    if has_media != review.has_media:
        review.has_media = has_media
        review.save(update_fields=["has_media"])


@transaction.atomic
def update_review(
    *,
    review: Review,
    rating: int,
    title: str = "",
    content: str = "",
    add_photos: Sequence[ProcessedImage] = (),
    remove_photo_ids: Sequence[int] = (),
    video: ProcessedVideo | None = None,
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
        or (remove_video and review.video)
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
    before = contribution(review)
    review.rating, review.title, review.content = rating, title, content
    review.edited_at = timezone.now()
    review.verified_purchase = has_paid_for(user=review.user, store=review.store, product=review.product)
    review.save()
    shift_ratings(review, remove=before, add=contribution(review))
    for photo in photos_to_remove:
        _delete_files_on_commit([photo.image, photo.thumbnail])
        photo.delete()
    _add_photos(review, add_photos)
    if video is not None:
        _set_video(review, video)
    elif remove_video and review.video:
        _clear_video(review)
    _refresh_has_media(review)
    return review


@transaction.atomic
def delete_review(*, review: Review) -> None:
    """The author takes their review down for good (its photos, video, response, flags and votes too)."""
    review = lock_review(review)
    if review.status == Review.Status.REMOVED:
        raise ValidationError("This review was removed by our moderators.", code="removed")
    files = _video_files(review)
    for photo in review.photos.all():
        files += [photo.image, photo.thumbnail]
    _delete_files_on_commit(files)
    gone = Review(pk=review.pk, store_id=review.store_id, product_id=review.product_id)
    rating = contribution(review)
    review.delete()
    shift_ratings(gone, remove=rating)


# Responses -------------------------------------------------------------------------------


@transaction.atomic
def respond_to_review(*, review: Review, store: Store, user, content: str) -> ReviewResponse:
    """The store's public reply: one per review, which it can edit. The reviewer hears of the first."""
    review = lock_review(review)
    if review.store_id != store.pk or not can_manage_store(user, store):
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
