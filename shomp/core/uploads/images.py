"""Images: checked from the header first, then decoded within bounds, re-encoded clean, with a thumbnail.

Two steps, so a request can do the cheap one and leave the costly one for later (or never, when
the form is refused for another field):

- `check_image`: size, type (Pillow's header parsers for JPEG, PNG, WebP and GIF only) and the
  declared pixel count. `Image.open` is lazy: nothing is decoded, it costs microseconds.
- `process_image`: the same checks, then the decode and re-encode. The stored picture fits in
  max_side × max_side, a JPEG is decoded at a reduced scale (libjpeg's DCT scaling, Pillow's
  draft mode: 1/2, 1/4 or 1/8 of its pixels) and every later step works on the reduced pixels,
  so the cost follows `max_side` more than the upload. Other formats are decoded whole, which is
  what `max_pixels` bounds.

The defaults are the safe caps (IMAGE_MAX_PIXELS per format, IMAGE_MAX_SIDE): a caller who names
none gets a decode of at most about 250 MB and a second of CPU. Measured with process_image at
2560 px, flat images (the cheapest files for the most pixels), one at a time: a 40 MP JPEG
peaks at +95 MB (decoded at half scale), a 25 MP PNG at +170 MB (+190 with alpha), a 12 MP WebP
at +200 MB (+230 with alpha: libwebp's decoder holds several RGBA copies; a 40 MP one took 680),
a 12 MP GIF at +105 MB. Callers that decode in a request (store logos) pass lower caps.
"""

import io
import logging
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from types import MappingProxyType

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from PIL import Image, ImageCms, ImageOps

from .common import as_file, check_size, random_name

logger = logging.getLogger(__name__)

IMAGE_MAX_BYTES = 10 * 1024 * 1024
#: Decompression-bomb caps per format (Pillow's names), checked from the header before decoding:
#: decoding costs differ (a WebP decodes through libwebp's animation decoder, about 16 bytes a
#: pixel, against 3 or 4 for a PNG and less for a JPEG decoded at a reduced scale).
IMAGE_MAX_PIXELS: Mapping[str, int] = MappingProxyType(
    {"JPEG": 40_000_000, "PNG": 25_000_000, "WEBP": 12_000_000, "GIF": 12_000_000}
)
#: The largest side a stored image keeps (and the scale a JPEG is decoded at, roughly).
IMAGE_MAX_SIDE = 2560
THUMBNAIL_SIZE = (480, 480)
ALLOWED_IMAGE_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}  # never SVG
IMAGE_ACCEPT = "image/jpeg,image/png,image/webp,image/gif"

# Pillow's process-wide cap follows our highest: above it Image.open warns (an error inside this
# module), above twice it Image.open refuses, wherever in the process an image is opened.
Image.MAX_IMAGE_PIXELS = max(IMAGE_MAX_PIXELS.values())

# Pillow format of the upload -> format we store. GIF becomes a PNG of its first frame: product
# pictures are stills, and re-encoding every frame of an animation multiplies the decoding cost.
# Animated WebP and APNG likewise keep their first frame only.
_OUTPUT_FORMAT = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "GIF": "PNG"}
_IMAGE_TYPES = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
_SOURCE_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
_SAVE_OPTIONS = {"JPEG": {"quality": 85, "optimize": True}, "PNG": {}, "WEBP": {"quality": 85}}
_MAX_ICC_BYTES = 1024 * 1024
_NOT_AN_IMAGE = "This file is not a JPEG, PNG, WebP or GIF image."
_FORMAT_NAMES = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP", "GIF": "GIF"}

#: A pixel cap for every format, or one per format (Pillow's names, "JPEG", "PNG", "WEBP", "GIF").
PixelCap = int | Mapping[str, int]


@dataclass(frozen=True)
class CheckedImage:
    """An upload that passed the cheap checks (size, type, declared pixels); nothing decoded yet."""

    upload: File  # as received, rewound
    format: str  # Pillow's name: "JPEG", "PNG", "WEBP" or "GIF"
    width: int  # as the header declares them (before any EXIF rotation)
    height: int
    size: int  # bytes

    @property
    def extension(self) -> str:
        """The extension of the upload as received, by content ("jpg", "png", "webp", "gif")."""
        return _SOURCE_EXTENSIONS[self.format]

    @property
    def output_content_type(self) -> str:
        """What process_image will store it as (a GIF becomes a PNG)."""
        return _IMAGE_TYPES[_OUTPUT_FORMAT[self.format]][0]

    @property
    def output_extension(self) -> str:
        return _IMAGE_TYPES[_OUTPUT_FORMAT[self.format]][1]


