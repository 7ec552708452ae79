"""Demo product pictures that look like the things sold: a mug, a beanie in its colour, a print
with a scene, a record sleeve, a ring, a zine, a tote...

Drawn with Pillow at twice the size and scaled down (smooth edges), deterministically from the
product's title, seed, picture number and colour, and cached on disk (DEMO_PICTURE_CACHE, by
default a folder in the system's temporary directory), so a second `seed_demo` or `make run`
draws nothing.
"""

from __future__ import annotations

import colorsys
import hashlib
import io
import math
import os
import random
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

SIZE = (800, 600)
_SCALE = 2
_VERSION = "2"  # bump when the drawings change: old cache files are then never read

# (words in the title, kind), first match wins.
KINDS = [
    (
        (
            "colouring book",
            "wildflower alphabet",
            "printable",
            "recipe notebook",
            "workbook",
            "starter notes",
            "sizing guide",
            "for beginners",
            "pattern",
        ),
        "pattern",
    ),
    (("vinyl",), "record"),
    (("cassette",), "cassette"),
    (("album", "single", " ep", "mix", "sample pack"), "record"),
    (("tote",), "tote"),
    (("beanie",), "beanie"),
    (("socks", "sock yarn", "skein", "yarn"), "yarn"),
    (("needle roll",), "tote"),
    (("mug", "mugs"), "mug"),
    (("dripper",), "mug"),
    (("bowl", "bowls"), "bowl"),
    (("vase", "cruet"), "vase"),
    (("earrings", " stud "), "earrings"),  # before "ring", which "earrings" contains
    (("ring",), "ring"),
    (("necklace", "pendant", "bracelet", "cuff", "anklet", "charm"), "necklace"),
    (("zine", "bookmark"), "zine"),
    (("cards", "deck"), "cards"),
    (("print", "poster", "giclée", "calendar", "study", "lighthouse"), "print"),
    (("daughter", "stories", "notes from", "field guide", "almanac", "edition", "book"), "book"),
]


def kind_for(title: str) -> str:
    words = f" {title.lower()} "
    for needles, kind in KINDS:
        if any(needle in words for needle in needles):
            return kind
    return "parcel"


def _palette(seed: int) -> dict[str, tuple[int, int, int]]:
    """A background, a main colour and an accent for `seed` (golden-ratio hue steps)."""
    hue = (seed * 0.618033988749895) % 1.0

    def rgb(h: float, lightness: float, saturation: float) -> tuple[int, int, int]:
        return tuple(round(v * 255) for v in colorsys.hls_to_rgb(h % 1.0, lightness, saturation))

    return {
        "bg": rgb(hue, 0.93, 0.35),
        "bg2": rgb(hue + 0.05, 0.86, 0.30),
        "main": rgb(hue + 0.5, 0.55, 0.45),
        "dark": rgb(hue + 0.5, 0.28, 0.40),
        "accent": rgb(hue + 0.15, 0.60, 0.65),
    }


def _shade(colour, factor: float) -> tuple[int, int, int]:
    if factor >= 1:
        return tuple(round(c + (255 - c) * (factor - 1)) for c in colour)
    return tuple(round(c * factor) for c in colour)


class _Canvas:
    def __init__(self, colours: dict, rng: random.Random, variant: int):
        self.w, self.h = SIZE[0] * _SCALE, SIZE[1] * _SCALE
        self.c = colours
        self.rng = rng
        self.variant = variant
        self.image = Image.new("RGB", (self.w, self.h), colours["bg"])
        self.draw = ImageDraw.Draw(self.image, "RGBA")
        self._backdrop()

    def s(self, *values: float) -> list[float]:
        """Coordinates given on the 800×600 grid, scaled to the canvas."""
        return [v * _SCALE for v in values]

    def _backdrop(self):
        # A table top (the lower part) and a wall; a detail shot (variant 1) is closer.
        horizon = 400 if self.variant != 1 else 450
        self.draw.rectangle(self.s(0, horizon, 800, 600), fill=self.c["bg2"])
        self.draw.line(self.s(0, horizon, 800, horizon), fill=(*_shade(self.c["bg2"], 0.92), 255), width=3 * _SCALE)

    def shadow(self, box, blur: int = 18):
        layer = Image.new("L", (self.w, self.h), 0)
        ImageDraw.Draw(layer).ellipse(self.s(*box), fill=90)
        layer = layer.filter(ImageFilter.GaussianBlur(blur * _SCALE))
        self.image.paste((0, 0, 0), mask=layer)
        self.draw = ImageDraw.Draw(self.image, "RGBA")

    def done(self) -> Image.Image:
        return self.image.resize(SIZE, Image.Resampling.LANCZOS)


