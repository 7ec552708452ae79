"""Writes of a store's design (spec Shomp.Themes: apply_theme, customize_store, upload_assets,
publish). Keyword-only, typed; each owns its transaction and refuses bad input with a
ValidationError keyed by field, saving nothing. Who may call them is the views' question
(the door's "appearance" area)."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from shomp.core import uploads
from shomp.stores import services as stores_services
from shomp.stores.models import Store

from . import design, stylesheet
from .models import StoreAsset, StoreSettings, Theme
from .sanitizer import ASSET_NAME_RE, CSSRejected, sanitize

THEMES_FILE = Path(__file__).resolve().parent / "data" / "themes.json"

# Assets: a store's quota, and the caps of one upload (decoded in the request, as store logos).
ASSET_MAX_COUNT = 30
ASSET_QUOTA_BYTES = 25 * 1024 * 1024
ASSET_MAX_BYTES = 5 * 1024 * 1024
ASSET_MAX_PIXELS = {"JPEG": 24_000_000, "PNG": 16_000_000, "WEBP": 8_000_000, "GIF": 8_000_000}
ASSET_MAX_SIDE = 2560
ASSET_FILES_PER_UPLOAD = 5


def load_builtin_themes() -> list[dict]:
    return json.loads(THEMES_FILE.read_text())


def sync_themes() -> int:
    """Create or update the shipped themes from data/themes.json (idempotent)."""
    count = 0
    with transaction.atomic():
        for position, data in enumerate(load_builtin_themes()):
            Theme.objects.update_or_create(
                key=data["key"],
                defaults={
                    "name": data["name"],
                    "description": data["description"],
                    "css_variables": data["css_variables"],
                    "layout_options": data["layout_options"],
                    "position": position,
                },
            )
            count += 1
    return count


def settings_for(*, store: Store, lock: bool = False) -> StoreSettings:
    """The store's settings row, made on first use (Classic theme, nothing published)."""
    queryset = StoreSettings.objects.select_related("theme", "banner_image")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    found = queryset.filter(store=store).first()
    if found:
        return found
    try:
        with transaction.atomic():
            StoreSettings.objects.create(store=store, theme=Theme.objects.filter(key="classic").first())
    except IntegrityError:
        pass  # made meanwhile by another request
    return queryset.get(store=store)


def _touch(settings: StoreSettings) -> None:
    settings.draft_version += 1
    settings.save()


def apply_theme(*, store: Store, theme_key: str) -> StoreSettings:
    """Put `theme_key` on the draft; the store's colour, font, radius and layout choices go back
    to the theme's (banner and custom CSS stay)."""
    theme = Theme.objects.filter(key=str(theme_key)[:40]).first()
    if theme is None:
        raise ValidationError({"theme": "That theme doesn't exist. Pick one of the themes shown."})
    with transaction.atomic():
        settings = settings_for(store=store, lock=True)
        settings.theme = theme
        settings.colors, settings.fonts, settings.layout, settings.radius = {}, {}, {}, ""
        _touch(settings)
    return settings


def customize_store(
    *,
    store: Store,
    colors: dict[str, str] | None = None,
    fonts: dict[str, str] | None = None,
    radius: str | None = None,
    layout: dict | None = None,
    banner_asset_id: int | str | None = "",
    custom_css: str | None = None,
) -> StoreSettings:
    """Change the draft. Arguments left None are kept; `banner_asset_id` "" keeps, None removes.
    All or nothing: any bad value raises ValidationError({field: message}) and saves nothing."""
    errors: dict[str, list[str]] = {}
    with transaction.atomic():
        settings = settings_for(store=store, lock=True)
        if colors is not None:
            clean_colors = {}
            for key, label in design.COLOR_FIELDS.items():
                raw = (colors.get(key) or "").strip()
                if not raw:
                    continue
                parsed = design.parse_color(raw)
                if parsed is None:
                    errors.setdefault(key, []).append(
                        f"{label}: “{raw[:20]}” is not a colour. Use a hex colour like #1a2b3c."
                    )
                else:
                    clean_colors[key] = parsed
            settings.colors = clean_colors
        if fonts is not None:
            clean_fonts = {}
            for key, label in design.FONT_FIELDS.items():
                value = fonts.get(key) or ""
                if value and value not in design.FONTS:
                    errors.setdefault(key, []).append(f"{label}: choose one of the fonts offered.")
                elif value:
                    clean_fonts[key] = value
            settings.fonts = clean_fonts
        if radius is not None:
            if radius and radius not in dict(design.RADIUS_CHOICES):
                errors.setdefault("radius", []).append("Choose one of the corner styles offered.")
            settings.radius = radius
        if layout is not None:
            clean_layout, layout_errors = design.clean_layout(layout)
            for key, message in layout_errors.items():
                errors.setdefault(key, []).append(message)
            settings.layout = clean_layout
        if banner_asset_id != "":
            if banner_asset_id is None:
                settings.banner_image = None
            else:
                asset = StoreAsset.objects.filter(store=store, pk=banner_asset_id).first()
                if asset is None:
                    errors.setdefault("banner_image", []).append("That image is not one of your store's assets.")
                settings.banner_image = asset
        if custom_css is not None:
            names = set(StoreAsset.objects.filter(store=store).values_list("name", flat=True))
            try:
                settings.custom_css = sanitize(custom_css, asset_names=names) if custom_css.strip() else ""
            except CSSRejected as rejected:
                errors.setdefault("custom_css", []).extend(rejected.messages)
        if errors:
            transaction.set_rollback(True)
            raise ValidationError(errors)
        _touch(settings)
    return settings


