"""Theme (shipped as data), StoreSettings (a store's draft and published design) and StoreAsset
(images a store uploads for its banner and custom CSS). The store logo stays on stores.Store."""

from django.db import models

from shomp.stores.models import Store

from .sanitizer import ASSET_NAME_PATTERN


class Theme(models.Model):
    """A pre-built look: colours, fonts and radius (`css_variables`, over Bootstrap 5.3's) and
    layout options. Loaded from data/themes.json by a migration and `sync_themes`."""

    key = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=60)
    description = models.CharField(max_length=200, blank=True)
    css_variables = models.JSONField(default=dict)
    layout_options = models.JSONField(default=dict)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class StoreAsset(models.Model):
    """An image a store uses (banner, backgrounds named from its custom CSS). Re-encoded
    without metadata by core.uploads; named for url(name) in custom CSS."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="theme_assets")
    name = models.CharField(max_length=60)
    image = models.ImageField(upload_to="themes/assets/")
    thumbnail = models.ImageField(upload_to="themes/assets/thumbs/")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size_bytes = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["store", "name"], name="themes_asset_unique_name"),
            models.CheckConstraint(
                condition=models.Q(name__regex=r"^" + ASSET_NAME_PATTERN + r"$"), name="themes_asset_name_format"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class StoreSettings(models.Model):
    """A store's design. The columns are the draft the seller edits and previews; `published`
    (a snapshot of what the storefront needs), `published_css` and `published_hash` are what
    buyers get, replaced as a whole by `services.publish`."""

    store = models.OneToOneField(Store, on_delete=models.CASCADE, related_name="theme_settings")
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    colors = models.JSONField(default=dict, blank=True)  # overrides of the theme's colours
    fonts = models.JSONField(default=dict, blank=True)  # heading_font, body_font
    layout = models.JSONField(default=dict, blank=True)  # overrides of the theme's layout options
    radius = models.CharField(max_length=10, blank=True)
    banner_image = models.ForeignKey(StoreAsset, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    custom_css = models.TextField(blank=True)
    draft_version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    published = models.JSONField(default=dict, blank=True)
    published_css = models.TextField(blank=True)
    published_hash = models.CharField(max_length=16, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "store settings"

    def __str__(self) -> str:
        return f"Design of {self.store_id}"
