"""One boundary for text no column can store: refused with a 400 before any view sees it.

PostgreSQL text cannot hold NUL (U+0000): a lookup or a write with one raises DataError, a 500.
Lone surrogates (U+D800-U+DFFF) are not characters at all: they cannot be encoded as UTF-8, so
the database driver fails before the query is sent (SQLite too). No honest browser sends
either, so rather than guard every view, the request is refused here when its path, a query
string key or value, a form field name or value (not the bytes of an uploaded file), a cookie
or a header value holds one.

Invalid UTF-8 is harmless and passes: Django re-escapes it in the path ("%FF" stays "%FF") and
decodes it in query strings and forms with replacement characters (U+FFFD), which any text
column stores. Under ASGI the server decodes the path the same way.

`RejectUnstorableHttpMiddleware` sits near the top of settings.MIDDLEWARE (after
SecurityMiddleware). Reading request.POST here parses form bodies a little earlier than
CsrfViewMiddleware would anyway; a parse failure (too big, too many fields) is Django's usual 400.
`RejectUnstorableWebSocketMiddleware` does the same for WebSocket handshakes (shomp/asgi.py).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.template.loader import render_to_string
from django.utils.log import log_response

logger = logging.getLogger("django.request")

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

# Headers Django puts in META without the HTTP_ prefix.
_UNPREFIXED_HEADERS = ("CONTENT_TYPE", "CONTENT_LENGTH")


def is_unstorable(text: object) -> bool:
    """Does `text` hold a character no text column can store (NUL or a lone surrogate)?"""
    return isinstance(text, str) and _UNSTORABLE.search(text) is not None


def _any_unstorable(pairs: Iterable[tuple[object, object]]) -> bool:
    return any(is_unstorable(key) or is_unstorable(value) for key, value in pairs)


def _multi_unstorable(data) -> bool:
    """A QueryDict (GET, POST): every key and every value of every key."""
    return any(is_unstorable(key) or any(map(is_unstorable, values)) for key, values in data.lists())


def unstorable_part(request: HttpRequest) -> str | None:
    """Which part of `request` holds unstorable text ("path", "query string", ...), or None."""
    if is_unstorable(request.path):
        return "path"
    if _multi_unstorable(request.GET):
        return "query string"
    # Form fields of urlencoded and multipart bodies. Uploaded files stay in request.FILES, unread
    # here (binary files hold NUL); Django drops unprintable characters from their names.
    if request.method == "POST" and _multi_unstorable(request.POST):
        return "form field"
    if _any_unstorable(request.COOKIES.items()):
        return "cookie"
    if any(is_unstorable(value) for key, value in request.META.items() if _is_header(key)):
        return "header"
    return None


def _is_header(meta_key: str) -> bool:
    return meta_key.startswith("HTTP_") or meta_key in _UNPREFIXED_HEADERS


def bad_request_response() -> HttpResponse:
    """A small page, rendered without the request: no middleware after this one has run."""
    return HttpResponseBadRequest(render_to_string("400.html"))


class RejectUnstorableHttpMiddleware:
    """Answer 400 to a request carrying NUL or a lone surrogate anywhere a view might read it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        part = unstorable_part(request)
        if part is None:
            return self.get_response(request)
        response = bad_request_response()
        # One warning line, and it replaces Django's own "Bad Request: <path>" for this response.
        log_response(
            "Bad Request (NUL or lone surrogate in the %s): %s", part, request.path, response=response, request=request
        )
        return response


class RejectUnstorableWebSocketMiddleware:
    """ASGI middleware: refuse a WebSocket handshake whose path, query string or headers hold
    unstorable text, before any consumer runs (the server answers the handshake with 403)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive, send):
        if scope["type"] == "websocket" and _unstorable_scope(scope):
            logger.warning(
                "WebSocket refused (NUL or lone surrogate in the handshake): %r", scope.get("path", "")[:200]
            )
            await receive()  # websocket.connect
            await send({"type": "websocket.close", "code": 4400})
            return None
        return await self.app(scope, receive, send)


def _unstorable_scope(scope: dict[str, Any]) -> bool:
    query = scope.get("query_string", b"").decode("latin-1")
    headers = scope.get("headers", [])
    return (
        is_unstorable(scope.get("path", ""))
        or _any_unstorable(parse_qsl(query, keep_blank_values=True))
        or any(b"\x00" in value for _, value in headers)
    )
