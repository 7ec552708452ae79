from .events import user_topic


def messages_badge(request):
    """Every page of a signed-in user follows their "user-messages:<id>" topic (the header badge).

    No query here: the badge loads its count after the page (views.badge), so no page pays for it.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"messaging_realtime_topics": []}
    return {"messaging_realtime_topics": lambda: [user_topic(user.pk)]}
