"""`{% priced products as products %}`: a grid of product cards priced in one batch.

Cards show what a buyer pays now (services.pricing: promotions included, the struck-through
price before one, when the sale ends). Every grid of cards passes through this tag, so no card
prices itself: two queries for the whole grid, whatever its size (none when the view priced
them already, as the home page does for its two grids at once)."""

from django import template

from ..services.pricing import attach_prices

register = template.Library()


@register.simple_tag
def priced(products):
    products = list(products or [])
    if not all(hasattr(product, "sale") for product in products):
        attach_prices(products)
    return products
