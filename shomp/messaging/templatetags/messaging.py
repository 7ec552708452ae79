"""`{% load messaging %}` for pages of other apps: the store's typical reply time, message text."""

from datetime import timedelta

from django import template
from django.template.defaultfilters import linebreaksbr, urlize

from shomp.messaging.selectors import store_reply_time

register = template.Library()


@register.simple_tag
def typical_reply_time(store) -> str:
    """ "within an hour", "within 5 hours", "within 2 days"; "" when the store has no replies yet."""
    typical = store_reply_time(store=store)
    return humanize_reply_time(typical) if typical is not None else ""


def humanize_reply_time(value: timedelta) -> str:
    minutes = value.total_seconds() / 60
    if minutes <= 60:
        return "within an hour"
    hours = minutes / 60
    if hours < 24:
        whole = int(-(-hours // 1))
        return f"within {whole} hours"
    days = int(-(-hours // 24))
    return "within a day" if days == 1 else f"within {days} days"


@register.filter(is_safe=True, needs_autoescape=True)
def message_text(value, autoescape=True):
    """Escaped text with links and line breaks: what a message's author typed, nothing more."""
    # urlize escapes everything that is not a link (and the links' text); linebreaksbr keeps
    # that safe string as it is and turns newlines into <br>.
    return linebreaksbr(urlize(str(value or ""), autoescape=True), autoescape=True)
