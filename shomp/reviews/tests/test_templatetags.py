from decimal import Decimal

import pytest
from django.template import Context, Template

from shomp.reviews.models import ProductRating
from shomp.reviews.templatetags.reviews import _star_icons


@pytest.mark.parametrize(
    ("value", "icons"),
    [
        (0, ["", "", "", "", ""]),
        (1, ["-fill", "", "", "", ""]),
        (Decimal("3.2"), ["-fill", "-fill", "-fill", "", ""]),
        (Decimal("3.3"), ["-fill", "-fill", "-fill", "-half", ""]),
        (Decimal("4.7"), ["-fill", "-fill", "-fill", "-fill", "-half"]),
        (Decimal("4.8"), ["-fill"] * 5),
        (5, ["-fill"] * 5),
    ],
)
def test_stars_round_to_the_nearest_half(value, icons):
    assert _star_icons(value) == icons


def test_stars_are_read_out_as_a_number():
    html = Template("{% load reviews %}{% stars value %}").render(Context({"value": Decimal("4.0")}))
    assert 'role="img" aria-label="4 out of 5 stars"' in html
    assert html.count('aria-hidden="true"') == 5


def test_a_compact_line_without_ratings_is_empty_and_a_full_one_says_so(db, product):
    template = Template("{% load reviews %}[{% rating_line product compact=True %}]|{% rating_line product %}")
    compact, full = template.render(Context({"product": product})).split("|")
    assert compact.strip("[]\n ") == ""
    assert "No reviews yet" in full

    product.rating_summary = ProductRating(product=product, count=2, rating_sum=7, star_3=1, star_4=1)
    html = Template("{% load reviews %}{% rating_line product %}").render(Context({"product": product}))
    assert "3.5" in html and "(2 reviews)" in html and "/fern-and-kiln/products/moss-mug/reviews/" in html
