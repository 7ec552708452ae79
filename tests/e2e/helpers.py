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


__all__ = [
    "DESKTOP",
    "MOBILE",
    "expect",
    "login",
    "page_errors",
    "screenshot",
    "wait_for_socket",
    "wait_for_socket_close",
]
