"""The seller dashboard's door, as the organization pages use it.

The organization pages are dashboard pages: they act on the active store's organization and
show the store switcher. That door (`stores.policies.active_store_required`) belongs to the
stores app, which sits above this one (a store belongs to an organization, so stores imports
us, never the other way). So StoresConfig.ready() lends it here with `set_store_door`, as the
follows app hands the catalog its publish hook.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import ImproperlyConfigured

from .areas import MEMBER

#: Where the dashboard keeps the active store's id (the stores app's door reads it).
ACTIVE_STORE_SESSION_KEY = "active_store_id"

_store_door: Callable | None = None


def set_store_door(door: Callable) -> None:
    """`door(view, area=...)` wraps a view: sets request.store, or redirects or 404s."""
    global _store_door
    _store_door = door


def organization_page(view):
    """For the organization pages: any member of the active store's team may open them
    (each view then asks for the area its action needs)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if _store_door is None:
            raise ImproperlyConfigured("The stores app lends the dashboard door in StoresConfig.ready().")
        return _store_door(view, area=MEMBER)(request, *args, **kwargs)

    return wrapper
