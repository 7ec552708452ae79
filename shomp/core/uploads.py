"""Every upload goes through here: type from content, size and pixel caps, clean re-encoded images.

Nothing trusts the file name or the browser's Content-Type. Images are decoded by Pillow (only the
JPEG, PNG, WebP and GIF plugins, never SVG) and re-encoded from their pixels, so EXIF (GPS), XMP,
comments and ICC profiles never reach storage; other files are recognised by their magic bytes
against an allow-list. Stored names are random, so they neither leak nor collide with what the
user called the file. Private files are streamed by `serve_private_file` after the caller's own
access check.
"""

import codecs
import copy
import io
import logging
import re
import secrets
import unicodedata
import warnings
from dataclasses import dataclass
from urllib.parse import quote

from django import forms
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db.models.fields.files import FieldFile
from django.http import FileResponse
from django.utils.text import get_text_list
from PIL import Image, ImageCms, ImageOps

logger = logging.getLogger(__name__)

IMAGE_MAX_BYTES = 10 * 1024 * 1024
IMAGE_MAX_PIXELS = 40_000_000  # decompression-bomb cap, checked from the header before decoding
THUMBNAIL_SIZE = (480, 480)
ALLOWED_IMAGE_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}  # never SVG
IMAGE_ACCEPT = "image/jpeg,image/png,image/webp,image/gif"

# Pillow format of the upload -> format we store. GIF becomes a PNG of its first frame: product
# pictures are stills, and re-encoding every frame of an animation multiplies the decoding cost.
# Animated WebP and APNG likewise keep their first frame only.
_OUTPUT_FORMAT = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "GIF": "PNG"}
_IMAGE_TYPES = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
_SAVE_OPTIONS = {"JPEG": {"quality": 85, "optimize": True}, "PNG": {}, "WEBP": {"quality": 85}}
_MAX_ICC_BYTES = 1024 * 1024


@dataclass(frozen=True)
class ProcessedImage:
    content: ContentFile  # re-encoded, metadata stripped, orientation applied, random name
    thumbnail: ContentFile  # fits in THUMBNAIL_SIZE; JPEG, or PNG when it has transparency
    width: int
    height: int
    content_type: str


def random_name(extension: str) -> str:
    """A storage name that says nothing about the upload: 128 random bits in hex, then ".ext"."""
    extension = extension.lstrip(".").lower()
    if not re.fullmatch(r"[a-z0-9]{1,10}", extension):
        raise ValueError(f"Not a file extension: {extension!r}")
    return f"{secrets.token_hex(16)}.{extension}"


def human_size(num_bytes: int) -> str:
    """10485760 -> "10 MB", 1536 -> "1.5 KB" (binary units, as operating systems show sizes)."""
    value = float(num_bytes)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            break
        value /= 1024
    text = f"{value:.1f}".removesuffix(".0")
    return f"{text} {unit}" if unit != "bytes" or num_bytes != 1 else "1 byte"


def _as_file(upload) -> File:
    return upload if isinstance(upload, File) else File(upload)


def _check_size(upload: File, *, max_bytes: int, noun: str) -> int:
    size = upload.size
    if not size:
        raise ValidationError("The file is empty.", code="empty")
    if size > max_bytes:
        raise ValidationError(f"{noun} can be at most {human_size(max_bytes)}.", code="too_big")
    return size


# --- Images -----------------------------------------------------------------------------------


