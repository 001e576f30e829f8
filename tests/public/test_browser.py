"""The reader site in a real browser: fits a phone and a desktop, "load more" appends the
next stories in place, and axe-core finds nothing serious, in light and in dark.

Chromium (Debian's, see tests/editorial/browser.py) reads pytest-django's live server as an
anonymous reader, under the site's real CSP. Screenshots of the pages checked are kept in
test-artifacts/ whether the test passes or not.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, expect

from public.stories import PAGE_SIZE

from .browser import (
    DESKTOP,
    PHONE,
    Readers,
    Scheme,
    axe_violations,
    browser_for_module,
    csp_violations,
    describe_violations,
    horizontal_overflow,
    open_page,
)
from .sample import LEAD_TITLE, newsroom

pytestmark = [
    pytest.mark.browser,
    # The live server answers from another thread, so the data must be committed; the
    # serialized rollback brings back the groups and categories the migrations seed.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(scope="module")
def browser(django_db_setup: None, django_db_blocker: Any) -> Iterator[Browser]:
    yield from browser_for_module(django_db_blocker)


@pytest.fixture
def readers(
    browser: Browser, live_server: Any, request: pytest.FixtureRequest
) -> Iterator[Readers]:
    readers = Readers(
        browser=browser, base_url=live_server.url, test_name=request.node.name
    )
    yield readers
    readers.close()


@pytest.mark.parametrize(
    "viewport", [PHONE, DESKTOP], ids=lambda v: f"{v['width']}x{v['height']}"
)
def test_the_reader_pages_fit_a_phone_and_a_desktop_without_scrolling_sideways(
    readers: Readers, viewport: Any
) -> None:
    sample = newsroom(filler=10)
    pages = {
        "front": reverse("public:front"),
        "story": sample.lead.get_absolute_url(),
        "long-words": sample.long_words.get_absolute_url(),
        "company": reverse("public:company", args=[sample.company.slug]),
    }
    with readers.artifacts_on_failure():
        for name, url in pages.items():
            page = readers.page_as(name, viewport=viewport)
            open_page(page, url)
            expect(page.locator("h1").first).to_be_visible()
            if name == "story":
                expect(page.locator("h1")).to_have_text(LEAD_TITLE)
                # The lead image has loaded (it is part of what must fit).
                expect(page.locator(".lead-image img")).to_have_js_property(
                    "naturalWidth", 1200
                )
            if name == "company":
                # Found by a stranger: drawn 640 wide, the chart's labels shrank to 6px
                # in a phone's column.
                heights = page.locator(".chart .tick").evaluate_all(
                    "ticks => ticks.map(t => t.getBoundingClientRect().height)"
                )
                assert heights and min(heights) >= 10, (viewport, heights)
            width = horizontal_overflow(page, viewport["width"])
            assert width["culprits"] == [], (name, width)
            assert width["scrollWidth"] <= width["innerWidth"], (name, width)
            assert width["innerWidth"] == viewport["width"], (name, width)
            assert csp_violations(page) == [], name
        assert readers.console_errors == []
    readers.screenshot()


def test_load_more_appends_the_next_stories_in_place(readers: Readers) -> None:
    sample = newsroom(filler=2 * PAGE_SIZE)
    total = len(sample.stories)
    assert 2 * PAGE_SIZE < total < 3 * PAGE_SIZE  # three pages, the last one short
    page = readers.page_as("front", viewport=PHONE)
    cards = page.locator("li.card")
    more = page.get_by_role("link", name="Load more stories")

    with readers.artifacts_on_failure():
        open_page(page, "/")
        page.wait_for_function("window.htmx !== undefined")
        expect(cards).to_have_count(PAGE_SIZE)
        # A full page load would lose this; htmx swapping the list in keeps it.
        page.evaluate("window.__samePage = true")

        more.click()
        expect(cards).to_have_count(2 * PAGE_SIZE)
        more.click()
        expect(cards).to_have_count(total)
        expect(more).to_have_count(0)  # the last page has no link to a next one

        assert page.evaluate("window.__samePage") is True
        assert page.url == readers.base_url + "/"  # hx-push-url="false"
        links = cards.locator("h2 a").evaluate_all(
            "(links) => links.map((a) => a.getAttribute('href'))"
        )
        assert len(links) == len(set(links)) == total
        assert set(links) == {story.get_absolute_url() for story in sample.stories}
        # Newest first, page after page.
        assert links[0] == sample.lead.get_absolute_url()
        assert csp_violations(page) == []
        assert readers.console_errors == []
    readers.screenshot()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_serious_on_the_reader_pages(
    readers: Readers, scheme: Scheme
) -> None:
    sample = newsroom(filler=5)
    pages = {
        "front": reverse("public:front"),
        "story": sample.lead.get_absolute_url(),
        "company": reverse("public:company", args=[sample.company.slug]),
    }
    with readers.artifacts_on_failure():
        found = []
        for name, url in pages.items():
            page = readers.page_as(name, viewport=DESKTOP, color_scheme=scheme)
            open_page(page, url)
            if violations := axe_violations(page):
                found.append(describe_violations(f"{name} ({scheme})", violations))
        assert not found, "axe-core found serious problems:\n" + "\n".join(found)
        for page in readers.pages.values():
            assert csp_violations(page) == []
        assert readers.console_errors == []
    readers.screenshot()
