from django.urls import path

from . import views

app_name = "follows"

urlpatterns = [
    path("stores/follow/pending/", views.pending, name="pending"),
    path("stores/<slug:store_slug>/follow-button/", views.follow_button, name="button"),
    path("stores/<slug:store_slug>/follow/", views.follow, name="follow"),
    path("stores/<slug:store_slug>/unfollow/", views.unfollow, name="unfollow"),
    path("account/following/", views.following, name="following"),
    path("announcements/<uuid:announcement_uuid>/", views.announcement, name="announcement"),
    path("dashboard/followers/", views.dashboard_followers, name="dashboard_followers"),
    path("dashboard/announcements/", views.dashboard_announcements, name="dashboard_announcements"),
]
