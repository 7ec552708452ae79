"""Build a store's stylesheet: its fonts (@font-face on Shomp's own static files), the theme's
variables over Bootstrap 5.3's, the layout rules, then the sanitised custom CSS, all under the
storefront container `.store-theme` (nothing reaches the header, footer or any other page).

Protected regions (`data-shomp-protected`: reviews, rating summaries, the buy box) sit above
anything the store's CSS can position (its z-index stops at 100) on an opaque background, so
no overlay of the store's covers or shows through them; the store's own rules never match them
(sanitizer.PROTECTED_GUARD)."""

from __future__ import annotations

import hashlib

from django.templatetags.static import static

from . import design
from .sanitizer import scoped_css

SCOPE = "store-theme"

# Layout options and the mapping of the theme's colours onto Bootstrap's components. Trusted text.
BASE_RULES = """
.store-theme { position: relative; isolation: isolate; contain: paint; background-color: var(--bs-body-bg);
  color: var(--bs-body-color); font-family: var(--bs-body-font-family); }
.store-theme h1, .store-theme h2, .store-theme h3, .store-theme .h1, .store-theme .h2, .store-theme .h3,
.store-theme .h4, .store-theme .h5, .store-theme .h6 { font-family: var(--store-heading-font); }
.store-theme .card { --bs-card-bg: var(--store-surface); --bs-card-color: var(--bs-body-color);
  --bs-card-border-radius: var(--bs-border-radius); --bs-card-inner-border-radius: var(--bs-border-radius); }
.store-theme .text-body { color: var(--bs-body-color) !important; }
.store-theme .text-body-secondary { color: var(--bs-secondary-color) !important; }
.store-theme .bg-body-tertiary, .store-theme .placeholder-img { background-color: var(--bs-tertiary-bg) !important; }
.store-theme .btn-primary { --bs-btn-bg: var(--store-primary); --bs-btn-border-color: var(--store-primary);
  --bs-btn-color: var(--store-on-primary); --bs-btn-hover-bg: var(--store-primary-hover);
  --bs-btn-hover-border-color: var(--store-primary-hover); --bs-btn-hover-color: var(--store-on-primary);
  --bs-btn-active-bg: var(--store-primary-hover); --bs-btn-active-color: var(--store-on-primary);
  --bs-btn-disabled-bg: var(--store-primary); --bs-btn-disabled-color: var(--store-on-primary); }
.store-theme .btn-outline-primary { --bs-btn-color: var(--bs-link-color);
  --bs-btn-border-color: var(--bs-link-color);
  --bs-btn-hover-bg: var(--store-primary); --bs-btn-hover-color: var(--store-on-primary); }
.store-theme .btn-outline-secondary { --bs-btn-color: var(--bs-body-color);
  --bs-btn-border-color: var(--bs-border-color); --bs-btn-hover-bg: var(--bs-body-color);
  --bs-btn-hover-color: var(--bs-body-bg); --bs-btn-hover-border-color: var(--bs-body-color); }
.store-theme .breadcrumb { --bs-breadcrumb-item-active-color: var(--bs-secondary-color); }
.store-theme .pagination { --bs-pagination-bg: var(--store-surface); --bs-pagination-color: var(--bs-link-color);
  --bs-pagination-active-bg: var(--store-primary); --bs-pagination-active-border-color: var(--store-primary);
  --bs-pagination-active-color: var(--store-on-primary); }
.store-theme [data-shomp-protected] { position: relative; z-index: 1000; }
:where(.store-theme [data-shomp-protected]) { background-color: var(--bs-body-bg); }
#main:has(> .store-theme) { display: flex; flex-direction: column; }
#main > .store-theme { flex-grow: 1; }
.store-banner { overflow: hidden; }
.store-banner img { display: block; width: 100%; height: 100%; object-fit: cover; }
.store-theme.store-banner-none .store-banner { display: none; }
.store-theme.store-banner-small .store-banner { height: 120px; }
.store-theme.store-banner-medium .store-banner { height: 200px; }
.store-theme.store-banner-large .store-banner { height: 300px; }
@media (max-width: 575.98px) {
  .store-theme.store-banner-medium .store-banner { height: 140px; }
  .store-theme.store-banner-large .store-banner { height: 180px; }
}
.store-theme.store-header-centered .store-header { flex-direction: column; text-align: center; }
.store-theme.store-header-centered .store-header > * { align-items: center !important; }
.store-theme.store-cards-shadow .card { border: 0; box-shadow: 0 .25rem 1rem rgba(0, 0, 0, .12); }
.store-theme.store-cards-flat .card { border: 0; box-shadow: none; }
@media (min-width: 768px) {
  .store-theme.store-cols-2 .store-products > * { flex: 0 0 auto; width: 50%; }
  .store-theme.store-cols-3 .store-products > * { flex: 0 0 auto; width: 33.33333%; }
  .store-theme.store-cols-4 .store-products > * { flex: 0 0 auto; width: 25%; }
}
.store-theme.store-layout-list .store-products > * { flex: 0 0 auto; width: 100%; }
.store-theme.store-layout-list .store-products .card { flex-direction: row; }
.store-theme.store-layout-list .store-products .card > .ratio { flex: 0 0 8rem; width: 8rem; }
@media (min-width: 768px) {
  .store-theme.store-layout-list .store-products .card > .ratio { flex-basis: 12rem; width: 12rem; }
}
""".strip()


