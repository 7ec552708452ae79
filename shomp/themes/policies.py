"""Who may see and change a store's design: the permission door's "appearance" area (views use
active_store_required(area=Area.APPEARANCE)); objects through access_* (another store's id: 404)."""

from django.http import Http404

from shomp.core.params import parse_id
from shomp.stores.models import Store

from .models import StoreAsset


def access_asset(*, store: Store, asset_id) -> StoreAsset:
    pk = parse_id(str(asset_id))
    asset = StoreAsset.objects.filter(store=store, pk=pk).first() if pk else None
    if asset is None:
        raise Http404("No such asset.")
    return asset
