"""Every write to the catalog. Keyword-only, one transaction each, return the object.

products.py: products, their images (decoded by the worker) and publishing. options.py: a product's options and values.
variants.py: pricing, generating and editing variants. inventory.py: stock and its history.
common.py: the locks and checks those three share.
"""

from .inventory import InventoryAction, manage_inventory, return_stock, sell_variant_stock, set_inventory_settings
from .options import (
    add_option_values,
    add_product_option,
    remove_option_value,
    remove_product_option,
    rename_option_value,
    rename_product_option,
    set_option_value_modifier,
    swatch_for,
)
from .pricing import (
    Offers,
    Price,
    attach_prices,
    calculate_price,
    list_price,
    load_offers,
    price_lines,
    price_of,
)
from .products import (
    IMAGE_UPLOADS_PER_HOUR,
    MAX_IMAGES,
    add_product_images,
    archive_product,
    create_product,
    create_reserved_product,
    move_product_image,
    process_product_images,
    publish_product,
    remove_product_image,
    unpublish_product,
    update_product,
)
from .variants import (
    BULK_FIELDS,
    VariantPlan,
    bulk_update_variants,
    create_variant,
    generate_variants,
    preview_variants,
    update_variant,
)

__all__ = [
    "BULK_FIELDS",
    "IMAGE_UPLOADS_PER_HOUR",
    "MAX_IMAGES",
    "InventoryAction",
    "Offers",
    "Price",
    "VariantPlan",
    "add_option_values",
    "add_product_images",
    "add_product_option",
    "archive_product",
    "attach_prices",
    "bulk_update_variants",
    "calculate_price",
    "create_product",
    "create_reserved_product",
    "create_variant",
    "generate_variants",
    "list_price",
    "load_offers",
    "manage_inventory",
    "move_product_image",
    "preview_variants",
    "price_lines",
    "price_of",
    "process_product_images",
    "publish_product",
    "remove_option_value",
    "remove_product_image",
    "remove_product_option",
    "rename_option_value",
    "rename_product_option",
    "return_stock",
    "sell_variant_stock",
    "set_inventory_settings",
    "set_option_value_modifier",
    "swatch_for",
    "unpublish_product",
    "update_product",
    "update_variant",
]
