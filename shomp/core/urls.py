"""`cached_reverse`: reverse() for the addresses every card and link asks for again and again;
`cached_static`: `{% static %}`'s address of a static file, likewise.

A product card's address is a pure function of the URLconf, the script prefix and its slugs, yet
`reverse` works it out anew each time (tens of microseconds: a home page asked it some sixty
times). The answer is remembered by all of those, so it is never stale: another URLconf or
prefix (a test's override, a deployment under a sub-path) is another key.
"""

from functools import lru_cache

from django.conf import settings
from django.core.files.storage import storages
from django.urls import get_script_prefix, get_urlconf, reverse


def cached_reverse(viewname: str, **kwargs: str | int) -> str:
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return _reverse(urlconf, get_script_prefix(), viewname, tuple(sorted(kwargs.items())))


@lru_cache(maxsize=8192)
def _reverse(urlconf, prefix: str, viewname: str, kwargs: tuple) -> str:
    return reverse(viewname, urlconf=urlconf, kwargs=dict(kwargs))


def cached_static(path: str) -> str:
    """What `{% static path %}` answers, remembered per static storage: base.html asks for nine
    on every page, and the manifest storage works each out anew (its hashed name, a urljoin, a
    quote: ~20 µs). The storage is the key, and Django makes a new one whenever STORAGES,
    STATIC_ROOT or STATIC_URL change; DEBUG too, as the manifest storage reads it per call."""
    return _static(storages["staticfiles"], settings.DEBUG, path)


@lru_cache(maxsize=1024)
def _static(storage, debug: bool, path: str) -> str:
    return storage.url(path)
