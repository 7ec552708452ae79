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
from django.http import Http404
from django.shortcuts import redirect

from .areas import MEMBER
from .models import Organization
from .policies import memberships_for

#: Where the dashboard keeps the active store's id (the stores app's door reads it).
ACTIVE_STORE_SESSION_KEY = "active_store_id"

_store_door: Callable | None = None


def set_store_door(door: Callable) -> None:
    """`door(view, area=...)` wraps a view: sets request.store, or redirects or 404s."""
    global _store_door
    _store_door = door


def organization_page(view):
    """For the organization pages: any member of the organization may open them (each view then
    asks for the area its action needs).

    The organization is the active store's, or the one named by `?organization=<id>`: that is how
    an organization without stores (or none this member still works on) is reached, to manage,
    delete or leave it. The view's `policies.access_organization` answers 404 for an
    organization the user isn't in. Sets `request.organization_id`, `request.organization_query`
    (the `?organization=` to keep on the page's links and forms) and
    `request.storeless_organizations` (the user's other teams without a store for them, listed
    in the switcher)."""

    @wraps(view)
    def with_organization(request, *args, **kwargs):
        chosen = request.chosen_organization_id
        grants = memberships_for(request.user)
        if chosen is None and request.store is None:
            if not grants:
                return redirect("stores:create")
            # No store to work on: the first team (by id) they still belong to.
            chosen = min(grants)
        request.organization_id = chosen if chosen is not None else request.store.organization_id
        request.organization_query = f"?organization={chosen}" if chosen is not None else ""
        with_stores = {store.organization_id for store in request.switchable_stores}
        storeless = set(grants) - with_stores
        request.storeless_organizations = (
            list(Organization.objects.filter(pk__in=storeless).order_by("name", "pk")) if storeless else []
        )
        return view(request, *args, **kwargs)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if _store_door is None:
            raise ImproperlyConfigured("The stores app lends the dashboard door in StoresConfig.ready().")
        raw = request.GET.get("organization")
        request.chosen_organization_id = None
        if raw is not None:
            if not raw.isascii() or not raw.isdigit() or len(raw) > 18 or int(raw) < 1:
                raise Http404("No such organization.")
            request.chosen_organization_id = int(raw)
        return _store_door(with_organization, area=MEMBER, store_optional=True)(request, *args, **kwargs)

    return wrapper
