"""Store designs for the shared page cache (shomp/core/pagecache.py): publishing a theme changes
the stylesheet address and banner every page of the store carries."""

from __future__ import annotations

from shomp.core import pagecache

from .models import StoreAsset, StoreSettings, Theme


def register() -> None:
    pagecache.watch(StoreSettings, refs=lambda row: [("store", row.store_id)])
    pagecache.watch(StoreAsset, refs=lambda asset: [("store", asset.store_id)])
    pagecache.watch(Theme, refs=lambda theme: None)
