"""Accounts, clicked through: sign up, log out, log in (username, email, one-time code), reset a password.

Emails (password reset, sign-in code) are read from django.core.mail.outbox: the server runs in
this process, so what it sends lands there.
"""

import re

from django.core import mail

from . import builders
from .helpers import account_menu, assert_no_page_errors, expect, fill_login_form, label, log_out, login

NEW_PASSWORD = "a new kiln for the studio 77"


def test_sign_up_log_out_and_log_in_with_username_then_email(page, live_url):
    page.goto("/")
    page.get_by_role("banner").get_by_role("link", name="Sign up").click()
    expect(page.get_by_role("heading", name="Sign up")).to_be_visible()
    page.get_by_label(label("Email")).fill("maya@example.com")
    page.get_by_label(label("Username")).fill("maya_makes")
    page.get_by_label(label("Password")).fill("throwing pots at dawn 9")
    page.get_by_label(label("Password (again)")).fill("throwing pots at dawn 9")
    page.get_by_role("button", name="Sign up", exact=True).click()

    # Signed in: the header names the handle, never the email.
    expect(account_menu(page, "maya_makes")).to_be_visible()
    expect(page.get_by_role("banner")).not_to_contain_text("maya@example.com")
    assert_no_page_errors(page)

    log_out(page, "maya_makes")
    expect(account_menu(page, "maya_makes")).to_have_count(0)

    page.get_by_role("banner").get_by_role("link", name="Log in").click()
    fill_login_form(page, "maya_makes", "throwing pots at dawn 9")
    expect(account_menu(page, "maya_makes")).to_be_visible()

    log_out(page, "maya_makes")
    page.goto("/accounts/login/")
    fill_login_form(page, "MAYA@example.com", "throwing pots at dawn 9")  # emails match case-insensitively
    expect(account_menu(page, "maya_makes")).to_be_visible()


def test_a_wrong_password_is_refused_with_a_message(page, live_url):
    person = builders.user("oskar")
    page.goto("/accounts/login/")
    fill_login_form(page, person.username, "not the password")
    expect(page.get_by_text(re.compile("not correct", re.IGNORECASE))).to_be_visible()
    expect(account_menu(page, person.username)).to_have_count(0)


def test_reset_a_forgotten_password_from_the_emailed_link(page, live_url):
    person = builders.user("ines")
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label(label("Email")).fill(person.email)
    page.get_by_role("button", name="Reset My Password").click()
    expect(page.get_by_text(re.compile("sent you an email", re.IGNORECASE))).to_be_visible()

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [person.email]
    link = re.search(r"https?://[^\s]+/accounts/password/reset/key/[^\s]+", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    page.goto(link.group(0))
    page.get_by_label(label("New Password")).fill(NEW_PASSWORD)
    page.get_by_label(label("New Password (again)")).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change Password").click()
    expect(page.get_by_text(re.compile("password is now changed", re.IGNORECASE))).to_be_visible()

    page.goto("/accounts/login/")
    fill_login_form(page, person.username, builders.PASSWORD)  # the old one no longer works
    expect(account_menu(page, person.username)).to_have_count(0)
    fill_login_form(page, person.username, NEW_PASSWORD)
    expect(account_menu(page, person.username)).to_be_visible()


def test_log_in_with_a_one_time_code_from_the_email(page, live_url):
    person = builders.user("noor")
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Email me a code to log in").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/code/$"))
    page.get_by_label(label("Email")).fill(person.email)
    page.get_by_role("button", name="Request Code").click()
    expect(page.get_by_role("heading", name="Enter your login code")).to_be_visible()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [person.email]
    body_lines = [line.strip() for line in message.body.splitlines()]
    code = next(line for line in body_lines if re.fullmatch(r"[A-Z0-9-]{6,12}", line))
    page.get_by_label(label("Code")).fill(code)
    page.get_by_role("button", name="Confirm").click()
    expect(account_menu(page, person.username)).to_be_visible()


def test_email_addresses_and_names_never_show_on_public_pages(make_page, live_url, live_server_app):
    seller = builders.user("kiln_keeper")
    shop = builders.store(owner=seller, name="Kiln Keeper", slug="kiln-keeper", description="Stoneware mugs.")
    mug = builders.product(shop, "Speckled Mug", description="A stoneware mug with a speckled glaze.")
    buyer = builders.user("mug_lover")
    builders.place_order(live_server_app, buyer=buyer, lines=[(mug, 1)])
    private = [seller.email, buyer.email, "Private Person"]  # the factories' first and last name

    visitor = make_page()
    other = login(make_page(), live_url, builders.user("nosy").username, builders.PASSWORD)
    owner = login(make_page(), live_url, seller.username, builders.PASSWORD)
    pages = [
        (visitor, ["/", "/stores/", "/kiln-keeper/", mug.get_absolute_url(), "/search/?q=stoneware"]),
        (other, ["/", "/kiln-keeper/", mug.get_absolute_url()]),
        (owner, ["/dashboard/", "/dashboard/orders/"]),  # the seller sees the buyer's handle only
    ]
    for browser_page, urls in pages:
        for url in urls:
            browser_page.goto(url)
            text = browser_page.content()
            leaked = [value for value in private if value in text]
            assert leaked == [], f"{url} shows {leaked}"
    expect(owner.get_by_role("cell", name="mug_lover")).to_be_visible()
    owner.get_by_role("link", name=re.compile(r"^[0-9A-F]{8}$")).first.click()
    # In the page itself (the bell's list, loaded after the page, names the buyer too).
    expect(owner.get_by_role("main").get_by_text("mug_lover", exact=True)).to_be_visible()
    assert buyer.email not in owner.content()
