"""`cached_reverse`: reverse() for the addresses every card and link asks for again and again;
`cached_static`: `{% static %}`'s address of a static file, likewise; `cached_resolve`: resolve()
for the paths the page cache and page-view counting look up on every request.

A product card's address is a pure function of the URLconf, the script prefix and its slugs, yet
`reverse` works it out anew each time (tens of microseconds: a home page asked it some sixty
times). The answer is remembered by all of those, so it is never stale: another URLconf or
prefix (a test's override, a deployment under a sub-path) is another key.
"""

from functools import lru_cache

from django.conf import settings
from django.core.files.storage import storages
from django.urls import ResolverMatch, get_resolver, get_script_prefix, get_urlconf, reverse


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


def cached_resolve(path: str) -> ResolverMatch:
    """`resolve(path)`, remembered per URLconf (its resolver is the key, and Django makes a new
    one when ROOT_URLCONF changes or url caches are cleared). A shop's pages come last in the
    URLconf (`/<store>/...`), so resolving one walks every earlier pattern: about 0.2 ms, twice
    on a cached page's answer (the page cache, then page-view counting). Paths that resolve to
    nothing (Resolver404) are not remembered, nor long ones; the memo is bounded. The match is
    shared: read it, never change it."""
    resolver = get_resolver(get_urlconf())
    if len(path) > _MAX_REMEMBERED_PATH:
        return resolver.resolve(path)
    return _resolve(resolver, path)


_MAX_REMEMBERED_PATH = 300


@lru_cache(maxsize=2048)
def _resolve(resolver, path: str) -> ResolverMatch:
    return resolver.resolve(path)