# Each drawing takes the canvas and the object's colour; `zoom` (variant 1) draws it bigger.


def _mug(k: _Canvas, colour):
    d, s = k.draw, k.s
    k.shadow((230, 470, 590, 530))
    d.ellipse(s(470, 250, 610, 420), outline=_shade(colour, 0.8), width=26 * _SCALE)  # handle
    d.rounded_rectangle(s(230, 200, 520, 500), radius=40 * _SCALE, fill=colour)
    d.rectangle(s(230, 200, 520, 260), fill=colour)
    d.ellipse(s(230, 170, 520, 230), fill=_shade(colour, 0.75))
    d.ellipse(s(245, 180, 505, 222), fill=_shade(colour, 0.45))  # the inside
    for _ in range(70):  # speckles
        x, y = k.rng.uniform(245, 505), k.rng.uniform(235, 490)
        d.ellipse(s(x, y, x + 4, y + 4), fill=(*_shade(colour, 0.55), 200))
    d.rectangle(s(260, 240, 285, 470), fill=(255, 255, 255, 45))  # highlight


def _bowl(k: _Canvas, colour):
    d, s = k.draw, k.s
    k.shadow((170, 450, 630, 520))
    d.chord(s(150, 130, 650, 500), 0, 180, fill=colour)
    d.ellipse(s(150, 250, 650, 340), fill=_shade(colour, 0.6))
    d.ellipse(s(175, 262, 625, 330), fill=_shade(colour, 1.25))
    d.ellipse(s(260, 280, 540, 320), fill=(*_shade(colour, 0.8), 160))  # glaze pooling
    d.rectangle(s(320, 470, 480, 495), fill=_shade(colour, 0.7))  # foot


def _vase(k: _Canvas, colour):
    d, s = k.draw, k.s
    k.shadow((270, 470, 530, 530))
    d.ellipse(s(260, 250, 540, 500), fill=colour)
    d.rectangle(s(365, 150, 435, 300), fill=colour)
    d.ellipse(s(350, 135, 450, 170), fill=_shade(colour, 0.7))
    d.ellipse(s(372, 143, 428, 160), fill=_shade(colour, 0.35))
    d.arc(s(290, 280, 510, 480), 200, 260, fill=(255, 255, 255, 90), width=10 * _SCALE)
    # a stem with leaves
    d.line(s(400, 150, 420, 40), fill=(70, 110, 60), width=5 * _SCALE)
    for y, side in ((110, -1), (80, 1), (55, -1)):
        d.ellipse(s(412 + side * 28 - 16, y - 9, 412 + side * 28 + 16, y + 9), fill=(90, 140, 75))


def _print(k: _Canvas, colour):
    d, s = k.draw, k.s
    c = k.c
    k.shadow((200, 500, 600, 545), blur=12)
    d.rectangle(s(190, 50, 610, 520), fill=(60, 50, 45))  # frame
    d.rectangle(s(210, 70, 590, 500), fill=(250, 247, 240))  # mount
    x0, y0, x1, y1 = 250, 110, 550, 460
    scene = Image.new("RGB", (int((x1 - x0) * _SCALE), int((y1 - y0) * _SCALE)), _shade(c["accent"], 1.5))
    sd = ImageDraw.Draw(scene, "RGBA")
    w, h = scene.size
    sd.ellipse((w * 0.58, h * 0.12, w * 0.82, h * 0.12 + w * 0.24), fill=_shade(c["accent"], 1.1))  # sun/moon
    for n, level in enumerate((0.55, 0.68, 0.8)):  # hills or waves
        points = [(0, h)]
        phase = k.rng.uniform(0, 6)
        for i in range(0, 41):
            x = w * i / 40
            points.append((x, h * level + math.sin(i / 5 + phase) * h * 0.05))
        points.append((w, h))
        sd.polygon(points, fill=_shade(colour, 0.6 + n * 0.25))
    if k.rng.random() < 0.6:  # a lighthouse or a boat
        bx = w * k.rng.uniform(0.15, 0.4)
        sd.polygon(
            [(bx, h * 0.6), (bx + w * 0.05, h * 0.6), (bx + w * 0.04, h * 0.3), (bx + w * 0.01, h * 0.3)],
            fill=(245, 240, 235),
        )
        sd.rectangle((bx + w * 0.005, h * 0.27, bx + w * 0.045, h * 0.31), fill=c["dark"])
    k.image.paste(scene, (int(x0 * _SCALE), int(y0 * _SCALE)))


