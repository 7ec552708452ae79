"""Who may follow a store, and the doors to stores and announcements by their public ids.

The followers and announcements pages ask the permission door for "followers"
(`stores.policies.active_store_required(area=Area.FOLLOWERS)`). Those who may do everything on
the store (the owner, full admins) run it rather than follow it.
"""

import rules
from django.http import Http404

from shomp.organizations.areas import EVERY
from shomp.stores.models import Store
from shomp.stores.policies import can
from shomp.stores.selectors import get_store_by_slug

from .models import StoreAnnouncement
from .selectors import get_announcement


@rules.predicate
def can_follow_store(user, store: Store | None) -> bool:
    """Any active user may follow a store, except whoever runs it all (owner, full admins)."""
    return (
        store is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and not can(user, store, EVERY)
    )


rules.add_perm("follows.follow_store", can_follow_store)


def access_store(*, slug: str) -> Store:
    """A store by its public address, else Http404."""
    store = get_store_by_slug(slug=slug)
    if store is None:
        raise Http404("No such store.")
    return store


def access_store_by_id(*, store_id) -> Store:
    """A store by its id (kept in the session by a visitor's Follow before logging in), else Http404."""
    store = Store.objects.filter(pk=store_id).first() if isinstance(store_id, int) else None
    if store is None:
        raise Http404("No such store.")
    return store


def access_announcement(*, announcement_uuid) -> StoreAnnouncement:
    """Announcements are public once sent (followers got them; anyone with the link may read)."""
    announcement = get_announcement(announcement_uuid=announcement_uuid)
    if announcement is None:
        raise Http404("No such announcement.")
    return announcement
