"""What callers of core.uploads notice: clean images, honest types, safe names, safe downloads."""

import email.message
import io
import re
from urllib.parse import unquote

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils.datastructures import MultiValueDict
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import Image, ImageCms

from shomp.core import uploads
from shomp.core.tests import files

pytestmark = pytest.mark.usefixtures("responses_closed_outside_a_request")

INVALID = "This file is not a JPEG, PNG, WebP or GIF image."


def reopen(content) -> Image.Image:
    content.seek(0)
    image = Image.open(io.BytesIO(content.read()))
    content.seek(0)
    return image


def refusal(data: bytes, name: str = "photo.jpg", **options) -> str:
    with pytest.raises(ValidationError) as caught:
        uploads.process_image(files.upload(data, name, "image/jpeg"), **options)
    return " ".join(caught.value.messages)


# --- process_image ----------------------------------------------------------------------------


def test_jpeg_comes_out_without_exif_gps_xmp_comment_or_icc():
    result = uploads.process_image(files.upload(files.jpeg_with_metadata(), "holiday.jpg", "image/jpeg"))

    data = result.content.read()
    image = reopen(result.content)
    assert image.format == "JPEG" and result.content_type == "image/jpeg"
    assert files.SECRET not in data and b"Exif" not in data and b"ns.adobe.com/xap" not in data
    assert not image.getexif() and not image.getexif().get_ifd(0x8825)
    assert {"exif", "xmp", "comment", "icc_profile"}.isdisjoint(image.info)
    assert files.SECRET not in result.thumbnail.read()


def test_exif_orientation_is_applied():
    # Orientation 6: the camera was turned; the picture shows upright when rotated 90° clockwise,
    # which brings the red left half to the top.
    result = uploads.process_image(files.upload(files.jpeg_with_metadata(orientation=6), "p.jpg"))

    image = reopen(result.content)
    assert (result.width, result.height) == image.size == (100, 200)
    red, _, blue = image.getpixel((50, 40))
    assert red > 200 and blue < 60
    red, _, blue = image.getpixel((50, 160))
    assert blue > 200 and red < 60


def test_png_keeps_transparency_and_its_thumbnail_too():
    result = uploads.process_image(files.upload(files.png_with_transparency(), "logo.png"))

    image = reopen(result.content)
    assert image.format == "PNG" and result.content_type == "image/png" and image.mode == "RGBA"
    assert image.getpixel((5, 5)) == (255, 0, 0, 255)
    assert image.getpixel((60, 5))[3] == 0
    assert "Comment" not in image.info and files.SECRET not in result.content.read()
    thumbnail = reopen(result.thumbnail)
    assert thumbnail.format == "PNG" and thumbnail.getpixel((60, 5))[3] == 0


def test_palette_png_transparency_survives():
    palette_image = Image.new("P", (30, 30), 0)
    palette_image.putpalette([255, 0, 0, 0, 255, 0])
    palette_image.putpixel((0, 0), 1)
    data = files.image_bytes(palette_image, "PNG", transparency=0)

    image = reopen(uploads.process_image(files.upload(data)).content)
    assert image.getpixel((0, 0)) == (0, 255, 0, 255)
    assert image.getpixel((10, 10))[3] == 0


def test_opaque_images_lose_their_dead_alpha_channel_and_get_jpeg_thumbnails():
    data = files.image_bytes(files.two_tone(mode="RGBA"), "PNG")

    result = uploads.process_image(files.upload(data))
    assert reopen(result.content).mode == "RGB"
    assert reopen(result.thumbnail).format == "JPEG" and result.thumbnail.name.endswith(".jpg")


@pytest.mark.parametrize(
    ("mode", "image_format", "expected_format", "expected_mode"),
    [
        ("RGB", "WEBP", "WEBP", "RGB"),
        ("RGBA", "WEBP", "WEBP", "RGBA"),
        ("CMYK", "JPEG", "JPEG", "RGB"),
        ("L", "JPEG", "JPEG", "L"),
        ("1", "PNG", "PNG", "L"),
        ("LA", "PNG", "PNG", "LA"),
    ],
)
def test_formats_stay_what_they_are(mode, image_format, expected_format, expected_mode):
    source = Image.new(mode, (40, 30))
    if mode in ("RGBA", "LA"):
        source.putpixel((0, 0), (0, 0) if mode == "LA" else (0, 0, 0, 0))
    result = uploads.process_image(files.upload(files.image_bytes(source, image_format)))

    image = reopen(result.content)
    assert (image.format, image.mode) == (expected_format, expected_mode)
    assert result.content_type == f"image/{expected_format.lower()}"


