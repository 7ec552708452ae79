"""`{% hole "name" arg=value %}`: a per-visitor part of a page the shared cache keeps open.

Rendered normally, it is the hole's template (core.pagecache.register_hole) with the args, as an
include would be. In a page rendered for the shared cache (as an anonymous visitor), the same
rendering goes between markers, so each later visitor gets their own rendering there
(core/pagecache.py). The hole's template sees the context processors' values and its args only.
"""

from django import template
from django.utils.safestring import mark_safe

from shomp.core import pagecache

register = template.Library()


@register.simple_tag(takes_context=True)
def hole(context, name: str, **args):
    hole_template = context.template.engine.get_template(pagecache.hole_template(name))
    with context.push(args):
        inline = hole_template.render(context)
    if getattr(context.get("request"), "_shared_page", False):
        return mark_safe(pagecache.hole_marker(name, args, inline))  # noqa: S308 - our own rendering and markers
    return inline