def draft_design(settings: StoreSettings) -> dict:
    theme = settings.theme
    return stylesheet.resolve(
        theme_variables=theme.css_variables if theme else {},
        colors=settings.colors,
        fonts=settings.fonts,
        radius=settings.radius,
        layout=settings.layout,
        theme_layout=theme.layout_options if theme else {},
    )


def asset_urls(*, store: Store) -> dict[str, str]:
    return {a.name: a.image.url for a in StoreAsset.objects.filter(store=store).only("name", "image")}


def build_draft_css(settings: StoreSettings) -> str:
    return stylesheet.build(
        resolved=draft_design(settings), custom_css=settings.custom_css, asset_urls=asset_urls(store=settings.store)
    )


def publish(*, store: Store) -> StoreSettings:
    """Make the draft what buyers see: the stylesheet is built (custom CSS checked again against
    the assets as they are now), hashed into a new URL, and the storefront's snapshot replaced."""
    with transaction.atomic():
        settings = settings_for(store=store, lock=True)
        resolved = draft_design(settings)
        urls = asset_urls(store=store)
        try:
            css = stylesheet.build(resolved=resolved, custom_css=settings.custom_css, asset_urls=urls)
        except CSSRejected as rejected:
            raise ValidationError({"custom_css": rejected.messages}) from None
        banner = settings.banner_image
        used_assets = sorted(name for name in urls if f'url("{name}")' in settings.custom_css)
        settings.published = {
            "theme": settings.theme.key if settings.theme else "",
            "classes": design.layout_classes(resolved["layout"]),
            "banner_url": banner.image.url if banner else "",
            "banner_asset": banner.name if banner else "",
            "assets": used_assets,
            "draft_version": settings.draft_version,
        }
        settings.published_css = css
        settings.published_hash = stylesheet.content_hash(css)
        settings.published_at = timezone.now()
        settings.save()
    return settings


# Assets ----------------------------------------------------------------------------------------


def _asset_name(store: Store, wanted: str, taken: set[str]) -> str:
    base = "".join(c if c.isalnum() and c.isascii() else "-" for c in wanted.lower()).strip("-_")[:50] or "image"
    if not base[0].isalnum():
        base = "image"
    name, n = base, 2
    while name in taken:
        name = f"{base}-{n}"
        n += 1
    return name