@dataclass(frozen=True)
class ProcessedImage:
    content: ContentFile  # re-encoded, metadata stripped, orientation applied, random name
    thumbnail: ContentFile  # fits in THUMBNAIL_SIZE; JPEG, or PNG when it has transparency
    width: int
    height: int
    content_type: str


def check_image(upload, *, max_bytes: int = IMAGE_MAX_BYTES, max_pixels: PixelCap = IMAGE_MAX_PIXELS) -> CheckedImage:
    """The cheap half of process_image: refuse what is too big, not an allowed image, or has too
    many pixels, from the file's size and header alone. Raises ValidationError with a message."""
    upload = as_file(upload)
    size = check_size(upload, max_bytes=max_bytes, noun="Images")
    with _opened(upload, max_pixels) as image:
        checked = CheckedImage(upload=upload, format=image.format, width=image.width, height=image.height, size=size)
    upload.seek(0)
    return checked


def process_image(
    upload,
    *,
    max_bytes: int = IMAGE_MAX_BYTES,
    max_pixels: PixelCap = IMAGE_MAX_PIXELS,
    max_side: int = IMAGE_MAX_SIDE,
) -> ProcessedImage:
    """Validate an uploaded image and return it re-encoded, with a thumbnail, under random names.

    Raises ValidationError (a message for the user) for an empty or too big file, anything that
    is not a JPEG, PNG, WebP or GIF by content, too many pixels, and damaged files. `upload` may
    be a CheckedImage (checked again: it costs nothing). The stored image fits in
    max_side × max_side pixels (never enlarged).
    """
    if not max_side or max_side < 1:
        raise ValueError("max_side bounds the decode: give a number of pixels.")
    if isinstance(upload, CheckedImage):
        upload = upload.upload
    upload = as_file(upload)
    check_size(upload, max_bytes=max_bytes, noun="Images")
    with _opened(upload, max_pixels) as image:
        output_format = _OUTPUT_FORMAT[image.format]
        try:
            if image.format == "JPEG":
                image.draft(None, _fitted(image.size, max_side))  # decode at 1/2, 1/4 or 1/8 scale
            image.load()  # the first frame only
            pixels = _clean_pixels(image, output_format, max_side)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels(_cap(max_pixels, image.format)) from None
        except Exception as error:
            logger.info("Refused a damaged %s image: %r", image.format, error)
            raise ValidationError(
                "This image is damaged or incomplete. Please save it again and upload the new file.",
                code="corrupt_image",
            ) from None
    upload.seek(0)

    content_type, extension = _IMAGE_TYPES[output_format]
    content = ContentFile(_encode(pixels, output_format), name=random_name(extension))
    width, height = pixels.size
    pixels.thumbnail(THUMBNAIL_SIZE, Image.Resampling.LANCZOS)  # in place: no second full-size copy
    thumb_format = "PNG" if pixels.mode in ("RGBA", "LA") else "JPEG"
    thumbnail = ContentFile(_encode(pixels, thumb_format), name=random_name(_IMAGE_TYPES[thumb_format][1]))
    return ProcessedImage(content=content, thumbnail=thumbnail, width=width, height=height, content_type=content_type)


def _too_many_pixels(max_pixels: int) -> ValidationError:
    return ValidationError(
        f"This image has too many pixels: at most {max_pixels / 1_000_000:g} million are allowed.",
        code="too_many_pixels",
    )


def _cap(max_pixels: PixelCap, image_format: str | None) -> int:
    if isinstance(max_pixels, int):
        return max_pixels
    return max_pixels.get(image_format or "", max(max_pixels.values()))