def _record(k: _Canvas, colour):
    d, s = k.draw, k.s
    c = k.c
    k.shadow((170, 500, 600, 540), blur=12)
    d.ellipse(s(330, 110, 690, 470), fill=(22, 22, 24))  # the disc sliding out
    for r in range(30, 175, 9):
        d.ellipse(s(510 - r, 290 - r, 510 + r, 290 + r), outline=(45, 45, 50), width=_SCALE)
    d.ellipse(s(470, 250, 550, 330), fill=c["accent"])
    d.ellipse(s(505, 285, 515, 295), fill=(240, 240, 240))
    d.rectangle(s(130, 100, 500, 470), fill=colour)  # sleeve
    for i in range(6):  # an abstract cover: tide lines
        y = 200 + i * 40
        d.arc(s(140, y - 60, 490, y + 60), 20, 160, fill=(*_shade(colour, 1.5), 200), width=6 * _SCALE)
    d.ellipse(s(330, 140, 420, 230), fill=_shade(c["accent"], 1.2))


def _cassette(k: _Canvas, colour):
    d, s = k.draw, k.s
    k.shadow((170, 450, 630, 500), blur=12)
    d.rounded_rectangle(s(160, 160, 640, 460), radius=18 * _SCALE, fill=(220, 225, 230, 235))
    d.rounded_rectangle(s(195, 190, 605, 360), radius=10 * _SCALE, fill=colour)  # J-card label
    d.rectangle(s(195, 215, 605, 235), fill=_shade(colour, 1.4))
    d.rounded_rectangle(s(280, 270, 520, 340), radius=30 * _SCALE, fill=(40, 40, 45))
    for cx in (330, 470):
        d.ellipse(s(cx - 26, 279, cx + 26, 331), fill=(235, 235, 235))
        d.ellipse(s(cx - 10, 295, cx + 10, 315), fill=(60, 60, 60))
    d.polygon(s(250, 460, 280, 400, 520, 400, 550, 460), fill=(200, 205, 210))


def _ring(k: _Canvas, colour):
    d, s = k.draw, k.s
    k.shadow((240, 430, 560, 500))
    metal = (200, 202, 208) if k.rng.random() < 0.7 else (212, 175, 90)
    d.ellipse(s(230, 200, 570, 460), fill=_shade(metal, 0.75))
    d.ellipse(s(265, 228, 535, 432), fill=k.c["bg2"])
    d.ellipse(s(230, 190, 570, 450), outline=metal, width=34 * _SCALE)
    for a in range(200, 340, 12):  # hammered facets
        x = 400 + 152 * math.cos(math.radians(a))
        y = 320 + 113 * math.sin(math.radians(a))
        d.ellipse(s(x - 9, y - 6, x + 9, y + 6), fill=(255, 255, 255, 110))
    d.arc(s(245, 205, 555, 435), 200, 250, fill=(255, 255, 255, 200), width=6 * _SCALE)


def _earrings(k: _Canvas, colour):
    d, s = k.draw, k.s
    metal = (215, 180, 95)
    for cx in (300, 500):
        k.shadow((cx - 70, 470, cx + 70, 510), blur=10)
        d.arc(s(cx - 20, 90, cx + 20, 150), 180, 360, fill=(200, 200, 205), width=5 * _SCALE)
        d.line(s(cx + 20, 120, cx + 20, 200), fill=(200, 200, 205), width=4 * _SCALE)
        d.ellipse(s(cx - 90, 190, cx + 110, 420), fill=metal)  # a crescent
        d.ellipse(s(cx - 40, 170, cx + 150, 400), fill=k.c["bg"] if cx else colour)


def _necklace(k: _Canvas, colour):
    d, s = k.draw, k.s
    d.arc(s(170, -40, 630, 420), 20, 160, fill=(190, 192, 198), width=4 * _SCALE)
    for a in range(22, 160, 5):  # beads or links
        x = 400 + 230 * math.cos(math.radians(a))
        y = 190 + 230 * math.sin(math.radians(a))
        d.ellipse(s(x - 6, y - 6, x + 6, y + 6), fill=colour if a % 10 else (205, 207, 212))
    k.shadow((340, 470, 460, 505), blur=10)
    d.ellipse(s(345, 400, 455, 490), fill=(200, 203, 210))  # the pendant
    d.ellipse(s(360, 410, 420, 450), fill=(255, 255, 255, 150))


