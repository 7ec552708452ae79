from django import forms

from shomp.core.params import parse_id
from shomp.core.uploads import ImageUploadField, MultipleImageUploadField, UploadForm
from shomp.stores.services import LOGO_MAX_PIXELS, LOGO_MAX_SIDE

from . import design, services


class ColorInput(forms.TextInput):
    input_type = "color"


class CustomizeForm(forms.Form):
    """The draft: colours, fonts, corners, layout, banner and custom CSS. The services check
    every value again (a colour that isn't one, a font or option not offered, another store's
    asset, hostile CSS)."""

    custom_css = forms.CharField(
        label="Custom CSS",
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 10, "spellcheck": "false", "class": "font-monospace small", "autocomplete": "off"}
        ),
        help_text="Applies to your store's pages only. Use url(name) for an image from your Assets.",
    )

    def __init__(self, *args, assets=(), **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in design.COLOR_FIELDS.items():
            self.fields[key] = forms.CharField(label=label, required=False, max_length=100, widget=ColorInput())
        for key, label in design.FONT_FIELDS.items():
            self.fields[key] = forms.CharField(
                label=f"{label} font", required=False, widget=forms.Select(choices=design.FONT_CHOICES)
            )
        self.fields["radius"] = forms.CharField(
            label="Corners", required=False, widget=forms.Select(choices=design.RADIUS_CHOICES)
        )
        for key, (label, choices) in design.LAYOUT_CHOICES.items():
            self.fields[key] = forms.CharField(label=label, required=False, widget=forms.Select(choices=choices))
        self.fields["banner_image"] = forms.CharField(
            label="Banner image",
            required=False,
            widget=forms.Select(choices=[("", "No banner image")] + [(str(a.pk), a.name) for a in assets]),
        )
        # Field order: colours, fonts, layout, banner, CSS.
        order = [
            *design.COLOR_FIELDS,
            *design.FONT_FIELDS,
            "radius",
            *design.LAYOUT_CHOICES,
            "banner_image",
            "custom_css",
        ]
        self.order_fields(order)
        for name, field in self.fields.items():
            css = (
                "form-control form-control-color w-100"
                if isinstance(field.widget, ColorInput)
                else ("form-select form-select-sm" if isinstance(field.widget, forms.Select) else "form-control")
            )
            field.widget.attrs["class"] = f"{css} {field.widget.attrs.get('class', '')}".strip()
            field.widget.attrs["aria-describedby"] = f"err-{name}"

    def color_fields(self):
        return [self[key] for key in design.COLOR_FIELDS]

    def font_fields(self):
        return [self[key] for key in (*design.FONT_FIELDS, "radius")]

    def layout_fields(self):
        return [self[key] for key in design.LAYOUT_CHOICES]

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        banner = data.get("banner_image") or None
        return {
            "colors": {key: data.get(key, "") for key in design.COLOR_FIELDS},
            "fonts": {key: data.get(key, "") for key in design.FONT_FIELDS},
            "radius": data.get("radius", ""),
            "layout": {key: data[key] for key in design.LAYOUT_CHOICES if data.get(key)},
            "banner_asset_id": None if banner is None else (parse_id(banner) or -1),
            "custom_css": data.get("custom_css", ""),
        }


class AssetUploadForm(forms.Form):
    files = MultipleImageUploadField(
        label="Images",
        decode=False,  # the service decodes, within the store's quota
        max_files=services.ASSET_FILES_PER_UPLOAD,
        max_bytes=services.ASSET_MAX_BYTES,
        max_pixels=services.ASSET_MAX_PIXELS,
        max_side=services.ASSET_MAX_SIDE,
        help_text="JPEG, PNG, WebP or GIF, up to 5 at a time. They are re-encoded and their metadata removed.",
    )
    name = forms.CharField(
        label="Name (optional)",
        required=False,
        max_length=60,
        help_text="How custom CSS names it: url(name). Lowercase letters, digits and dashes.",
    )


class AssetRenameForm(forms.Form):
    name = forms.CharField(label="Name", max_length=60)


class LogoForm(UploadForm):
    """The store's logo from the Customize page (Store.logo, as store settings set it: the same
    caps, decoded only after the cheap checks pass)."""

    logo = ImageUploadField(
        label="Logo",
        max_pixels=LOGO_MAX_PIXELS,
        max_side=LOGO_MAX_SIDE,
        help_text="JPEG, PNG, WebP or GIF, up to 10 MB. It shows on your store at once.",
    )
