"""Form fields that hand the form a ProcessedImage, a list of them, or a ProcessedFile."""

from django import forms
from django.core.exceptions import ValidationError

from .common import sanitize_filename
from .files import _DOWNLOAD_EXTENSIONS, FILE_TYPES, process_file
from .images import IMAGE_ACCEPT, IMAGE_MAX_BYTES, IMAGE_MAX_PIXELS, process_image


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
