"""`{% store_areas as areas %}`: what the user may do on the active store, for the dashboard
menu (`{% if "products" in areas %}`). Asks the permission door, which reads the memberships
once per request: no query per link. The pages enforce it regardless."""

from django import template

from shomp.organizations.areas import ALL_AREAS
from shomp.organizations.policies import can

register = template.Library()


@register.simple_tag(takes_context=True)
def store_areas(context) -> frozenset[str]:
    request = context.get("request")
    store = getattr(request, "store", None)
    user = getattr(request, "user", None)
    if store is None or user is None:
        return frozenset()
    return frozenset(area for area in ALL_AREAS if can(user, store, area))
