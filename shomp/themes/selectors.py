"""Reads of store designs, already scoped."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from shomp.core.sql import Precompiled
from shomp.stores.models import Store

from .models import StoreAsset, StoreSettings, Theme
from .stylesheet import SCOPE

_CACHE_ATTRIBUTE = "_themes_published_design"


@dataclass(frozen=True)
class StoreDesign:
    """What a storefront page needs of a store's design: the container's classes, the banner
    and the stylesheet's address (None while nothing is published)."""

    classes: str = SCOPE
    banner_url: str = ""
    css_url: str | None = None


def published_design(*, store: Store) -> StoreDesign:
    """The store's published design: one query per store and request (kept on the store
    object, so the head and the body of a page share it)."""
    cached = getattr(store, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    rows = _PUBLISHED(store_id=store.pk)
    row = rows[0] if rows else None
    if row is None:
        found = StoreDesign()
    else:
        snapshot = row["published"] or {}
        found = StoreDesign(
            classes=f"{SCOPE} {snapshot.get('classes', '')}".strip(),
            banner_url=snapshot.get("banner_url", ""),
            css_url=reverse("themes:stylesheet", kwargs={"store_id": store.pk, "digest": row["published_hash"]}),
        )
    setattr(store, _CACHE_ATTRIBUTE, found)
    return found


# Every storefront page asks it: compiled once (core.sql).
_PUBLISHED = Precompiled(
    lambda store_id: (
        StoreSettings.objects.filter(store_id=store_id)
        .exclude(published_hash="")
        .values("published", "published_hash")
        .order_by("pk")[:1]
    ),
    store_id=int,
)


def published_stylesheet(*, store_id: int, digest: str) -> str | None:
    return (
        StoreSettings.objects.filter(store_id=store_id, published_hash=digest)
        .exclude(published_hash="")
        .values_list("published_css", flat=True)
        .first()
    )


def themes() -> list[Theme]:
    return list(Theme.objects.all())


def store_assets(*, store: Store):
    return StoreAsset.objects.filter(store=store).order_by("name")


def assets_usage(*, store: Store) -> tuple[int, int]:
    from django.db.models import Count, Sum

    row = StoreAsset.objects.filter(store=store).aggregate(count=Count("id"), total=Sum("size_bytes"))
    return row["count"] or 0, row["total"] or 0
