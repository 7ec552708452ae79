"""What a store's design is made of: the colour scheme (with the WCAG contrast check), the bundled
fonts (served by Shomp from static files: no font CDN) and the layout options. One definition,
used by the forms, the services, the stylesheet and the templates."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Colours ---------------------------------------------------------------------------------------

COLOR_FIELDS = {
    "background": "Page background",
    "surface": "Cards and panels",
    "text": "Text",
    "primary": "Buttons",
    "on_primary": "Button text",
    "accent": "Links",
}
_HEX = re.compile(r"#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})\Z")
AA_NORMAL_TEXT = 4.5


def parse_color(value: str) -> str | None:
    """'#abc', 'abc', '#AABBCC' -> '#aabbcc'; anything else None."""
    match = _HEX.match((value or "").strip())
    if not match:
        return None
    digits = match.group(1).lower()
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return "#" + digits


def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{max(0, min(255, round(c))):02x}" for c in rgb)


def relative_luminance(color: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def nearest_passing(foreground: str, background: str, *, ratio: float = AA_NORMAL_TEXT) -> str:
    """The colour closest to `foreground` (mixed toward black or white, the smaller change)
    that reaches `ratio` against `background`."""
    if contrast_ratio(foreground, background) >= ratio:
        return foreground
    fg = _rgb(foreground)
    candidates = []
    for target in ((0, 0, 0), (255, 255, 255)):
        low, high = 0.0, 1.0
        if contrast_ratio(_hex(target), background) < ratio:
            continue
        for _ in range(20):
            mid = (low + high) / 2
            mixed = _hex(tuple(f + (t - f) * mid for f, t in zip(fg, target, strict=True)))
            if contrast_ratio(mixed, background) >= ratio:
                high = mid
            else:
                low = mid
        mixed = _hex(tuple(f + (t - f) * high for f, t in zip(fg, target, strict=True)))
        # Rounding to whole channels can land a hair under: step on until it passes.
        step = high
        while contrast_ratio(mixed, background) < ratio and step < 1:
            step = min(1.0, step + 0.01)
            mixed = _hex(tuple(f + (t - f) * step for f, t in zip(fg, target, strict=True)))
        candidates.append((step, mixed))
    if not candidates:
        return (
            "#000000" if contrast_ratio("#000000", background) >= contrast_ratio("#ffffff", background) else "#ffffff"
        )
    return min(candidates)[1]


@dataclass(frozen=True)
class ContrastPair:
    foreground: str
    background: str
    label: str


# Which colour is read on which: text on the page and on cards, button text on buttons, links.
CONTRAST_PAIRS = (
    ContrastPair("text", "background", "Text on the page background"),
    ContrastPair("text", "surface", "Text on cards"),
    ContrastPair("on_primary", "primary", "Button text on buttons"),
    ContrastPair("accent", "background", "Links on the page background"),
)


@dataclass(frozen=True)
class ContrastWarning:
    field: str
    label: str
    ratio: float
    suggestion: str

    @property
    def message(self) -> str:
        return (
            f"{self.label}: contrast {self.ratio:.1f}:1 is below the 4.5:1 that WCAG AA asks for "
            f"text. {self.suggestion} is the nearest colour that passes."
        )


def contrast_warnings(colors: dict[str, str]) -> list[ContrastWarning]:
    warnings = []
    for pair in CONTRAST_PAIRS:
        fg, bg = colors.get(pair.foreground), colors.get(pair.background)
        if not fg or not bg:
            continue
        ratio = contrast_ratio(fg, bg)
        if ratio < AA_NORMAL_TEXT:
            warnings.append(
                ContrastWarning(pair.foreground, pair.label, ratio, _passing_everywhere(pair.foreground, colors))
            )
    return warnings


def _passing_everywhere(field: str, colors: dict[str, str]) -> str:
    """The nearest colour for `field` that passes on every background it is read on (text sits
    on the page and on cards: one suggestion that fixes both)."""
    backgrounds = [colors[p.background] for p in CONTRAST_PAIRS if p.foreground == field and colors.get(p.background)]
    suggestion = colors[field]
    for _ in range(3):
        for background in backgrounds:
            suggestion = nearest_passing(suggestion, background)
        if all(contrast_ratio(suggestion, b) >= AA_NORMAL_TEXT for b in backgrounds):
            return suggestion
    return suggestion


def rgb_triplet(color: str) -> str:
    return ", ".join(str(c) for c in _rgb(color))


def shade(color: str, amount: float) -> str:
    """Mix toward black (amount > 0) or white (< 0): hover and border shades of a colour."""
    target = (0, 0, 0) if amount > 0 else (255, 255, 255)
    amount = abs(amount)
    return _hex(tuple(c + (t - c) * amount for c, t in zip(_rgb(color), target, strict=True)))


# Fonts -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Font:
    key: str
    family: str
    fallback: str

    @property
    def stack(self) -> str:
        return f'"{self.family}", {self.fallback}' if self.family else self.fallback

    @property
    def static_dir(self) -> str:
        return f"themes/fonts/{self.key}/"


SYSTEM_STACK = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
FONTS = {
    font.key: font
    for font in (
        Font("system", "", SYSTEM_STACK),
        Font("inter", "Inter", SYSTEM_STACK),
        Font("nunito", "Nunito", SYSTEM_STACK),
        Font("space-grotesk", "Space Grotesk", SYSTEM_STACK),
        Font("lora", "Lora", "Georgia, serif"),
        Font("merriweather", "Merriweather", "Georgia, serif"),
        Font("playfair-display", "Playfair Display", "Georgia, serif"),
    )
}
FONT_CHOICES = [(f.key, f.family or "System (the device's own)") for f in FONTS.values()]
FONT_FIELDS = {"heading_font": "Headings", "body_font": "Text"}

# Layout ----------------------------------------------------------------------------------------

LAYOUT_CHOICES = {
    "product_layout": ("Products shown as", [("grid", "A grid of cards"), ("list", "A list")]),
    "columns": ("Columns on wide screens", [(2, "2"), (3, "3"), (4, "4")]),
    "card_style": (
        "Card style",
        [("bordered", "Bordered"), ("shadow", "Shadow"), ("flat", "Flat (no border)")],
    ),
    "banner_height": (
        "Banner height",
        [("none", "No banner"), ("small", "Small"), ("medium", "Medium"), ("large", "Large")],
    ),
    "header_style": ("Store header", [("left", "Aligned left"), ("centered", "Centred")]),
}
DEFAULT_LAYOUT = {
    "product_layout": "grid",
    "columns": 3,
    "card_style": "bordered",
    "banner_height": "medium",
    "header_style": "left",
}
RADIUS_CHOICES = [
    ("0", "Square"),
    ("0.25rem", "Slight"),
    ("0.5rem", "Rounded"),
    ("0.75rem", "Round"),
    ("1rem", "Rounder"),
    ("1.25rem", "Very round"),
]


def layout_classes(layout: dict) -> str:
    """The storefront container's classes for a layout (CSS in stylesheet.BASE_RULES)."""
    merged = {**DEFAULT_LAYOUT, **(layout or {})}
    return " ".join(
        (
            f"store-layout-{merged['product_layout']}",
            f"store-cols-{merged['columns']}",
            f"store-cards-{merged['card_style']}",
            f"store-banner-{merged['banner_height']}",
            f"store-header-{merged['header_style']}",
        )
    )


def clean_layout(layout: dict) -> tuple[dict, dict[str, str]]:
    """(the layout with only known keys and values, errors by key)."""
    clean, errors = {}, {}
    for key, (label, choices) in LAYOUT_CHOICES.items():
        if key not in layout:
            continue
        allowed = {str(value): value for value, _ in choices}
        value = allowed.get(str(layout[key]))
        if value is None:
            errors[key] = f"Choose one of the offered options for “{label}”."
        else:
            clean[key] = value
    return clean, errors
