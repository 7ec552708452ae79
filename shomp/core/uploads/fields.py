"""Form fields for uploads, and UploadForm, which decodes images only once everything else is valid.

The image fields check what is cheap while the form cleans (count, size, type and declared
pixels, from the header: nothing is decoded), with core.uploads' safe caps unless told others.
Decoding then happens:

- with `decode=False`: never in the form; the cleaned value is the CheckedImage (or a list of
  them) for a task to decode later (core.uploads.process_image takes one);
- in an UploadForm: after every other field and the form's own clean() have passed, so a
  refused form never costs a decode;
- in any other form: while the field cleans, as before.
"""

from django import forms
from django.core.exceptions import ValidationError

from .common import sanitize_filename
from .files import _DOWNLOAD_EXTENSIONS, FILE_TYPES, process_file
from .images import (
    IMAGE_ACCEPT,
    IMAGE_MAX_BYTES,
    IMAGE_MAX_PIXELS,
    IMAGE_MAX_SIDE,
    CheckedImage,
    PixelCap,
    check_image,
    process_image,
)


class _ImageFieldMixin:
    """What both image fields share: the caps, and decoding now, later in the form, or never."""

    def _setup(self, *, max_bytes: int, max_pixels: PixelCap, max_side: int, decode: bool) -> None:
        self.max_bytes, self.max_pixels, self.max_side, self.decode = max_bytes, max_pixels, max_side, decode
        self.deferred = False  # set by UploadForm on its own copy of the field

    def _check(self, upload) -> CheckedImage:
        return check_image(upload, max_bytes=self.max_bytes, max_pixels=self.max_pixels)

    def _decode(self, checked: CheckedImage):
        return process_image(checked, max_bytes=self.max_bytes, max_pixels=self.max_pixels, max_side=self.max_side)

    def _finish(self, checked):
        """The cleaned value: decoded now, unless the form (UploadForm) or a task decodes later."""
        return checked if self.deferred or not self.decode else self.process(checked)


class ImageUploadField(_ImageFieldMixin, forms.FileField):
    """One image; the cleaned value is a ProcessedImage (a CheckedImage with decode=False), or None
    when no new file was given."""

    def __init__(
        self,
        *,
        max_bytes: int = IMAGE_MAX_BYTES,
        max_pixels: PixelCap = IMAGE_MAX_PIXELS,
        max_side: int = IMAGE_MAX_SIDE,
        decode: bool = True,
        **kwargs,
    ):
        self._setup(max_bytes=max_bytes, max_pixels=max_pixels, max_side=max_side, decode=decode)
        kwargs.setdefault("widget", forms.FileInput(attrs={"accept": IMAGE_ACCEPT}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        value = super().clean(data, initial)
        if not value or value is initial:
            return None
        return self._finish(self._check(value))

    def process(self, checked: CheckedImage | None):
        return None if checked is None else self._decode(checked)


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleImageUploadField(_ImageFieldMixin, forms.FileField):
    """Several images from one <input multiple>; the cleaned value is a list of ProcessedImage
    (of CheckedImage with decode=False). Too many files are refused before any is looked at."""

    def __init__(
        self,
        *,
        max_files: int = 10,
        max_bytes: int = IMAGE_MAX_BYTES,
        max_pixels: PixelCap = IMAGE_MAX_PIXELS,
        max_side: int = IMAGE_MAX_SIDE,
        decode: bool = True,
        **kwargs,
    ):
        self.max_files = max_files
        self._setup(max_bytes=max_bytes, max_pixels=max_pixels, max_side=max_side, decode=decode)
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
        file_clean = super().clean  # FileField's own checks (a name, not empty) for each file
        return self._finish(_each(files, lambda upload: self._check(file_clean(upload))))

    def process(self, checked: list[CheckedImage]):
        return _each(checked, self._decode)


def _each(items, func) -> list:
    """func(item) for every item; the refusals of all of them together, each named by its file."""
    results, errors = [], []
    for item in items:
        try:
            results.append(func(item))
        except ValidationError as error:
            upload = item.upload if isinstance(item, CheckedImage) else item
            label = sanitize_filename(getattr(upload, "name", "") or "") or "A file"
            errors.extend(f"{label}: {message}" for message in error.messages)
    if errors:
        raise ValidationError(errors)
    return results


class UploadForm(forms.Form):
    """A form whose image fields decode last: only when every other field, the form's clean()
    and the cheap checks of every upload have passed. Refused forms cost no decoding."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, _ImageFieldMixin) and field.decode:
                field.deferred = True

    def _post_clean(self):
        super()._post_clean()
        if self._errors:
            return
        for name, field in self.fields.items():
            if getattr(field, "deferred", False) and name in self.cleaned_data:
                try:
                    self.cleaned_data[name] = field.process(self.cleaned_data[name])
                except ValidationError as error:
                    self.add_error(name, error)


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
