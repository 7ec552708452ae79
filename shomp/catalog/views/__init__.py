"""The catalog's pages.

home.py: the marketplace's front page. products.py: the product page and the seller's product
pages. variants.py: the seller's variant manager (the page, generate and preview, add one, the
grid, bulk edit). options.py: its option
and value actions (add, rename, price, remove). inventory.py: its inventory settings and one
variant's stock page.
"""

from .browse import categories, category_page, search, store_page
from .home import home
from .inventory import dashboard_inventory_settings, dashboard_variant_inventory
from .options import (
    dashboard_option_add,
    dashboard_option_remove,
    dashboard_option_rename,
    dashboard_option_value,
    dashboard_option_value_remove,
    dashboard_option_value_rename,
    dashboard_option_values,
)
from .products import (
    dashboard_product_edit,
    dashboard_product_image,
    dashboard_product_new,
    dashboard_product_status,
    dashboard_products,
    product_page,
)
from .variants import (
    dashboard_variant_add,
    dashboard_variants,
    dashboard_variants_bulk,
    dashboard_variants_generate,
    dashboard_variants_grid,
    dashboard_variants_preview,
)

__all__ = [
    "categories",
    "category_page",
    "dashboard_inventory_settings",
    "dashboard_option_add",
    "dashboard_option_remove",
    "dashboard_option_rename",
    "dashboard_option_value",
    "dashboard_option_value_remove",
    "dashboard_option_value_rename",
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
