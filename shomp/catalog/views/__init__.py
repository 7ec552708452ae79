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
from .variants import (
    dashboard_inventory_settings,
    dashboard_option_add,
    dashboard_option_remove,
    dashboard_option_value,
    dashboard_option_value_remove,
    dashboard_option_values,
    dashboard_variant_add,
    dashboard_variant_inventory,
    dashboard_variants,
    dashboard_variants_bulk,
    dashboard_variants_generate,
    dashboard_variants_grid,
    dashboard_variants_preview,
)

__all__ = [
    "dashboard_inventory_settings",
    "dashboard_option_add",
    "dashboard_option_remove",
    "dashboard_option_value",
    "dashboard_option_value_remove",
    "dashboard_option_values",
    "dashboard_product_edit",
    "dashboard_product_image",
    "dashboard_product_new",
    "dashboard_product_status",
    "dashboard_products",
    "dashboard_variant_add",
    "dashboard_variant_inventory",
    "dashboard_variants",
    "dashboard_variants_bulk",
    "dashboard_variants_generate",
    "dashboard_variants_grid",
    "dashboard_variants_preview",
    "home",
    "product_page",
    "search",
    "store_page",
]
