"""core.urls.cached_resolve answers what resolve() answers, for the URLconf in force."""

import pytest
from django.urls import Resolver404, path, resolve

from shomp.core.urls import cached_resolve


def test_cached_resolve_is_resolve():
    for address in ["/", "/stores/", "/mugs/", "/mugs/products/blue-mug/", "/mugs/products/blue-mug/reviews/"]:
        expected, match = resolve(address), cached_resolve(address)
        assert (match.view_name, match.kwargs) == (expected.view_name, expected.kwargs)
        assert cached_resolve(address) is match  # remembered


def test_an_address_that_resolves_to_nothing_is_refused_every_time():
    for _ in range(2):
        with pytest.raises(Resolver404):
            cached_resolve("/mugs/products/blue-mug/nothing-here/")


def _elsewhere(request):
    raise AssertionError("never called")


urlpatterns = [path("mugs/", _elsewhere, name="elsewhere")]


def test_another_urlconf_is_another_answer(settings):
    assert cached_resolve("/mugs/").view_name == "catalog:store"
    settings.ROOT_URLCONF = __name__
    assert cached_resolve("/mugs/").view_name == "elsewhere"
    with pytest.raises(Resolver404):
        cached_resolve("/stores/")


def test_long_addresses_are_resolved_but_not_remembered():
    address = "/" + "a" * 400 + "/"
    assert cached_resolve(address).view_name == resolve(address).view_name
    assert cached_resolve(address) is not cached_resolve(address)
