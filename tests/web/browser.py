"""Debian's Chromium driven by Playwright for Python, and a page that records every request.

Never ``playwright install``: the browser is ``/usr/bin/chromium`` (``make browser`` installs it
with apt). Every request a page makes goes through a route that records its URL and refuses it
unless it stays on this machine, so a test can assert that nothing left localhost.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from playwright.sync_api import Browser, BrowserContext, Page, Route, sync_playwright

__all__ = ["CHROMIUM", "CHROMIUM_FLAGS", "RecordedPage", "chromium", "is_local", "recorded_page"]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
_LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


def is_local(url: str) -> bool:
    """A URL that stays in the browser or on this machine (loopback, ``data:``, ``blob:``)."""
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return parts.scheme in ("http", "https", "ws") and parts.hostname in _LOCAL_HOSTS


@contextmanager
def chromium() -> Iterator[Browser]:
    """Headless Debian Chromium; a clear failure (never a skip) when it is not installed."""
    if not os.path.exists(CHROMIUM):
        raise RuntimeError(f"{CHROMIUM} not found: run `make browser` (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_FLAGS))
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class RecordedPage:
    """A page with every request URL, the refused (non-local) ones and the console errors."""

    page: Page
    context: BrowserContext
    requests: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@contextmanager
def recorded_page(browser: Browser, width: int = 1600, height: int = 900) -> Iterator[RecordedPage]:
    """A fresh context and page whose requests are recorded and kept on this machine."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    recorded = RecordedPage(page=page, context=context)

    def route(route: Route) -> None:
        url = route.request.url
        recorded.requests.append(url)
        if is_local(url):
            route.continue_()
        else:
            recorded.external.append(url)
            route.abort()

    context.route("**/*", route)
    page.on("console", lambda m: recorded.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: recorded.errors.append(f"page error: {e}"))
    try:
        yield recorded
    finally:
        context.close()
