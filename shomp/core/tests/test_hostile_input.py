"""No input answers 500: every route of the project, walked with hostile values.

Every URL pattern in the resolver (ours, allauth's, the admin's, recursively) is requested with
each path parameter replaced by a hostile value, with hostile query strings, headers and cookies,
and with hostile form posts (urlencoded and multipart): as an anonymous visitor, as a logged-in
seller who is also a buyer, and (the admin's routes) as a superuser. The other parameters of a
route get real objects, so views get past their 404s where they can. A response may be a 400,
a 404, a 405, a redirect or a page: anything but a 5xx or an exception.

Hostile values: NUL (PostgreSQL text cannot hold it), a lone surrogate and invalid UTF-8 as
percent-escapes, a 100,000-digit string (past every column and Python's int() digit limit), an
integer past 64 bits, and "²" (str.isdigit() says yes, int() says no).

Each request runs in a savepoint that is rolled back, so every request sees the same objects (a
POST that deletes a review or logs out does not spoil the next one) and a database error in one
request cannot poison the others. All findings are listed in one failure message.

Speed (it runs twice in CI): a request whose answer is decided before a route's own code runs
is sent once per kind of value, not once per route: a path the resolver cannot match (a 404), a
route that sends this user to a login page (LoginRequiredMiddleware, the admin's login), and a
hostile id in a ModelAdmin's object pages (all read through its get_object). A view that answers
a POST with 405 gets no more posts; views that read no form field get none (READS_NO_FORM).
The WebSocket door is walked too, at the end.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookies import SimpleCookie
from types import SimpleNamespace
from urllib.parse import unquote, unquote_to_bytes, urlsplit

import pytest
from asgiref.sync import sync_to_async
from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils.encoding import repercent_broken_unicode
from django.utils.http import int_to_base36

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog.tests.factories import DigitalProductFactory, ProductFactory, ProductImageFactory
from shomp.core.testing.images import image_upload, pdf_upload
from shomp.follows.tests.factories import AnnouncementFactory, FollowFactory
from shomp.messaging import services as messaging
from shomp.messaging.forms import prepare_attachment
from shomp.messaging.models import Conversation
from shomp.notifications.tests.factories import NotificationFactory
from shomp.orders.tests.factories import (
    CartFactory,
    CartItemFactory,
    OrderFactory,
    OrderItemFactory,
    product_with_variants,
)
from shomp.reviews.tests.factories import ReviewFactory
from shomp.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db

LONG = "9" * 100_000  # digits: a valid slug too, and past Python's int() digit limit (4,300)
BIGINT = "99999999999999999999"  # past a 64-bit integer
#: As sent on the wire: percent-escapes stay escaped, so the server decodes them.
HOSTILE = {
    "nul": "a%00b",
    "bad-bytes": "%ed%a0%80%ff%c3%28",  # a lone surrogate, a stray byte, a broken sequence
    "long": LONG,
    "bigint": BIGINT,
    "superscript-digit": "%c2%b2",
}
#: Past every limit (columns, max_length, int() digits) where 100k on every key would only cost
#: time: a form post carries every field name at once, a query string every key, and Django
#: quotes a whole query string into a login redirect. Real servers refuse far shorter lines.
MID = "9" * 5_000
#: Query parameters our views read (request.GET, ReviewQuery, the variant picker); the first
#: four carry the full 100k value.
QUERY_KEYS = [
    "q", "page", "next", "product", "order", "store", "status", "type", "unread", "show", "before",
    "archived_page", "variant", "o", "sort", "stars", "verified", "token", "key",
]  # fmt: skip
#: A ModelAdmin's: a key it does not know sends a change list to "?e=1" before any is read.
ADMIN_QUERY_KEYS = ["q", "o", "_changelist_filters"]
#: Form fields read outside Django forms (request.POST.get / getlist).
EXTRA_POST_KEYS = ["next", "action", "rows", "type", "token", "store", "quantity", "note", "remove"]
LOGIN_PATHS = ("/accounts/login/", "/admin/login/")
#: Views that read no form field, so get no hostile posts: file serving, the admin's delete
#: confirmation (any POST confirms), its history and its redirect to a change page.
READS_NO_FORM = re.compile(r"\^media/|admin:\w+_(delete|history)$|admin:<path:object_id>/$")


# The routes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", or the pattern when unnamed
    segments: tuple  # the pattern of each resolver level, outermost first
    callback: object

    @property
    def params(self) -> list[str]:
        return [name for segment in self.segments for name in _param_names(segment)]

    def url(self, values: dict[str, str]) -> str:
        return "/" + "".join(_render(segment, values) for segment in self.segments)

    @property
    def is_admin(self) -> bool:
        return self.name.startswith("admin:")

    @property
    def model_admin(self):
        """The ModelAdmin behind an admin route (its views are bound methods), else None."""
        return getattr(getattr(self.callback, "__wrapped__", None), "__self__", None)


def walk(resolver: URLResolver | None = None, segments: tuple = (), namespace: str = "") -> Iterator[Route]:
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry, (*segments, entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            yield Route(f"{namespace}{entry.name or entry.pattern}", (*segments, entry.pattern), entry.callback)


_ROUTE_PARAM = re.compile(r"<(?:[^>:]+:)?(?P<name>[^>]+)>")


def _param_names(pattern) -> list[str]:
    if isinstance(pattern, RoutePattern):
        return _ROUTE_PARAM.findall(str(pattern))
    return list(re.compile(pattern._regex).groupindex)


def _render(pattern, values: dict[str, str]) -> str:
    """The pattern with each parameter replaced by its value (regex groups included); a name
    build_world doesn't know gets "1" (test_every_route_is_filled... says if that can't do)."""
    if isinstance(pattern, RoutePattern):
        return _ROUTE_PARAM.sub(lambda m: values.get(m["name"], "1"), str(pattern))
    assert isinstance(pattern, RegexPattern), pattern
    regex, out, i = pattern._regex.removeprefix("^").removesuffix("$"), [], 0
    while i < len(regex):
        if regex.startswith("(?P<", i):
            out.append(values.get(regex[i + 4 : regex.index(">", i)], "1"))
            i = _group_end(regex, i)
        elif regex[i] == "\\":
            out.append(regex[i + 1])
            i += 2
        else:
            out.append(regex[i])
            i += 1
    return "".join(out)


def _group_end(regex: str, start: int) -> int:
    depth, i = 0, start
    while True:
        if regex[i] == "\\":
            i += 2
            continue
        if regex[i] == "[":
            i = regex.index("]", i + 2)
        elif regex[i] == "(":
            depth += 1
        elif regex[i] == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1


ROUTES = list(walk())


def resolves(path: str) -> bool:
    """Would this path reach a view? (Read as Django reads PATH_INFO: invalid UTF-8 re-escaped.)"""
    try:
        resolve(repercent_broken_unicode(unquote_to_bytes(path)).decode())
    except Resolver404:
        return False
    return True


def test_the_walk_sees_every_route():
    names = {route.name for route in ROUTES}
    assert {"catalog:search", "stores:list", "catalog:product", "messaging:contact", "admin:index"} <= names
    assert {"account_login", "account_reset_password_from_key", "admin:app_list"} <= names
    assert sum(route.is_admin for route in ROUTES) > 100


def test_every_route_is_filled_with_values_that_reach_its_own_view(world):
    for route in ROUTES:
        url = route.url(world.good_values(route))
        assert resolve(unquote(url)).func == route.callback, (route.name, url)


# The world: real objects, so a route with one hostile parameter gets past the others' 404s ----


def build_world() -> SimpleNamespace:
    """`me` owns `mine` and is a customer of `theirs`; `customer` bought from `mine`."""
    me, customer, blocked = UserFactory(), UserFactory(), UserFactory()
    mine, theirs = StoreFactory(owner=me), StoreFactory()
    my_product = product_with_variants(store=mine)
    image = ProductImageFactory(product=my_product)
    option = my_product.options.first()
    their_product = product_with_variants(store=theirs)  # the product page shows its variant picker
    download = DigitalProductFactory(store=theirs)
    my_order = OrderFactory(buyer=me, store=theirs)
    my_item = OrderItemFactory(order=my_order, product=download)
    their_order = OrderFactory(buyer=customer, store=mine)
    OrderItemFactory(order=their_order, product=my_product)
    cart_item = CartItemFactory(cart=CartFactory(user=me), product=ProductFactory(store=theirs))
    question = messaging.create_conversation(
        store=theirs, customer=me, type=Conversation.Type.CUSTOM_ORDER, subject="A vase?", content="Could you?"
    )
    with_file = messaging.send_message(
        conversation=question, sender=me, content="Like this", attachments=[prepare_attachment(pdf_upload())]
    )
    offer = messaging.send_offer(conversation=question, sender=theirs.owner, title="A vase", price="40.00")
    messaging.create_conversation(
        store=mine, customer=customer, type=Conversation.Type.GENERAL, subject="Hi", content="?"
    )
    reply = messaging.create_saved_reply(store=mine, actor=me, title="Thanks", content="Thank you!")
    block = messaging.block_user(store=mine, user=blocked, actor=me)
    my_review = ReviewFactory(product=download, user=me)
    review_of_mine = ReviewFactory(product=my_product, user=customer)
    FollowFactory(user=me, store=theirs)

    defaults = {
        "store_slug": theirs.slug,
        "product_ref": their_product.slug,
        "product_id": str(my_product.pk),
        "image_id": str(image.pk),
        "option_id": str(option.pk),
        "value_id": str(option.values.first().pk),
        "variant_id": str(my_product.variants.first().pk),
        "order_uuid": str(my_order.uuid),
        "item_id": str(my_item.pk),
        "token": str(my_order.checkout.token),
        "notification_id": str(NotificationFactory(user=me).pk),
        "announcement_uuid": str(AnnouncementFactory(store=theirs).uuid),
        "conversation_uuid": str(question.uuid),
        "offer_id": str(offer.pk),
        "attachment_id": str(with_file.attachments.get().pk),
        "reply_id": str(reply.pk),
        "block_id": str(block.pk),
        "review_id": str(my_review.pk),
        "path": "products/images/none.jpg",
        "content_type_id": str(ContentType.objects.get_for_model(mine).pk),
        "id": str(me.pk),
        "object_id": str(me.pk),  # the admin's redirect to a change page: any id
        "app_label": "stores",
        "url": "nothing/",
        "key": "abc",
        "uidb36": int_to_base36(me.pk),
    }
    overrides = {
        "orders:cart_update": {"item_id": str(cart_item.pk)},
        "orders:dashboard_order_detail": {"order_uuid": str(their_order.uuid)},
        "orders:dashboard_order_status": {"order_uuid": str(their_order.uuid)},
        "reviews:write": {"product_id": str(download.pk)},
        "reviews:dashboard_respond": {"review_id": str(review_of_mine.pk)},
    }

    def good_values(route: Route) -> dict[str, str]:
        values = {**defaults, **overrides.get(route.name, {})}
        model = getattr(route.model_admin, "model", None)
        if model is not None and "object_id" in route.params:
            first = model._default_manager.order_by("pk").first()
            values["object_id"] = str(first.pk) if first else "1"
        return values

    return SimpleNamespace(me=me, superuser=UserFactory(is_staff=True, is_superuser=True), good_values=good_values)


# Sending and judging ------------------------------------------------------------------------


def form_field_names() -> list[str]:
    """Every field name of every form class loaded (ours, allauth's, Django's), and a few more."""
    names: set[str] = set(EXTRA_POST_KEYS)
    pending = [forms.BaseForm]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        names.update(getattr(cls, "base_fields", {}))
    return sorted(names)


def model_field_names(route: Route) -> list[str]:
    """An admin route's model fields: the admin builds its forms from them."""
    model = getattr(route.model_admin, "model", None)
    return [field.name for field in model._meta.get_fields()] if model in apps.get_models() else []