def test_colour_profiles_are_applied_then_dropped_and_broken_ones_ignored():
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    with_profile = files.image_bytes(Image.new("RGBA", (20, 20), (200, 100, 50, 128)), "PNG", icc_profile=srgb)
    broken_profile = files.image_bytes(Image.new("RGB", (20, 20), (200, 100, 50)), "PNG", icc_profile=b"junk" * 50)

    for data, pixel in [(with_profile, (200, 100, 50, 128)), (broken_profile, (200, 100, 50))]:
        image = reopen(uploads.process_image(files.upload(data)).content)
        assert image.getpixel((3, 3)) == pixel
        assert "icc_profile" not in image.info


def test_sixteen_bit_grey_is_scaled_not_clipped_to_white():
    data = files.image_bytes(Image.new("I;16", (20, 20), 40000), "PNG")

    assert reopen(uploads.process_image(files.upload(data)).content).getpixel((5, 5)) == 40000 // 256


def test_gif_becomes_a_png_of_its_first_frame():
    result = uploads.process_image(files.upload(files.animated_gif(), "anim.gif", "image/gif"))

    image = reopen(result.content)
    assert image.format == "PNG" and result.content_type == "image/png"
    assert result.content.name.endswith(".png")
    assert not getattr(image, "is_animated", False)
    first_frame = Image.open(io.BytesIO(files.animated_gif())).convert("RGB").getpixel((0, 0))
    assert image.convert("RGB").getpixel((0, 0)) == first_frame


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (files.HTML, "photo.jpg"),
        (files.SVG, "logo.svg"),
        (files.SVG, "logo.png"),
        (files.PDF, "scan.jpg"),
        (b"just some text", "notes.png"),
        (files.zip_bytes(), "archive.webp"),
        (files.image_bytes(Image.new("RGB", (10, 10)), "BMP"), "legacy.jpg"),
        (files.image_bytes(Image.new("RGB", (10, 10)), "TIFF"), "scan.jpg"),
    ],
    ids=["html", "svg", "svg-as-png", "pdf", "text", "zip", "bmp", "tiff"],
)
def test_what_is_not_an_allowed_image_is_refused_whatever_its_name(data, name):
    assert refusal(data, name) == INVALID


def test_empty_file_is_refused():
    assert refusal(b"") == "The file is empty."


