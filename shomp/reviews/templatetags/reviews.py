"""`{% load reviews %}`: stars and rating summaries for any page, the catalog's included.

The catalog never imports this app. Its templates load this library, and its selectors join the
summary row by the relation's name (`select_related("rating_summary")`), so a product card or a
store header shows its stars without a query of its own.
"""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.template.loader import get_template

from shomp.catalog.models import Product
from shomp.core.urls import cached_reverse

from .. import selectors
from ..models import MAX_RATING

register = template.Library()


def _star_icons(value) -> list[str]:
    """Bootstrap Icons suffixes for five stars, to the nearest half: ["-fill", "-fill", "-half", "", ""]."""
    halves = int((Decimal(str(value or 0)) * 2).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    icons = []
    for star in range(1, MAX_RATING + 1):
        if halves >= 2 * star:
            icons.append("-fill")
        elif halves == 2 * star - 1:
            icons.append("-half")
        else:
            icons.append("")
    return icons


def _number(value) -> str:
    text = f"{Decimal(str(value or 0)).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}"
    return text.removesuffix(".0")


@register.inclusion_tag("reviews/partials/_stars.html")
def stars(value, size: str = ""):
    """Five stars for a rating or an average, read out as "4.5 out of 5 stars"."""
    return {"icons": _star_icons(value), "label": f"{_number(value)} out of 5 stars", "size": size}


def reviews_url(obj) -> str:
    if isinstance(obj, Product):
        return cached_reverse("reviews:product", store_slug=obj.store.slug, product_ref=obj.slug)
    return cached_reverse("reviews:store", store_slug=obj.slug)


@register.simple_tag
def rating_line(obj, compact: bool = False, link: bool = True):
    """Stars, average and count of a product or store (nothing on a compact card without ratings:
    answered before any template is rendered, as most cards of a page are such)."""
    summary = selectors.rating_summary(obj)
    if compact and not summary.count:
        return ""
    context = {
        "summary": summary,
        "average": _number(summary.average),
        "compact": compact,
        "url": reviews_url(obj) if link else "",
        "is_product": isinstance(obj, Product),
    }
    return get_template("reviews/partials/_rating_line.html").render(context)


@register.inclusion_tag("reviews/partials/_product_reviews_block.html")
def product_reviews_block(product):
    """The product page's reviews section: average, count and the way in. The same for every
    visitor: their own "Write a review" (or why not) loads into it as a fragment."""
    summary = selectors.rating_summary(product)
    return {
        "product": product,
        "summary": summary,
        "average": _number(summary.average),
        "url": reviews_url(product),
    }


@register.simple_tag
def reviews_link(obj) -> str:
    return reviews_url(obj)


@register.filter
def average_text(summary) -> str:
    return _number(summary.average)


@register.simple_tag
def flag_reason_choices():
    from ..models import ReviewFlag

    return ReviewFlag.Reason.choices


@register.filter
def review_ids(reviews) -> list[int]:
    """The ids of a page's reviews (what the hole "review_actions" loads the visitor's actions of)."""
    return [review.pk for review in reviews]
