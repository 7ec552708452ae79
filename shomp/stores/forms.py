from django import forms

from shomp.core.uploads import ImageUploadField

from .models import Store


class StoreForm(forms.Form):
    name = forms.CharField(max_length=80, label="Store name")
    slug = forms.CharField(
        max_length=50,
        required=False,
        label="Store address",
        help_text="Your store lives at shomp/&lt;address&gt;. Lower-case letters, digits and hyphens. "
        "Leave empty to derive it from the name.",
    )
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), max_length=5000, required=False, label="Description"
    )
    logo = ImageUploadField(required=False, label="Logo", help_text="JPEG, PNG, WebP or GIF, up to 10 MB.")

    def __init__(self, *args, store: Store | None = None, **kwargs):
        if store is not None:
            kwargs.setdefault("initial", {"name": store.name, "slug": store.slug, "description": store.description})
        super().__init__(*args, **kwargs)
        if store is not None:
            self.fields["slug"].required = True
            self.fields["slug"].help_text = "Changing it breaks links to your old address."
            self.fields["remove_logo"] = forms.BooleanField(required=False, label="Remove the current logo")
