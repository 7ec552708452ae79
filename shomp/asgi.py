"""ASGI entry point: Django for HTTP, the core real-time consumer for WebSockets at /ws/.

Production may serve pages through WSGI (shomp/wsgi.py) and route only /ws/ here; one ASGI
process serving both is fine for development (`uvicorn shomp.asgi:application --lifespan off`).
"""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shomp.settings")

# Set up Django (apps, models) before anything imports a consumer or a model.
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import path, re_path  # noqa: E402

from shomp.core.consumers import NotFoundConsumer, RealtimeConsumer  # noqa: E402
from shomp.core.middleware import RejectUnstorableWebSocketMiddleware  # noqa: E402

websocket_urlpatterns = [path("ws/", RealtimeConsumer.as_asgi()), re_path(r"", NotFoundConsumer.as_asgi())]

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # The origin check refuses cross-site handshakes (and ones without an Origin header), then
        # a handshake holding NUL or a lone surrogate (as for HTTP: shomp/core/middleware.py).
        "websocket": AllowedHostsOriginValidator(
            RejectUnstorableWebSocketMiddleware(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
        ),
    }
)

# Start-up done (Django, the apps, the consumer): move what it left, some 114,000 long-lived
# objects, out of the garbage collector's sight. A full collection walked them all, 160 to 230 ms
# with the event loop stopped and every socket's pushes waiting (bench/README.md, realtime.py);
# now it walks only what was made since. Collecting first keeps start-up's garbage unfrozen.
gc.collect()
gc.freeze()
