"""Signing up, logging in (password or one-time code), out, password reset and login throttling.

Driven through allauth's real pages, with the field names they render."""

import re
import time
import types

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core import mail

from shomp.accounts.models import User
from shomp.accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-passphrase-42"


def logged_in_user_id(client) -> int | None:
    value = client.session.get(SESSION_KEY)
    return int(value) if value is not None else None


def field_error(html: str, field: str) -> str:
    """The error text tied to `field` (`id="id_<field>_error"`, as both Django's and Shomp's form
    templates render it, next to the field)."""
    match = re.search(rf'\sid="id_{field}_error"[^>]*>(.*?)</(?:div|ul)>', html, re.S)
    return re.sub(r"<[^>]+>", " ", match.group(1)).strip() if match else ""


@pytest.fixture
def user():
    return UserFactory(username="potter", email="potter@example.com")


# Sign up --------------------------------------------------------------------------------


def signup(client, **overrides):
    data = {
        "email": "new@example.com",
        "username": "newbie",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    } | overrides
    return client.post("/accounts/signup/", data)


def test_the_signup_page_asks_for_email_username_and_password_twice(client):
    html = client.get("/accounts/signup/").text

    for name in ("email", "username", "password1", "password2"):
        assert f'name="{name}"' in html


def test_signing_up_creates_the_account_and_logs_in(client):
    response = signup(client)

    assert response.status_code == 302
    user = User.objects.get(username="newbie")
    assert user.email == "new@example.com"
    assert user.check_password(NEW_PASSWORD)
    assert logged_in_user_id(client) == user.pk
    assert [message.to for message in mail.outbox] == [["new@example.com"]]  # the address confirmation


@pytest.mark.parametrize("username", ["dashboard", "Admin", "stores", "search", "API"])
def test_a_reserved_username_is_refused(client, username):
    response = signup(client, username=username)

    assert response.status_code == 200
    assert "That username is reserved. Please choose another." in field_error(response.text, "username")
    assert not User.objects.exists()
    assert logged_in_user_id(client) is None


def test_a_username_taken_in_another_case_is_refused(client, user):
    response = signup(client, username="POTTER")

    assert field_error(response.text, "username")
    assert User.objects.count() == 1


def test_signing_up_with_a_taken_email_makes_no_second_account(client, user):
    signup(client, email="Potter@Example.com", username="someone-else")

    assert list(User.objects.values_list("username", flat=True)) == ["potter"]
    assert logged_in_user_id(client) is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"password2": "something-else-entirely"}, "password2"),
        ({"password1": "short", "password2": "short"}, "password1"),
        ({"password1": "12345678901", "password2": "12345678901"}, "password1"),
        ({"email": "not-an-email"}, "email"),
        ({"username": "ab"}, "username"),
    ],
)
def test_bad_signups_are_refused_next_to_the_field(client, changes, field):
    response = signup(client, **changes)

    assert response.status_code == 200
    assert field_error(response.text, field)
    assert not User.objects.exists()


# Log in and out -------------------------------------------------------------------------


