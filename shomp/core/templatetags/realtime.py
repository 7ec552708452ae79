"""`{% realtime_socket topics %}`: the page's one WebSocket, following the topics it shows.

Views pass `realtime_topics` (a list of "<kind>:<arg>" strings) and base.html renders
`{% realtime_socket realtime_topics user_realtime_topics %}` (the second list comes from a
context processor: the topics of every page of a logged-in user). The consumer subscribes only to topics the user may
follow, so naming a topic here grants nothing.
"""

import logging
from urllib.parse import urlencode

from django import template
from django.utils.html import format_html

from shomp.core import realtime

logger = logging.getLogger(__name__)
register = template.Library()


@register.simple_tag
def realtime_socket(*topic_lists):
    """The hidden htmx-ext-ws element for the topics in `topic_lists`; nothing when there are none.

    Each argument is a list of topics, one topic, or empty: base.html passes the page's own
    (`realtime_topics`) and the ones every page of a logged-in user follows (`user_realtime_topics`,
    e.g. the notification bell's), all on one socket.
    """
    topics = []
    for value in topic_lists:
        if value:
            topics.extend([value] if isinstance(value, str) else value)
    if not topics:
        return ""
    wanted = realtime.normalize_topics(topics)
    cap = realtime.MAX_TOPICS_PER_SOCKET
    if len(wanted) > cap:
        logger.warning("realtime_socket: %d topics, keeping the first %d", len(wanted), cap)
        wanted = wanted[:cap]
    if not wanted:
        return ""
    query = urlencode([(realtime.TOPIC_PARAM, value) for value in wanted])
    return format_html(
        '<div hx-ext="ws" ws-connect="{}?{}" id="realtime" class="d-none" aria-hidden="true"></div>',
        realtime.WEBSOCKET_PATH,
        query,
    )
