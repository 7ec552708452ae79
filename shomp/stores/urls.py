from django.urls import path

from . import views

app_name = "stores"

urlpatterns = [
    path("stores/", views.store_list, name="list"),
    path("dashboard/stores/new/", views.store_create, name="create"),
    path("dashboard/store/", views.store_edit, name="edit"),
    path("dashboard/switch/", views.switch_store, name="switch"),
    path("dashboard/organization/stores/", views.organization_stores, name="organization"),
    path("dashboard/organization/stores/move-in/", views.organization_store_move_in, name="organization_move_in"),
    path(
        "dashboard/organization/stores/<int:store_id>/move-out/",
        views.organization_store_move_out,
        name="organization_move_out",
    ),
]
