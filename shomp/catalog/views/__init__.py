"""The catalog's pages. products.py: public pages and the seller's product pages.
variants.py: the seller's options, variants and inventory pages."""

from .products import (
    dashboard_product_edit,
    dashboard_product_image,
    dashboard_product_new,
    dashboard_product_status,
    dashboard_products,
    home,
    product_page,
    search,
    store_page,
)

__all__ = [
    "dashboard_product_edit",
    "dashboard_product_image",
    "dashboard_product_new",
    "dashboard_product_status",
    "dashboard_products",
    "home",
    "product_page",
    "search",
    "store_page",
]
