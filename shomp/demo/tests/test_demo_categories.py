"""Every demo product lands in a sensible category of the shipped tree, never in "Other"."""

import pytest

from shomp.catalog.services.categories import category_tree_data
from shomp.demo import catalogue, variants
from shomp.demo.categories import category_slug_for


def _slugs(items):
    for item in items:
        yield item["slug"]
        yield from _slugs(item.get("children", []))


SHIPPED = set(_slugs(category_tree_data()))
PRODUCTS = [(p.title, s.slug, p.is_digital) for s in catalogue.STORES for p in s.products] + [
    (p.title, p.store, False) for p in variants.PRODUCTS
]


@pytest.mark.parametrize(("title", "store", "digital"), PRODUCTS)
def test_every_demo_product_has_a_shipped_category_other_than_other(title, store, digital):
    slug = category_slug_for(title=title, store_slug=store, is_digital=digital)
    assert slug in SHIPPED and slug != "other"


@pytest.mark.parametrize(
    ("title", "store", "expected"),
    [
        ("Hand-Dyed Sock Yarn, Tidepool", "purl-theory", "craft-supplies"),
        ("Heather Mohair Mini Skeins, Set of 5", "purl-theory", "craft-supplies"),
        ("Waxed Canvas Needle Roll", "purl-theory", "craft-supplies"),
        ("Twisted Wire Cuff Bracelet", "silver-thread", "bracelets"),
        ("Beaded Anklet, Sea Green", "silver-thread", "bracelets"),
        ("Hand-Carved Olive Oil Cruet", "fern-and-kiln", "home-and-living"),
        ("Sea Pebble Pendant Necklace", "silver-thread", "necklaces"),
        ("Seaglass Merino Beanie", "purl-theory", "hats-and-scarves"),
        ("Speckled Stoneware Mug, 350 ml", "fern-and-kiln", "mugs-and-cups"),
    ],
)
def test_things_are_where_a_buyer_would_look(title, store, expected):
    assert category_slug_for(title=title, store_slug=store, is_digital=False) == expected