def process_image(upload, *, max_bytes: int = IMAGE_MAX_BYTES, max_pixels: int = IMAGE_MAX_PIXELS) -> ProcessedImage:
    """Validate an uploaded image and return it re-encoded, with a thumbnail, under random names.

    Raises ValidationError (a message for the user) for an empty or too big file, anything that
    is not a JPEG, PNG, WebP or GIF by content, too many pixels, and damaged files.
    """
    upload = _as_file(upload)
    _check_size(upload, max_bytes=max_bytes, noun="Images")
    upload.seek(0)
    megapixels = f"{max_pixels / 1_000_000:g} million"
    too_many_pixels = ValidationError(
        f"This image has too many pixels: at most {megapixels} are allowed.", code="too_many_pixels"
    )
    # Pillow warns between its own cap and twice it, and raises beyond. The warning is made an
    # error. (catch_warnings is process-wide before Python 3.14; a racing thread can at worst
    # leave this same filter installed, which is harmless.)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(upload, formats=sorted(ALLOWED_IMAGE_FORMATS))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise too_many_pixels from None
        except Exception:  # UnidentifiedImageError, and whatever a malformed header provokes
            raise ValidationError("This file is not a JPEG, PNG, WebP or GIF image.", code="invalid_image") from None
        if image.format not in ALLOWED_IMAGE_FORMATS:  # belt and braces: formats= restricts it
            raise ValidationError("This file is not a JPEG, PNG, WebP or GIF image.", code="invalid_image")
        width, height = image.size
        if width * height > max_pixels:  # from the header: nothing has been decoded yet
            raise ValidationError(
                f"This image is too large ({width}×{height} pixels): at most {megapixels} pixels are allowed.",
                code="too_many_pixels",
            )
        try:
            image.load()  # the first frame only
            pixels = _clean_pixels(image, _OUTPUT_FORMAT[image.format])
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise too_many_pixels from None
        except Exception as error:
            logger.info("Refused a damaged %s image: %r", image.format, error)
            raise ValidationError(
                "This image is damaged or incomplete. Please save it again and upload the new file.",
                code="corrupt_image",
            ) from None
        finally:
            image.close()

    output_format = _OUTPUT_FORMAT[image.format]
    content_type, extension = _IMAGE_TYPES[output_format]
    content = ContentFile(_encode(pixels, output_format), name=random_name(extension))
    width, height = pixels.size
    pixels.thumbnail(THUMBNAIL_SIZE, Image.Resampling.LANCZOS)  # in place: no second full-size copy
    thumb_format = "PNG" if pixels.mode in ("RGBA", "LA") else "JPEG"
    thumbnail = ContentFile(_encode(pixels, thumb_format), name=random_name(_IMAGE_TYPES[thumb_format][1]))
    return ProcessedImage(content=content, thumbnail=thumbnail, width=width, height=height, content_type=content_type)


def _clean_pixels(image: Image.Image, output_format: str) -> Image.Image:
    """Upright pixels in sRGB, as L/LA/RGB/RGBA, in a new image that carries no metadata at all."""
    image = ImageOps.exif_transpose(image)
    image = _to_srgb(image)
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    elif image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N"):
        image = image.convert("I")
        if image.getextrema()[1] > 255:  # 16-bit grey: scale down rather than clip to white
            image = image.point(lambda value: value * (1 / 256))
    grey = image.mode in ("1", "L", "LA", "La", "I", "F")
    alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info
    if alpha:
        image = image.convert("LA" if grey else "RGBA")
        if image.getchannel("A").getextrema()[0] == 255:  # fully opaque: the channel is dead weight
            alpha = False
    alpha = alpha and output_format != "JPEG"
    grey = grey and output_format != "WEBP"  # WebP has no grey mode
    mode = ("LA" if alpha else "L") if grey else ("RGBA" if alpha else "RGB")
    converted = image.convert(mode) if image.mode != mode else image
    clean = Image.new(mode, converted.size)  # fresh: no info dict, no EXIF, no ICC, no XMP
    clean.paste(converted)
    return clean


def _to_srgb(image: Image.Image) -> Image.Image:
    """Apply an embedded ICC profile (wide-gamut phone photos, CMYK) so dropping it keeps colours."""
    icc = image.info.get("icc_profile")
    if not icc or len(icc) > _MAX_ICC_BYTES or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image.convert("RGB") if image.mode in ("CMYK", "YCbCr", "LAB", "HSV") else image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        output_mode = "RGBA" if image.mode == "RGBA" else "RGB"
        return ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode=output_mode)
    except Exception:  # a broken or unsupported profile: keep the pixel values as they are
        return image.convert("RGB") if image.mode == "CMYK" else image


def _encode(image: Image.Image, image_format: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **_SAVE_OPTIONS[image_format])
    return buffer.getvalue()


# --- Other files ------------------------------------------------------------------------------