def query_string(keys: list[str], value: str) -> str:
    return "&".join(f"{key}={MID if value == LONG and i >= 4 else value}" for i, key in enumerate(keys))


def hostile_headers(client: Client, value: str) -> dict[str, str]:
    """Header and cookie values as a WSGI server hands them over (the bytes read as latin-1)."""
    raw = unquote(MID if value == LONG else value, encoding="latin-1")
    jar = "".join(f"{key}={morsel.value}; " for key, morsel in client.cookies.items())
    return {
        "HTTP_USER_AGENT": raw,
        "HTTP_REFERER": raw,
        "HTTP_ACCEPT_LANGUAGE": raw,
        "HTTP_X_FORWARDED_FOR": raw,
        "HTTP_HX_REQUEST": raw,
        "HTTP_HX_CURRENT_URL": raw,
        "HTTP_HX_TARGET": raw,
        "HTTP_COOKIE": f"{jar}hostile={raw}; {settings.CSRF_COOKIE_NAME}={raw}; messages={raw}",
    }


def shorten(text: str) -> str:
    return text.replace(LONG, "<100k digits>").replace(MID, "<5k digits>")[:240]


class Walker:
    def __init__(self, client: Client, values: dict[str, str] = HOSTILE):
        self.client = client
        self.values = values
        self.cookies = {key: morsel.value for key, morsel in client.cookies.items()}
        self.problems: list[str] = []
        self.count = 0
        self.seen: set[tuple] = set()  # (gate, what) already sent where the gate decides alone
        self.form_fields = form_field_names()

    def send(self, method: str, url: str, **kwargs):
        """One request in a rolled-back savepoint; a 5xx or an exception is a problem."""
        self.count += 1
        response = None
        try:
            with transaction.atomic():
                response = getattr(self.client, method)(url, **kwargs)
                if response.streaming:  # read it all: a download can fail half-way too
                    b"".join(response.streaming_content)
                transaction.set_rollback(True)
        except Exception as error:  # every exception is a finding
            self.problems.append(shorten(f"{method.upper()} {url}: {type(error).__name__}: {error}"))
        else:
            if response.status_code >= 500:
                self.problems.append(shorten(f"{method.upper()} {url}: {response.status_code}"))
        finally:
            # A logout or a new session must not change who sends the next request.
            self.client.cookies = SimpleCookie()
            for key, value in self.cookies.items():
                self.client.cookies[key] = value
        return response

    def once(self, gate: str, *what) -> bool:
        """True the first time (gate, what) is asked about: send it; later: skip it."""
        if (gate, *what) in self.seen:
            return False
        self.seen.add((gate, *what))
        return True

    def route(self, route: Route, good: dict[str, str]) -> None:
        url = route.url(good)
        response = self.send("get", url)
        location = urlsplit(response.get("Location", "")).path if response is not None else ""
        gate = location if location.startswith(LOGIN_PATHS) else route.name
        keys = ADMIN_QUERY_KEYS if route.model_admin is not None else QUERY_KEYS
        for kind, value in self.values.items():
            if self.once(gate, "query", kind):
                self.send("get", f"{url}?{query_string(keys, value)}", **hostile_headers(self.client, value))
        # A ModelAdmin's object pages all read the id through its get_object(): once per admin.
        reader = route.model_admin if route.model_admin is not None and gate == route.name else gate
        for name in route.params:
            for kind, value in self.values.items():
                path = route.url({**good, name: value})
                where = reader if resolves(path) else "404"  # no view sees an unroutable path
                if self.once(where, "path", name if where != "404" else "", kind):
                    self.send("get", path)
        if READS_NO_FORM.match(route.name):
            return
        fields = self.form_fields + model_field_names(route)
        if self.once(gate, "multipart"):  # NUL as a raw byte in every field
            self.send("post", url, data=dict.fromkeys(fields, "a\x00b"))
        for kind, value in self.values.items():
            if self.once(gate, "post", kind):
                body = "&".join(f"{name}={MID if value == LONG else value}" for name in fields)
                response = self.send("post", url, data=body, content_type="application/x-www-form-urlencoded")
                if response is not None and response.status_code == 405:
                    break  # the view takes no POST, whatever its body

    def report(self) -> str:
        return f"{len(self.problems)} of {self.count} requests failed:\n" + "\n".join(self.problems)


