"""A cached page's answer reads the cache once (versions, promotion moment and page in one
MGET), and a page stamped under other versions is never served: a slow render that stores its
page after a change can't bring the old page back."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import caches
from django.test import Client, RequestFactory

from shomp.catalog import services
from shomp.catalog.tests.factories import ProductFactory
from shomp.core import pagecache

pytestmark = pytest.mark.django_db


@pytest.fixture
def product():
    return ProductFactory(title="Blue bowl", price=Decimal("30.00"), stock=5)


class CountingCalls:
    """Records the pages cache's reads and writes while a request is answered: the calls the
    code makes (one each a round trip to Redis), not those a backend makes inside them (the
    local-memory backend's get_many calls get per key)."""

    def __init__(self, monkeypatch):
        self.calls: list[str] = []
        self._depth = 0
        cache = caches[pagecache.ALIAS]
        for name in ("get", "get_many", "set", "add", "set_many", "delete", "delete_many", "incr"):
            original = getattr(cache, name)

            def counted(*args, _name=name, _original=original, **kwargs):
                if self._depth == 0:
                    self.calls.append(_name)
                self._depth += 1
                try:
                    return _original(*args, **kwargs)
                finally:
                    self._depth -= 1

            monkeypatch.setattr(cache, name, counted)


def test_a_hit_reads_the_cache_once_and_writes_nothing(product, monkeypatch):
    url = product.get_absolute_url()
    assert Client().get(url)["X-Cache"] == "MISS"
    counting = CountingCalls(monkeypatch)

    hit = Client().get(url)

    assert hit["X-Cache"] == "HIT"
    assert "Blue bowl" in hit.content.decode()
    assert counting.calls == ["get_many"]


def test_a_page_stored_under_old_versions_after_a_change_is_never_served(
    product, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(pagecache, "BUMP_AT_ONCE_IN_TESTS", False)
    url = product.get_absolute_url()
    request = RequestFactory().get(url)
    slug = product.store.slug
    Client().get(url)
    key, stamp, _seconds, entry = pagecache.page_lookup(request, scope=pagecache.STORE, store_slug=slug)
    assert entry is not None and b"30.00" in entry[2]

    pagecache.reset_pending()
    with django_capture_on_commit_callbacks(execute=True):
        services.update_product(
            product=product, title=product.title, price=Decimal("45.00"), kind=product.kind, stock=5
        )
    # A render that began before the change stores its page afterwards, stamped as it began.
    caches[pagecache.ALIAS].set(key, (stamp, *entry), timeout=600)

    assert pagecache.stored_page(request, scope=pagecache.STORE, store_slug=slug) is None
    answer = Client().get(url)
    assert answer["X-Cache"] == "MISS"
    assert "45.00" in answer.content.decode() and "30.00" not in answer.content.decode()
    assert Client().get(url)["X-Cache"] == "HIT"
