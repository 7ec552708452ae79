"""What a request tells analytics about its visitor, reduced before anything is kept.

- `client_ip`: the connecting address, or behind TRUSTED_PROXY_COUNT proxies of ours the entry
  that many places from the right of X-Forwarded-For (what our outermost proxy saw). Entries
  further left are typed by the client and never believed. The same rule as the login
  throttle's (settings.ALLAUTH_TRUSTED_PROXY_COUNT), so both agree on who a client is.
- `anonymise`: the network only (IPv4 /24, IPv6 /48); the address itself is dropped here.
- `parse_user_agent`: browser, OS and device class from ua-parser; the header itself is dropped.
  Bots and crawlers are recognised here and not counted.
- `country`: from a configured proxy header (ANALYTICS_COUNTRY_HEADER, e.g. Cloudflare's
  "CF-IPCountry"), else a MaxMind-format file (ANALYTICS_GEOIP_PATH, needs `maxminddb`), else "".
- `opted_out`: `Sec-GPC: 1` or `DNT: 1`: counted, but without a visitor hash (no session).
- `visitor_hash`: hash(daily salt, store, network, digest of the raw User-Agent header). The
  salt of a UTC day is random and deleted when the day is over (tasks.rotate_salts), so a hash
  links nobody across days or stores and nobody can recover the network from it afterwards.
  The header's digest (`agent_digest`) only travels in the buffer to the drain; it is never a
  column, and the header itself is never kept.
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from .models import MAX_FAMILY_LENGTH, DailySalt, Device

logger = logging.getLogger(__name__)

#: A user agent is cut to this before parsing: a 10 KB header costs no more than a real one.
MAX_USER_AGENT_PARSED = 512

_BOT = re.compile(  # what ua-parser doesn't already call a "Spider"
    r"bot/|\bbot\b|crawl|spider|slurp|scrap|curl/|wget|python-|httpx|aiohttp|go-http-client|java/|okhttp|"
    r"libwww|facebookexternalhit|embedly|uptime|lighthouse|pingdom",
    re.IGNORECASE,
)
_DESKTOP_OS = {"Windows", "Mac OS X", "Linux", "Ubuntu", "Chrome OS", "ChromeOS", "Fedora", "FreeBSD", "Debian"}
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")
_NOT_COUNTRIES = {"XX", "T1", "ZZ", "EU", "AP"}  # Cloudflare's unknown and Tor, MaxMind's regions


# The client address -----------------------------------------------------------------------


def client_ip(request: HttpRequest) -> str:
    """The client's address as text, or "" if it can't be told (never an error)."""
    proxies = getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0)
    candidate = request.META.get("REMOTE_ADDR", "")
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        # Our outermost proxy appended what it saw; each proxy behind it appended its peer.
        candidate = forwarded[-proxies] if len(forwarded) >= proxies else ""
    return candidate if _parse_ip(candidate) is not None else ""


def _parse_ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.9:5000"
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])  # no zone ids
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def anonymise(ip: str) -> str:
    """ "203.0.113.0/24" or "2001:db8:1::/48": the network the address is in; "" if none."""
    address = _parse_ip(ip)
    if address is None:
        return ""
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


# The user agent ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Agent:
    browser: str  # "Firefox 133"
    os: str  # "Windows"
    device: str  # Device value
    is_bot: bool

    @property
    def label(self) -> str:
        """What PageView.user_agent keeps: "Firefox 133 / Windows / desktop"."""
        return " / ".join([self.browser or "Unknown", self.os or "Unknown", self.device])[:150]


UNKNOWN_AGENT = Agent(browser="", os="", device=Device.OTHER, is_bot=True)


def parse_user_agent(header: str) -> Agent:
    """The families of a User-Agent header; an empty or unparseable one is treated as a bot."""
    header = (header or "")[:MAX_USER_AGENT_PARSED]
    if not header.strip():
        return UNKNOWN_AGENT
    return _parse(header)


@functools.lru_cache(maxsize=4096)  # a site sees a few hundred distinct agents a day
def _parse(header: str) -> Agent:
    from ua_parser import parse

    try:
        result = parse(header)
    except Exception:  # a library bug must not cost a page
        logger.warning("ua-parser failed on a user agent of %s characters", len(header))
        return UNKNOWN_AGENT
    device_family = result.device.family if result.device else ""
    browser = ""
    if result.user_agent and result.user_agent.family != "Other":
        browser = result.user_agent.family + (f" {result.user_agent.major}" if result.user_agent.major else "")
    os_family = result.os.family if result.os and result.os.family != "Other" else ""
    # Neither a browser nor a system we know: a script or junk, not a person (not counted).
    is_bot = device_family == "Spider" or bool(_BOT.search(header)) or not (browser or os_family)
    return Agent(
        browser=_clean(browser),
        os=_clean(os_family),
        device=_device(header, os_family),
        is_bot=is_bot,
    )


def _clean(text: str) -> str:
    return "".join(ch for ch in text if ch.isprintable())[:MAX_FAMILY_LENGTH]


def _device(header: str, os_family: str) -> str:
    lowered = header.lower()
    if "ipad" in lowered or "tablet" in lowered or ("android" in lowered and "mobile" not in lowered):
        return Device.TABLET
    if "mobi" in lowered or "iphone" in lowered or os_family in {"iOS", "Android"}:
        return Device.MOBILE
    if os_family in _DESKTOP_OS:
        return Device.DESKTOP
    return Device.OTHER


# Consent and country ----------------------------------------------------------------------


def opted_out(request: HttpRequest) -> bool:
    """The browser asks not to be tracked (Global Privacy Control or Do Not Track)."""
    return request.headers.get("Sec-GPC", "").strip() == "1" or request.headers.get("DNT", "").strip() == "1"


def country(request: HttpRequest, ip: str) -> str:
    """ISO 3166-1 alpha-2 code of the client, or "" when unknown."""
    header = getattr(settings, "ANALYTICS_COUNTRY_HEADER", "")
    if header:
        value = request.headers.get(header, "").strip()
        if _COUNTRY.match(value) and value.upper() not in _NOT_COUNTRIES:
            return value.upper()
        return ""
    reader = _geoip_reader()
    if reader is None or not ip:
        return ""
    try:
        found = reader.get(ip)
    except Exception:  # a malformed address or a corrupt file: unknown, never a failed page
        return ""
    code = ((found or {}).get("country") or {}).get("iso_code", "") if isinstance(found, dict) else ""
    return code.upper() if isinstance(code, str) and _COUNTRY.match(code) and code.upper() not in _NOT_COUNTRIES else ""


@functools.cache
def _geoip_reader():
    path = getattr(settings, "ANALYTICS_GEOIP_PATH", "")
    if not path:
        return None
    try:
        import maxminddb  # optional: only when a database file is configured
    except ImportError:
        logger.warning("ANALYTICS_GEOIP_PATH is set but maxminddb is not installed: countries stay unknown")
        return None
    try:
        return maxminddb.open_database(path)
    except (OSError, ValueError) as error:
        logger.warning("Could not open the GeoIP database %s (%s): countries stay unknown", path, error)
        return None


# The visitor hash -------------------------------------------------------------------------

# This process's copy of today's salt only: once a day is over its salt is forgotten here too.
_salt_cache: dict[date, str] = {}


def salt_for(day: date) -> str:
    """The salt of a UTC day, made on first use (one row per day, whoever asks first); only
    today's is ever made. A past day's salt is used while it still exists (a drain just after
    midnight), else "" (no hash): a deleted salt is never made again."""
    if (cached := _salt_cache.get(day)) is not None:
        return cached
    row = DailySalt.objects.filter(day=day).first()
    if row is None and day < timezone.now().date():
        return ""
    if row is None:
        try:
            with transaction.atomic():
                row = DailySalt.objects.create(day=day, salt=secrets.token_hex(32))
        except IntegrityError:  # another process made it first
            row = DailySalt.objects.get(day=day)
    if day == timezone.now().date():
        _salt_cache.clear()
        _salt_cache[day] = row.salt
    return row.salt


def forget_salts() -> None:
    """Drop this process's cached salt (after a rotation, and for tests)."""
    _salt_cache.clear()


def agent_digest(header: str) -> str:
    """A digest of the whole User-Agent header (what the visitor hash is keyed by; not kept)."""
    return hashlib.blake2b((header or "").encode("utf-8", "replace"), digest_size=16).hexdigest()


def visitor_hash(*, salt: str, store_id: int, network: str, agent: str) -> str:
    """32 hex characters; the same visitor gives another hash on another day or store. `agent`
    is `agent_digest` of the raw header. No salt (a past day's, deleted): "" (no hash)."""
    if not salt:
        return ""
    digest = hashlib.blake2b(digest_size=16, key=salt.encode()[:64])
    digest.update(f"{store_id}\x1f{network}\x1f{agent}".encode())
    return digest.hexdigest()