def walk_routes(client: Client, world: SimpleNamespace, routes: list[Route], values=HOSTILE) -> Walker:
    walker = Walker(client, values)
    for route in routes:
        walker.route(route, world.good_values(route))
    return walker


@pytest.fixture
def world() -> SimpleNamespace:
    return build_world()


def test_no_route_answers_500_to_an_anonymous_visitor(world):
    walker = walk_routes(Client(raise_request_exception=True), world, ROUTES)
    assert not walker.problems, walker.report()


def test_no_route_answers_500_to_a_logged_in_seller_and_buyer(world):
    client = Client(raise_request_exception=True)
    client.force_login(world.me)
    walker = walk_routes(client, world, ROUTES)
    assert not walker.problems, walker.report()


def test_no_admin_route_answers_500_to_a_superuser(world):
    client = Client(raise_request_exception=True)
    client.force_login(world.superuser)
    # "²" tests our own parsing of ids; the admin's is Django's (a form field's to_python).
    values = {kind: value for kind, value in HOSTILE.items() if kind != "superscript-digit"}
    if connection.vendor == "sqlite":
        # Django's admin looks ids up unguarded (`pk__in` of a many-to-many field, a one-to-one
        # primary key) and SQLite's driver raises OverflowError past 64 bits; PostgreSQL answers.
        del values["bigint"]
    walker = walk_routes(client, world, [route for route in ROUTES if route.is_admin], values)
    assert not walker.problems, walker.report()