# key, content type, extension of the stored file, what the user is told it is
_FILE_TYPE_TABLE = [
    ("pdf", "application/pdf", "pdf", "PDF"),
    ("zip", "application/zip", "zip", "ZIP archive"),
    ("epub", "application/epub+zip", "epub", "EPUB e-book"),
    ("png", "image/png", "png", "PNG image"),
    ("jpeg", "image/jpeg", "jpg", "JPEG image"),
    ("gif", "image/gif", "gif", "GIF image"),
    ("webp", "image/webp", "webp", "WebP image"),
    ("mp3", "audio/mpeg", "mp3", "MP3 audio"),
    ("wav", "audio/wav", "wav", "WAV audio"),
    ("flac", "audio/flac", "flac", "FLAC audio"),
    ("ogg", "audio/ogg", "ogg", "Ogg audio"),
    ("mp4", "video/mp4", "mp4", "MP4 video"),
    ("m4a", "audio/mp4", "m4a", "M4A audio"),
    ("webm", "video/webm", "webm", "WebM video"),
    ("mkv", "video/x-matroska", "mkv", "MKV video"),
    ("txt", "text/plain; charset=utf-8", "txt", "plain text"),
    ("csv", "text/csv; charset=utf-8", "csv", "CSV"),
]
FILE_TYPES: dict[str, tuple[str, str]] = {key: (mime, ext) for key, mime, ext, _ in _FILE_TYPE_TABLE}
FILE_TYPE_LABELS: dict[str, str] = {key: label for key, _, _, label in _FILE_TYPE_TABLE}
# A more specific type is accepted where only its general kind is allowed (an EPUB is a ZIP).
_BROADER = {"epub": "zip", "m4a": "mp4", "webm": "mkv", "csv": "txt"}
# Extensions a download may keep; any other is replaced so "notes.bat" (text) saves as notes.txt.
_DOWNLOAD_EXTENSIONS = {
    "jpeg": {"jpg", "jpeg"},
    "mp4": {"mp4", "m4v"},
    "m4a": {"m4a", "m4b"},
    "ogg": {"ogg", "oga", "opus"},
    "mkv": {"mkv", "mka"},
    "txt": {"txt", "text", "md", "markdown", "csv", "tsv"},
    "csv": {"csv"},
}

DIGITAL_PRODUCT_TYPES = {
    "pdf", "zip", "epub", "png", "jpeg", "gif", "webp", "mp3", "wav", "flac", "ogg", "mp4", "webm", "txt",
}  # fmt: skip
DIGITAL_PRODUCT_MAX_BYTES = 500 * 1024 * 1024

_HEAD_BYTES = 4096
_MP4_BRANDS = {
    b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ", b"M4VH",
    b"M4VP", b"dash", b"mmp4", b"MSNV", b"f4v ", b"3gp4", b"3gp5", b"3gp6",
}  # fmt: skip
_M4A_BRANDS = {b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B "}


def detect_file_type(upload) -> str | None:
    """The FILE_TYPES key for this file's content (magic bytes), or None if it is none of them.

    Text is recognised only when the whole file decodes as UTF-8 without NUL bytes; whether it
    is "csv" or "txt" is the one thing the name decides, as both are served as text.
    """
    upload = _as_file(upload)
    upload.seek(0)
    head = upload.read(_HEAD_BYTES)
    kind = _sniff(head)
    if kind == "id3":
        kind = _after_id3(upload, head)
    elif kind is None and head and _is_utf8_text(upload):
        kind = "csv" if str(upload.name or "").lower().endswith(".csv") else "txt"
    upload.seek(0)
    return kind


def _sniff(head: bytes) -> str | None:
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        # An EPUB's first member is an uncompressed file "mimetype" saying so (OCF spec).
        return "epub" if head[30:58] == b"mimetypeapplication/epub+zip" else "zip"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] in (b"WEBP", b"WAVE"):
        return "webp" if head[8:12] == b"WEBP" else "wav"
    if head.startswith(b"fLaC"):
        return "flac"
    if head.startswith(b"OggS"):
        return "ogg"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        return "m4a" if brand in _M4A_BRANDS else "mp4" if brand in _MP4_BRANDS else None
    if head.startswith(b"\x1a\x45\xdf\xa3"):  # EBML: Matroska or its WebM profile
        doctype = head[:64]
        return "webm" if b"\x42\x82\x84webm" in doctype else "mkv" if b"matroska" in doctype else None
    if len(head) >= 10 and head.startswith(b"ID3") and head[3] in (2, 3, 4) and max(head[6:10]) < 0x80:
        return "id3"
    if _is_mpeg_audio_frame(head):
        return "mp3"
    return None


