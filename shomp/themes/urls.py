from django.urls import path

from . import views

app_name = "themes"

urlpatterns = [
    path("themes/<str:store_id>/<str:digest>.css", views.published_stylesheet, name="stylesheet"),
    path("dashboard/store/themes/", views.themes, name="themes"),
    path("dashboard/store/themes/<str:theme_key>/thumbnail.svg", views.theme_thumbnail, name="thumbnail"),
    path("dashboard/store/customize/", views.customize, name="customize"),
    path("dashboard/store/customize/publish/", views.publish, name="publish"),
    path("dashboard/store/customize/logo/", views.logo, name="logo"),
    path("dashboard/store/customize/preview/", views.preview, name="preview"),
    path("dashboard/store/customize/preview.css", views.preview_css, name="preview_css"),
    path("dashboard/store/assets/", views.assets, name="assets"),
    path("dashboard/store/assets/<str:asset_id>/rename/", views.asset_rename, name="asset_rename"),
    path("dashboard/store/assets/<str:asset_id>/delete/", views.asset_delete, name="asset_delete"),
    path("dashboard/store/assets/<str:asset_id>/logo/", views.asset_logo, name="asset_logo"),
]
