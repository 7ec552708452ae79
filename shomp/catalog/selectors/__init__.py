"""Reads the catalog's pages need, scoped to the viewer, with their related rows joined.

products.py: listings, search and the product page. browse.py: sorts, filters and categories.
home.py: the marketplace's front page. variants.py: the seller's variant manager and inventory.
variant_picker.py: the buyer's option picker on the product page.
"""

from . import home, variant_picker, variants
from .products import (
    RATING_SUMMARY,
    dashboard_products,
    get_visible_product,
    latest_products,
    published_products,
    search_products,
    store_published_products,
)

__all__ = [
    "RATING_SUMMARY",
    "dashboard_products",
    "get_visible_product",
    "home",
    "latest_products",
    "published_products",
    "search_products",
    "store_published_products",
    "variant_picker",
    "variants",
]