def resolve(*, theme_variables: dict, colors: dict, fonts: dict, radius: str, layout: dict, theme_layout: dict) -> dict:
    """The effective design: the theme's values under the store's overrides."""
    merged_colors = {}
    for key in design.COLOR_FIELDS:
        value = design.parse_color(colors.get(key, "")) or design.parse_color(theme_variables.get(key, ""))
        merged_colors[key] = value or design.parse_color(
            {"background": "#fff", "surface": "#fff", "on_primary": "#fff"}.get(key, "#212529")
        )
    merged_fonts = {}
    for key in design.FONT_FIELDS:
        value = fonts.get(key) or theme_variables.get(key) or "system"
        merged_fonts[key] = value if value in design.FONTS else "system"
    radius_value = radius or theme_variables.get("radius") or "0.5rem"
    if radius_value not in dict(design.RADIUS_CHOICES):
        radius_value = "0.5rem"
    merged_layout = {**design.DEFAULT_LAYOUT}
    merged_layout.update(design.clean_layout(theme_layout or {})[0])
    merged_layout.update(design.clean_layout(layout or {})[0])
    return {"colors": merged_colors, "fonts": merged_fonts, "radius": radius_value, "layout": merged_layout}


def resolve_theme(theme) -> dict:
    """A theme's own design, without any store's changes."""
    return resolve(
        theme_variables=theme.css_variables,
        colors={},
        fonts={},
        radius="",
        layout={},
        theme_layout=theme.layout_options,
    )


def variables_css(resolved: dict) -> str:
    c = resolved["colors"]
    heading = design.FONTS[resolved["fonts"]["heading_font"]]
    body = design.FONTS[resolved["fonts"]["body_font"]]
    muted = (
        design.shade(c["text"], -0.35)
        if design.relative_luminance(c["background"]) > 0.4
        else design.shade(c["text"], 0.3)
    )
    dark = design.relative_luminance(c["background"]) < 0.2
    tertiary = design.shade(c["background"], -0.12 if dark else 0.04)
    border = design.shade(c["background"], -0.22 if dark else 0.14)
    lines = {
        "--bs-body-bg": c["background"],
        "--bs-body-bg-rgb": design.rgb_triplet(c["background"]),
        "--bs-body-color": c["text"],
        "--bs-body-color-rgb": design.rgb_triplet(c["text"]),
        "--bs-emphasis-color": c["text"],
        "--bs-secondary-color": muted,
        "--bs-tertiary-bg": tertiary,
        "--bs-border-color": border,
        "--bs-heading-color": c["text"],
        "--bs-primary": c["primary"],
        "--bs-primary-rgb": design.rgb_triplet(c["primary"]),
        "--bs-link-color": c["accent"],
        "--bs-link-color-rgb": design.rgb_triplet(c["accent"]),
        "--bs-link-hover-color": design.shade(c["accent"], -0.25 if dark else 0.2),
        "--bs-link-hover-color-rgb": design.rgb_triplet(design.shade(c["accent"], -0.25 if dark else 0.2)),
        "--bs-border-radius": resolved["radius"],
        "--bs-body-font-family": body.stack,
        "--store-heading-font": heading.stack,
        "--store-surface": c["surface"],
        "--store-primary": c["primary"],
        "--store-primary-hover": design.shade(c["primary"], 0.15),
        "--store-on-primary": c["on_primary"],
    }
    body_text = "\n".join(f"  {name}: {value};" for name, value in lines.items())
    return f".store-theme {{\n{body_text}\n}}"


def fonts_css(resolved: dict) -> str:
    out = []
    for key in sorted(set(resolved["fonts"].values())):
        font = design.FONTS[key]
        if not font.family:
            continue
        for weight in (400, 700):
            url = static(f"{font.static_dir}{key}-latin-{weight}-normal.woff2")
            out.append(
                f'@font-face {{ font-family: "{font.family}"; font-style: normal; font-display: swap; '
                f'font-weight: {weight}; src: url("{url}") format("woff2"); }}'
            )
    return "\n".join(out)


def build(*, resolved: dict, custom_css: str, asset_urls: dict[str, str]) -> str:
    """The whole sheet a storefront links. `custom_css` must be sanitised already (it is checked
    again here: scoped_css walks it)."""
    parts = [
        "/* Shomp store theme. Generated: edit it on the dashboard's Customize page. */",
        fonts_css(resolved),
        variables_css(resolved),
        BASE_RULES,
    ]
    if custom_css.strip():
        parts.append("/* The store's own CSS (sanitised, scoped to the store) */")
        parts.append(scoped_css(custom_css, scope=SCOPE, asset_urls=asset_urls))
    text = "\n".join(p for p in parts if p) + "\n"
    assert "<" not in text and "</style" not in text.lower()
    return text


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]
