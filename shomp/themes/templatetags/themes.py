"""`{% load themes %}` for storefront pages (the catalog's store and product pages, the reviews
pages, announcements): they extend themes/storefront.html, which asks `store_design`."""

from django import template

from shomp.themes.selectors import StoreDesign, published_design

register = template.Library()


@register.simple_tag(takes_context=True)
def store_design(context, store) -> StoreDesign:
    """The design a storefront page shows: a seller's preview (set by the preview view) or the
    store's published design (one query per page, none when asked twice)."""
    preview = context.get("theme_preview")
    if preview is not None:
        return preview
    if store is None:
        return StoreDesign()
    return published_design(store=store)