def _book(k: _Canvas, colour, *, zine: bool = False):
    d, s = k.draw, k.s
    c = k.c
    k.shadow((210, 500, 590, 545), blur=12)
    thickness = 8 if zine else 26
    d.polygon(s(240, 90, 560, 90, 560 + thickness, 100, 560 + thickness, 510, 240, 500), fill=(245, 242, 232))
    d.rectangle(s(230, 80, 560, 500), fill=colour)
    d.rectangle(s(230, 80, 252, 500), fill=_shade(colour, 0.75))  # spine
    d.rectangle(s(280, 140, 520, 170), fill=(*_shade(colour, 1.6), 230))  # title and author bars
    d.rectangle(s(310, 185, 490, 200), fill=(*_shade(colour, 1.4), 200))
    d.ellipse(s(330, 260, 470, 400), fill=c["accent"])  # a cover motif
    d.polygon(s(300, 430, 400, 300, 500, 430), fill=(*_shade(colour, 0.6), 220))
    if zine:
        for y in (190, 390):  # staples
            d.rectangle(s(238, y, 244, y + 30), fill=(180, 180, 185))


def _cards(k: _Canvas, colour):
    # cards are drawn on their own layers, rotated, then pasted
    for n, angle in enumerate((-14, -4, 8)):
        card = Image.new("RGBA", (220 * _SCALE, 310 * _SCALE), (0, 0, 0, 0))
        cd = ImageDraw.Draw(card)
        cd.rounded_rectangle((0, 0, card.width - 1, card.height - 1), radius=14 * _SCALE, fill=(250, 248, 242))
        cd.rounded_rectangle(
            (16 * _SCALE, 16 * _SCALE, card.width - 16 * _SCALE, card.height - 16 * _SCALE),
            radius=10 * _SCALE,
            outline=_shade(colour, 0.7 + n * 0.2),
            width=4 * _SCALE,
        )
        cd.ellipse((70 * _SCALE, 110 * _SCALE, 150 * _SCALE, 190 * _SCALE), fill=_shade(colour, 0.8 + n * 0.2))
        card = card.rotate(angle, expand=True, resample=Image.Resampling.BICUBIC)
        k.image.paste(card, (int((200 + n * 120) * _SCALE), int((120 + n * 10) * _SCALE)), card)
    k.draw = ImageDraw.Draw(k.image, "RGBA")


def _tote(k: _Canvas, colour):
    d, s = k.draw, k.s
    canvas = (232, 222, 200)
    k.shadow((220, 520, 580, 560), blur=12)
    d.arc(s(300, 40, 500, 260), 180, 360, fill=_shade(canvas, 0.85), width=18 * _SCALE)  # handles
    d.polygon(s(220, 150, 580, 150, 600, 540, 200, 540), fill=canvas)
    d.line(s(220, 150, 580, 150), fill=_shade(canvas, 0.85), width=6 * _SCALE)
    for i in range(3):  # the printed wave logo
        d.arc(s(290, 270 + i * 40, 510, 400 + i * 40), 200, 340, fill=colour, width=9 * _SCALE)
    d.ellipse(s(370, 250, 430, 310), fill=colour)


def _beanie(k: _Canvas, colour):
    d, s = k.draw, k.s
    k.shadow((200, 470, 600, 530))
    d.ellipse(s(340, 70, 460, 180), fill=_shade(colour, 1.15))  # pompom
    d.chord(s(210, 120, 590, 560), 180, 360, fill=colour)
    d.rectangle(s(210, 330, 590, 340), fill=colour)
    for x in range(225, 590, 22):  # ribs
        top = 340 - 220 * math.sqrt(max(0.0, 1 - ((x - 400) / 190) ** 2)) + 14  # under the dome's edge
        d.line(s(x, top, x, 340), fill=(*_shade(colour, 0.8), 255), width=5 * _SCALE)
    d.rounded_rectangle(s(195, 330, 605, 470), radius=26 * _SCALE, fill=_shade(colour, 0.9))  # brim
    for x in range(210, 600, 18):
        d.line(s(x, 340, x, 460), fill=(*_shade(colour, 0.72), 255), width=4 * _SCALE)