def test_too_big_file_is_refused_by_size_before_any_decoding(monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("decoded a file that is too big")

    monkeypatch.setattr(Image, "open", never)
    data = files.jpeg_with_metadata() + b"\0" * uploads.IMAGE_MAX_BYTES

    assert refusal(data) == "Images can be at most 10 MB."
    assert refusal(files.jpeg_with_metadata(), max_bytes=1536) == "Images can be at most 1.5 KB."


def test_decompression_bomb_pillow_refuses_is_refused_with_a_clear_message():
    bomb = files.png_bomb(20_000, 20_000)  # 48 KB that would decode to 400 million pixels
    assert len(bomb) < 100_000

    assert refusal(bomb, "bomb.png") == "This image has too many pixels: at most 40 million are allowed."


def test_too_many_pixels_are_refused_from_the_header():
    message = refusal(files.png_bomb(7_000, 7_000), "big.png")

    assert (
        message == "This image is too large (7000×7000 pixels): at most 25 million pixels are allowed in a PNG image."
    )


def test_pillow_bomb_warnings_are_errors_even_under_a_looser_cap():
    # 100 million pixels: over Pillow's own warning threshold, under this caller's cap.
    message = refusal(files.png_bomb(10_000, 10_000), max_pixels=200_000_000)

    assert message == "This image has too many pixels: at most 200 million are allowed."


def test_truncated_images_are_refused():
    noise = Image.effect_noise((300, 200), 80).convert("RGB")
    jpeg = files.image_bytes(noise, "JPEG")
    png = files.image_bytes(noise, "PNG")
    damaged = "This image is damaged or incomplete. Please save it again and upload the new file."

    assert refusal(jpeg[: len(jpeg) // 2]) == damaged
    assert refusal(jpeg[:-10]) == damaged
    assert refusal(png[: len(png) // 2], "p.png") == damaged


def test_stored_names_are_random_and_do_not_leak_the_original_name():
    data = files.jpeg_with_metadata()
    first = uploads.process_image(files.upload(data, "holiday-in-paris.jpg"))
    second = uploads.process_image(files.upload(data, "holiday-in-paris.jpg"))

    names = {first.content.name, first.thumbnail.name, second.content.name, second.thumbnail.name}
    assert len(names) == 4
    for name in names:
        assert re.fullmatch(r"[0-9a-f]{32}\.jpg", name), name


def test_random_name():
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", uploads.random_name(".PDF"))
    assert uploads.random_name("png") != uploads.random_name("png")
    for bad in ("", "../x", "p/g", "a" * 11):
        with pytest.raises(ValueError):
            uploads.random_name(bad)


@pytest.mark.parametrize(
    ("size", "expected"), [((2000, 500), (480, 120)), ((300, 900), (160, 480)), ((60, 40), (60, 40))]
)
def test_thumbnail_fits_480_without_upscaling(size, expected):
    data = files.image_bytes(files.two_tone(size), "JPEG")

    result = uploads.process_image(files.upload(data))
    assert (result.width, result.height) == size
    assert reopen(result.thumbnail).size == expected


def test_large_uploads_spooled_to_a_temporary_file_work():
    data = files.jpeg_with_metadata()
    upload = TemporaryUploadedFile("big.jpg", "image/jpeg", len(data), None)
    upload.write(data)
    upload.seek(0)

    assert uploads.process_image(upload).width == 200


VALID_IMAGES = [
    files.image_bytes(files.two_tone((24, 16)), "JPEG"),
    files.image_bytes(files.two_tone((24, 16)), "PNG"),
    files.image_bytes(files.two_tone((24, 16), mode="RGBA"), "WEBP"),
    files.animated_gif(),
]


@st.composite
def damaged_images(draw) -> bytes:
    """A valid image with some bytes overwritten, or cut short."""
    data = bytearray(draw(st.sampled_from(VALID_IMAGES)))
    for _ in range(draw(st.integers(0, 8))):
        data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    if draw(st.booleans()):
        data = data[: draw(st.integers(1, len(data) - 1))]
    return bytes(data)


@hypothesis_settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=2048), damaged_images()))
def test_no_bytes_crash_process_image(data):
    try:
        result = uploads.process_image(files.upload(data))
    except ValidationError as error:
        assert error.messages and all(error.messages)
    else:
        assert result.width > 0 and result.content.size > 0 and result.thumbnail.size > 0


# --- detect_file_type and process_file --------------------------------------------------------


def _without_id3(mp3: bytes) -> bytes:
    size = 10 + sum(byte << (7 * (3 - index)) for index, byte in enumerate(mp3[6:10]))
    return mp3[size:]


SAMPLES = {
    "pdf": lambda: files.PDF,
    "zip": files.zip_bytes,
    "epub": files.epub_bytes,
    "png": lambda: files.image_bytes(Image.new("RGB", (4, 4)), "PNG"),
    "jpeg": lambda: files.image_bytes(Image.new("RGB", (4, 4)), "JPEG"),
    "gif": files.animated_gif,
    "webp": lambda: files.image_bytes(Image.new("RGB", (4, 4)), "WEBP"),
    "mp3": lambda: files.audio_bytes("mp3", "libmp3lame"),
    "mp3 without ID3": lambda: _without_id3(files.audio_bytes("mp3", "libmp3lame")),
    "wav": files.wav_bytes,
    "flac": lambda: files.audio_bytes("flac", "flac"),
    "ogg": lambda: files.audio_bytes("ogg", "libopus", 48000),
    "mp4": lambda: files.video_bytes("mp4", "libx264"),
    "m4a": lambda: files.audio_bytes("ipod", "aac"),
    "webm": lambda: files.video_bytes("webm", "libvpx"),
    "mkv": lambda: files.video_bytes("matroska", "mpeg4"),
    "txt": lambda: "Grüße, 世界\n".encode() * 2000,
}


@pytest.mark.parametrize("label", SAMPLES)
def test_detect_file_type(label):
    upload = files.upload(SAMPLES[label](), "whatever.bin")

    assert uploads.detect_file_type(upload) == label.split()[0]
    assert upload.tell() == 0


def test_detect_flac_behind_an_id3_tag():
    tagged = b"ID3\x04\x00\x00\x00\x00\x00\x05" + b"\x00" * 5 + files.audio_bytes("flac", "flac")

    assert uploads.detect_file_type(files.upload(tagged)) == "flac"


def test_detect_text_names_csv_only_by_name():
    assert uploads.detect_file_type(files.upload(b"a,b\n1,2\n", "data.CSV")) == "csv"
    assert uploads.detect_file_type(files.upload(b"a,b\n1,2\n", "data.txt")) == "txt"


@pytest.mark.parametrize(
    "data",
    [
        b"MZ\x90\x00\x03" + b"\x00" * 100,  # a Windows executable
        b"\x7fELF\x02\x01\x01" + b"\x00" * 50,
        "café".encode("latin-1"),  # not UTF-8
        b"text with a \x00 NUL byte",
        b"ok text" * 1000 + b"\xff",  # invalid UTF-8 at the very end
        b"\x00\x00\x00\x18ftypheic",  # HEIC photos are not MP4 videos
        b"",
    ],
    ids=["exe", "elf", "latin-1", "nul", "bad-utf8-at-end", "heic", "empty"],
)
def test_detect_file_type_recognises_nothing_else(data):
    assert uploads.detect_file_type(files.upload(data)) is None


def test_process_file_renames_and_keeps_the_bytes():
    upload = files.upload(files.PDF, "My Book (2nd ed.).pdf", "text/html")

    result = uploads.process_file(upload, allowed=uploads.DIGITAL_PRODUCT_TYPES, max_bytes=1024)

    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", result.content.name)
    assert result.content_type == "application/pdf" and result.kind == "pdf"
    assert result.size == len(files.PDF)
    assert result.original_name == "My Book (2nd ed.).pdf"
    assert result.content.read() == files.PDF
    assert upload.name == "My Book (2nd ed.).pdf"  # the caller's object is not renamed


@pytest.mark.parametrize(
    ("name", "data", "original_name"),
    [
        ("page.html", files.HTML, "page.txt"),  # text, so stored and offered as text
        ("run-me.bat", b"del /s C:\\\r\n", "run-me.txt"),
        ("notes.md", b"# Notes\n", "notes.md"),
        ("../../etc/passwd", b"root:x:0:0\n", "passwd.txt"),
        ("C:\\Users\\me\\cv.pdf", files.PDF, "cv.pdf"),
        ("invoice\u202efdp.exe", files.PDF, "invoicefdp.pdf"),  # right-to-left override removed
        ("photo.jpg", files.image_bytes(Image.new("RGB", (4, 4)), "PNG"), "photo.png"),
        ('a<b>:"c"|?*.pdf', files.PDF, "a_b___c____.pdf"),
        ("...", files.PDF, "file.pdf"),
        ("Mr. Smith", files.PDF, "Mr. Smith.pdf"),
        ("x" * 300 + ".pdf", files.PDF, "x" * 196 + ".pdf"),
        ("book.epub", files.epub_bytes(), "book.epub"),
    ],
)
def test_process_file_offers_a_safe_name_matching_the_content(name, data, original_name):
    result = uploads.process_file(files.upload(data, name), allowed=uploads.DIGITAL_PRODUCT_TYPES, max_bytes=10**6)

    assert result.original_name == original_name
    assert len(result.original_name) <= 200


def file_refusal(upload, *, allowed=uploads.DIGITAL_PRODUCT_TYPES, max_bytes=10**6) -> str:
    with pytest.raises(ValidationError) as caught:
        uploads.process_file(upload, allowed=allowed, max_bytes=max_bytes)
    return " ".join(caught.value.messages)


def test_process_file_refuses_types_not_allowed_and_says_what_is():
    assert (
        file_refusal(files.upload(files.zip_bytes(), "a.pdf"), allowed={"pdf", "mp3", "png"})
        == "This kind of file can't be uploaded here. Allowed: PDF, PNG image and MP3 audio."
    )
    assert (
        file_refusal(files.upload(b"MZ\x90\x00", "setup.pdf"), allowed={"pdf"})
        == "This kind of file can't be uploaded here. Allowed: PDF."
    )


def test_a_more_specific_type_passes_where_its_general_kind_is_allowed():
    result = uploads.process_file(files.upload(files.epub_bytes(), "book.epub"), allowed={"zip"}, max_bytes=10**6)

    assert (result.kind, result.content_type, result.original_name) == ("zip", "application/zip", "book.epub")


def test_process_file_refuses_empty_and_oversize_files():
    assert file_refusal(files.upload(b"")) == "The file is empty."
    assert file_refusal(files.upload(b"x" * 1025), max_bytes=1024) == "Files can be at most 1 KB."
    huge = files.upload(files.PDF)
    huge.size = uploads.DIGITAL_PRODUCT_MAX_BYTES + 1  # what Django counted while receiving it
    assert file_refusal(huge, max_bytes=uploads.DIGITAL_PRODUCT_MAX_BYTES) == "Files can be at most 500 MB."


def test_process_file_rejects_unknown_type_keys():
    with pytest.raises(ValueError, match="svg"):
        uploads.process_file(files.upload(files.PDF), allowed={"pdf", "svg"}, max_bytes=100)


# --- Storage and serving ----------------------------------------------------------------------


def test_private_storage_is_outside_media_root(settings):
    storage = uploads.private_storage()

    assert isinstance(storage, FileSystemStorage)
    assert not str(storage.location).startswith(str(settings.MEDIA_ROOT))


def served(data: bytes = files.PDF, **options):
    response = uploads.serve_private_file(File(io.BytesIO(data), name="ab12.bin"), **options)
    body = b"".join(response.streaming_content)
    response.close()
    return response, body


def parsed_filename(header: str) -> str:
    """What a browser saves the file as: filename* (RFC 5987) when present, else filename."""
    if match := re.search(r"filename\*=UTF-8''([^;]+)", header):
        return unquote(match.group(1), errors="strict")
    message = email.message.Message()
    message["Content-Disposition"] = header
    return message.get_filename()


def test_serve_private_file_streams_a_download_with_safe_headers():
    response, body = served(download_name="Guide.pdf", content_type="application/pdf")

    assert body == files.PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == str(len(files.PDF))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == 'attachment; filename="Guide.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert "sandbox" in response["Content-Security-Policy"]


def test_serve_private_file_streams_a_stored_field_file(tmp_path):
    storage = FileSystemStorage(location=tmp_path)
    name = storage.save(uploads.random_name("pdf"), ContentFile(files.PDF))
    field_file = FieldFile(None, models.FileField(storage=storage), name)

    response = uploads.serve_private_file(field_file, download_name="Guide.pdf", content_type="application/pdf")
    assert b"".join(response.streaming_content) == files.PDF
    assert response["Content-Disposition"] == 'attachment; filename="Guide.pdf"'
    response.close()
    assert field_file.closed


def test_serve_private_file_defaults_to_octet_stream():
    response, _ = served(download_name="x.bin")

    assert response["Content-Type"] == "application/octet-stream"


@pytest.mark.parametrize(
    ("download_name", "header", "parsed"),
    [
        ('my "best" book.pdf', 'attachment; filename="my _best_ book.pdf"', "my _best_ book.pdf"),
        ("café.pdf", "attachment; filename=\"cafe.pdf\"; filename*=UTF-8''caf%C3%A9.pdf", "café.pdf"),
        (
            "Книга.pdf",
            "attachment; filename=\"download.pdf\"; filename*=UTF-8''%D0%9A%D0%BD%D0%B8%D0%B3%D0%B0.pdf",
            "Книга.pdf",
        ),
        (
            "back\\slash;50%.txt",
            "attachment; filename=\"slash_50.txt\"; filename*=UTF-8''slash%3B50%25.txt",
            "slash;50%.txt",
        ),
        ("evil\r\nSet-Cookie: a=b.txt", 'attachment; filename="evilSet-Cookie_ a=b.txt"', "evilSet-Cookie_ a=b.txt"),
        ("", 'attachment; filename="download"', "download"),
    ],
)
def test_download_names_are_escaped_per_rfc_6266(download_name, header, parsed):
    response, _ = served(download_name=download_name)

    assert response["Content-Disposition"] == header
    assert parsed_filename(header) == parsed


@pytest.mark.parametrize(
    ("content_type", "disposition"),
    [
        ("image/png", "inline"),
        ("image/jpeg", "inline"),
        ("image/svg+xml", "attachment"),
        ("text/html", "attachment"),
        ("application/pdf", "attachment"),
    ],
)
def test_inline_is_only_for_raster_images(content_type, disposition):
    response, _ = served(download_name="x", content_type=content_type, inline=True)

    assert response["Content-Disposition"].split(";")[0] == disposition


@hypothesis_settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_download_name_makes_a_valid_ascii_header(name):
    header = uploads.content_disposition(name)

    header.encode("ascii")
    assert "\r" not in header and "\n" not in header
    assert re.fullmatch(r'attachment; filename="[^"\\]*"(; filename\*=UTF-8\'\'[A-Za-z0-9%._~-]+)?', header)
    expected = uploads.sanitize_filename(name) or "download"
    encoded = header.partition("filename*=UTF-8''")[2]
    assert (unquote(encoded) if encoded else header.split('"')[1]) == expected


# --- Form fields ------------------------------------------------------------------------------


class ImagesForm(forms.Form):
    logo = uploads.ImageUploadField(required=False)
    photos = uploads.MultipleImageUploadField(max_files=3, required=False)
    download = uploads.PrivateFileField(allowed={"pdf", "zip"}, max_bytes=10_000, required=False)


def form_with(**uploaded) -> ImagesForm:
    return ImagesForm(data={}, files=MultiValueDict({key: list(value) for key, value in uploaded.items()}))


def jpeg_upload(name="p.jpg"):
    return files.upload(files.image_bytes(files.two_tone((50, 40)), "JPEG"), name)


def test_fields_render_what_the_browser_may_pick():
    html = str(ImagesForm())

    assert 'accept="image/jpeg,image/png,image/webp,image/gif"' in html
    assert "multiple" in str(ImagesForm()["photos"])
    assert 'accept=".pdf,.zip"' in str(ImagesForm()["download"])


def test_form_fields_clean_to_processed_uploads():
    form = form_with(
        logo=[jpeg_upload()], photos=[jpeg_upload(), jpeg_upload()], download=[files.upload(files.PDF, "a.pdf")]
    )

    assert form.is_valid(), form.errors
    assert isinstance(form.cleaned_data["logo"], uploads.ProcessedImage)
    assert [photo.width for photo in form.cleaned_data["photos"]] == [50, 50]
    assert form.cleaned_data["download"].content_type == "application/pdf"


def test_form_fields_without_uploads_clean_to_nothing():
    form = form_with()

    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"logo": None, "photos": [], "download": None}


def test_required_fields_still_say_so():
    class Required(forms.Form):
        logo = uploads.ImageUploadField()
        photos = uploads.MultipleImageUploadField()

    form = Required(data={}, files=MultiValueDict())
    assert form.errors == {"logo": ["This field is required."], "photos": ["This field is required."]}


def test_form_fields_report_refusals_on_the_field():
    form = form_with(
        logo=[files.upload(files.SVG, "logo.svg")],
        photos=[jpeg_upload(), files.upload(files.HTML, "cat.jpg")],
        download=[files.upload(files.HTML, "a.pdf")],
    )

    assert not form.is_valid()
    assert form.errors["logo"] == [INVALID]
    assert form.errors["photos"] == [f"cat.jpg: {INVALID}"]
    assert form.errors["download"] == ["This kind of file can't be uploaded here. Allowed: PDF and ZIP archive."]


def test_too_many_images_at_once_are_refused_before_decoding():
    form = form_with(photos=[jpeg_upload() for _ in range(4)])

    assert form.errors["photos"] == ["You can upload at most 3 images at a time; you chose 4."]


# --- Cheap checks first, bounded decoding ------------------------------------------------------


def never_decoded(monkeypatch):
    """Make any pixel decoding (Pillow's ImageFile.load) fail the test."""
    from PIL import ImageFile

    def refuse(self):
        raise AssertionError("decoded pixels")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)