def _after_id3(upload: File, head: bytes) -> str:
    """An ID3v2 tag usually starts an MP3 but may also precede FLAC."""
    size = 10 + sum(byte << (7 * (3 - index)) for index, byte in enumerate(head[6:10]))  # syncsafe
    if head[5] & 0x10:  # a footer follows the tag
        size += 10
    upload.seek(size)
    return "flac" if upload.read(4) == b"fLaC" else "mp3"


def _is_mpeg_audio_frame(head: bytes) -> bool:
    """An MPEG-1/2/2.5 layer I-III frame header (ADTS AAC has layer bits 00 and is excluded)."""
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version, layer = (head[1] >> 3) & 0b11, (head[1] >> 1) & 0b11
    bitrate, sample_rate = head[2] >> 4, (head[2] >> 2) & 0b11
    return version != 0b01 and layer != 0 and bitrate != 0xF and sample_rate != 0b11


def _is_utf8_text(upload: File) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for chunk in upload.chunks(1024 * 1024):
            if b"\x00" in chunk:
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


@dataclass(frozen=True)
class ProcessedFile:
    content: File  # the upload itself under a random name with the detected extension
    content_type: str
    size: int
    original_name: str  # sanitized basename with an extension matching the content, <= 200 chars
    kind: str  # the FILE_TYPES key it was accepted as


def allowed_types_text(allowed: set[str]) -> str:
    """{"pdf", "zip"} -> "PDF and ZIP archive", in FILE_TYPES order."""
    return get_text_list([FILE_TYPE_LABELS[key] for key in FILE_TYPES if key in allowed], "and")


def process_file(upload, *, allowed: set[str], max_bytes: int) -> ProcessedFile:
    """Check a file's size and content type against `allowed` (FILE_TYPES keys); rename it randomly.

    The returned `content` is ready for `storage.save(content.name, content)` or a FileField.
    """
    if unknown := set(allowed) - FILE_TYPES.keys():
        raise ValueError(f"Unknown file types: {sorted(unknown)}")
    upload = _as_file(upload)
    size = _check_size(upload, max_bytes=max_bytes, noun="Files")
    detected = detect_file_type(upload)
    kind = detected
    while kind is not None and kind not in allowed:
        kind = _BROADER.get(kind)
    if detected is None or kind is None:
        raise ValidationError(
            f"This kind of file can't be uploaded here. Allowed: {allowed_types_text(allowed)}.",
            code="file_type",
        )
    content_type, extension = FILE_TYPES[kind]
    original_name = _download_name(upload.name, detected, kind)
    content = copy.copy(upload)  # the same underlying file (a temporary file stays one), renamed
    content.name = random_name(extension)
    if hasattr(content, "content_type"):
        content.content_type = content_type
    content.seek(0)
    return ProcessedFile(content=content, content_type=content_type, size=size, original_name=original_name, kind=kind)


def _download_name(name: str | None, detected: str, kind: str) -> str:
    name = sanitize_filename(name or "")
    keep = {FILE_TYPES[key][1] for key in (detected, kind)}
    keep |= _DOWNLOAD_EXTENSIONS.get(detected, set()) | _DOWNLOAD_EXTENSIONS.get(kind, set())
    stem, dot, suffix = name.rpartition(".")
    if dot and re.fullmatch(r"[A-Za-z0-9]{1,8}", suffix):
        if suffix.lower() in keep:
            return name
        name = stem
    return sanitize_filename(f"{name or 'file'}.{FILE_TYPES[kind][1]}")


def sanitize_filename(name: str, *, max_length: int = 200) -> str:
    """A basename that is safe to show and to offer as a download name ("" if nothing is left).

    Drops directories, control and invisible format characters (such as right-to-left overrides
    that disguise "exe"), characters Windows forbids and leading or trailing dots and spaces.
    """
    name = str(name).replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(
        " " if unicodedata.category(char).startswith("Z") else char
        for char in name
        if not unicodedata.category(char).startswith("C")
    )
    name = re.sub(r'[<>:"|?*]', "_", name)
    name = re.sub(r" +", " ", name).strip(" .")
    if len(name) > max_length:
        stem, dot, suffix = name.rpartition(".")
        if dot and stem and len(suffix) <= 10:
            name = stem[: max_length - len(suffix) - 1].rstrip(" .") + "." + suffix
        else:
            name = name[:max_length].rstrip(" .")
    return name


# --- Storage and serving ----------------------------------------------------------------------


