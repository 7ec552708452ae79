"""What analytics pushes in real time: the live panel of the store's open dashboards.

`live_changed(store_id=...)` is called by the recording side after a drain inserted views for
the store (and on commit); it renders the panel once and publishes it to `store-live:<id>`,
whose subscribers the door re-checks before each push. Open pages also refresh the panel every
`LIVE_REFRESH_SECONDS` without a socket.
"""

from __future__ import annotations

from django.template.loader import render_to_string

from shomp.core import realtime
from shomp.stores.models import Store

from . import selectors

LIVE_TOPIC = "store-live"
LIVE_REFRESH_SECONDS = 30


def live_topic(store_id: int) -> str:
    return realtime.topic(LIVE_TOPIC, store_id)


def render_live(*, store: Store, oob: bool = False) -> str:
    return render_to_string(
        "analytics/partials/_live.html",
        {"live": selectors.live(store=store), "store": store, "oob": oob, "refresh": LIVE_REFRESH_SECONDS},
    )


def live_changed(*, store_id: int) -> None:
    """Push the store's live panel (who is on its pages now) to its open dashboards."""
    store = Store.objects.filter(pk=store_id).first()
    if store is None:
        return
    topic = live_topic(store.pk)
    if not realtime.online([topic]):
        return  # nobody is watching: skip the queries
    realtime.publish(topic, render_live(store=store, oob=True))