def test_check_image_reads_the_header_only(monkeypatch):
    data = files.png_bomb(5_000, 5_000)
    never_decoded(monkeypatch)

    checked = uploads.check_image(files.upload(data, "big.png"))
    assert (checked.format, checked.width, checked.height, checked.size) == ("PNG", 5_000, 5_000, len(data))
    assert checked.upload.read() == data  # rewound, still open: ready to store or decode later


def test_check_image_refuses_what_process_image_refuses_without_decoding(monkeypatch):
    never_decoded(monkeypatch)

    for data, message in [
        (files.HTML, INVALID),
        (b"", "The file is empty."),
        (
            files.png_bomb(7_000, 7_000),
            "This image is too large (7000×7000 pixels): at most 25 million pixels are allowed in a PNG image.",
        ),
    ]:
        with pytest.raises(ValidationError) as caught:
            uploads.check_image(files.upload(data))
        assert caught.value.messages == [message]


def test_a_cap_per_format():
    caps = {"JPEG": 2_000, "PNG": 2_000, "GIF": 2_000, "WEBP": 1_000}
    webp = files.image_bytes(Image.new("RGB", (40, 30)), "WEBP")  # 1,200 pixels
    png = files.image_bytes(Image.new("RGB", (40, 30)), "PNG")

    assert uploads.check_image(files.upload(png), max_pixels=caps).width == 40
    with pytest.raises(ValidationError) as caught:
        uploads.check_image(files.upload(webp), max_pixels=caps)
    assert caught.value.messages == [
        "This image is too large (40×30 pixels): at most 0.001 million pixels are allowed in a WebP image."
    ]