@contextmanager
def _opened(upload: File, max_pixels: PixelCap) -> Iterator[Image.Image]:
    """The upload opened lazily (header only) after the type and pixel checks; closed after."""
    # Pillow warns between its own cap (ours, above) and twice it, and raises beyond. The warning
    # is silenced: the header check below refuses with the image's size in the message.
    # (catch_warnings is process-wide before Python 3.14; a racing thread can at worst leave this
    # same filter installed, which is harmless.)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        upload.seek(0)
        try:
            image = Image.open(_KeepOpen(upload), formats=sorted(ALLOWED_IMAGE_FORMATS))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels(_cap(max_pixels, None)) from None
        except Exception:  # UnidentifiedImageError, and whatever a malformed header provokes
            raise ValidationError(_NOT_AN_IMAGE, code="invalid_image") from None
        try:
            if image.format not in ALLOWED_IMAGE_FORMATS:  # belt and braces: formats= restricts it
                raise ValidationError(_NOT_AN_IMAGE, code="invalid_image")
            width, height = image.size
            cap = _cap(max_pixels, image.format)
            if width * height > cap:  # from the header: nothing has been decoded yet
                kind = "" if isinstance(max_pixels, int) else f" in a {_FORMAT_NAMES[image.format]} image"
                raise ValidationError(
                    f"This image is too large ({width}×{height} pixels): at most "
                    f"{cap / 1_000_000:g} million pixels are allowed{kind}.",
                    code="too_many_pixels",
                )
            yield image
        finally:
            image.close()  # frees the decoded pixels that nothing else holds


class _KeepOpen:
    """The upload as Pillow sees it: closing an image closes the file it was read from, and the
    caller still needs this one (to store it, or to decode it later)."""

    def __init__(self, file: File):
        self._file = file

    def read(self, size: int = -1) -> bytes:
        return self._file.read(size)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()

    def close(self) -> None:
        pass


def _fitted(size: tuple[int, int], max_side: int) -> tuple[int, int]:
    """`size` scaled down (never up) to fit in max_side × max_side."""
    scale = min(1.0, max_side / max(size))
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def _clean_pixels(image: Image.Image, output_format: str, max_side: int) -> Image.Image:
    """Upright pixels in sRGB, as L/LA/RGB/RGBA, fitting `max_side`, carrying no metadata at all.

    Each step releases the pixels of the one before (a 40-megapixel RGBA image is 160 MB), and
    the image is shrunk before anything else touches it."""
    if image.mode == "P":  # a palette can't be resampled: continuous tones first
        image = _then(image, image.convert("RGBA" if "transparency" in image.info else "RGB"))
    elif image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N"):
        image = _then(image, image.convert("I"))
        if image.getextrema()[1] > 255:  # 16-bit grey: scale down rather than clip to white
            image = _then(image, image.point(lambda value: value * (1 / 256)))
        image = _then(image, image.convert("L"))
    elif image.mode == "1":
        image = _then(image, image.convert("L"))
    if max(image.size) > max_side:
        image = _shrunk(image, max_side)
    ImageOps.exif_transpose(image, in_place=True)
    image = _then(image, _to_srgb(image))
    grey = image.mode in ("L", "LA", "La", "F")
    alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info
    if alpha:
        if image.mode not in ("LA", "RGBA"):
            image = _then(image, image.convert("LA" if grey else "RGBA"))
        if image.getchannel("A").getextrema()[0] == 255:  # fully opaque: the channel is dead weight
            alpha = False
    alpha = alpha and output_format != "JPEG"
    grey = grey and output_format != "WEBP"  # WebP has no grey mode
    mode = ("LA" if alpha else "L") if grey else ("RGBA" if alpha else "RGB")
    if image.mode != mode:
        image = _then(image, image.convert(mode))
    return _without_metadata(image)


def _then(old: Image.Image, new: Image.Image) -> Image.Image:
    """`new`, once `old` has let go of its pixels (they stay alive if `new` shares them)."""
    if new is not old:
        old.close()
    return new


def _shrunk(image: Image.Image, max_side: int) -> Image.Image:
    """`image` resampled (Lanczos) to fit in max_side × max_side; `image` is released."""
    size = _fitted(image.size, max_side)
    if image.mode in ("RGBA", "LA"):
        # What resize does inside (resample premultiplied alpha), minus one full-size copy alive.
        mode = image.mode
        image = _then(image, image.convert(mode[:-1] + "a"))
        return _then(image, image.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0)).convert(mode)
    return _then(image, image.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0))


def _without_metadata(image: Image.Image) -> Image.Image:
    """A new Image over the same pixels (no copy) with nothing else: no info dict, EXIF, ICC or XMP,
    and none of a decoder's attributes (JPEG app markers, PNG text chunks)."""
    clean = image._new(image.im)  # Pillow's constructor for derived images: a plain Image
    clean.info = {}
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
