"""Two live browsers, one push: the authorized person sees it without a reload, the other doesn't.

The page is a test-only view (this module is the URLconf for the test, in front of shomp.urls):
it renders base.html with whatever topics the query string names, which is exactly what an
attacker could do, so the consumer's policy check is what keeps Bob out.
"""

import uuid
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.template import engines
from django.urls import include, path

from shomp.core import realtime

from .helpers import expect, login, page_errors, wait_for_socket, wait_for_socket_close

KIND = "e2e-private"
PASSWORD = "correct horse battery staple 42"
PAGE = """{% extends "base.html" %}{% block title %}Realtime check{% endblock %}{% block content %}
<h1>Realtime check</h1>
<p id="e2e-secret">nothing yet</p>
<p id="e2e-own">nothing yet</p>
{% endblock %}"""


@login_not_required
def realtime_page(request):
    context = {"realtime_topics": request.GET.getlist(realtime.TOPIC_PARAM)}
    return HttpResponse(engines["django"].from_string(PAGE).render(context, request))


urlpatterns = [path("e2e/realtime/", realtime_page), path("", include("shomp.urls"))]


@pytest.fixture
def owners():
    """Register KIND; owners[arg] is the one user id allowed to follow "e2e-private:<arg>"."""
    allowed: dict[str, int] = {}

    def authorize(user, arg: str) -> bool:
        return bool(user.is_authenticated and allowed.get(arg) == user.pk)

    realtime.register_topic(KIND, authorize)
    yield allowed
    realtime.unregister_topic(KIND)


def make_user(name: str):
    suffix = uuid.uuid4().hex[:6]
    return get_user_model().objects.create_user(
        username=f"{name}{suffix}", email=f"{name}{suffix}@example.com", password=PASSWORD
    )


def private_topic(owners, user) -> str:
    arg = uuid.uuid4().hex
    owners[arg] = user.pk
    return f"{KIND}:{arg}"


def page_url(*topics: str) -> str:
    return "/e2e/realtime/?" + urlencode([(realtime.TOPIC_PARAM, value) for value in topics])


def test_a_push_reaches_the_authorized_browser_only(settings, live_server_app, live_url, make_page, owners):
    settings.ROOT_URLCONF = __name__
    alice, bob = make_user("alice"), make_user("bob")
    alices, bobs = private_topic(owners, alice), private_topic(owners, bob)

    alice_page = login(make_page(), live_url, alice.username, PASSWORD)
    bob_page = login(make_page(mobile=True), live_url, bob.username, PASSWORD)
    anon_page = make_page()

    alice_page.goto(page_url(alices))
    bob_page.goto(page_url(alices, bobs))  # Bob names Alice's topic too
    anon_page.goto(page_url(alices))
    for page in (alice_page, bob_page, anon_page):
        wait_for_socket(page)
        page.evaluate("window.__notReloaded = true")
    # The anonymous socket follows nothing, so the server closes it (no retry storm: 4403).
    wait_for_socket_close(anon_page, 4403)

    live_server_app.call(realtime.publish, alices, '<p id="e2e-secret" hx-swap-oob="true">for alice</p>')
    live_server_app.call(realtime.publish, bobs, '<p id="e2e-own" hx-swap-oob="true">for bob</p>')

    expect(alice_page.locator("#e2e-secret")).to_have_text("for alice")
    expect(bob_page.locator("#e2e-own")).to_have_text("for bob")
    # Bob's socket is FIFO: Alice's push, published first, would have landed before his own.
    expect(bob_page.locator("#e2e-secret")).to_have_text("nothing yet")
    expect(anon_page.locator("#e2e-secret")).to_have_text("nothing yet")
    for page in (alice_page, bob_page):
        assert page.evaluate("window.__notReloaded === true")
        assert page.evaluate("window.__shompWsClose.length") == 0
        script_errors = [e for e in page_errors(page) if "Content Security Policy" in e or "uncaught" in e]
        assert script_errors == []  # htmx and the ws extension run under the strict CSP


def test_losing_access_stops_the_stream(settings, live_server_app, live_url, make_page, owners):
    settings.ROOT_URLCONF = __name__
    alice = make_user("alice")
    alices, kept = private_topic(owners, alice), private_topic(owners, alice)
    page = login(make_page(), live_url, alice.username, PASSWORD)
    page.goto(page_url(alices, kept))
    wait_for_socket(page)

    live_server_app.call(realtime.publish, alices, '<p id="e2e-secret" hx-swap-oob="true">one</p>')
    expect(page.locator("#e2e-secret")).to_have_text("one")

    owners[alices.partition(":")[2]] = -1  # access revoked, and announced as the services do
    live_server_app.call(realtime.revoke_access, [alice.pk])
    live_server_app.call(realtime.publish, alices, '<p id="e2e-secret" hx-swap-oob="true">two</p>')
    # Every page of a logged-in user also follows their own topics (the bell's), so the socket
    # stays open; the revoked topic is dropped. The socket is FIFO: a push on a topic Alice
    # keeps, sent after "two", arrives, and "two" never did.
    live_server_app.call(realtime.publish, kept, '<p id="e2e-own" hx-swap-oob="true">still here</p>')
    expect(page.locator("#e2e-own")).to_have_text("still here")
    expect(page.locator("#e2e-secret")).to_have_text("one")