# The safe caps are the defaults: a caller who names none gets them (issue 10: a 40 MP WebP of
# 69 KB took 680 MB to decode under the old 40 MP cap for every format).
@pytest.mark.parametrize(
    "image_format, width, height, cap, name",
    [
        ("JPEG", 6_400, 6_400, 40, "JPEG"),
        ("PNG", 6_300, 6_300, 25, "PNG"),  # the issue's PNG: under the old 40 MP cap
        ("PNG", 5_001, 5_000, 25, "PNG"),
        ("WEBP", 3_465, 3_465, 12, "WebP"),
        ("GIF", 3_465, 3_465, 12, "GIF"),
    ],
)
def test_by_default_each_format_has_its_own_pixel_cap_checked_from_the_header(
    monkeypatch, image_format, width, height, cap, name
):
    bomb = files.image_bomb(image_format, width, height)
    assert len(bomb) < 600_000
    never_decoded(monkeypatch)
    expected = [
        f"This image is too large ({width}×{height} pixels): "
        f"at most {cap} million pixels are allowed in a {name} image."
    ]

    for refuse in (
        uploads.check_image,
        uploads.process_image,
        uploads.ImageUploadField().clean,
        uploads.ImageUploadField(decode=False).clean,
    ):
        with pytest.raises(ValidationError) as caught:
            refuse(files.upload(bomb, "bomb.img"))
        assert caught.value.messages == expected, refuse


