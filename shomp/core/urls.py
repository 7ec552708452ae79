"""`cached_reverse`: reverse() for the addresses every card and link asks for again and again.

A product card's address is a pure function of the URLconf, the script prefix and its slugs, yet
`reverse` works it out anew each time (tens of microseconds: a home page asked it some sixty
times). The answer is remembered by all of those, so it is never stale: another URLconf or
prefix (a test's override, a deployment under a sub-path) is another key.
"""

from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse


def cached_reverse(viewname: str, **kwargs: str | int) -> str:
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return _reverse(urlconf, get_script_prefix(), viewname, tuple(sorted(kwargs.items())))


@lru_cache(maxsize=8192)
def _reverse(urlconf, prefix: str, viewname: str, kwargs: tuple) -> str:
    return reverse(viewname, urlconf=urlconf, kwargs=dict(kwargs))
