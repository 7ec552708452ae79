"""Who may run bulk operations, and on which stores.

A bulk operation changes products and stock ("products") and is what the role table calls
"Promotions and bulk operations" ("promotions"): a store is open to bulk work for a user who
may do both there (owners, admins and managers by default; a member with either area taken
away is refused). Everything else answers 404.
"""

from __future__ import annotations

import uuid

from django.http import Http404

from shomp.organizations.areas import Area
from shomp.organizations.policies import can
from shomp.stores.models import Store
from shomp.stores.selectors import stores_for

from .models import BulkJob

AREAS = (Area.PRODUCTS, Area.PROMOTIONS)


def can_bulk_edit(user, store: Store) -> bool:
    return all(can(user, store, area) for area in AREAS)


def bulk_stores(user) -> list[Store]:
    """The stores `user` may run bulk operations on, by name (one query)."""
    stores = stores_for(user=user, area=AREAS[0]).filter(pk__in=stores_for(user=user, area=AREAS[1]).values("pk"))
    return list(stores.select_related("organization"))


def access_job(*, user, job_uuid: str) -> BulkJob:
    """The user's own bulk job, while they may still work on every store it touches (its plan,
    which can be large, is read only when a page needs it: `job.changes`)."""
    try:
        key = uuid.UUID(str(job_uuid))
    except ValueError:
        raise Http404("No such operation.") from None
    job = BulkJob.objects.filter(uuid=key, user_id=getattr(user, "pk", None)).defer("changes").first()
    if job is None:
        raise Http404("No such operation.")
    allowed = {store.pk for store in bulk_stores(user)}
    if not set(job.store_ids) <= allowed:
        raise Http404("No such operation.")
    return job