@pytest.mark.parametrize(
    "image_format, width, height",
    [("JPEG", 6_324, 6_324), ("PNG", 5_000, 5_000), ("WEBP", 3_464, 3_464), ("GIF", 3_464, 3_464)],
)
def test_the_default_caps_take_an_image_at_the_cap_without_decoding(monkeypatch, image_format, width, height):
    data = files.image_bomb(image_format, width, height)
    never_decoded(monkeypatch)

    checked = uploads.check_image(files.upload(data))
    assert (checked.format, checked.width, checked.height) == (image_format, width, height)


def test_by_default_a_stored_image_fits_2560_pixels_and_a_big_jpeg_is_decoded_at_a_reduced_scale(monkeypatch):
    from PIL import JpegImagePlugin

    drafts = []
    real_draft = JpegImagePlugin.JpegImageFile.draft

    def spy(self, mode, size):
        result = real_draft(self, mode, size)
        drafts.append(self.size)
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", spy)

    jpeg = uploads.process_image(files.upload(files.image_bytes(files.two_tone((6000, 3000)), "JPEG")))
    assert (jpeg.width, jpeg.height) == reopen(jpeg.content).size == (2560, 1280)
    assert drafts == [(3000, 1500)]  # decoded at half of each side: a quarter of the pixels
    png = uploads.process_image(files.upload(files.image_bytes(files.two_tone((3000, 1000)), "PNG")))
    assert (png.width, png.height) == (2560, 853)
    assert uploads.IMAGE_MAX_SIDE == 2560


