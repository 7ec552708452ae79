from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("dashboard/analytics/", views.dashboard, name="dashboard"),
    path("dashboard/analytics/live/", views.live, name="live"),
    path("dashboard/analytics/products/", views.products, name="products"),
    path("dashboard/analytics/products/<str:product_id>/", views.product_detail, name="product"),
    path("dashboard/analytics/customers/", views.customers, name="customers"),
    path("dashboard/analytics/reports/", views.reports, name="reports"),
    path("dashboard/analytics/exports/", views.export, name="export"),
    path("dashboard/analytics/exports/<str:export_uuid>/", views.export_status, name="export_status"),
    path("dashboard/analytics/exports/<str:export_uuid>/download/", views.export_download, name="export_download"),
    # The organization's overview: its stores side by side (an organization tab, sections.py).
    path("dashboard/organization/", views.organization, name="organization"),
]
