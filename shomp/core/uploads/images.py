"""Images: decoded by Pillow, capped in bytes and pixels, re-encoded clean, with a thumbnail."""

import io
import logging
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageCms, ImageOps

from .common import as_file, check_size, random_name

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


def process_image(upload, *, max_bytes: int = IMAGE_MAX_BYTES, max_pixels: int = IMAGE_MAX_PIXELS) -> ProcessedImage:
    """Validate an uploaded image and return it re-encoded, with a thumbnail, under random names.

    Raises ValidationError (a message for the user) for an empty or too big file, anything that
    is not a JPEG, PNG, WebP or GIF by content, too many pixels, and damaged files.
    """
    upload = as_file(upload)
    check_size(upload, max_bytes=max_bytes, noun="Images")
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
