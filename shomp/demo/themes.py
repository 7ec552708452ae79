"""The demo stores' looks: each store a different theme, Inkwell & Ash with a banner image and
its own custom CSS, all published, so the storefronts differ at a glance.

Called by `seed_demo` inside its transaction, after the stores exist. Everything goes through the
themes services (apply, upload the banner through core.uploads, customize, publish), as the
Customize page does. Idempotent: a store that has published a design is left as it is.
"""

from __future__ import annotations

import io
from collections import Counter

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from shomp.stores.models import Store
from shomp.themes import services as themes
from shomp.themes.models import StoreSettings

#: store slug -> theme key (the six shipped themes, one each).
THEMES = {
    "inkwell-and-ash": "editorial",
    "fern-and-kiln": "botanical",
    "purl-theory": "candy",
    "marginalia-press": "studio",
    "low-tide-audio": "midnight",
    "silver-thread": "classic",
}
CUSTOM_CSS_STORE = "inkwell-and-ash"
CUSTOM_CSS = """/* Ink-stamped product cards and a red rule under the store's name */
.store-header h1 {
  letter-spacing: 0.02em;
  border-bottom: 3px solid #b00020;
  padding-bottom: 0.25rem;
}
.product-card {
  border: 2px solid #111111;
  box-shadow: 4px 4px 0 #111111;
}
.product-card:hover {
  transform: translate(-2px, -2px);
  box-shadow: 6px 6px 0 #b00020;
}
"""


def _banner() -> SimpleUploadedFile:
    """A paper-and-ink banner drawn here (no file shipped): stripes of ink on warm paper."""
    image = Image.new("RGB", (1600, 400), (246, 241, 232))
    draw = ImageDraw.Draw(image)
    for x in range(-400, 1600, 48):
        draw.line([(x, 400), (x + 400, 0)], fill=(30, 30, 30), width=6)
    draw.rectangle([(0, 360), (1600, 400)], fill=(176, 0, 32))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return SimpleUploadedFile("inkwell-banner.jpg", buffer.getvalue(), content_type="image/jpeg")


def seed(*, stores: dict[str, Store], created: Counter) -> None:
    published = set(
        StoreSettings.objects.filter(store__in=stores.values())
        .exclude(published_hash="")
        .values_list("store_id", flat=True)
    )
    for slug, theme_key in THEMES.items():
        store = stores.get(slug)
        if store is None or store.pk in published:
            continue
        themes.apply_theme(store=store, theme_key=theme_key)
        if slug == CUSTOM_CSS_STORE:
            (banner,) = themes.upload_assets(store=store, files=[_banner()], names=["banner"])
            themes.customize_store(
                store=store,
                banner_asset_id=banner.pk,
                layout={"banner_height": "medium"},
                custom_css=CUSTOM_CSS,
            )
        themes.publish(store=store)
        created["store designs"] += 1
