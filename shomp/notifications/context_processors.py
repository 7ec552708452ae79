from .events import user_topic


def realtime(request):
    """Every page of a logged-in user follows their notification topic (the header bell).

    A callable, so templates that never render base.html (HTMX fragments) never touch the user.
    """
    user = getattr(request, "user", None)

    def topics() -> list[str]:
        return [user_topic(user.pk)] if user is not None and user.is_authenticated else []

    return {"user_realtime_topics": topics}
