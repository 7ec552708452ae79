from django.urls import path

from . import views

app_name = "bulk"

urlpatterns = [
    path("dashboard/bulk/", views.home, name="home"),
    path("dashboard/bulk/preview/", views.preview, name="preview"),
    path("dashboard/bulk/import/", views.import_csv, name="import"),
    path("dashboard/bulk/export.csv", views.export_csv, name="export"),
    path("dashboard/bulk/jobs/<str:job_uuid>/", views.job, name="job"),
    path("dashboard/bulk/jobs/<str:job_uuid>/apply/", views.apply, name="apply"),
]
