"""Formatting for the analytics pages: numbers by kind and the change against the comparison."""

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.html import format_html

from shomp.core.money import format_money

register = template.Library()


@register.simple_tag
def metric(value, kind: str = "count", currency: str = "USD") -> str:
    """A headline number: a count with separators, a percentage or an amount; "–" for none."""
    if value is None:
        return "–"
    if kind == "percent":
        return f"{value:.1f}%"
    if kind == "money":
        return format_money(value, currency or "USD")
    return intcomma(value)


@register.filter
def percent(value) -> str:
    return "–" if value is None else f"{value:.1f}%"


@register.simple_tag
def change_badge(change) -> str:
    """↑ 12% (green), ↓ 5% (red), or "no earlier data" when there is nothing to compare with."""
    if change is None:
        return format_html('<span class="small text-body-secondary">{}</span>', "no earlier data")
    if abs(change) < 0.05:
        return format_html('<span class="small text-body-secondary">{}</span>', "no change")
    up = change > 0
    return format_html(
        '<span class="small {}"><i class="bi bi-arrow-{}" aria-hidden="true"></i>'
        '<span class="visually-hidden">{}</span> {}%</span>',
        "text-success" if up else "text-danger",
        "up" if up else "down",
        "up" if up else "down",
        f"{abs(change):.1f}",
    )
