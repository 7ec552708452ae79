"""Review photos and videos: stored as received, decoded by the worker; and the rate limits on
writing reviews and on uploading.

The form checks what is cheap (count, size, type, declared pixels, a video's header) and hands
over CheckedImage / CheckedVideo. The write stores them untouched in private storage (they still
carry their EXIF and GPS: never public) as "processing" rows, and queues
`process_review_media_task` on commit; the worker (the "media" queue, one at a time) decodes
them, stores the clean result and marks them "ready", or "failed" with the reason for the
author. Already processed media (ProcessedImage, ProcessedVideo: the demo data) are stored as
ready at once. The task is idempotent: only rows still waiting for the same source are touched.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction

from shomp.core import ratelimit
from shomp.core.uploads import IMAGE_MAX_BYTES, CheckedImage, ProcessedImage, local_file, process_image, random_name
from shomp.core.video import CheckedVideo, ProcessedVideo, process_video

from ..models import (
    MEDIA_ERROR_MAX_LENGTH,
    REVIEW_PHOTO_MAX_PIXELS,
    REVIEW_PHOTO_MAX_SIDE,
    MediaStatus,
    Review,
    ReviewPhoto,
)
from .notices import enqueue

logger = logging.getLogger(__name__)

# Per user, per hour: writing or changing reviews, and the photos and videos added to them.
REVIEW_WRITES_PER_HOUR = 20
REVIEW_UPLOADS_PER_HOUR = 30
REVIEW_WRITE_RATE_TEXT = (
    f"You're writing or changing reviews too quickly: at most {REVIEW_WRITES_PER_HOUR} an hour. Please try again later."
)
REVIEW_UPLOAD_RATE_TEXT = (
    f"You've added the most photos and videos we allow in an hour ({REVIEW_UPLOADS_PER_HOUR}). "
    "Please try again later, or save your review without them."
)

_SOURCE_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif", "mp4": "mp4", "webm": "webm"}
_FAILED_FALLBACK = "We couldn't process this file."

Photo = ProcessedImage | CheckedImage
Video = ProcessedVideo | CheckedVideo


def check_write_rate(*, user, uploads: int) -> None:
    """Count one review write, and `uploads` new photos and videos, for `user`; RateLimited when
    either is over its hourly limit (uploads first: refused uploads are not counted)."""
    if uploads:
        ratelimit.hit(
            key=f"review-uploads:{user.pk}",
            limit=REVIEW_UPLOADS_PER_HOUR,
            window_seconds=3600,
            message=REVIEW_UPLOAD_RATE_TEXT,
            cost=uploads,
        )
    ratelimit.hit(
        key=f"review-writes:{user.pk}",
        limit=REVIEW_WRITES_PER_HOUR,
        window_seconds=3600,
        message=REVIEW_WRITE_RATE_TEXT,
    )


def count_uploads(photos: Sequence[Photo], video: Video | None) -> int:
    """How many of these are new uploads for the worker (processed demo media don't count)."""
    return sum(isinstance(item, CheckedImage) for item in photos) + isinstance(video, CheckedVideo)


# Storing, inside the write's transaction ------------------------------------------------------


def add_photos(review: Review, photos: Sequence[Photo]) -> None:
    start = review.photos.count()
    for offset, photo in enumerate(photos):
        row = ReviewPhoto(review=review, position=start + offset)
        if isinstance(photo, ProcessedImage):
            row.image, row.thumbnail = photo.content, photo.thumbnail
        else:
            row.status = MediaStatus.PROCESSING
            row.source.save(random_name(_SOURCE_EXTENSIONS[photo.format]), photo.upload, save=False)
        row.save()
    if any(isinstance(photo, CheckedImage) for photo in photos):
        _process_on_commit(review)


def set_video(review: Review, video: Video) -> None:
    old = video_files(review)
    _reset_video(review)
    if isinstance(video, ProcessedVideo):
        _store_processed_video(review, video)
    else:
        review.video_status = MediaStatus.PROCESSING
        review.video_source.save(random_name(_SOURCE_EXTENSIONS[video.kind]), video.upload, save=False)
        _process_on_commit(review)
    review.save(update_fields=_VIDEO_FIELDS)
    delete_files_on_commit(old)


def clear_video(review: Review) -> None:
    old = video_files(review)
    _reset_video(review)
    review.save(update_fields=_VIDEO_FIELDS)
    delete_files_on_commit(old)


_VIDEO_FIELDS = [
    "video",
    "video_poster",
    "video_poster_thumbnail",
    "video_content_type",
    "video_duration",
    "video_status",
    "video_source",
    "video_error",
]


def _reset_video(review: Review) -> None:
    review.video = review.video_poster = review.video_poster_thumbnail = review.video_source = ""
    review.video_content_type, review.video_duration = "", 0
    review.video_status, review.video_error = "", ""


def _store_processed_video(review: Review, video: ProcessedVideo) -> None:
    review.video.save(video.content.name, video.content, save=False)
    review.video_poster.save(video.poster.content.name, video.poster.content, save=False)
    review.video_poster_thumbnail.save(video.poster.thumbnail.name, video.poster.thumbnail, save=False)
    review.video_content_type = video.content_type
    review.video_duration = round(video.duration, 2)
    review.video_status = MediaStatus.READY


def video_files(review: Review) -> list:
    fields = (review.video, review.video_poster, review.video_poster_thumbnail, review.video_source)
    return [field for field in fields if field]


def photo_files(photo: ReviewPhoto) -> list:
    return [field for field in (photo.image, photo.thumbnail, photo.source) if field]


def delete_files_on_commit(fields: list) -> None:
    """Remove stored files once the rows that named them are gone for good."""
    stored = [(field.storage, field.name) for field in fields if field and field.name]
    if stored:
        transaction.on_commit(lambda: [storage.delete(name) for storage, name in stored])


def refresh_has_media(review: Review) -> None:
    """`has_media` ("with photos first") counts what can be shown: ready photos and video."""
    has_media = bool(review.video) or review.photos.filter(status=MediaStatus.READY).exists()
    if has_media != review.has_media:
        review.has_media = has_media
        review.save(update_fields=["has_media"])


def _process_on_commit(review: Review) -> None:
    """Queue the worker's task once the write commits: once per write, for photos and video alike."""
    if getattr(review, "_media_task_queued", False):
        return
    review._media_task_queued = True
    review_id = review.pk
    transaction.on_commit(lambda: enqueue("process_review_media_task", review_id=review_id))


# The worker -------------------------------------------------------------------------------------


def process_review_media(*, review_id: int) -> int:
    """Decode the review's waiting photos and rebuild its waiting video; how many it finished.

    Decoding runs outside any transaction; the result is stored only if the row still waits for
    the same source (the author may have removed or replaced it, or deleted the review,
    meanwhile), so running it again, or late, changes nothing."""
    waiting = ReviewPhoto.objects.filter(review_id=review_id, status=MediaStatus.PROCESSING).order_by("position", "pk")
    finished = sum(_process_photo(photo) for photo in waiting)
    finished += _process_video(review_id)
    if finished:
        with transaction.atomic():
            review = Review.objects.select_for_update().filter(pk=review_id).first()
            if review is not None:
                refresh_has_media(review)
    return finished


def _process_photo(photo: ReviewPhoto) -> int:
    if not photo.source:
        return 0
    source = photo.source.name
    processed, error = None, ""
    try:
        with photo.source.open("rb") as upload:
            processed = process_image(
                upload, max_bytes=IMAGE_MAX_BYTES, max_pixels=REVIEW_PHOTO_MAX_PIXELS, max_side=REVIEW_PHOTO_MAX_SIDE
            )
    except FileNotFoundError:  # removed meanwhile, with its row
        return 0
    except ValidationError as refusal:
        error = _reason(refusal)
    with transaction.atomic():
        row = ReviewPhoto.objects.select_for_update().filter(pk=photo.pk, status=MediaStatus.PROCESSING, source=source)
        photo = row.first()
        if photo is None:
            return 0
        old = [photo.source]
        if processed is not None:
            photo.image, photo.thumbnail, photo.status = processed.content, processed.thumbnail, MediaStatus.READY
        else:
            photo.status, photo.error = MediaStatus.FAILED, error
        photo.source = ""
        photo.save()
        delete_files_on_commit(old)
    return 1


def _process_video(review_id: int) -> int:
    review = Review.objects.filter(pk=review_id, video_status=MediaStatus.PROCESSING).first()
    if review is None or not review.video_source:
        return 0
    source = review.video_source.name
    processed, error = None, ""
    try:
        with local_file(review.video_source) as upload:
            processed = process_video(upload)
    except FileNotFoundError:
        return 0
    except ValidationError as refusal:
        error = _reason(refusal)
    try:
        with transaction.atomic():
            locked = Review.objects.select_for_update(of=("self",))
            review = locked.filter(pk=review_id, video_status=MediaStatus.PROCESSING, video_source=source).first()
            if review is None:
                return 0
            old = [review.video_source]
            if processed is not None:
                _store_processed_video(review, processed)
            else:
                review.video_status, review.video_error = MediaStatus.FAILED, error
            review.video_source = ""
            review.save(update_fields=_VIDEO_FIELDS)
            delete_files_on_commit(old)
        return 1
    finally:
        if processed is not None:
            processed.content.close()  # the rebuilt video's temporary file


def _reason(refusal: ValidationError) -> str:
    logger.info("A review upload was refused by the worker: %s", refusal.messages)
    return (" ".join(refusal.messages) or _FAILED_FALLBACK)[:MEDIA_ERROR_MAX_LENGTH]