def upload_assets(*, store: Store, files: list, names: list[str] | None = None) -> list[StoreAsset]:
    """Store images for the store's design: each checked by content, decoded under pixel caps,
    re-encoded without metadata (core.uploads.process_image), within the store's quota. All or
    nothing: ValidationError({"files": [...]}) names the problem and saves nothing."""
    if not files:
        raise ValidationError({"files": "Choose at least one image."})
    if len(files) > ASSET_FILES_PER_UPLOAD:
        raise ValidationError({"files": f"Upload at most {ASSET_FILES_PER_UPLOAD} images at a time."})
    names = names or []
    checked = []
    for upload in files:
        if isinstance(upload, uploads.CheckedImage):
            upload = upload.upload
        try:
            checked.append(uploads.check_image(upload, max_bytes=ASSET_MAX_BYTES, max_pixels=ASSET_MAX_PIXELS))
        except ValidationError as error:
            raise ValidationError(
                {"files": f"{getattr(upload, 'name', 'A file')}: {' '.join(error.messages)}"}
            ) from None
    with transaction.atomic():
        Store.objects.select_for_update().filter(pk=store.pk).first()  # one upload of a store at a time
        existing = StoreAsset.objects.filter(store=store)
        count = existing.count()
        used = existing.aggregate(total=Sum("size_bytes"))["total"] or 0
        if count + len(files) > ASSET_MAX_COUNT:
            raise ValidationError(
                {"files": f"Your store can keep {ASSET_MAX_COUNT} assets; it has {count}. Delete some first."}
            )
        taken = set(existing.values_list("name", flat=True))
        made = []
        for index, item in enumerate(checked):
            try:
                processed = uploads.process_image(
                    item, max_bytes=ASSET_MAX_BYTES, max_pixels=ASSET_MAX_PIXELS, max_side=ASSET_MAX_SIDE
                )
            except ValidationError as error:
                transaction.set_rollback(True)
                raise ValidationError({"files": f"{item.upload.name}: {' '.join(error.messages)}"}) from None
            size = processed.content.size
            used += size
            if used > ASSET_QUOTA_BYTES:
                transaction.set_rollback(True)
                raise ValidationError(
                    {
                        "files": f"That would pass your store's {uploads.human_size(ASSET_QUOTA_BYTES)} "
                        "of assets. Delete some first."
                    }
                )
            wanted = names[index] if index < len(names) and names[index] else Path(item.upload.name or "").stem
            name = _asset_name(store, wanted, taken)
            taken.add(name)
            asset = StoreAsset(store=store, name=name, width=processed.width, height=processed.height, size_bytes=size)
            asset.image.save(processed.content.name, processed.content, save=False)
            asset.thumbnail.save(processed.thumbnail.name, processed.thumbnail, save=False)
            asset.save()
            made.append(asset)
    return made


def rename_asset(*, store: Store, asset_id: int, name: str) -> StoreAsset:
    name = (name or "").strip().lower()
    if not ASSET_NAME_RE.match(name):
        raise ValidationError({"name": "Use lowercase letters, digits, dashes and underscores (up to 60)."})
    with transaction.atomic():
        asset = StoreAsset.objects.select_for_update().filter(store=store, pk=asset_id).first()
        if asset is None:
            raise ValidationError({"name": "That asset is not one of your store's."})
        settings = settings_for(store=store, lock=True)
        if asset.name != name and _in_use(settings, asset):
            raise ValidationError({"name": "Your custom CSS or published design uses this name; change those first."})
        if StoreAsset.objects.filter(store=store, name=name).exclude(pk=asset.pk).exists():
            raise ValidationError({"name": f"Another asset is already named “{name}”."})
        asset.name = name
        asset.save(update_fields=["name"])
    return asset


def _in_use(settings: StoreSettings, asset: StoreAsset) -> bool:
    return (
        f'url("{asset.name}")' in settings.custom_css
        or asset.name in settings.published.get("assets", [])
        or settings.published.get("banner_asset") == asset.name
    )


def delete_asset(*, store: Store, asset_id: int) -> None:
    """Delete an asset the draft's CSS and the published design don't use (a banner in the
    draft only is simply removed from it)."""
    with transaction.atomic():
        asset = StoreAsset.objects.select_for_update().filter(store=store, pk=asset_id).first()
        if asset is None:
            raise ValidationError({"asset": "That asset is not one of your store's."})
        settings = settings_for(store=store, lock=True)
        if _in_use(settings, asset):
            raise ValidationError(
                {
                    "asset": f"“{asset.name}” is used by your custom CSS or your published design: "
                    "remove it there and publish first."
                }
            )
        image, thumbnail = asset.image.name, asset.thumbnail.name
        storage = asset.image.storage
        asset.delete()
        transaction.on_commit(lambda: [storage.delete(n) for n in (image, thumbnail) if n])


# The logo ---------------------------------------------------------------------------------------
# Store.logo stays the logo's only copy: these set it through the stores app's service.


def set_logo(*, store: Store, logo: uploads.ProcessedImage | None) -> Store:
    """Upload (a ProcessedImage, under the stores app's logo caps) or remove (None) the logo."""
    return stores_services.set_logo(store=store, logo=logo)


def use_asset_as_logo(*, store: Store, asset_id: int) -> Store:
    """Make one of the store's assets its logo: the asset's (already cleaned) image is processed
    again under the logo's caps, so the logo and its thumbnail are the same as an upload's."""
    asset = StoreAsset.objects.filter(store=store, pk=asset_id).first()
    if asset is None:
        raise ValidationError({"asset": "That asset is not one of your store's."})
    try:
        with uploads.local_file(asset.image) as file:
            file.name = Path(asset.image.name).name
            processed = uploads.process_image(
                file, max_pixels=stores_services.LOGO_MAX_PIXELS, max_side=stores_services.LOGO_MAX_SIDE
            )
    except FileNotFoundError:
        raise ValidationError({"asset": f"“{asset.name}” is missing its image: upload it again."}) from None
    return stores_services.set_logo(store=store, logo=processed)
