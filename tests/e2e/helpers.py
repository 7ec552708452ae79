"""Helpers for browser tests (tests/e2e). Fixtures live in conftest.py."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from playwright.sync_api import Page, expect

SCREENSHOT_DIR = Path(settings.BASE_DIR) / "var" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
MOBILE = {"width": 375, "height": 812}


def login(page: Page, live_url: str, username: str, password: str) -> Page:
    """Log in through the real allauth form (username or email in `login`), as a person would."""
    page.goto(f"{live_url}/accounts/login/")
    form = page.locator("form").filter(has=page.locator('input[name="login"]'))
    form.locator('input[name="login"]').fill(username)
    form.locator('input[name="password"]').fill(password)
    with page.expect_navigation():
        form.locator('button[type="submit"], input[type="submit"]').first.click()
    if "/accounts/login/" in page.url:
        problems = page.locator(".alert, .invalid-feedback, .errorlist").all_inner_texts()
        raise AssertionError(f"Login as {username!r} failed: {problems or page.url}")
    return page


def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Save var/screenshots/<name>.png (gitignored) and return its path."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "page"
    path = SCREENSHOT_DIR / f"{safe}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def page_errors(page: Page) -> list[str]:
    """Console errors and uncaught exceptions seen on `page` (CSP violations show up here)."""
    return list(getattr(page, "shomp_errors", []))


# Pass functions, not expressions, to wait_for_function: Playwright evaluates a bare expression
# with eval() while polling, which the page's CSP (no 'unsafe-eval') blocks.


def wait_for_socket(page: Page, count: int = 1, timeout: float = 10_000) -> None:
    """Wait until the page's htmx WebSocket has opened `count` times (conftest counts them)."""
    page.wait_for_function("(count) => (window.__shompWsOpen || 0) >= count", arg=count, timeout=timeout)


def wait_for_socket_close(page: Page, code: int | None = None, timeout: float = 10_000) -> None:
    """Wait until the page's htmx WebSocket has closed (with `code`, if given)."""
    page.wait_for_function(
        "(code) => (window.__shompWsClose || []).some((c) => code === null || c === code)",
        arg=code,
        timeout=timeout,
    )


def label(text: str) -> re.Pattern[str]:
    """A form label as a person reads it, whatever the decoration: "Password", "Password:", "Password *".

    Use with page.get_by_label(label("Password")): unlike a plain substring it does not also
    match "Password (again)".
    """
    return re.compile(rf"^\s*{re.escape(text)}\s*:?\s*\*?\s*$", re.IGNORECASE)


def cart_badge(page: Page):
    """The header's cart link (the visible one of the desktop and mobile pair); its text is the count."""
    return page.get_by_role("banner").get_by_role("link", name=re.compile(r"^Cart"))


def cart_line(page: Page, title: str):
    """The cart page's line for the product called `title`."""
    return page.get_by_role("main").get_by_role("listitem").filter(has=page.get_by_role("link", name=title))


def fill_shipping(page: Page) -> None:
    """The checkout's shipping address, by its labels (a new one, when the buyer has saved addresses)."""
    new = page.get_by_role("radio", name="A new address")
    if new.count():
        new.check()
    page.get_by_label(label("Full name")).fill("Sam Buyer")
    page.get_by_label(label("Address")).fill("1 Kiln Lane")
    page.get_by_label(label("City")).fill("Leeds")
    page.get_by_label(label("Postal code")).fill("LS1 1AA")
    country = page.get_by_label(label("Country"))
    if country.get_attribute("hx-get") is None:
        country.select_option(label="United Kingdom")
        return
    # The checkout re-renders its summary (shipping, total, the Pay button) for the country:
    # wait for that swap to settle, or a click may land on the button it replaces. The page
    # must have loaded first: after a click's navigation the fields can be filled before htmx
    # has bound the select, and the change then sends nothing (a CI run on a busy machine).
    page.wait_for_load_state("load")
    with page.expect_response(lambda response: response.request.method == "GET" and "/checkout/" in response.url):
        country.select_option(label="United Kingdom")
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")


