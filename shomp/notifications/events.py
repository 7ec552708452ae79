"""What notifications push in real time: the header bell of every open tab of a user.

Topic "user-notifications:<user_id>", followed by every page of a logged-in user (see
context_processors.py) and authorized for that user only (apps.py).
"""

from collections.abc import Iterable

from django.template.loader import render_to_string

from shomp.core import realtime

from . import selectors

TOPIC_KIND = "user-notifications"


def user_topic(user_id: int) -> str:
    return realtime.topic(TOPIC_KIND, user_id)


def bell_changed(*, user_id: int) -> None:
    """Push the user's unread count and latest notifications (rendered for them) to their tabs."""
    html = render_to_string("notifications/partials/_bell.html", selectors.bell(user_id=user_id))
    realtime.publish(user_topic(user_id), html)


def bells_changed(*, user_ids: Iterable[int]) -> None:
    """A fan-out reached these users: send those with a page open the same tiny frame, and each
    open tab fetches its own bell. Rendering every follower's bell in the worker would cost a
    query and a template per follower, most of whom have no tab open; sending to every
    follower's topic would cost a round trip to Redis each."""
    html = render_to_string("notifications/partials/_bell_sync.html")
    realtime.publish_many([user_topic(user_id) for user_id in user_ids], html, online_only=True)
