from django.urls import path

from . import views
from .views import promotions

app_name = "catalog"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("c/", views.categories, name="categories"),
    path("c/<slug:slug>/", views.category_page, name="category"),
    path("dashboard/products/", views.dashboard_products, name="dashboard_products"),
    path("dashboard/products/new/", views.dashboard_product_new, name="dashboard_product_new"),
    path("dashboard/products/<int:product_id>/edit/", views.dashboard_product_edit, name="dashboard_product_edit"),
    path(
        "dashboard/products/<int:product_id>/status/", views.dashboard_product_status, name="dashboard_product_status"
    ),
    path(
        "dashboard/products/<int:product_id>/images/<int:image_id>/",
        views.dashboard_product_image,
        name="dashboard_product_image",
    ),
    # The variant manager (views/variants.py, options.py, inventory.py)
    path("dashboard/products/<int:product_id>/variants/", views.dashboard_variants, name="dashboard_variants"),
    path(
        "dashboard/products/<int:product_id>/variants/preview/",
        views.dashboard_variants_preview,
        name="dashboard_variants_preview",
    ),
    path(
        "dashboard/products/<int:product_id>/variants/generate/",
        views.dashboard_variants_generate,
        name="dashboard_variants_generate",
    ),
    path(
        "dashboard/products/<int:product_id>/variants/add/",
        views.dashboard_variant_add,
        name="dashboard_variant_add",
    ),
    path(
        "dashboard/products/<int:product_id>/variants/grid/",
        views.dashboard_variants_grid,
        name="dashboard_variants_grid",
    ),
    path(
        "dashboard/products/<int:product_id>/variants/bulk/",
        views.dashboard_variants_bulk,
        name="dashboard_variants_bulk",
    ),
    path(
        "dashboard/products/<int:product_id>/variants/inventory-settings/",
        views.dashboard_inventory_settings,
        name="dashboard_inventory_settings",
    ),
    path(
        "dashboard/products/<int:product_id>/variants/options/",
        views.dashboard_option_add,
        name="dashboard_option_add",
    ),
    path(
        "dashboard/products/<int:product_id>/variants/options/<int:option_id>/values/",
        views.dashboard_option_values,
        name="dashboard_option_values",
    ),
    path(
        "dashboard/products/<int:product_id>/variants/options/<int:option_id>/remove/",
        views.dashboard_option_remove,
        name="dashboard_option_remove",
    ),
    path(
        "dashboard/products/<int:product_id>/variants/options/<int:option_id>/rename/",
        views.dashboard_option_rename,
        name="dashboard_option_rename",
    ),
    path(
        "dashboard/products/<int:product_id>/variants/values/<int:value_id>/",
        views.dashboard_option_value,
        name="dashboard_option_value",
    ),
    path(
        "dashboard/products/<int:product_id>/variants/values/<int:value_id>/remove/",
        views.dashboard_option_value_remove,
        name="dashboard_option_value_remove",
    ),
    path(
        "dashboard/products/<int:product_id>/variants/values/<int:value_id>/rename/",
        views.dashboard_option_value_rename,
        name="dashboard_option_value_rename",
    ),
    path(
        "dashboard/products/<int:product_id>/variants/<int:variant_id>/inventory/",
        views.dashboard_variant_inventory,
        name="dashboard_variant_inventory",
    ),
    # Promotions (views/promotions.py)
    path("dashboard/promotions/", promotions.dashboard_promotions, name="dashboard_promotions"),
    path("dashboard/promotions/new/", promotions.dashboard_promotion_new, name="dashboard_promotion_new"),
    path(
        "dashboard/promotions/<int:promotion_id>/edit/",
        promotions.dashboard_promotion_edit,
        name="dashboard_promotion_edit",
    ),
    path(
        "dashboard/promotions/<int:promotion_id>/end/",
        promotions.dashboard_promotion_end,
        name="dashboard_promotion_end",
    ),
    # The /<store_slug>/ catch-all: last here, and shomp/urls.py includes this module last.
    path("<slug:store_slug>/", views.store_page, name="store"),
    path("<slug:store_slug>/products/<str:product_ref>/", views.product_page, name="product"),
]
