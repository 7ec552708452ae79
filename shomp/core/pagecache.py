"""The shared cache of public pages: one rendered page serves every visitor.

Store, product, review, announcement, home, directory, category and search pages are rendered
for the cache as an anonymous visitor with an empty session, whoever asked, and served to
everyone: anonymous visitors, visitors with a cart or a flash message, logged-in visitors. Each
visitor's own parts are holes (`{% hole %}`: the header, flash messages, the socket) filled per
request, or fragments loaded after the page (follow button, hearts, "write a review", their
actions on reviews). A store's team gets its store's pages rendered for them, as before
(`register_own_pages`). docs/ARCHITECTURE.md ("Shared page cache") has the whole design; in short:

- Views opt in with `@shared_page(scope=STORE)` (pages of one store, keyed by its slug in the
  URL) or `@shared_page(scope=SITE)` (pages that show many stores).
- The key is the absolute URL, the HTMX headers that choose a fragment and the build (templates
  and static files); each stored page is stamped with the version tokens it was rendered under:
  `store:<slug>` for store pages, `site` for the rest, `base` for both. Every committed change of
  what public pages show bumps them: apps `watch()` their models (post_save, post_delete) and
  services that write with `.update()` or bulk statements call `bump()` themselves. A bump
  writes new random tokens, so the next request finds the page stamped otherwise: a miss. The
  tokens and the page come back in one MGET (`page_lookup`).
- Changes nobody writes (a promotion starting or ending): the stamp holds the next such moment
  (`register_expiry`), so from then on requests miss; stored pages also expire by then, and
  after PAGE_CACHE_SECONDS at most.
- The stored HTML holds no secret and nobody's data: it is the anonymous visitor's page, holes
  included (their places kept beside it); pages rendered for the cache get placeholders for
  the CSRF token and the CSP nonce (context processor `placeholders`), and every response,
  stored or served, gets this visitor's holes, own token (and a fresh nonce, should a page
  ever use one) in their place. Nothing is stored from a response that sets a cookie, writes
  the session, or queues a message; headers are stored without cookies.
- The middleware goes last in MIDDLEWARE: analytics, CSP, CSRF (which sets the visitor's
  csrftoken cookie) and security headers still run on a cached answer.
- While Redis is unreachable pages are neither served from nor stored in the cache (each
  process's fallback memory would miss other processes' bumps); bumps that could not reach
  Redis are replayed by this process at its next cached page once Redis answers again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
import secrets
import threading
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from datetime import datetime
from importlib import import_module
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.base import BaseStorage
from django.core.cache import caches
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.urls import Resolver404
from django.utils import timezone

from shomp.core.urls import cached_resolve

logger = logging.getLogger(__name__)

ALIAS = "pages"
STORE = "store"
SITE = "site"

# Alphanumeric, so no escaping (HTML, escapejs, JSON) changes them on the way into a page.
CSRF_PLACEHOLDER = "ShompCsrfTokenPlaceholderQ7x2Lm"
NONCE_PLACEHOLDER = "ShompCspNoncePlaceholderV9b4Rk"

# Headers a stored page keeps: what describes the body. Cookies are never among them.
_KEPT_HEADERS = ("Content-Type", "Content-Language", "Vary")
# The HTMX headers that make one URL answer a fragment (core.htmx.render): part of the key.
_HTMX_HEADERS = ("HX-Request", "HX-Boosted", "HX-History-Restore-Request", "HX-Target")


def shared_page(*, scope: str) -> Callable:
    """Mark a public view as served from the shared cache (rendered as an anonymous visitor)."""
    if scope not in (STORE, SITE):
        raise ValueError(f"Unknown page cache scope {scope!r}.")

    def decorate(view: Callable) -> Callable:
        view.shared_page_scope = scope
        return view

    return decorate


# Versions -------------------------------------------------------------------------------------


def _store_key(slug: str) -> str:
    return f"pv:store:{slug.lower()}"


_SITE_KEY = "pv:site"
_MAX_SLUG = 100  # longer than any store's slug (stores.Store.slug)
_BASE_KEY = "pv:base"

_resolvers: dict[str, Callable[[set], Iterable[int]]] = {}
_slug_resolver: Callable[[set[int]], Iterable[str]] | None = None
_expiry_providers: list[Callable[[datetime], datetime | None]] = []


def register_store_slugs(resolver: Callable[[set[int]], Iterable[str]]) -> None:
    """The stores app tells core how to turn store ids into the slugs their URLs carry."""
    global _slug_resolver
    _slug_resolver = resolver


def register_resolver(kind: str, resolver: Callable[[set], Iterable[int]]) -> None:
    """How to find the store ids of `kind` ids ("product", "review"...): one query for all of a
    commit's, after it, so saving a row costs no query for the cache."""
    _resolvers[kind] = resolver