# The boundary itself ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("what", "request_kwargs"),
    [
        ("path", {"path": "/stores/a%00b/contact/"}),
        ("query key", {"path": "/search/?a%00b=1"}),
        ("query value", {"path": "/search/?q=%00"}),
        ("header", {"path": "/search/", "HTTP_USER_AGENT": "a\x00b"}),
        ("cookie", {"path": "/search/", "HTTP_COOKIE": "theme=a\x00b"}),
    ],
)
def test_nul_anywhere_is_a_small_400_page(client, caplog, what, request_kwargs):
    response = client.get(**request_kwargs)
    assert response.status_code == 400, what
    assert "couldn't read that request" in response.text and "Traceback" not in response.text
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1 and "NUL or lone surrogate" in warnings[0].getMessage()
    assert "\x00" not in warnings[0].getMessage()  # escaped, never raw into the log


def test_nul_in_a_form_field_is_a_400_but_file_contents_are_not_read(client, customer_of_a_store):
    contact = reverse("messaging:contact", args=[customer_of_a_store.store.slug])
    client.force_login(customer_of_a_store.user)
    assert client.post(contact, {"subject": "Hi", "content": "a\x00b"}).status_code == 400
    assert client.post(contact, {"a\x00b": "x"}).status_code == 400
    body = "content=%ed%a0%80"  # a lone surrogate in a urlencoded form decodes to U+FFFD: read
    assert client.post(contact, body, content_type="application/x-www-form-urlencoded").status_code == 200
    photo = image_upload("photo.png", fmt="PNG")
    assert b"\x00" in photo.read()  # binary files hold NUL: only the form fields count
    photo.seek(0)
    response = client.post(contact, {"type": "general", "subject": "Hi", "content": "Hello", "attachments": photo})
    assert response.status_code == 302


