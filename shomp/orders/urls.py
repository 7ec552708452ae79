from django.urls import path

from . import lifecycle_views, views

app_name = "orders"

urlpatterns = [
    path("cart/", views.cart, name="cart"),
    path("cart/add/", views.cart_add, name="cart_add"),
    path("cart/items/<int:item_id>/", views.cart_update, name="cart_update"),
    path("checkout/", views.checkout, name="checkout"),
    path("checkout/done/<uuid:token>/", views.checkout_done, name="checkout_done"),
    path("orders/", views.order_list, name="list"),
    path("account/addresses/", views.address_list, name="addresses"),
    path("account/addresses/<int:address_id>/delete/", views.address_delete, name="address_delete"),
    path("orders/<uuid:order_uuid>/", lifecycle_views.order_detail, name="detail"),
    path("orders/<uuid:order_uuid>/items/<int:item_id>/download/", views.order_download, name="download"),
    path("dashboard/", views.dashboard_home, name="dashboard_home"),
    path("dashboard/store/shipping/", views.dashboard_shipping, name="dashboard_shipping"),
    path("dashboard/orders/", views.dashboard_orders, name="dashboard_orders"),
    path(
        "dashboard/orders/<uuid:order_uuid>/",
        lifecycle_views.dashboard_order_detail,
        name="dashboard_order_detail",
    ),
    path(
        "dashboard/orders/<uuid:order_uuid>/status/",
        lifecycle_views.dashboard_order_status,
        name="dashboard_order_status",
    ),
]
