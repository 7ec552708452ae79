"""Where a visit came from: the referrer and UTM tags, classified into a Medium and a source name.

    classify(referrer="https://www.google.com/", query={}, own_host="shomp.example",
             store_slug="fern-and-kiln")  -> Source(medium="search", source="google", ...)

- UTM tags win over the referrer: `utm_medium` maps onto email/social/search, anything else is a
  campaign; `utm_source` names the source. Shomp's own notification emails tag their links
  utm_source=shomp&utm_medium=notification: Shomp itself, "notifications".
- Shomp itself (the referrer is our own host): marketplace search, store directory,
  notifications, follows, wishlists, another store; the same store's own pages are direct.
- Known search engines, social networks and webmail by domain; other sites by their domain.
- Everything is cleaned: a referrer that is not an http(s) URL counts as direct; UTM values lose
  tags and control characters and are cut to the column's length (a 5,000-character value
  is stored as its first 100 characters, never refused).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from shomp.core.reserved import RESERVED_WORDS

from .models import MAX_DOMAIN_LENGTH, MAX_SOURCE_LENGTH, MAX_UTM_LENGTH, Medium

MAX_REFERRER_PARSED = 2000

_HOST = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}\.)*[a-z0-9-]{1,63}$")
_TAG = re.compile(r"<[^>]*>?")
_SPACE = re.compile(r"\s+")

# Domain (its registrable end) -> source name. A referrer's host matches when it is the domain
# or ends with "." + the domain; a "google." entry matches any country domain of Google.
SEARCH_ENGINES = {
    "google.": "google",
    "bing.com": "bing",
    "duckduckgo.com": "duckduckgo",
    "search.yahoo.com": "yahoo",
    "yandex.": "yandex",
    "baidu.com": "baidu",
    "ecosia.org": "ecosia",
    "search.brave.com": "brave",
    "startpage.com": "startpage",
    "qwant.com": "qwant",
    "kagi.com": "kagi",
}
SOCIAL = {
    "facebook.com": "facebook",
    "fb.com": "facebook",
    "l.facebook.com": "facebook",
    "instagram.com": "instagram",
    "t.co": "x",
    "twitter.com": "x",
    "x.com": "x",
    "pinterest.": "pinterest",
    "pin.it": "pinterest",
    "reddit.com": "reddit",
    "linkedin.com": "linkedin",
    "lnkd.in": "linkedin",
    "tiktok.com": "tiktok",
    "youtube.com": "youtube",
    "youtu.be": "youtube",
    "threads.net": "threads",
    "bsky.app": "bluesky",
    "mastodon.social": "mastodon",
    "tumblr.com": "tumblr",
    "whatsapp.com": "whatsapp",
    "telegram.org": "telegram",
}
WEBMAIL = {
    "mail.google.com": "gmail",
    "outlook.live.com": "outlook",
    "outlook.office.com": "outlook",
    "outlook.office365.com": "outlook",
    "mail.yahoo.com": "yahoo mail",
    "mail.proton.me": "proton mail",
    "fastmail.com": "fastmail",
}
UTM_MEDIUMS = {
    "email": Medium.EMAIL,
    "e-mail": Medium.EMAIL,
    "newsletter": Medium.EMAIL,
    "mail": Medium.EMAIL,
    "social": Medium.SOCIAL,
    "social-media": Medium.SOCIAL,
    "social_media": Medium.SOCIAL,
    "sm": Medium.SOCIAL,
    "paid-social": Medium.SOCIAL,
    "paid_social": Medium.SOCIAL,
    "organic": Medium.SEARCH,
    "cpc": Medium.SEARCH,
    "ppc": Medium.SEARCH,
    "paidsearch": Medium.SEARCH,
    "paid-search": Medium.SEARCH,
    "referral": Medium.REFERRAL,
}
# Shomp's own pages, by the first part of the path -> the source name reports show.
SHOMP_PAGES = {
    "": "marketplace home",
    "search": "marketplace search",
    "stores": "store directory",
    "notifications": "notifications",
    "account": "follows",  # /account/following/
    "announcements": "follows",
    "wishlists": "wishlists",
    "wishlist": "wishlists",
    "messages": "messages",
}
ANOTHER_STORE = "another store"
#: Links in Shomp's own emails carry utm_source=shomp and one of these utm_medium values
#: (notifications.services.EMAIL_LINK_TAGS): counted as Shomp itself, with the source the
#: matching in-app page has ("Shomp · notifications" for the email and the bell's list alike).
SHOMP_UTM_SOURCE = "shomp"
SHOMP_UTM_MEDIUMS = {"notification": "notifications"}
_MEDIUMS = frozenset(Medium.values)


@dataclass(frozen=True)
class Source:
    medium: str = Medium.DIRECT
    source: str = ""
    referrer_domain: str = ""
    utm_source: str = ""
    utm_medium: str = ""
    utm_campaign: str = ""

    def as_list(self) -> list[str]:
        return [self.medium, self.source, self.referrer_domain, self.utm_source, self.utm_medium, self.utm_campaign]

    @classmethod
    def from_list(cls, values: list[str] | None) -> Source:
        if not values or len(values) != 6:
            return DIRECT
        medium = values[0] if values[0] in _MEDIUMS else Medium.DIRECT
        return cls(medium, *(str(value) for value in values[1:]))


DIRECT = Source()


def clean_text(value: str, *, max_length: int) -> str:
    """Printable text without tags, whitespace collapsed, cut to `max_length` characters."""
    value = (value or "")[: max_length * 8]  # cleaning 5 KB of junk costs nothing
    value = _TAG.sub(" ", value)
    value = "".join(ch for ch in value if ch.isprintable() and ch not in "<>\"'`\\")
    return _SPACE.sub(" ", value).strip()[:max_length].strip()


def referrer_host(referrer: str) -> str:
    """The lower-case host of an http(s) referrer, "" for anything else (not a URL, a file: URL...)."""
    if not referrer or len(referrer) > MAX_REFERRER_PARSED:
        return ""
    try:
        parts = urlsplit(referrer.strip())
        host = (parts.hostname or "").rstrip(".")
    except ValueError:  # "http://[::1" and other broken URLs
        return ""
    if parts.scheme not in ("http", "https") or not host:
        return ""
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return ""
    return host if len(host) <= 253 and _HOST.match(host) else ""


def _match(host: str, table: Mapping[str, str]) -> str:
    for domain, name in table.items():
        if domain.endswith("."):  # "google." : google.com, www.google.co.uk
            if host.startswith(domain) or f".{domain}" in f".{host}":
                return name
        elif host == domain or host.endswith(f".{domain}"):
            return name
    return ""


def _short_domain(host: str) -> str:
    for prefix in ("www.", "m.", "l.", "lm.", "mobile."):
        if host.startswith(prefix) and host.count(".") > 1:
            host = host[len(prefix) :]
            break
    return host[:MAX_DOMAIN_LENGTH]


def classify(*, referrer: str, query: Mapping[str, str], own_host: str, store_slug: str = "") -> Source:
    """The source of a page view (see the module docstring). Never raises."""
    utm_source = clean_text(query.get("utm_source", ""), max_length=MAX_UTM_LENGTH).lower()
    utm_medium = clean_text(query.get("utm_medium", ""), max_length=MAX_UTM_LENGTH).lower()
    utm_campaign = clean_text(query.get("utm_campaign", ""), max_length=MAX_UTM_LENGTH)
    host = referrer_host(referrer)
    own = (own_host or "").split(":", 1)[0].lower()
    domain = "" if not host or host == own else _short_domain(host)

    if utm_source == SHOMP_UTM_SOURCE and utm_medium in SHOMP_UTM_MEDIUMS:  # Shomp's own emails
        source = SHOMP_UTM_MEDIUMS[utm_medium]
        return Source(Medium.SHOMP, source, domain, utm_source, utm_medium, utm_campaign)
    if utm_source or utm_medium or utm_campaign:
        medium = UTM_MEDIUMS.get(utm_medium, Medium.CAMPAIGN)
        source = utm_source or _known(domain) or domain
        return Source(medium, source[:MAX_SOURCE_LENGTH], domain, utm_source, utm_medium, utm_campaign)
    if not host:
        return DIRECT
    if host == own:
        return _shomp_source(referrer, store_slug)
    if name := _match(host, WEBMAIL):  # before search engines: mail.google.com is not a search
        return Source(Medium.EMAIL, name, domain)
    if name := _match(host, SEARCH_ENGINES):
        return Source(Medium.SEARCH, name, domain)
    if name := _match(host, SOCIAL):
        return Source(Medium.SOCIAL, name, domain)
    return Source(Medium.REFERRAL, domain[:MAX_SOURCE_LENGTH], domain)


def _known(domain: str) -> str:
    return _match(domain, WEBMAIL) or _match(domain, SEARCH_ENGINES) or _match(domain, SOCIAL) if domain else ""


def _shomp_source(referrer: str, store_slug: str) -> Source:
    try:
        first = urlsplit(referrer).path.strip("/").split("/", 1)[0].lower()
    except ValueError:
        return DIRECT
    if store_slug and first == store_slug.lower():
        return DIRECT  # the store's own pages: the visitor is already here
    if first in SHOMP_PAGES:
        return Source(Medium.SHOMP, SHOMP_PAGES[first])
    if first and first not in RESERVED_WORDS:
        return Source(Medium.SHOMP, ANOTHER_STORE)
    return Source(Medium.SHOMP, "shomp")


def is_from_elsewhere(*, referrer: str, own_host: str, store_slug: str) -> bool:
    """The referrer is not one of this store's own pages (for opted-out views: a visit starts)."""
    host = referrer_host(referrer)
    own = (own_host or "").split(":", 1)[0].lower()
    if host != own or not host:
        return True
    try:
        first = urlsplit(referrer).path.strip("/").split("/", 1)[0].lower()
    except ValueError:
        return True
    return first != store_slug.lower()