def private_storage() -> Storage:
    """Where files only some users may download live (settings.STORAGES["private"]); never public."""
    return storages["private"]


_INLINE_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif"}


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """An RFC 6266 header value: a plain ASCII `filename` for old clients, `filename*` for the rest."""
    name = sanitize_filename(filename) or "download"
    stem, dot, suffix = name.rpartition(".")
    if not (dot and stem):
        stem, suffix = name, ""
    fallback = _ascii(stem) or "download"
    if suffix := _ascii(suffix):
        fallback += "." + suffix
    value = f'{"inline" if inline else "attachment"}; filename="{fallback}"'
    if fallback != name:
        value += f"; filename*=UTF-8''{quote(name, safe='')}"
    return value


def _ascii(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r'[^\x20-\x7e]|["\\%;]', "_", text).strip(" ._")


def serve_private_file(
    file: FieldFile | File, *, download_name: str, content_type: str | None = None, inline: bool = False
) -> FileResponse:
    """Stream a stored private file to the browser.

    The CALLER has already checked that the requesting user may have this file (with the owning
    app's policy); this function checks nothing. The response is never cached by shared caches,
    never sniffed into another type, and sandboxed; `inline=True` is honoured for raster images
    only, anything else is always a download.
    """
    content_type = content_type or "application/octet-stream"
    file.open("rb")
    response = FileResponse(file, content_type=content_type)
    inline = inline and content_type.split(";")[0].strip().lower() in _INLINE_TYPES
    response.headers["Content-Disposition"] = content_disposition(download_name, inline=inline)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


# --- Form fields ------------------------------------------------------------------------------


class ImageUploadField(forms.FileField):
    """One image; the cleaned value is a ProcessedImage, or None when no new file was given."""

    def __init__(self, *, max_bytes: int = IMAGE_MAX_BYTES, max_pixels: int = IMAGE_MAX_PIXELS, **kwargs):
        self.max_bytes, self.max_pixels = max_bytes, max_pixels
        kwargs.setdefault("widget", forms.FileInput(attrs={"accept": IMAGE_ACCEPT}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        value = super().clean(data, initial)
        if not value or value is initial:
            return None
        return process_image(value, max_bytes=self.max_bytes, max_pixels=self.max_pixels)


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleImageUploadField(forms.FileField):
    """Several images from one <input multiple>; the cleaned value is a list of ProcessedImage."""

    def __init__(self, *, max_files=10, max_bytes=IMAGE_MAX_BYTES, max_pixels=IMAGE_MAX_PIXELS, **kwargs):
        self.max_files, self.max_bytes, self.max_pixels = max_files, max_bytes, max_pixels
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": IMAGE_ACCEPT}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = [item for item in (data if isinstance(data, (list, tuple)) else [data]) if item]
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(files) > self.max_files:
            noun = "image" if self.max_files == 1 else "images"
            raise ValidationError(
                f"You can upload at most {self.max_files} {noun} at a time; you chose {len(files)}.",
                code="max_files",
            )
        images, errors = [], []
        for upload in files:
            try:
                images.append(
                    process_image(super().clean(upload), max_bytes=self.max_bytes, max_pixels=self.max_pixels)
                )
            except ValidationError as error:
                label = sanitize_filename(getattr(upload, "name", "") or "") or "A file"
                errors.extend(f"{label}: {message}" for message in error.messages)
        if errors:
            raise ValidationError(errors)
        return images


class PrivateFileField(forms.FileField):
    """One file whose type (by content) is in `allowed`; the cleaned value is a ProcessedFile or None."""

    def __init__(self, *, allowed: set[str], max_bytes: int, **kwargs):
        if unknown := set(allowed) - FILE_TYPES.keys():
            raise ValueError(f"Unknown file types: {sorted(unknown)}")
        self.allowed, self.max_bytes = set(allowed), max_bytes
        extensions = [f".{ext}" for key in FILE_TYPES if key in allowed for ext in _accept_extensions(key)]
        kwargs.setdefault("widget", forms.FileInput(attrs={"accept": ",".join(extensions)}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        value = super().clean(data, initial)
        if not value or value is initial:
            return None
        return process_file(value, allowed=self.allowed, max_bytes=self.max_bytes)


def _accept_extensions(key: str) -> list[str]:
    return sorted({FILE_TYPES[key][1]} | _DOWNLOAD_EXTENSIONS.get(key, set()))
