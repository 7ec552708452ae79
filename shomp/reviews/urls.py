from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("reviews/write/<int:product_id>/", views.write_review, name="write"),
    path("reviews/write/store/<slug:store_slug>/", views.write_store_review, name="write_store"),
    path("reviews/write/<int:product_id>/button/", views.write_button, name="write_button"),
    path("reviews/write/store/<slug:store_slug>/button/", views.write_store_button, name="write_store_button"),
    path("reviews/actions/", views.review_actions, name="actions"),
    path("reviews/<int:review_id>/", views.review_detail, name="detail"),
    path("reviews/<int:review_id>/edit/", views.edit_review, name="edit"),
    path("reviews/<int:review_id>/delete/", views.delete_review, name="delete"),
    path("reviews/<int:review_id>/helpful/", views.helpful, name="helpful"),
    path("reviews/<int:review_id>/flag/", views.flag, name="flag"),
    path("dashboard/reviews/", views.dashboard_reviews, name="dashboard"),
    path("dashboard/reviews/<int:review_id>/respond/", views.dashboard_respond, name="dashboard_respond"),
    # Under the catalog's /<store_slug>/ space: shomp/urls.py includes this module before the catalog.
    path("<slug:store_slug>/reviews/", views.store_reviews, name="store"),
    path("<slug:store_slug>/products/<str:product_ref>/reviews/", views.product_reviews, name="product"),
]