def test_process_image_takes_a_checked_image_and_max_side_fits_it():
    checked = uploads.check_image(files.upload(files.image_bytes(files.two_tone((3000, 1000)), "PNG")))

    result = uploads.process_image(checked, max_side=600)
    assert (result.width, result.height) == reopen(result.content).size == (600, 200)
    red, _, blue = reopen(result.content).getpixel((100, 100))
    assert red > 200 and blue < 60  # the left half is still red: resampled, not cropped


@pytest.mark.parametrize("mode", ["RGBA", "LA", "P"])
def test_max_side_keeps_transparency(mode):
    source = files.two_tone((800, 400), left=(255, 0, 0, 255), right=(0, 0, 0, 0), mode="RGBA")
    if mode == "LA":
        source = source.convert("LA")
    elif mode == "P":
        source = source.convert("P", palette=Image.Palette.ADAPTIVE)
        source.info["transparency"] = source.getpixel((700, 10))
    data = files.image_bytes(source, "PNG", **({"transparency": source.info["transparency"]} if mode == "P" else {}))

    image = reopen(uploads.process_image(files.upload(data), max_side=200).content)
    assert image.size == (200, 100)
    assert image.getpixel((190, 50))[-1] == 0 and image.getpixel((10, 50))[-1] == 255


def test_a_big_jpeg_is_decoded_at_a_reduced_scale_and_still_upright(monkeypatch):
    from PIL import JpegImagePlugin

    drafts = []
    real_draft = JpegImagePlugin.JpegImageFile.draft

    def spy(self, mode, size):
        result = real_draft(self, mode, size)
        drafts.append(self.size)
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", spy)
    data = files.jpeg_with_metadata(orientation=6, size=(2000, 1000))

    result = uploads.process_image(files.upload(data), max_side=400)
    assert drafts == [(500, 250)]  # decoded at a quarter of each side: 1/16 of the pixels
    image = reopen(result.content)
    assert image.size == (result.width, result.height) == (200, 400)
    red, _, blue = image.getpixel((100, 40))
    assert red > 200 and blue < 60
    assert files.SECRET not in result.content.read()


