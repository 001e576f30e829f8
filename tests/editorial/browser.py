"""Playwright helpers for the browser tests: Debian's Chromium, logged-in pages, artifacts.

Playwright's own browser download cannot work on the CI machines, so the tests drive the
distribution's Chromium. Without it a local run skips; CI fails instead, because a test
needing a service must never silently skip there.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import connections
from django.test import Client
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Error,
    Page,
    expect,
    sync_playwright,
)

from conftest import services_required

CHROMIUM = Path(os.environ.get("NEWSROOM_CHROMIUM", "/usr/bin/chromium"))
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# What a page or an assertion may wait for. Generous: CI machines have two cores shared
# with PostgreSQL, Redis, a Celery worker and the live server; a real failure still fails.
TIMEOUT_MS = 10_000
expect.set_options(timeout=TIMEOUT_MS)

# Registered before any page script runs; init scripts are not subject to the page's CSP.
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


@contextlib.contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless; skip locally (fail in CI) when it is not installed.

    After every call Playwright's sync API marks the thread as running its event loop
    (``asyncio._set_running_loop``). Django then refuses ORM calls from the thread, and its
    thread-critical connection storage switches to a per-context slot, that is to new
    connections pytest-django never set up (no serialized-rollback data, a second session
    on the test database). So allow the calls and put the thread's own connections back.
    """
    if not CHROMIUM.is_file():
        message = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if services_required():
            pytest.fail(f"CI needs a browser: {message}", pytrace=False)
        pytest.skip(message)
    own = {alias: connections[alias] for alias in connections}
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        for alias, connection in own.items():
            connections[alias] = connection
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=LAUNCH_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Desk:
    """Pages opened by one test, each logged in as an editor, with what went wrong on them."""

    browser: Browser
    base_url: str
    test_name: str
    # An expected failure (xfail) needs no screenshot on every green run.
    keep_artifacts: bool = True
    pages: dict[str, Page] = field(default_factory=dict)
    console_errors: list[str] = field(default_factory=list)

    def page_for(self, user: User) -> Page:
        """A new browser context logged in as ``user`` (its own cookies, like another PC)."""
        client = Client()
        client.force_login(user)
        context = self.browser.new_context(base_url=self.base_url)
        context.set_default_timeout(TIMEOUT_MS)
        context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": client.cookies["sessionid"].value,
                    "url": self.base_url,
                }
            ]
        )
        context.add_init_script(RECORD_CSP_VIOLATIONS)
        # The site serves no favicon; Chromium's automatic request for one would log a 404
        # as a console error at a random moment.
        context.route("**/favicon.ico", lambda route: route.fulfill(status=204))
        page = context.new_page()
        name = user.get_username()
        page.on("console", lambda message: self._console(name, message))
        page.on(
            "pageerror", lambda error: self.console_errors.append(f"{name}: {error}")
        )
        self.pages[name] = page
        return page

    def _console(self, name: str, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(f"{name}: {message.text}")

    @contextlib.contextmanager
    def artifacts_on_failure(self) -> Iterator[None]:
        """Keep a screenshot of every page when the block fails, then let the failure out.

        A fixture never sees the test's exception, so the test body runs inside this.
        """
        try:
            yield
        except pytest.skip.Exception:
            raise
        except BaseException:
            if self.keep_artifacts:
                self.screenshot()
            raise

    def screenshot(self) -> list[Path]:
        """Full-page PNGs of every open page, named after the test (and the user)."""
        ARTIFACTS.mkdir(exist_ok=True)
        saved = []
        for name, page in self.pages.items():
            suffix = "" if len(self.pages) == 1 else f"-{name}"
            path = ARTIFACTS / f"{self.test_name}{suffix}.png"
            with contextlib.suppress(Error):  # a crashed page must not hide the failure
                page.screenshot(path=path, full_page=True)
                saved.append(path)
        return saved

    def close(self) -> None:
        for page in self.pages.values():
            with contextlib.suppress(Error):
                page.context.close()