def register_expiry(provider: Callable[[datetime], datetime | None]) -> None:
    """Add a "next moment pages change without a write" (a promotion's start or end) after `now`."""
    if provider not in _expiry_providers:
        _expiry_providers.append(provider)


Ref = tuple[str, int | str | None]  # ("store", id), ("slug", slug), ("product", id), ...


def watch(model: type[Model], *, refs: Callable[[Model], Iterable[Ref] | None]) -> None:
    """Bump on every save and delete of `model` the stores `refs(instance)` leads to, or every page
    when it answers None (categories, themes). `refs` reads the instance only (no query)."""

    def changed(sender, instance, **kwargs) -> None:
        found = refs(instance)
        if found is None:
            bump(everything=True)
        else:
            bump(refs=found)

    uid = f"pagecache:{model._meta.label}"
    post_save.connect(changed, sender=model, weak=False, dispatch_uid=uid)
    post_delete.connect(changed, sender=model, weak=False, dispatch_uid=uid)


class _Pending(threading.local):
    def __init__(self) -> None:
        self.refs: set[Ref] = set()
        self.everything = False


_pending = _Pending()
_missed: dict[str, str] = {}  # bumps written while Redis was away, replayed when it answers
_missed_lock = threading.Lock()

#: Under a test's transaction no commit ever comes: bump every page at once instead (no query,
#: so query budgets stay what production pays). Tests of the per-store bumps turn it off and run
#: the commit callbacks (django_capture_on_commit_callbacks).
BUMP_AT_ONCE_IN_TESTS = True


def bump(
    *,
    store_ids: Iterable[int] = (),
    store_slugs: Iterable[str] = (),
    refs: Iterable[Ref] = (),
    everything: bool = False,
) -> None:
    """After the current transaction commits, make the pages of these stores (and every page
    that shows many stores) miss; `everything` makes every page miss."""
    _pending.refs.update(("store", i) for i in store_ids)
    _pending.refs.update(("slug", slug.lower()) for slug in store_slugs)
    _pending.refs.update(ref for ref in refs if ref[1] is not None)
    _pending.everything |= everything
    if BUMP_AT_ONCE_IN_TESTS and _under_test_transaction():
        _pending.refs, _pending.everything = set(), False
        token = secrets.token_hex(8)
        _write_versions({_BASE_KEY: token, _SITE_KEY: token})
        return
    # One callback per call; the first to run takes everything pending, the rest find nothing.
    # A rolled-back transaction leaves its refs pending: the next commit bumps them (harmless).
    transaction.on_commit(_flush, robust=True)


def reset_pending() -> None:
    """Forget bumps waiting for a commit (tests: a test's set-up never commits)."""
    _pending.refs, _pending.everything = set(), False


