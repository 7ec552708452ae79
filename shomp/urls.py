"""HTTP routes. Feature apps first; the catalog's /<store_slug>/ catch-all comes last."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, re_path
from django.views.static import serve

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("shomp.stores.urls")),
    path("", include("shomp.orders.urls")),
    path("", include("shomp.notifications.urls")),
    path("", include("shomp.follows.urls")),
    path("", include("shomp.messaging.urls")),  # before the catalog: /stores/<slug>/contact/
    path("", include("shomp.reviews.urls")),  # before the catalog: /<store_slug>/reviews/
    path("", include("shomp.catalog.urls")),  # last: holds the /<store_slug>/ catch-all
]

if settings.DEBUG or settings.TESTING:
    # Public media from local disk on the embedded default; production serves it from its own domain.
    media = re_path(r"^media/(?P<path>.*)$", login_not_required(serve), {"document_root": settings.MEDIA_ROOT})
    urlpatterns.insert(0, media)
