"""Demo pictures look like the things sold: drawn per kind, deterministic, cached on disk."""

import io

import pytest
from PIL import Image, ImageChops, ImageStat

from shomp.demo import pictures, samples


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("DEMO_PICTURE_CACHE", str(tmp_path))


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("Speckled Stoneware Mug, 350 ml", "mug"),
        ("Seaglass Merino Beanie", "beanie"),
        ("Harbour at Dusk, A3 Risograph Print", "print"),
        ("Driftwood on 12-inch Vinyl", "record"),
        ("Hammered Silver Stacking Ring", "ring"),
        ("Brass Crescent Moon Earrings", "earrings"),
        ("Kitchen Table Zine, Issue 7", "zine"),
        ("Low Tide Tote Bag", "tote"),
        ("Botanical Study No. 4 (Ferns)", "print"),
        ("Everyday Ribbed Beanie Pattern", "pattern"),
    ],
)
def test_the_title_decides_what_is_drawn(title, kind):
    assert pictures.kind_for(title) == kind


def test_a_picture_is_the_same_every_time_and_drawn_only_once(tmp_path, monkeypatch):
    first = pictures.picture_jpeg(title="Speckled Mug", seed=3)
    assert len(list(tmp_path.glob("*.jpg"))) == 1

    def no_drawing(**kwargs):
        raise AssertionError("drew a cached picture again")

    monkeypatch.setattr(pictures, "draw", no_drawing)
    assert pictures.picture_jpeg(title="Speckled Mug", seed=3) == first  # from the cache
    monkeypatch.undo()
    monkeypatch.setenv("DEMO_PICTURE_CACHE", str(tmp_path / "fresh"))
    assert pictures.picture_jpeg(title="Speckled Mug", seed=3) == first  # drawn again: the same bytes


def _image(title: str, **kwargs) -> Image.Image:
    return Image.open(io.BytesIO(pictures.picture_jpeg(title=title, seed=1, **kwargs))).convert("RGB")


def _difference(a: Image.Image, b: Image.Image) -> float:
    return sum(ImageStat.Stat(ImageChops.difference(a, b)).mean) / 3


def test_kinds_look_different_and_a_colour_paints_the_object():
    kinds = ["Mug", "Beanie", "Art Print", "Vinyl", "Silver Ring", "Zine", "Tote Bag", "Yarn"]
    images = {title: _image(title) for title in kinds}
    for a in kinds:
        for b in kinds:
            if a < b:
                assert _difference(images[a], images[b]) > 3, (a, b)

    coral = _image("Seaglass Merino Beanie", colour=(255, 127, 80))
    navy = _image("Seaglass Merino Beanie", colour=(0, 0, 128))
    assert _difference(coral, navy) > 5
    assert ImageStat.Stat(coral.crop((350, 250, 450, 350))).mean[0] > 150  # the beanie is coral


def test_the_demo_samples_hand_an_800_by_600_jpeg_to_the_upload_pipeline():
    upload = samples.product_image(title="Speckled Stoneware Mug, 350 ml", seed=4, variant=1)

    image = Image.open(upload)
    assert (image.format, image.size) == ("JPEG", (800, 600))
    assert upload.name == "ss-2.jpg"
