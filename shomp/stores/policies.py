"""Who may do what with a store. `can_manage_store` is the single answer to
"may this user manage this store?" (the owner today; organization roles extend it here)."""

from functools import wraps

import rules
from django.http import Http404
from django.shortcuts import redirect

from .models import Store


@rules.predicate
def can_manage_store(user, store: Store | None) -> bool:
    if store is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return store.owner_id == user.pk


rules.add_perm("stores.manage_store", can_manage_store)


def access_store_for_management(*, user, store_id: int) -> Store:
    """The store if `user` may manage it; Http404 otherwise (never reveal that it exists)."""
    store = Store.objects.filter(pk=store_id).first()
    if store is None or not can_manage_store(user, store):
        raise Http404("No such store.")
    return store


ACTIVE_STORE_SESSION_KEY = "active_store_id"


def active_store_required(view):
    """The door to every /dashboard page: sets `request.store` to the user's active store.

    The active store is the one picked in the store switcher (kept in the session) if the
    user still manages it, else their first store; a user without a store is sent to create one.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        from .selectors import get_managed_stores

        stores = list(get_managed_stores(user=request.user))
        if not stores:
            return redirect("stores:create")
        wanted = request.session.get(ACTIVE_STORE_SESSION_KEY)
        store = next((s for s in stores if s.pk == wanted), stores[0])
        if not can_manage_store(request.user, store):  # one door, even for the fallback
            raise Http404
        request.store = store
        request.managed_stores = stores
        return view(request, *args, **kwargs)

    return wrapper