@pytest.mark.parametrize("login", ["potter", "POTTER", "potter@example.com", "Potter@Example.COM"])
def test_logging_in_by_username_or_email(client, user, login):
    response = client.post("/accounts/login/", {"login": login, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert logged_in_user_id(client) == user.pk


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(client, user):
    wrong = client.post("/accounts/login/", {"login": "potter", "password": "nope"})
    unknown = client.post("/accounts/login/", {"login": "nobody", "password": "nope"})

    assert wrong.status_code == unknown.status_code == 200
    assert logged_in_user_id(client) is None
    assert "not correct" in wrong.text


def test_an_absurdly_long_login_is_refused_next_to_the_field_before_any_lookup(client, user):
    """A 100,000-character identifier once reached the case-insensitive lookups (SQLite: "LIKE or
    GLOB pattern too complex", a 500). The form now stops it, says why, and the page caps typing."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.post("/accounts/login/", {"login": "p" * 100_000, "password": PASSWORD})

    assert response.status_code == 200
    assert "at most 320 characters" in field_error(response.text, "login")
    assert logged_in_user_id(client) is None
    assert all("p" * 1000 not in str(query["params"]) + query["sql"] for query in queries.captured_queries)
    assert 'maxlength="320"' in client.get("/accounts/login/").text


def test_absurdly_long_signup_names_are_refused_next_to_their_fields(client):
    response = signup(client, email="e" * 100_000 + "@example.com", username="u" * 100_000)

    assert response.status_code == 200
    assert field_error(response.text, "email")
    assert "at most 150 characters" in field_error(response.text, "username")
    assert not User.objects.exists()


def test_an_inactive_user_cannot_log_in(client):
    UserFactory(username="gone", is_active=False)

    client.post("/accounts/login/", {"login": "gone", "password": PASSWORD})

    assert logged_in_user_id(client) is None


def test_login_returns_to_the_page_asked_for(client, user):
    response = client.get("/dashboard/products/")
    assert response["Location"] == "/accounts/login/?next=/dashboard/products/"

    response = client.post(response["Location"], {"login": "potter", "password": PASSWORD})

    assert response["Location"] == "/dashboard/products/"


def test_login_never_redirects_off_site(client, user):
    response = client.post("/accounts/login/?next=https://evil.example/", {"login": "potter", "password": PASSWORD})

    assert logged_in_user_id(client) == user.pk
    assert not response["Location"].startswith("https://evil.example")


def test_the_session_id_changes_at_login(client, user):
    session = client.session  # an anonymous session, as a visitor with a cart has
    session["visited"] = True
    session.save()
    before = client.cookies[settings.SESSION_COOKIE_NAME].value

    client.post("/accounts/login/", {"login": "potter", "password": PASSWORD})

    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert not SessionStore().exists(before)
    assert logged_in_user_id(client) == user.pk


def test_logging_out_takes_a_post(client, user):
    client.force_login(user)

    page = client.get("/accounts/logout/")
    assert page.status_code == 200
    assert logged_in_user_id(client) == user.pk  # a GET only asks

    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert logged_in_user_id(client) is None
    assert client.get("/dashboard/products/")["Location"].startswith("/accounts/login/")


# Password reset -------------------------------------------------------------------------


def test_password_reset_by_email_end_to_end(client, user):
    response = client.post("/accounts/password/reset/", {"email": "Potter@example.com"})

    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["potter@example.com"]
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", message.body).group(1)

    form = client.get(link, follow=True)
    assert form.status_code == 200
    set_url = form.redirect_chain[-1][0] if form.redirect_chain else link
    done = client.post(set_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    client.post(set_url, {"password1": "x-" + NEW_PASSWORD, "password2": "x-" + NEW_PASSWORD})
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)  # the link works once


def test_password_reset_for_an_unknown_email_looks_the_same_and_tells_nobody(client, user):
    known = client.post("/accounts/password/reset/", {"email": "potter@example.com"})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.com"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    to_potter = [m for m in mail.outbox if m.to == ["potter@example.com"]]
    to_nobody = [m for m in mail.outbox if m.to == ["nobody@example.com"]]
    assert len(to_potter) == 1
    assert "/accounts/password/reset/key/" in to_potter[0].body
    assert len(to_potter) + len(to_nobody) == len(mail.outbox)
    assert all("/accounts/password/reset/key/" not in m.body and "potter" not in m.body for m in to_nobody)


# Login by one-time code ("magic link") --------------------------------------------------


def request_code(client, email: str) -> str:
    response = client.post("/accounts/login/code/", {"email": email})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/code/confirm/")
    return response["Location"]


def emailed_code() -> str:
    body = mail.outbox[-1].body
    return re.search(r"^\s*([A-Z0-9]{3,}(?:-[A-Z0-9]+)*)\s*$", body, re.M).group(1)


def test_login_by_code_sent_by_email(client, user):
    confirm_url = request_code(client, "potter@example.com")

    assert mail.outbox[-1].to == ["potter@example.com"]
    assert logged_in_user_id(client) is None

    response = client.post(confirm_url, {"code": emailed_code()})

    assert response.status_code == 302
    assert logged_in_user_id(client) == user.pk


def test_a_wrong_login_code_is_refused_and_the_code_burns_after_a_few_tries(client, user):
    confirm_url = request_code(client, "potter@example.com")
    code = emailed_code()

    for _ in range(3):
        client.post(confirm_url, {"code": "WRONG-CODE"})
    client.post(confirm_url, {"code": code})

    assert logged_in_user_id(client) is None


def test_a_login_code_for_an_unknown_email_logs_nobody_in(client, user):
    confirm_url = request_code(client, "nobody@example.com")  # same answer: no enumeration

    client.post(confirm_url, {"code": "ABCDEF"})

    assert logged_in_user_id(client) is None
    assert all(message.to == ["nobody@example.com"] for message in mail.outbox)


# Throttling -----------------------------------------------------------------------------


@pytest.fixture
def clock(monkeypatch):
    """Move allauth's rate-limit clock forward without touching the rest of the process."""
    from allauth.core.internal import ratelimit

    offset = {"seconds": 0.0}
    fake = types.SimpleNamespace(
        time=lambda: time.time() + offset["seconds"], monotonic=time.monotonic, sleep=time.sleep
    )
    monkeypatch.setattr(ratelimit, "time", fake)

    def advance(seconds: float) -> None:
        offset["seconds"] += seconds

    return advance


def throttled(response) -> bool:
    return response.status_code == 429 or "Too many failed login attempts" in response.text


def test_thirty_wrong_passwords_get_throttled_and_then_even_the_right_one_is_refused(client, user, clock):
    responses = [client.post("/accounts/login/", {"login": "potter", "password": f"guess-{n}"}) for n in range(30)]

    assert not throttled(responses[0])
    assert throttled(responses[29])
    assert logged_in_user_id(client) is None

    right = client.post("/accounts/login/", {"login": "potter", "password": PASSWORD})
    assert throttled(right)
    assert logged_in_user_id(client) is None

    clock(90)  # the per-address minute is over, the account's five minutes are not
    right = client.post("/accounts/login/", {"login": "potter", "password": PASSWORD})
    assert throttled(right)
    assert logged_in_user_id(client) is None

    clock(6 * 60)
    client.post("/accounts/login/", {"login": "potter", "password": PASSWORD})
    assert logged_in_user_id(client) == user.pk


def test_failed_logins_count_per_account_whatever_name_it_is_typed_by(client, user, clock):
    """Five wrong passwords in five minutes lock the account, whether they came by username, by
    email, or in another case: an attacker can't double the tries by switching between them."""
    for n, login in enumerate(["potter", "potter@example.com", "POTTER", "Potter@Example.com", "potter"]):
        client.post("/accounts/login/", {"login": login, "password": f"guess-{n}"}, REMOTE_ADDR=f"10.0.0.{n}")
        clock(20)  # different addresses and minutes: only the account's limit applies

    right = client.post(
        "/accounts/login/", {"login": "potter@example.com", "password": PASSWORD}, REMOTE_ADDR="10.0.1.1"
    )
    assert throttled(right)
    assert logged_in_user_id(client) is None

    clock(6 * 60)
    client.post("/accounts/login/", {"login": "potter@example.com", "password": PASSWORD}, REMOTE_ADDR="10.0.1.1")
    assert logged_in_user_id(client) == user.pk


def test_failed_logins_for_unknown_names_do_not_lock_a_real_account(client, user, clock):
    for n in range(6):
        client.post(
            "/accounts/login/", {"login": f"nobody-{n}@example.com", "password": "x"}, REMOTE_ADDR=f"10.0.0.{n}"
        )
        clock(20)
    client.post("/accounts/login/", {"login": "potter", "password": PASSWORD}, REMOTE_ADDR="10.0.1.1")
    assert logged_in_user_id(client) == user.pk


def failed_logins_from(client, forwarded_for: list[str]) -> list:
    return [
        client.post("/accounts/login/", {"login": f"nobody-{n}", "password": "x"}, HTTP_X_FORWARDED_FOR=xff)
        for n, xff in enumerate(forwarded_for)
    ]


def test_a_client_typed_x_forwarded_for_does_not_escape_the_per_address_limit(client, clock):
    responses = failed_logins_from(client, [f"198.51.100.{n}" for n in range(11)])
    assert not throttled(responses[0])
    assert throttled(responses[10])  # ten a minute from the one real address


def test_behind_a_trusted_proxy_the_address_it_saw_is_counted(client, clock, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1  # our proxy appends the address it saw
    rotated_by_one_client = [f"198.51.100.{n}, 203.0.113.7" for n in range(11)]
    assert throttled(failed_logins_from(client, rotated_by_one_client)[10])

    another_client = failed_logins_from(client, ["203.0.113.8"])
    assert not throttled(another_client[0])  # the proxy's own address isn't what is counted


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/", "/accounts/signup/", "/accounts/login/code/"])
def test_the_entrance_pages_say_log_in_and_sign_up(client, url):
    """One wording everywhere: "Log in" and "Sign up" (allauth says "Sign In", "Signup", "sign in")."""
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get(url).content.decode()))

    assert "Log in" in text and "Sign up" in text
    rest = re.sub(r"(?i)log in|sign up", "", text)
    others = re.findall(r"(?i)sign[ -]?in\b|signup|login\b", rest)
    assert others == [], others


@pytest.mark.django_db
def test_the_email_page_offers_no_remove_or_make_primary_for_the_only_address(client):
    from allauth.account.models import EmailAddress

    user = UserFactory(email="maya@example.com")
    EmailAddress.objects.update_or_create(
        user=user, email="maya@example.com", defaults={"primary": True, "verified": True}
    )
    client.force_login(user)

    html = client.get("/accounts/email/").content.decode()

    assert "maya@example.com" in html
    assert 'name="action_remove"' not in html and 'name="action_primary"' not in html
    assert 'name="action_add"' in html  # adding another stays possible

    EmailAddress.objects.create(user=user, email="maya@work.example", primary=False, verified=False)
    html = client.get("/accounts/email/").content.decode()
    assert 'name="action_remove"' in html and 'name="action_primary"' in html  # two: the choices mean something
