"""HTTP routes. Feature apps first; the catalog's /<store_slug>/ catch-all comes last."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.urls import include, path, re_path
from django.views.static import serve

from shomp.core import bench

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("shomp.stores.urls")),
    path("", include("shomp.organizations.urls")),
    path("", include("shomp.orders.urls")),
    path("", include("shomp.notifications.urls")),
    path("", include("shomp.follows.urls")),
    path("", include("shomp.messaging.urls")),  # before the catalog: /stores/<slug>/contact/
    path("", include("shomp.reviews.urls")),  # before the catalog: /<store_slug>/reviews/
    path("", include("shomp.wishlists.urls")),
    path("", include("shomp.analytics.urls")),
    path("", include("shomp.bulk.urls")),
    path("", include("shomp.themes.urls")),  # before the catalog: /themes/<id>/<hash>.css
    path("", include("shomp.catalog.urls")),  # last: holds the /<store_slug>/ catch-all
]


@login_not_required
def serve_media(request, path: str):
    """Public media from local disk on the embedded default; production serves it from its own domain.

    A name the file system refuses (too long) is a 404, not an OSError."""
    try:
        return serve(request, path, document_root=settings.MEDIA_ROOT)
    except OSError:
        raise Http404("No such file.") from None


if settings.DEBUG or settings.TESTING:
    urlpatterns.insert(0, re_path(r"^media/(?P<path>.*)$", serve_media))

if settings.SHOMP_BENCH_CONTROL:
    # bench/pages.py's bare-Django control, in the same server as the pages it is compared with.
    urlpatterns.insert(0, path("__bench__/control/", bench.control))
