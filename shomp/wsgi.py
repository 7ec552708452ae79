"""WSGI entry point: production may serve pages here and only /ws/ through asgi.py."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shomp.settings")
application = get_wsgi_application()
