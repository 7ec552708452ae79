"""The dashboard's menu and the organization pages' tabs, from the sections the apps register
(`shomp.core.dashboard`), each shown only to those the permission door lets in.

- `{% dashboard_menu as links %}`: the store sections the user may use on the active store.
- `{% organization_tabs as tabs %}`: the organization sections of the active store's organization.
- `{% store_areas as areas %}`: what the user may do on the active store (`{% if "products" in areas %}`).

All ask the door, which reads the memberships once per request: no query per link. The pages
enforce access regardless.
"""

from django import template

from shomp.core import dashboard
from shomp.organizations.areas import ALL_AREAS
from shomp.organizations.policies import can, grant_in

register = template.Library()


def _request_parts(context):
    request = context.get("request")
    return getattr(request, "store", None), getattr(request, "user", None)


@register.simple_tag(takes_context=True)
def store_areas(context) -> frozenset[str]:
    store, user = _request_parts(context)
    if store is None or user is None:
        return frozenset()
    return frozenset(area for area in ALL_AREAS if can(user, store, area))


def _link(section: dashboard.Section, active_key) -> dict:
    return {
        "key": section.key,
        "label": section.label,
        "icon": section.icon,
        "url": section.url,
        "active": section.nav == active_key,
    }


@register.simple_tag(takes_context=True)
def dashboard_menu(context) -> list[dict]:
    """The active store's menu: sections with no area (every member) or an area the user has there."""
    store, user = _request_parts(context)
    if store is None or user is None:
        return []
    active = context.get("nav")
    return [
        _link(section, active)
        for section in dashboard.sections(dashboard.STORE)
        if section.area is None or can(user, store, section.area)
    ]


@register.simple_tag(takes_context=True)
def organization_tabs(context) -> list[dict]:
    """The organization pages' tabs for the page's organization: the active store's, or the one
    an organization page was opened for with `?organization=` (then only the organizations
    app's own pages, which read it, with it kept on their links)."""
    store, user = _request_parts(context)
    request = context.get("request")
    organization_id = getattr(request, "organization_id", None) or (store.organization_id if store else None)
    query = getattr(request, "organization_query", "")
    if organization_id is None or user is None:
        return []
    grant = grant_in(user, organization_id)
    if grant is None:
        return []
    active = context.get("tab")
    tabs = []
    for section in dashboard.sections(dashboard.ORGANIZATION):
        if section.area is not None and not grant.allows(section.area):
            continue
        if section.whole_organization and grant.store_ids is not None:
            continue
        if query and not section.url_name.startswith("organizations:"):
            continue
        link = _link(section, active)
        link["url"] += query
        tabs.append(link)
    return tabs
