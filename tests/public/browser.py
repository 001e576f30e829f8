"""Playwright helpers for the reader site: anonymous readers at a phone's or a desktop's
size, in light or dark, on Debian's Chromium, with what went wrong on their pages and
screenshots kept (the editorial desk's helpers, tests/editorial/browser.py, underneath).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from django.db import connections
from playwright.sync_api import Browser, Page, Route, ViewportSize

from tests.editorial.browser import RECORD_CSP_VIOLATIONS, TIMEOUT_MS, Desk, chromium

PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
# axe-core as package.json locks it, vendored so the page checks need no npm at run time.
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
# Stories' lead images live on the publishers' servers, which the test machines cannot reach.
LEAD_IMAGE = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="675">'
    '<rect width="1200" height="675" fill="#4a6d8c"/>'
    '<circle cx="900" cy="200" r="120" fill="#f3b000"/></svg>'
)

Scheme = Literal["light", "dark"]


def browser_for_module(django_db_blocker: Any) -> Iterator[Browser]:
    """Chromium for a module's tests; afterwards the migration-seeded rows are put back, so
    the tests after the module, and the next --reuse-db session, still find them (every
    transactional test ends with a flush)."""
    with chromium() as browser:
        yield browser
    with django_db_blocker.unblock():
        for connection in connections.all():
            if serialized := getattr(connection, "_test_serialized_contents", None):
                connection.creation.deserialize_db_from_string(serialized)


@dataclass
class Readers(Desk):
    """Pages opened by one test, each an anonymous reader with their own browser."""

    def page_as(
        self,
        name: str,
        *,
        viewport: ViewportSize = DESKTOP,
        color_scheme: Scheme = "light",
    ) -> Page:
        """A reader's page named ``name`` (screenshots are named after it). A viewport as
        narrow as a phone's gets a phone: the meta viewport applies, touch works."""
        phone = viewport["width"] < 600
        context = self.browser.new_context(
            base_url=self.base_url,
            viewport=viewport,
            color_scheme=color_scheme,
            is_mobile=phone,
            has_touch=phone,
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.add_init_script(RECORD_CSP_VIOLATIONS)
        context.route("**/favicon.ico", lambda route: route.fulfill(status=204))
        context.route("https://img.example/**", _lead_image)
        page = context.new_page()
        page.on("console", lambda message: self._console(name, message))
        page.on(
            "pageerror", lambda error: self.console_errors.append(f"{name}: {error}")
        )
        self.pages[name] = page
        return page


def _lead_image(route: Route) -> None:
    route.fulfill(status=200, content_type="image/svg+xml", body=LEAD_IMAGE)


def open_page(page: Page, url: str) -> None:
    """Load ``url`` and wait until its deferred scripts (htmx) have run."""
    page.goto(url, wait_until="load")


def csp_violations(page: Page) -> list[str]:
    return page.evaluate("window.__cspViolations")


def horizontal_overflow(page: Page, width: int) -> dict[str, Any]:
    """How wide the page and the window are against the screen's ``width``, and the
    elements whose box or content reaches past it (the innermost ones: the culprits).

    A phone widens the window to fit a page that is too wide, so the width to hold the page
    to is the screen's, not ``innerWidth``.
    """
    return page.evaluate(
        """(width) => {
          const reach = (el) => {
            const box = el.getBoundingClientRect();
            // Text running out of its box, unless the box clips it; an SVG element's
            // scrollWidth means nothing.
            const spills = el instanceof HTMLElement
              && getComputedStyle(el).overflowX === "visible";
            const content = spills ? box.left + el.scrollWidth : 0;
            return Math.max(box.right, content);
          };
          const past = [...document.body.querySelectorAll("*")].filter(
            (el) => el.getClientRects().length && reach(el) > width + 0.5
          );
          const culprits = past.filter((el) => !past.some((o) => o !== el && el.contains(o)));
          return {
            scrollWidth: document.documentElement.scrollWidth,
            innerWidth: window.innerWidth,
            culprits: culprits.slice(0, 10).map((el) => {
              const cls = typeof el.className === "string" && el.className.trim()
                ? "." + el.className.trim().split(/\\s+/).join(".") : "";
              const text = (el.textContent || "").replace(/\\s+/g, " ").trim().slice(0, 60);
              const tag = el.tagName.toLowerCase();
              return `<${tag}${cls}> reaches ${Math.round(reach(el))}px: ${text}`;
            }),
          };
        }""",
        width,
    )


SERIOUS = ("serious", "critical")


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now, serious and critical ones only.

    axe goes in through the DevTools protocol: a script element with its source would be an
    inline script, which the site's CSP (script-src 'self') refuses.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    violations: list[dict[str, Any]] = page.evaluate(
        """async () => {
          const results = await axe.run(document, { resultTypes: ["violations"] });
          return results.violations;
        }"""
    )
    return [v for v in violations if v.get("impact") in SERIOUS]


def describe_violations(where: str, violations: list[dict[str, Any]]) -> str:
    """axe's findings as a reader of a failed test wants them: rule, impact, what to do, where."""
    lines = []
    for violation in violations:
        lines.append(
            f"{where}: {violation['id']} ({violation['impact']}): {violation['help']}"
            f" <{violation['helpUrl']}>"
        )
        for node in violation["nodes"][:5]:
            target = " ".join(str(t) for t in node["target"])
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    {target}: {summary}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    ... and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)
