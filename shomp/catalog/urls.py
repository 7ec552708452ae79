from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
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
    # The /<store_slug>/ catch-all: last here, and shomp/urls.py includes this module last.
    path("<slug:store_slug>/", views.store_page, name="store"),
    path("<slug:store_slug>/products/<str:product_ref>/", views.product_page, name="product"),
]
