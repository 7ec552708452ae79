"""`{% load orders %}`: how cart and order lines name the chosen options."""

from django import template

from shomp.catalog.models import Variant

register = template.Library()


@register.filter
def options_label(options) -> str:
    """ "Size: M · Colour: Red", from a variant (its prefetched options) or an order line's
    snapshot ([[name, value], ...]). Empty for a line without options."""
    if options is None or options == "":
        return ""
    if isinstance(options, Variant):
        pairs = [(option.option_name, option.option_value) for option in options.options.all()]
    else:
        pairs = [tuple(pair) for pair in options]
    return " · ".join(f"{name}: {value}" for name, value in pairs)


@register.filter
def tracking_url(order) -> str:
    """The carrier's tracking page for an order's tracking number; "" when we know none."""
    from shomp.orders import carriers

    return carriers.tracking_url(order.carrier, order.tracking_number)


@register.filter
def carrier_name(code: str) -> str:
    from shomp.orders import carriers

    return carriers.carrier_name(code)
