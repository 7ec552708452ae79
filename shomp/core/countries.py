"""Real countries (ISO 3166-1, from pycountry): stored as the two-letter code, shown by name.

The name is the short one people use ("Bolivia", "Taiwan", "United Kingdom"), not the
official one ("Bolivia, Plurinational State of").
"""

from functools import cache

import pycountry


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