class DeferredForm(uploads.UploadForm):
    title = forms.CharField(max_length=5)
    photos = uploads.MultipleImageUploadField(max_files=3, required=False)
    logo = uploads.ImageUploadField(required=False)


def test_an_upload_form_decodes_nothing_when_another_field_is_refused(monkeypatch):
    photos = [jpeg_upload(), jpeg_upload()]
    never_decoded(monkeypatch)

    form = DeferredForm(
        data={"title": "far too long"}, files=MultiValueDict({"photos": photos, "logo": [jpeg_upload()]})
    )
    assert not form.is_valid()
    assert list(form.errors) == ["title"]


def test_an_upload_form_decodes_once_everything_else_is_valid():
    form = DeferredForm(
        data={"title": "ok"}, files=MultiValueDict({"photos": [jpeg_upload(), jpeg_upload()], "logo": [jpeg_upload()]})
    )

    assert form.is_valid(), form.errors
    assert [photo.width for photo in form.cleaned_data["photos"]] == [50, 50]
    assert isinstance(form.cleaned_data["logo"], uploads.ProcessedImage)


def test_an_upload_form_reports_a_damaged_image_found_while_decoding_on_its_field():
    noise = files.image_bytes(Image.effect_noise((300, 200), 80).convert("RGB"), "JPEG")
    form = DeferredForm(
        data={"title": "ok"}, files=MultiValueDict({"photos": [files.upload(noise[:-2000], "cut.jpg")]})
    )

    assert not form.is_valid()
    assert form.errors["photos"] == [
        "cut.jpg: This image is damaged or incomplete. Please save it again and upload the new file."
    ]


def test_decode_false_hands_over_checked_images(monkeypatch):
    class Later(forms.Form):
        photos = uploads.MultipleImageUploadField(max_files=3, decode=False)

    never_decoded(monkeypatch)
    form = Later(data={}, files=MultiValueDict({"photos": [jpeg_upload("a.jpg"), jpeg_upload("b.jpg")]}))
    assert form.is_valid(), form.errors
    assert [(item.format, item.upload.name) for item in form.cleaned_data["photos"]] == [
        ("JPEG", "a.jpg"),
        ("JPEG", "b.jpg"),
    ]
