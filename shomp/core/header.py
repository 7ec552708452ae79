"""The account menu of the site header: each app registers its own links (as dashboard sections
and realtime topics register themselves), so the header names no app's URLs and a new app's
page appears in the menu by registering, in its AppConfig.ready():

    header.register_account_link("wishlists", label="Wishlists", icon="bi-heart", url_name="wishlists:index", order=20)

Links are for every signed-in user (what they open is theirs); `order` sorts them. The menu's
fixed tail (account settings from allauth, the admin for staff, log out) stays in the template.
"""

from __future__ import annotations

from dataclasses import dataclass

from .urls import cached_reverse


@dataclass(frozen=True)
class AccountLink:
    key: str
    label: str
    icon: str
    url_name: str
    order: int

    @property
    def url(self) -> str:
        return cached_reverse(self.url_name)  # asked on every page: remembered


_LINKS: dict[str, AccountLink] = {}


def register_account_link(key: str, *, label: str, icon: str, url_name: str, order: int = 100) -> AccountLink:
    """Add (or replace: ready() may run again in tests) the account menu link `key`."""
    if not key or not label or not url_name:
        raise ValueError("An account menu link needs a key, a label and a URL name.")
    link = AccountLink(key=key, label=label, icon=icon, url_name=url_name, order=order)
    _LINKS[key] = link
    return link


def unregister_account_link(key: str) -> None:
    _LINKS.pop(key, None)


def account_links() -> list[AccountLink]:
    return sorted(_LINKS.values(), key=lambda link: (link.order, link.key))
