"""Attachments: stored inside the message's transaction, images decoded later by the worker.

Any signed-in user can write to a store, so nothing costly happens in their request: the form
checks an image from its header (core.uploads.check_image: size, type, the per-format pixel
caps) and hands over a CheckedImage. It is stored as received in private storage (it still
carries its EXIF and GPS: never served) on a "processing" row, and `process_attachments_task`
(the "media" queue: one worker, one decode at a time) is queued on commit. The worker decodes it
within core.uploads' default bounds, stores the clean image and thumbnail and marks it ready, or
failed with the reason, deletes the source, and pushes the message's files to the open thread
(both sides). Already processed images (ProcessedImage: the demo data) and PDFs are stored ready
at once. The task is idempotent: only rows still waiting for the same source are touched.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from shomp.core import ratelimit
from shomp.core.exceptions import RateLimited
from shomp.core.uploads import CheckedImage, ProcessedFile, ProcessedImage, process_image, random_name

from .. import events
from ..models import ATTACHMENT_ERROR_MAX_LENGTH, Attachment, Message

logger = logging.getLogger(__name__)

ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
# Per sender, per hour: images handed to the worker (ten messages of five photos). Words and
# PDFs are not counted: they cost the worker nothing.
IMAGE_ATTACHMENTS_PER_HOUR = 50
IMAGE_ATTACHMENT_RATE_TEXT = (
    f"You've sent the most images we take in an hour ({IMAGE_ATTACHMENTS_PER_HOUR}). "
    "Please send these later, or send your message without them."
)
_FAILED_FALLBACK = "We couldn't process this image."


@dataclass(frozen=True)
class AttachmentUpload:
    """A checked upload (core.uploads) and the name the sender gave it: a CheckedImage for the
    worker to decode, or what is ready to store (a ProcessedImage, a ProcessedFile)."""

    processed: CheckedImage | ProcessedImage | ProcessedFile
    original_name: str


def check_image_rate(*, user, attachments: Sequence[AttachmentUpload]) -> None:
    """Count the images of one message for the worker against the sender's hourly limit."""
    if waiting := sum(isinstance(upload.processed, CheckedImage) for upload in attachments):
        try:
            ratelimit.hit(
                key=f"message-images:{user.pk}",
                limit=IMAGE_ATTACHMENTS_PER_HOUR,
                window_seconds=3600,
                message=IMAGE_ATTACHMENT_RATE_TEXT,
                cost=waiting,
            )
        except RateLimited as refused:
            raise RateLimited(refused.message, field="attachments") from None


# Storing, inside the message's transaction -------------------------------------------------------


def save_attachments(message: Message, attachments: Sequence[AttachmentUpload]) -> None:
    """Store the message's files; queue the worker on commit when an image waits for it."""
    waiting = [_save(message, upload) for upload in attachments]
    if any(row.is_processing for row in waiting):
        message_id = message.pk
        transaction.on_commit(lambda: _enqueue_processing(message_id), robust=True)


def _save(message: Message, upload: AttachmentUpload) -> Attachment:
    item = upload.processed
    attachment = Attachment(message=message, original_name=upload.original_name[:200] or "file")
    if isinstance(item, CheckedImage):
        attachment.kind = Attachment.Kind.IMAGE
        attachment.status = Attachment.Status.PROCESSING
        attachment.content_type = item.output_content_type
        attachment.size = item.size  # the upload's, until the worker stores the clean image
        attachment.source.save(random_name(item.extension), item.upload, save=False)
    elif isinstance(item, ProcessedImage):
        attachment.kind = Attachment.Kind.IMAGE
        attachment.content_type = item.content_type
        attachment.size = item.content.size
        attachment.width, attachment.height = item.width, item.height
        attachment.file.save(item.content.name, item.content, save=False)
        attachment.thumbnail.save(item.thumbnail.name, item.thumbnail, save=False)
    else:
        attachment.kind = Attachment.Kind.PDF
        attachment.content_type = item.content_type
        attachment.size = item.size
        attachment.file.save(item.content.name, item.content, save=False)
    attachment.save()
    return attachment


def _enqueue_processing(message_id: int) -> None:
    from ..tasks import process_attachments_task  # tasks.py imports these services

    process_attachments_task.enqueue(message_id=message_id)


# The worker ------------------------------------------------------------------------------------


def process_attachments(*, message_id: int) -> int:
    """Decode the message's waiting images; how many it finished. Both sides' open thread gets
    the message's files once they are done.

    Decoding runs outside any transaction; the result is stored only if the row still waits for
    the same source (the message may have been deleted with its account meanwhile), so running
    this again, or late, changes nothing."""
    waiting = Attachment.objects.filter(message_id=message_id, status=Attachment.Status.PROCESSING).order_by("pk")
    finished = sum(_process(row) for row in waiting)
    if finished:
        transaction.on_commit(lambda: events.attachments_ready(message_id=message_id), robust=True)
    return finished


def _process(row: Attachment) -> int:
    if not row.source:
        return 0
    source = row.source.name
    processed, error = None, ""
    try:
        with row.source.open("rb") as upload:
            # core.uploads' defaults: the per-format pixel caps, and fit in IMAGE_MAX_SIDE (a big
            # JPEG is decoded at a reduced scale).
            processed = process_image(upload, max_bytes=ATTACHMENT_MAX_BYTES)
    except FileNotFoundError:  # removed meanwhile
        return 0
    except ValidationError as refusal:
        logger.info("A message attachment was refused by the worker: %s", refusal.messages)
        error = (" ".join(refusal.messages) or _FAILED_FALLBACK)[:ATTACHMENT_ERROR_MAX_LENGTH]
    with transaction.atomic():
        waiting = Attachment.objects.select_for_update().filter(
            pk=row.pk, status=Attachment.Status.PROCESSING, source=source
        )
        row = waiting.first()
        if row is None:
            return 0
        if processed is not None:
            row.file.save(processed.content.name, processed.content, save=False)
            row.thumbnail.save(processed.thumbnail.name, processed.thumbnail, save=False)
            row.status = Attachment.Status.READY
            row.content_type, row.size = processed.content_type, processed.content.size
            row.width, row.height = processed.width, processed.height
        else:
            row.status, row.error = Attachment.Status.FAILED, error
        storage = row.source.storage
        row.source = ""
        row.save()
        transaction.on_commit(lambda: storage.delete(source))
    return 1