def fill_card(page: Page, number: str, expiry: str = "12/30", cvc: str = "123") -> None:
    """The checkout's card fields: 4242 4242 4242 4242 pays, 4000 0000 0000 0002 is declined."""
    page.get_by_label(label("Card number")).fill(number)
    page.get_by_label(label("Expiry (MM/YY)")).fill(expiry)
    page.get_by_label(label("CVC")).fill(cvc)


def fill_login_form(page: Page, login_value: str, password: str) -> None:
    """Fill the sign-in page's form by its labels and submit it (compare `login`, which navigates)."""
    page.get_by_label(label("Username or email")).fill(login_value)
    page.get_by_label(label("Password")).fill(password)
    page.get_by_role("button", name="Log in").click()


def upload(name: str, data: bytes, mime_type: str) -> dict[str, object]:
    """A file for locator.set_input_files, as if picked from the disk."""
    return {"name": name, "mimeType": mime_type, "buffer": data}


def accept_dialogs(page: Page) -> None:
    """Say OK to confirm() prompts (data-confirm buttons); Playwright dismisses them otherwise."""
    page.on("dialog", lambda dialog: dialog.accept())


def mark_page(page: Page) -> None:
    """Tag the current document; `assert_same_page` then proves no navigation or reload happened."""
    page.evaluate("window.__shompSamePage = true")


def assert_same_page(page: Page) -> None:
    assert page.evaluate("window.__shompSamePage === true"), "the page reloaded or navigated"


def assert_no_page_errors(page: Page) -> None:
    """No console errors or uncaught exceptions (CSP violations included) so far on `page`.

    A missing favicon is left to test_pages.py::test_the_favicon_loads, so that one known
    gap does not hide every other error behind it.
    """
    errors = [error for error in page_errors(page) if "favicon" not in error]
    assert errors == [], f"console errors or uncaught exceptions on {page.url}: {errors}"


def wait_for_htmx(locator, timeout: float = 10_000) -> None:
    """Until htmx has processed the element's form (or the element): a key pressed on a fragment
    swapped in a moment ago would otherwise submit the plain form and reload the page."""
    locator.wait_for(timeout=timeout)
    handle = locator.element_handle(timeout=timeout)
    locator.page.wait_for_function(
        "el => !!(el.closest('form') || el)['htmx-internal-data']", arg=handle, timeout=timeout
    )


def wait_for_image(locator, timeout: float = 10_000) -> None:
    """Wait until the <img> has loaded real pixels. Visible is not enough: a picture still
    downloading (or a broken one, which never gets a width) has its box but no image."""
    locator.page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=locator.element_handle(), timeout=timeout
    )


def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the viewport (0 when nothing sticks out)."""
    return page.evaluate("Math.max(0, document.documentElement.scrollWidth - window.innerWidth)")


def switch_store(page: Page, name: str) -> None:
    """Choose `name` in the dashboard's store switcher (a menu of the user's stores): it switches at once."""
    page.locator("#store-switch").click()
    with page.expect_navigation():
        page.locator("#store-switcher .dropdown-menu").get_by_role("button", name=name, exact=True).click()


def account_menu(page: Page, username: str):
    """The header's account menu toggle, named by the signed-in user's handle."""
    return page.get_by_role("banner").get_by_role("button", name=username)


def log_out(page: Page, username: str) -> None:
    """Account menu, then Log out, as a person would (opening the mobile menu first if needed)."""
    toggle = page.get_by_role("banner").get_by_role("button", name="Menu")
    if toggle.is_visible():
        toggle.click()
    account_menu(page, username).click()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("banner").get_by_role("link", name="Log in")).to_be_attached()


__all__ = [
    "DESKTOP",
    "MOBILE",
    "accept_dialogs",
    "account_menu",
    "assert_no_page_errors",
    "assert_same_page",
    "cart_badge",
    "cart_line",
    "expect",
    "fill_card",
    "fill_login_form",
    "fill_shipping",
    "horizontal_overflow",
    "label",
    "log_out",
    "login",
    "mark_page",
    "page_errors",
    "screenshot",
    "upload",
    "wait_for_socket",
    "wait_for_socket_close",
]
