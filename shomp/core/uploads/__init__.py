"""Every upload goes through here: type from content, size and pixel caps, clean re-encoded images.

Nothing trusts the file name or the browser's Content-Type. Images are decoded by Pillow (only the
JPEG, PNG, WebP and GIF plugins, never SVG) and re-encoded from their pixels, so EXIF (GPS), XMP,
comments and ICC profiles never reach storage; other files are recognised by their magic bytes
against an allow-list. Stored names are random, so they neither leak nor collide with what the
user called the file. Private files are streamed by `serve_private_file` after the caller's own
access check.

- images.py: check_image (cheap: size, type, declared pixels), process_image (decode within
  bounds, re-encode), CheckedImage, ProcessedImage and the image caps, whose defaults are the safe
  ones (IMAGE_MAX_PIXELS per format, IMAGE_MAX_SIDE, IMAGE_MAX_BYTES)
- files.py: process_file, ProcessedFile, FILE_TYPES, the digital product types, allowed_types_text
- detection.py: detect_file_type, the magic bytes
- common.py: random_name, sanitize_filename, human_size (and the size check both kinds share),
  local_file (a stored file as a path, for FFmpeg), MEDIA_TASK_QUEUE (the queue for costly processing)
- private.py: private_storage, serve_private_file (streams in bounded memory under WSGI and ASGI,
  or redirects to a presigned URL on S3), content_disposition
- fields.py: ImageUploadField, MultipleImageUploadField, PrivateFileField, and UploadForm, which
  decodes images only once every other field is valid
"""

from .common import MEDIA_TASK_QUEUE, human_size, local_file, random_name, sanitize_filename
from .detection import detect_file_type
from .fields import ImageUploadField, MultipleFileInput, MultipleImageUploadField, PrivateFileField, UploadForm
from .files import (
    DIGITAL_PRODUCT_MAX_BYTES,
    DIGITAL_PRODUCT_TYPES,
    FILE_TYPE_LABELS,
    FILE_TYPES,
    ProcessedFile,
    allowed_types_text,
    process_file,
)
from .images import (
    ALLOWED_IMAGE_FORMATS,
    IMAGE_ACCEPT,
    IMAGE_MAX_BYTES,
    IMAGE_MAX_PIXELS,
    IMAGE_MAX_SIDE,
    THUMBNAIL_SIZE,
    CheckedImage,
    PixelCap,
    ProcessedImage,
    check_image,
    process_image,
)
from .private import content_disposition, private_storage, serve_private_file

__all__ = [
    "ALLOWED_IMAGE_FORMATS",
    "DIGITAL_PRODUCT_MAX_BYTES",
    "DIGITAL_PRODUCT_TYPES",
    "FILE_TYPES",
    "FILE_TYPE_LABELS",
    "IMAGE_ACCEPT",
    "IMAGE_MAX_BYTES",
    "IMAGE_MAX_PIXELS",
    "IMAGE_MAX_SIDE",
    "MEDIA_TASK_QUEUE",
    "THUMBNAIL_SIZE",
    "CheckedImage",
    "ImageUploadField",
    "MultipleFileInput",
    "MultipleImageUploadField",
    "PixelCap",
    "PrivateFileField",
    "ProcessedFile",
    "ProcessedImage",
    "UploadForm",
    "allowed_types_text",
    "check_image",
    "content_disposition",
    "detect_file_type",
    "human_size",
    "local_file",
    "private_storage",
    "process_file",
    "process_image",
    "random_name",
    "sanitize_filename",
    "serve_private_file",
]
