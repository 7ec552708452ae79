"""The seller dashboard's sections: each app registers its own (as topics do with
`realtime.register_topic`), so the dashboard layout names no app's URLs.

Call `register_section` from the app's `AppConfig.ready()`:

    dashboard.register_section(
        "analytics", label="Analytics", icon="bi-graph-up", url_name="analytics:dashboard",
        area="analytics.view", order=35,
    )

- `scope` STORE: a link in the dashboard menu, shown when the user may do `area` on the active
  store (the permission door's cached answer: no query per link). `area` None: every member of
  the store's team (and its owner).
- `scope` ORGANIZATION: a tab of the organization pages, shown when the user's membership of
  the active store's organization allows `area` (None: every member). `whole_organization`
  (the default for an area) also asks that the membership is not limited to some stores.
- `order` sorts the links; `nav` is the key a page passes as `nav` (store sections) or `tab`
  (organization sections) to mark its link active (defaults to `key`).

The pages enforce access regardless: the menu only leaves out what a member can't open.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch

from .urls import cached_reverse

STORE = "store"
ORGANIZATION = "organization"
SCOPES = (STORE, ORGANIZATION)


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    icon: str
    url_name: str
    area: str | None
    order: int
    scope: str
    nav: str
    whole_organization: bool

    @property
    def url(self) -> str:
        return cached_reverse(self.url_name)  # asked on every page: remembered


_SECTIONS: dict[tuple[str, str], Section] = {}


def register_section(
    key: str,
    *,
    label: str,
    icon: str,
    url_name: str,
    area: str | None = None,
    order: int = 100,
    scope: str = STORE,
    nav: str | None = None,
    whole_organization: bool | None = None,
) -> Section:
    """Add (or replace: ready() may run again in tests) the section `key` of `scope`."""
    if scope not in SCOPES:
        raise ValueError(f"Unknown dashboard scope {scope!r}; use {SCOPES}.")
    if not key or not label or not url_name:
        raise ValueError("A dashboard section needs a key, a label and a URL name.")
    if whole_organization is None:
        whole_organization = scope == ORGANIZATION and area is not None
    section = Section(
        key=key,
        label=label,
        icon=icon,
        url_name=url_name,
        area=area,
        order=order,
        scope=scope,
        nav=nav or key,
        whole_organization=whole_organization,
    )
    _SECTIONS[(scope, key)] = section
    return section


def unregister_section(key: str, *, scope: str = STORE) -> None:
    """Remove a section (tests that register a fake one clean up with this)."""
    _SECTIONS.pop((scope, key), None)


def sections(scope: str = STORE) -> list[Section]:
    """Every registered section of `scope`, in menu order (order, then label)."""
    return sorted((s for (sc, _), s in _SECTIONS.items() if sc == scope), key=lambda s: (s.order, s.label))


def check_urls() -> list[str]:
    """The registered sections whose URL name doesn't reverse (a test asks for none)."""
    broken = []
    for section in _SECTIONS.values():
        try:
            section.url  # noqa: B018
        except NoReverseMatch:
            broken.append(f"{section.scope}:{section.key} -> {section.url_name}")
    return broken
