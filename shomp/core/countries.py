"""Real countries (ISO 3166-1, from pycountry): stored as the two-letter code, shown by name.

The name is the short one people use ("Bolivia", "Taiwan", "United Kingdom"), not the
official one ("Bolivia, Plurinational State of").
"""

from functools import cache, lru_cache

import pycountry
from django.utils.html import format_html_join
from django.utils.safestring import SafeString


@cache
def _names() -> dict[str, str]:
    return {c.alpha_2: getattr(c, "common_name", None) or c.name for c in pycountry.countries}


@cache
def country_choices() -> tuple[tuple[str, str], ...]:
    """(code, name) for every country, sorted by name, for a <select>."""
    return tuple(sorted(_names().items(), key=lambda item: item[1].casefold()))


def is_country(code: str | None) -> bool:
    return bool(code) and code in _names()


def country_name(code: str | None) -> str:
    """The country's name for its code; an unknown code is returned as it is ("" for none)."""
    if not code:
        return ""
    return _names().get(code.upper(), code)


@lru_cache(maxsize=512)  # bounded: `selected` comes from the query string
def country_options(selected: str = "") -> SafeString:
    """The <option>s of every country, `selected` marked: the cart's 249 options were a loop of
    the template on every render (a tenth of the page); the same HTML, built once per choice."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((code, " selected" if code == selected else "", name) for code, name in country_choices()),
    )
