from django import forms

from shomp.core.uploads import ImageUploadField, UploadForm

from .models import Store, time_zone_choices
from .services import LOGO_MAX_PIXELS, LOGO_MAX_SIDE


class StoreForm(UploadForm):
    """An UploadForm: the logo is checked from its header while the form cleans, and decoded only
    once every other field is valid."""

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
    logo = ImageUploadField(
        required=False,
        label="Logo",
        max_pixels=LOGO_MAX_PIXELS,
        max_side=LOGO_MAX_SIDE,
        help_text="JPEG, PNG, WebP or GIF, up to 10 MB.",
    )

    def __init__(self, *args, store: Store | None = None, **kwargs):
        if store is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": store.name,
                    "slug": store.slug,
                    "description": store.description,
                    "review_policy": store.review_policy,
                    "time_zone": store.time_zone,
                },
            )
        super().__init__(*args, **kwargs)
        if store is not None:
            self.fields["slug"].required = True
            self.fields["slug"].help_text = "Changing it breaks links to your old address."
            self.fields["remove_logo"] = forms.BooleanField(required=False, label="Remove the current logo")
            self.fields["time_zone"] = forms.ChoiceField(
                choices=[("", "Keep as it is"), *time_zone_choices()],
                required=False,
                label="Time zone",
                help_text="Your days start at midnight here: analytics ranges, and when sales start and end.",
            )
            # A settings form posted without it (a page from before it existed) keeps the setting.
            self.fields["review_policy"] = forms.ChoiceField(
                choices=Store.ReviewPolicy.choices,
                required=False,
                label="Who may review",
                help_text=(
                    "Buyers only: a product review needs a paid order of that product, a store review a "
                    "paid order from your store. Anyone logged in: people who didn't buy here can review "
                    "too; their reviews are marked Unverified and listed after the verified ones. Reviews "
                    "already written stay either way."
                ),
            )
