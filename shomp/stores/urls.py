from django.urls import path

from . import views

app_name = "stores"

urlpatterns = [
    path("stores/", views.store_list, name="list"),
    path("dashboard/stores/new/", views.store_create, name="create"),
    path("dashboard/store/", views.store_edit, name="edit"),
    path("dashboard/switch/", views.switch_store, name="switch"),
]