def _under_test_transaction() -> bool:
    if not getattr(settings, "TESTING", False):
        return False
    connection = transaction.get_connection()
    return any(getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def _flush() -> None:
    refs, everything = _pending.refs, _pending.everything
    if not refs and not everything:
        return
    _pending.refs, _pending.everything = set(), False
    by_kind: dict[str, set] = {}
    for kind, value in refs:
        by_kind.setdefault(kind, set()).add(value)
    slugs = {str(slug).lower() for slug in by_kind.pop("slug", set())}
    store_ids = {int(i) for i in by_kind.pop("store", set())}
    for kind, values in by_kind.items():
        resolver = _resolvers.get(kind)
        if resolver is None:
            logger.error("Page cache: no resolver for %r; bumping every page.", kind)
            everything = True
        else:
            store_ids.update(resolver(values))
    if store_ids and _slug_resolver is not None:
        slugs |= {slug.lower() for slug in _slug_resolver(store_ids)}
    token = secrets.token_hex(8)
    tokens = {_store_key(slug): token for slug in slugs} | {_SITE_KEY: token}
    if everything:
        tokens[_BASE_KEY] = token
    _write_versions(tokens)


def _write_versions(tokens: dict[str, str]) -> None:
    cache = caches[ALIAS]
    with _missed_lock:  # earlier bumps that didn't reach Redis go along
        tokens = {**_missed, **tokens}
        _missed.clear()
    cache.set_many(tokens, timeout=None)
    if not _reachable(cache):
        with _missed_lock:
            _missed.update({key: value for key, value in tokens.items() if key not in _missed})


def _replay_missed(cache) -> None:
    if _missed:
        _write_versions({})


def _reachable(cache) -> bool:
    """False once a call found Redis unreachable, until one succeeds (shomp.core.cache): what
    the cache answered came from this process's fallback memory."""
    outage = getattr(cache, "_outage", None)
    return outage is None or not outage.down


def _skipping(cache) -> bool:
    """True in the pause after a failure, when calls don't even try Redis."""
    outage = getattr(cache, "_outage", None)
    return outage is not None and outage.skip()


def _versions(cache, keys: list[str], found: dict) -> list[str]:
    for key in keys:
        if key not in found:
            # Never seen or evicted: a fresh token (never "0"), so no page stored under an older
            # token of this key can match again.
            cache.add(key, secrets.token_hex(8), timeout=None)
            found[key] = cache.get(key) or secrets.token_hex(8)
    return [found[key] for key in keys]


# Keys and lifetimes ---------------------------------------------------------------------------

_build: str | None = None


def _build_id() -> str:
    """Changes with the code that renders pages (templates, static files), so a deploy never
    serves HTML of the previous release. SHOMP_RELEASE names a build explicitly."""
    global _build
    if _build is None:
        release = getattr(settings, "SHOMP_RELEASE", "")
        if not release:
            root = Path(settings.BASE_DIR) / "shomp"
            stamps = sorted(
                (str(path), path.stat().st_mtime_ns)
                for pattern in ("*/templates/**/*.html", "*/static/**/*.js", "*/static/**/*.css")
                for path in root.glob(pattern)
            )
            release = hashlib.sha256(repr(stamps).encode()).hexdigest()[:12]
        _build = release
    return _build


_EXPIRY_KEY = "pv:expiry"


def page_lookup(request: HttpRequest, *, scope: str, store_slug: str = "") -> tuple[str, str, int, tuple | None]:
    """(key, stamp, seconds, entry) of this request's page, in one round trip to the cache.

    The key is the page's address (and the HTMX headers that change it) in this build; the
    stamp is what the page must have been rendered under: the versions every change bumps, and
    the next moment pages change without a write (a promotion's start or end). A stored page
    carries its stamp, and one stamped otherwise is a miss: the page is rendered anew and
    overwrites it. So a page is never served after a change or past that moment, on any cache
    backend, whatever its clock; the versions, that moment and the page come back in one MGET.
    The moment is computed once per "site" version. `seconds`: how long a page stored now may
    live. `entry`: (status, headers, content, holes), or None on a miss."""
    cache = caches[ALIAS]
    names = [_BASE_KEY, _SITE_KEY] if scope == SITE else [_BASE_KEY, _SITE_KEY, _store_key(store_slug)]
    htmx = "|".join(request.headers.get(name, "") for name in _HTMX_HEADERS)
    digest = hashlib.sha256(f"{request.build_absolute_uri()}\n{htmx}".encode()).hexdigest()[:32]
    key = f"page3:{_build_id()}:{digest}"
    found = cache.get_many([*names, _EXPIRY_KEY, key])
    versions = _versions(cache, names, found)
    now = timezone.now().timestamp()
    expiry = found.get(_EXPIRY_KEY)
    if not expiry or expiry[0] != versions[1] or (expiry[1] and expiry[1] <= now):
        moments = [m for m in (provider(timezone.now()) for provider in _expiry_providers) if m is not None]
        expiry = (versions[1], min(moments).timestamp() if moments else 0)
        cache.set(_EXPIRY_KEY, expiry, timeout=None)
    at = expiry[1]
    seconds = int(settings.PAGE_CACHE_SECONDS)
    if at:
        seconds = min(seconds, int(at - now))  # floor: gone at or before that moment
    # A store's pages don't depend on other stores' changes (which bump "site").
    versions = [versions[0], versions[2]] if scope == STORE else versions
    stamp = f"{'.'.join(versions)}:{int(at)}"
    entry = found.get(key)
    return key, stamp, seconds, (entry[1:] if entry is not None and entry[0] == stamp else None)


def stored_page(request: HttpRequest, *, scope: str, store_slug: str = "") -> tuple | None:
    """What a request for this page would be answered from now: (status, headers, content,
    holes), or None (for tests and bench/hit_parts.py)."""
    return page_lookup(request, scope=scope, store_slug=store_slug)[3]


# Holes: the per-visitor parts of a shared page --------------------------------------------------

#: name -> template of each hole (`register_hole`): core's header, flash messages, socket and
#: scripts, and what apps add (reviews' per-visitor actions).
_holes: dict[str, str] = {}


def register_hole(name: str, template_name: str) -> None:
    """A part of shared pages rendered for each visitor: `{% hole name arg=value %}` in a template
    renders `template_name` there (with the args), and a page stored in the shared cache keeps
    that place open, to be filled per request with the same template for that request's visitor.

    The template may use what the context processors give (`user`, `cart_count`, `messages`,
    `csrf_token`...) and the hole's args, nothing of the view's context: the args are what the
    page tells it (JSON values: strings, numbers, booleans, lists). It must be cheap: it runs on
    every cache hit of a visitor with a session."""
    if not re.fullmatch(r"[a-z_]+", name):
        raise ValueError(f"A hole's name is lowercase letters and underscores: {name!r}.")
    _holes[name] = template_name


def hole_template(name: str) -> str:
    return _holes[name]


def _hole_key() -> str:
    # Marks only the page cache's own markers: user content can't forge one (nor could it reach
    # a browser: markers are cut out before a page is stored or served).
    return hmac.new(settings.SECRET_KEY.encode(), b"shomp.core.pagecache.hole", hashlib.sha256).hexdigest()[:16]


def hole_marker(name: str, args: dict, inline: str) -> str:
    """What `{% hole %}` writes in a page rendered for the cache: its inline rendering (for the
    anonymous visitor the page was rendered as) between two markers naming the hole and args."""
    blob = base64.urlsafe_b64encode(json.dumps(args, sort_keys=True).encode()).decode()
    return f"<!--shomp-hole:{_hole_key()}:{name}:{blob}-->{inline}<!--/shomp-hole:{_hole_key()}-->"


_HOLE_RE = re.compile(
    rb"<!--shomp-hole:(?P<key>[0-9a-f]{16}):(?P<name>[a-z_]+):(?P<args>[A-Za-z0-9_=-]*)-->"
    rb"(?P<inline>.*?)<!--/shomp-hole:(?P=key)-->",
    re.S,
)

Hole = tuple[int, int, str, str]  # start, end (in the stored content), name, args (JSON)


def _cut_holes(content: bytes) -> tuple[bytes, list[Hole]]:
    """The page without markers (each hole holding its anonymous rendering), and where the holes are."""
    if b"<!--shomp-hole:" not in content:
        return content, []
    key = _hole_key().encode()
    parts: list[bytes] = []
    holes: list[Hole] = []
    position = size = 0
    for match in _HOLE_RE.finditer(content):
        if match["key"] != key:
            continue
        before = content[position : match.start()]
        parts.append(before)
        size += len(before)
        inline = match["inline"]
        parts.append(inline)
        args = base64.urlsafe_b64decode(match["args"]).decode()
        holes.append((size, size + len(inline), match["name"].decode(), args))
        size += len(inline)
        position = match.end()
    parts.append(content[position:])
    return b"".join(parts), holes


def _fill_holes(content: bytes, holes: list[Hole], request: HttpRequest) -> bytes:
    """This visitor's page: each hole rendered for them, on one context (the context processors
    run once per request: the cart badge's query once)."""
    if not holes:
        return content
    from django.template import Context
    from django.template.loader import get_template

    context = None
    parts: list[bytes] = []
    position = 0
    for start, end, name, args in holes:
        parts.append(content[position:start])
        position = end
        template_name = _holes.get(name)
        if template_name is None:
            logger.error("Page cache: no hole %r registered; left empty.", name)
            continue
        template = get_template(template_name).template
        if context is None:
            context = Context(autoescape=template.engine.autoescape)
            context.update(_processed(request, template.engine))
        with context.push(json.loads(args), hole_filled=True):
            parts.append(template.render(context).encode())
    parts.append(content[position:])
    return b"".join(parts)


def _processed(request: HttpRequest, engine) -> dict:
    values: dict = {}
    for processor in engine.template_context_processors:
        values.update(processor(request))
    return values


# The middleware --------------------------------------------------------------------------------

#: Predicates (request, scope, store slug) -> True when this logged-in visitor gets such pages
#: rendered for them, never shared: a store's team sees management bits on its store's pages.
_own_page_predicates: list[Callable[[HttpRequest, str, str], bool]] = []


def register_own_pages(predicate: Callable[[HttpRequest, str, str], bool]) -> None:
    """An app names logged-in visitors who get pages rendered for them (asked only of logged-in
    visitors, on every shared page: keep it to one query at most)."""
    if predicate not in _own_page_predicates:
        _own_page_predicates.append(predicate)


def _eligible(request: HttpRequest) -> tuple[str, str] | None:
    """(scope, store slug) when this request may be answered from, and stored in, the cache."""
    if request.method != "GET" or settings.PAGE_CACHE_SECONDS <= 0:
        return None
    try:
        match = cached_resolve(request.path_info)
    except Resolver404:
        return None
    scope = getattr(match.func, "shared_page_scope", None)
    if scope is None:
        return None
    slug = str(match.kwargs.get("store_slug", ""))
    if scope == STORE and not 0 < len(slug) <= _MAX_SLUG:
        return None  # no store has such an address: rendered (a 404), not cached
    if request.user.is_authenticated and any(own(request, scope, slug) for own in _own_page_predicates):
        return None
    return scope, slug


def _plain(request: HttpRequest) -> bool:
    """Is this visitor the one shared pages are rendered as: not logged in, nothing in a session,
    no flash message waiting? Then the stored page, holes included, is theirs as it is."""
    if request.user.is_authenticated or request.COOKIES.get("messages"):
        return False
    session = getattr(request, "session", None)
    return session is None or session.session_key is None or not session.keys()


class _NoMessages(BaseStorage):
    """The flash messages of the anonymous visitor a shared page is rendered as: none."""

    def _get(self, *args, **kwargs):
        return [], True

    def _store(self, messages, response, *args, **kwargs):
        return []


_IDENTITY = ("user", "auser", "session", "_messages")


@contextmanager
def _as_shared(request: HttpRequest, plain: bool):
    """Render the page as every visitor shares it: as an anonymous visitor with an empty session
    and no message, whoever asked (so no one's data can reach the stored page), with
    placeholders for the CSRF token and nonce."""
    saved = {name: request.__dict__[name] for name in _IDENTITY if name in request.__dict__}
    request._shared_page = True
    if not plain:
        anonymous = AnonymousUser()

        async def auser():
            return anonymous

        request.user, request.auser = anonymous, auser
        request.session = import_module(settings.SESSION_ENGINE).SessionStore()
        request._messages = _NoMessages(request)
    try:
        yield
    finally:
        request._shared_page = False
        for name in _IDENTITY:
            if name in saved:
                setattr(request, name, saved[name])
            else:
                request.__dict__.pop(name, None)


def placeholders(request: HttpRequest) -> dict:
    """Context processor (after Django's csrf one): pages rendered for the cache get placeholders
    where the visitor's CSRF token and the CSP nonce would go."""
    if getattr(request, "_shared_page", False):
        return {"csrf_token": CSRF_PLACEHOLDER, "csp_nonce": NONCE_PLACEHOLDER}
    return {}


def _personalise(content: bytes, request: HttpRequest) -> bytes:
    if CSRF_PLACEHOLDER.encode() in content:
        content = content.replace(CSRF_PLACEHOLDER.encode(), get_token(request).encode())
    if NONCE_PLACEHOLDER.encode() in content:
        # Reading the nonce makes the CSP middleware (above) put this same one in the header.
        content = content.replace(NONCE_PLACEHOLDER.encode(), str(request._csp_nonce).encode())
    return content


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if response.has_header("Cache-Control") and any(
        word in response["Cache-Control"] for word in ("private", "no-store", "no-cache")
    ):
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    storage = getattr(request, "_messages", None)
    return not (storage is not None and (getattr(storage, "_queued_messages", None) or storage.used))


class SharedPageCacheMiddleware:
    """Answer eligible GETs from the cache, holes filled for each visitor; store what they render.
    Last in MIDDLEWARE."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        eligible = _eligible(request)
        if eligible is None:
            return self.get_response(request)
        cache = caches[ALIAS]
        if _skipping(cache):
            return self.get_response(request)
        _replay_missed(cache)
        scope, slug = eligible
        key, stamp, timeout, entry = page_lookup(request, scope=scope, store_slug=slug)
        if not _reachable(cache):
            return self.get_response(request)  # those answers came from this process's memory
        plain = _plain(request)
        if entry is not None:
            status, headers, content, holes = entry
            if not plain:
                content = _fill_holes(content, holes, request)
            response = HttpResponse(_personalise(content, request), status=status)
            for name, value in headers:
                response[name] = value
            response["X-Cache"] = "HIT"
            self._csrf_cookie(request)
            return response
        with _as_shared(request, plain):
            response = self.get_response(request)
            storable = _storable(request, response)
        if response.streaming:
            return response if plain else self.get_response(request)
        if not storable and not plain:
            # Not a page for everyone (a 404 for the anonymous visitor it was rendered as: a
            # product reserved for this buyer), so not stored: rendered as this visitor.
            return self.get_response(request)
        content, holes = _cut_holes(response.content)
        if storable:
            headers = [(name, response[name]) for name in _KEPT_HEADERS if response.has_header(name)]
            if timeout > 0:
                cache.set(key, (stamp, response.status_code, headers, content, holes), timeout=timeout)
            response["X-Cache"] = "MISS"
            if not plain:
                content = _fill_holes(content, holes, request)
        response.content = _personalise(content, request)
        self._csrf_cookie(request)
        return response

    @staticmethod
    def _csrf_cookie(request: HttpRequest) -> None:
        # A visitor without a csrftoken cookie gets one (CsrfViewMiddleware sets it on the way
        # out), so what they post from a cached page passes.
        if settings.CSRF_COOKIE_NAME not in request.COOKIES and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
            get_token(request)  # unless the page's token was made just now (each call masks anew)


# Site-wide results -----------------------------------------------------------------------------

_NOTHING = object()


def site_result[T](name: str, compute: Callable[[], T]) -> T:
    """`compute()`, remembered in the pages cache until the next bump of "site" (every committed
    change a public page shows bumps it) or PAGE_CACHE_SECONDS: for a read that is the same for
    every visitor of the pages of many stores (the home page's popular products and stores to
    follow, the categories' counts), so logged-in visitors and the page cache's misses don't each
    pay for it. It is as fresh as the shared pages that show it. Remember selections and counts,
    never prices or stock: callers load those rows fresh. Computed every time while Redis is
    unreachable (this process's fallback memory would miss other processes' bumps)."""
    if settings.PAGE_CACHE_SECONDS <= 0:
        return compute()
    cache = caches[ALIAS]
    if _skipping(cache):
        return compute()
    names = [_BASE_KEY, _SITE_KEY]
    versions = _versions(cache, names, cache.get_many(names))
    key = f"site:{name}:{'.'.join(versions)}"
    stored = cache.get(key, _NOTHING)
    if not _reachable(cache):
        return compute()
    if stored is not _NOTHING:
        return stored
    result = compute()
    cache.set(key, result, timeout=int(settings.PAGE_CACHE_SECONDS))
    return result
