from django import forms

from shomp.core.uploads import ImageUploadField, UploadForm

from .models import Store, time_zone_choices

# A logo is decoded in the seller's request (anyone signed in may open a store), so its caps are
# lower than core.uploads' defaults, which the media worker affords. Measured (process_image to
# 1024 px, flat images, the cheapest files for the most pixels): a 40 MP JPEG +20 MB and 0.1 s
# (decoded at 1/8 scale), a 16 MP PNG +120 MB and 0.5 s with alpha, an 8 MP WebP +125 MB and
# 0.4 s, an 8 MP GIF +60 MB: a request stays under 256 MB and 2 s (bench/uploads.py's store/).
LOGO_MAX_PIXELS = {"JPEG": 40_000_000, "PNG": 16_000_000, "WEBP": 8_000_000, "GIF": 8_000_000}
LOGO_MAX_SIDE = 1024  # stored (and decoded, for a JPEG) at most this large; pages show the thumbnail


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