@pytest.fixture
def customer_of_a_store():
    return SimpleNamespace(user=UserFactory(), store=StoreFactory())


def test_invalid_utf8_is_read_with_replacement_characters_not_refused(client):
    # Django re-escapes it in the path and decodes query values with U+FFFD, which any column holds.
    assert client.get("/search/?q=%ff%c3%28%ed%a0%80").status_code == 200
    assert client.get("/stores/%ff/contact/").status_code in (302, 404)


def test_the_issues_examples_are_400s(client):
    store, user = StoreFactory(), UserFactory()
    for url in ("/search/?q=%00", "/stores/?q=%00", f"/{store.slug}/products/%00/"):
        assert client.get(url).status_code == 400, url
    client.force_login(user)
    StoreFactory(owner=user)
    for url in (f"/stores/{store.slug}/contact/?product=a%00b", "/dashboard/messages/?q=%00"):
        assert client.get(url).status_code == 400, url


# WebSockets --------------------------------------------------------------------------------


def websocket_cases() -> list[tuple[str, list[tuple[bytes, bytes]]]]:
    """(path with query, extra headers): every topic kind with each hostile argument, and more."""
    from shomp.core import realtime

    values = [*HOSTILE.values(), "9" * 150]  # 150 digits: under the topic length cap, past int64
    cases = [(f"/ws/?topic={kind}:{value}", []) for kind in sorted(realtime._registry) for value in values]
    cases += [(f"/ws/?{value}=1&topic={value}", []) for value in values]
    cases += [(f"/ws/{value}/", []) for value in values]
    cases += [("/ws/nothing-here/", []), ("/ws/", [(b"user-agent", b"a\x00b")])]
    return cases


@pytest.fixture
def log_records() -> Iterator[list[logging.LogRecord]]:
    """Every record logged meanwhile. Imports the ASGI application first: its django.setup()
    configures logging again, which drops the handlers attached before (caplog's too)."""
    import shomp.asgi  # noqa: F401

    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append
    logging.getLogger().addHandler(handler)
    yield records
    logging.getLogger().removeHandler(handler)


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_no_websocket_handshake_crashes_on_hostile_input(log_records):
    """Refused, or accepted and closed at once: never an exception, nor a traceback in the log."""
    from channels.testing import WebsocketCommunicator

    from shomp.asgi import application

    user = await sync_to_async(UserFactory)()
    client = Client()
    await sync_to_async(client.force_login)(user)
    cookie = (
        b"cookie",
        f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode(),
    )
    problems = []
    for path, headers in websocket_cases():
        for who in ([], [cookie]):
            communicator = WebsocketCommunicator(
                application, path, headers=[(b"origin", b"http://localhost"), *who, *headers]
            )
            try:
                connected, _ = await communicator.connect(timeout=5)
                if "%00" in path or any(b"\x00" in value for _, value in headers):
                    assert not connected, "a handshake holding NUL is refused before any consumer runs"
                if connected:  # accepted: it must close at once (no topic this user may follow)
                    closed = await communicator.receive_output(timeout=5)
                    assert closed["type"] == "websocket.close", closed
                await communicator.disconnect()
            except Exception as error:  # the application raised: a traceback and a 500
                problems.append(shorten(f"{path} ({'user' if who else 'anonymous'}): {type(error).__name__}: {error}"))
    tracebacks = [record.getMessage() for record in log_records if record.exc_info]
    assert not problems and not tracebacks, "\n".join(problems + tracebacks)
