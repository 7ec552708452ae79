"""The shared page cache (shomp/core/pagecache.py) learns store slugs here, and watches stores."""

from __future__ import annotations

from shomp.core import pagecache

from .models import Store


def store_slugs(store_ids: set[int]) -> list[str]:
    return list(Store.objects.filter(pk__in=store_ids).values_list("slug", flat=True))


def register() -> None:
    pagecache.register_store_slugs(store_slugs)
    # By slug, not id: a deleted store's id no longer leads to its slug. A slug change bumps the
    # old slug too (services.update_store).
    pagecache.watch(Store, refs=lambda store: [("slug", store.slug)])
