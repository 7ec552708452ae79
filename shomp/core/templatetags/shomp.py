from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.timesince import timesince

from shomp.core import header
from shomp.core.countries import country_options as _country_options
from shomp.core.money import format_money, format_price
from shomp.core.urls import cached_reverse, cached_static

register = template.Library()


@register.filter
def money(amount, currency="USD"):
    """{{ product.price|money:store.currency }} -> "$12.00"."""
    return format_money(amount, currency or "USD")


@register.filter
def country_options(selected):
    """{{ country|country_options }}: every country as an <option>, the chosen code selected."""
    return _country_options(selected if isinstance(selected, str) else "")


@register.filter
def price_or_free(amount, currency="USD"):
    """Prices shown to buyers: {{ product.price|price_or_free:store.currency }} -> "Free" or "$12.00"."""
    return format_price(amount, currency or "USD")


@register.filter
def ago(value):
    """{{ n.created_at|ago }} -> "just now" under a minute (not "0 minutes ago"), else "3 hours ago"."""
    if not value:
        return ""
    if timezone.now() - value < timedelta(minutes=1):
        return "just now"
    return f"{timesince(value)} ago"


@register.simple_tag(takes_context=True)
def query_replace(context, **kwargs):
    """Keep the current query string while changing some keys (pagination, filters)."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()


@register.filter
def widget_type(bound_field):
    return bound_field.field.widget.__class__.__name__.lower()


@register.filter
def bs_widget(bound_field):
    """Render a form field's widget with Bootstrap classes and its error wiring."""
    widget = bound_field.field.widget
    name = widget.__class__.__name__.lower()
    if name == "checkboxinput":
        css = "form-check-input"
    elif name in {"select", "selectmultiple"}:
        css = "form-select"
    else:
        css = "form-control"
    attrs = {"class": " ".join(filter(None, [widget.attrs.get("class"), css]))}
    if bound_field.errors:
        attrs["class"] += " is-invalid"
        attrs["aria-invalid"] = "true"
        attrs["aria-describedby"] = f"{bound_field.auto_id}_error"
    elif bound_field.help_text:
        attrs["aria-describedby"] = f"{bound_field.auto_id}_helptext"
    return bound_field.as_widget(attrs=attrs)


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key)


@register.simple_tag
def cached_url(viewname: str, **kwargs: str | int) -> str:
    """`{% url 'name' key=value %}`, remembered (core.urls.cached_reverse): the header asks a
    dozen addresses on every page, shared page cache hits included, and a product card two."""
    return cached_reverse(viewname, **kwargs)


@register.simple_tag
def static_url(path: str) -> str:
    """`{% static 'path' %}`, remembered (core.urls.cached_static): for base.html's stylesheets
    and scripts, the same on every page."""
    return cached_static(path)


@register.simple_tag
def account_links() -> list:
    """The account menu's links, as the apps registered them (core.header)."""
    return header.account_links()