def _yarn(k: _Canvas, colour):
    d, s = k.draw, k.s
    for n, (cx, cy, r) in enumerate(((300, 350, 130), (500, 380, 105), (420, 250, 90))):
        tone = _shade(colour, 0.8 + n * 0.18)
        k.shadow((cx - r, cy + r * 0.7, cx + r, cy + r + 20), blur=14)
        d = k.draw
        d.ellipse(s(cx - r, cy - r, cx + r, cy + r), fill=tone)
        for i in range(9):  # wraps of yarn
            off = (i - 4) * r / 5
            d.arc(
                s(cx - r + 6, cy - r + off * 0.3, cx + r - 6, cy + r + off * 0.3),
                200 + i * 4,
                340 - i * 3,
                fill=(*_shade(tone, 0.75), 255),
                width=4 * _SCALE,
            )
    d.line(s(560, 420, 720, 560), fill=_shade(colour, 0.8), width=5 * _SCALE)  # a loose end


def _pattern(k: _Canvas, colour):
    d, s = k.draw, k.s
    c = k.c
    k.shadow((190, 520, 610, 560), blur=12)
    d.rectangle(s(250, 60, 600, 530), fill=(236, 233, 225))  # a second sheet behind
    d.rectangle(s(210, 40, 560, 510), fill=(252, 251, 247))
    d.rectangle(s(240, 70, 470, 90), fill=c["dark"])  # a heading
    cell = 22
    for row in range(9):  # a chart
        for col in range(12):
            filled = (row * 7 + col * 3 + k.rng.randint(0, 2)) % 4 == 0
            x, y = 245 + col * cell, 130 + row * cell
            d.rectangle(s(x, y, x + cell - 2, y + cell - 2), fill=colour if filled else (232, 230, 224))
    for y in range(350, 480, 22):  # lines of text
        d.rectangle(s(245, y, 245 + k.rng.randint(180, 270), y + 8), fill=(190, 188, 182))


def _parcel(k: _Canvas, colour):
    d, s = k.draw, k.s
    k.shadow((220, 470, 580, 520))
    d.rectangle(s(230, 220, 570, 490), fill=colour)
    d.rectangle(s(215, 190, 585, 250), fill=_shade(colour, 1.15))
    d.rectangle(s(385, 190, 415, 490), fill=k.c["accent"])
    d.ellipse(s(330, 140, 400, 200), outline=k.c["accent"], width=12 * _SCALE)
    d.ellipse(s(400, 140, 470, 200), outline=k.c["accent"], width=12 * _SCALE)


_DRAW = {
    "mug": _mug,
    "bowl": _bowl,
    "vase": _vase,
    "print": _print,
    "record": _record,
    "cassette": _cassette,
    "ring": _ring,
    "earrings": _earrings,
    "necklace": _necklace,
    "book": _book,
    "zine": lambda k, colour: _book(k, colour, zine=True),
    "cards": _cards,
    "tote": _tote,
    "beanie": _beanie,
    "yarn": _yarn,
    "pattern": _pattern,
    "parcel": _parcel,
}


def draw(*, title: str, seed: int, variant: int = 0, colour: tuple[int, int, int] | None = None) -> Image.Image:
    """The picture of `title` (kind_for decides what is drawn); `variant` 1 and 2 are other shots
    (a closer detail, a different background), `colour` paints the object (a variant's colour)."""
    colours = _palette(seed + variant * 3)
    rng = random.Random(f"{title}|{seed}|{variant}")  # noqa: S311  drawing, not secrets
    canvas = _Canvas(colours, rng, variant)
    _DRAW[kind_for(title)](canvas, colour or colours["main"])
    return canvas.done()


def cache_dir() -> Path:
    return Path(os.environ.get("DEMO_PICTURE_CACHE") or Path(tempfile.gettempdir()) / "shomp-demo-pictures")


def picture_jpeg(*, title: str, seed: int, variant: int = 0, colour: tuple[int, int, int] | None = None) -> bytes:
    """The JPEG bytes of the picture, drawn once and then read from the cache."""
    key = hashlib.sha256(f"{_VERSION}|{title}|{seed}|{variant}|{colour}".encode()).hexdigest()[:32]
    path = cache_dir() / f"{key}.jpg"
    try:
        return path.read_bytes()
    except OSError:
        pass
    buffer = io.BytesIO()
    draw(title=title, seed=seed, variant=variant, colour=colour).save(buffer, format="JPEG", quality=86)
    data = buffer.getvalue()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(data)
        temporary.replace(path)  # atomic: a parallel run never reads half a file
    except OSError:
        pass  # no writable cache: draw again next time
    return data
