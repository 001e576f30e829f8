"""The review queue in a real browser: keyboard, htmx swaps, two editors, CSP.

Chromium (Debian's, see tests/editorial/browser.py) talks to pytest-django's live server;
every scenario checks the database afterwards, not only what the page shows.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connections
from playwright.sync_api import Browser, Page, expect

from articles.models import Article
from editorial import services
from editorial.models import AuditEvent
from enrichment.models import Enrichment
from tests.factories import ArticleFactory

from .browser import Desk, chromium
from .factories import editor

pytestmark = [
    pytest.mark.browser,
    # The live server answers from another thread, so the data must be committed; the
    # serialized rollback brings back the groups and categories the migrations seed.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
S = Article.Status


@pytest.fixture(scope="module")
def browser(django_db_setup, django_db_blocker) -> Iterator[Browser]:  # type: ignore[no-untyped-def]
    with chromium() as browser:
        yield browser
    # Every transactional test ends with a flush; put the migration-seeded rows back so the
    # tests after this module, and the next --reuse-db session, still find them.
    with django_db_blocker.unblock():
        for connection in connections.all():
            if serialized := getattr(connection, "_test_serialized_contents", None):
                connection.creation.deserialize_db_from_string(serialized)


@pytest.fixture
def desk(browser: Browser, live_server, request, settings) -> Iterator[Desk]:  # type: ignore[no-untyped-def]
    # Each editor() hashes a password; the default hasher is deliberately slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    desk = Desk(
        browser=browser,
        base_url=live_server.url,
        test_name=request.node.name,
        keep_artifacts=request.node.get_closest_marker("xfail") is None,
    )
    yield desk
    desk.close()


def in_review(title: str, *, ai_importance: int) -> Article:
    article = ArticleFactory(
        title=title, status=S.IN_REVIEW, summary=f"AI summary of {title}."
    )
    article.enrichment = Enrichment.objects.create(
        article=article,
        status="ok",
        backend="offline",
        model="offline-1",
        prompt_version="t",
        input_hash=title,
        summary=f"AI summary of {title}.",
        importance=ai_importance,
    )
    article.save(update_fields=["enrichment"])
    return article


def open_queue(page: Page, query: str = "") -> None:
    page.goto(f"/editorial/queue/{query}")
    # Both scripts are deferred: keys do nothing until htmx and queue.js have run.
    page.wait_for_function("window.htmx && document.readyState === 'complete'")


def expect_panel(
    page: Page, article: Article, *, version: int, notice: str = ""
) -> None:
    """Wait for the htmx swap that shows ``article`` at ``version`` (and its notice)."""
    panel = page.locator("#panel")
    expect(panel).to_have_attribute("data-pk", str(article.pk))
    expect(panel).to_have_attribute("data-version", str(version))
    if notice:
        expect(panel.locator(".notice.ok")).to_have_text(notice)


def history(article: Article) -> list[tuple[str, str, str]]:
    return list(
        AuditEvent.objects.filter(article=article)
        .order_by("at", "pk")
        .values_list("actor__username", "action", "note")
    )


def test_an_editor_reviews_three_stories_with_the_keyboard_alone(desk: Desk) -> None:
    first = in_review("Harbour expansion approved", ai_importance=9)
    second = in_review("Rail strike called off", ai_importance=8)
    third = in_review("Celebrity spotted at airport", ai_importance=7)
    page = desk.page_for(editor("ed"))
    in_review_count = page.locator('[data-count="in_review"]')

    with desk.artifacts_on_failure():
        open_queue(page)
        expect_panel(page, first, version=1)
        expect(in_review_count).to_have_text("3")

        page.keyboard.press("8")
        expect_panel(page, first, version=2, notice="Saved.")
        expect(page.locator(f"#row-{first.pk} .importance")).to_have_text("8")
        page.keyboard.press("a")
        expect_panel(page, first, version=3, notice="Approved.")
        expect(in_review_count).to_have_text("2")

        page.keyboard.press("j")
        expect_panel(page, second, version=1)
        page.keyboard.press("e")
        expect(page.locator("#copy-summary")).to_be_focused()
        page.keyboard.press("ControlOrMeta+a")
        page.keyboard.type("Unions and operator agree; trains run on Monday.")
        page.keyboard.press("Control+Enter")
        expect_panel(page, second, version=2, notice="Saved.")
        # Escape leaves the summary: htmx puts the focus back into it after the swap (see
        # test_after_saving_with_ctrl_enter_the_next_key_is_a_shortcut_again).
        page.keyboard.press("Escape")
        page.keyboard.press("a")
        expect_panel(page, second, version=3, notice="Approved.")
        expect(in_review_count).to_have_text("1")

        page.keyboard.press("j")
        expect_panel(page, third, version=1)
        page.keyboard.press("r")
        expect(page.locator("#reject-reason")).to_be_focused()
        page.keyboard.type("Not news")
        page.keyboard.press("Enter")
        expect_panel(page, third, version=2, notice="Rejected.")
        expect(in_review_count).to_have_text("0")
        expect(page.locator('[data-count="approved"]')).to_have_text("2")

        first.refresh_from_db()
        second.refresh_from_db()
        third.refresh_from_db()
        assert (first.status, first.importance) == (S.APPROVED, 8)
        assert (second.status, second.summary) == (
            S.APPROVED,
            "Unions and operator agree; trains run on Monday.",
        )
        assert third.status == S.REJECTED
        assert history(first) == [("ed", "edit", ""), ("ed", "approve", "")]
        assert history(second) == [("ed", "edit", ""), ("ed", "approve", "")]
        assert history(third) == [("ed", "reject", "Not news")]
        assert AuditEvent.objects.get(article=first, action="edit").changes[
            "importance"
        ] == [None, 8]
        assert AuditEvent.objects.get(article=second, action="edit").changes[
            "summary"
        ] == [
            "AI summary of Rail strike called off.",
            "Unions and operator agree; trains run on Monday.",
        ]
        assert desk.console_errors == []


def test_after_saving_with_ctrl_enter_the_next_key_is_a_shortcut_again(
    desk: Desk,
) -> None:
    story = in_review("Rail strike called off", ai_importance=8)
    page = desk.page_for(editor("ed"))

    with desk.artifacts_on_failure():
        open_queue(page)
        expect_panel(page, story, version=1)
        page.keyboard.press("e")
        page.keyboard.type("Checked. ")
        page.keyboard.press("Control+Enter")
        expect_panel(page, story, version=2, notice="Saved.")
        page.keyboard.press("a")

        expect(page.locator("#copy-summary")).not_to_be_focused(timeout=500)
        expect_panel(page, story, version=3, notice="Approved.")


def test_a_stale_edit_is_refused_and_keeps_both_editors_text(desk: Desk) -> None:
    story = in_review("Central bank holds rates", ai_importance=6)
    alice = desk.page_for(editor("alice"))
    bob = desk.page_for(editor("bob"))

    with desk.artifacts_on_failure():
        open_queue(alice, f"?open={story.pk}")
        open_queue(bob, f"?open={story.pk}")
        expect_panel(alice, story, version=1)
        expect_panel(bob, story, version=1)

        alice.locator("#copy-summary").fill("Alice: rates unchanged at 4%.")
        alice.locator("#copy-summary").press("Control+Enter")
        expect_panel(alice, story, version=2, notice="Saved.")

        bob.locator("#copy-summary").fill("Bob: the bank keeps rates on hold.")
        with bob.expect_response(f"**/queue/{story.pk}/edit/") as answer:
            bob.locator("#copy-summary").press("Control+Enter")
        assert answer.value.status == 409
        # The HX-Trigger event also puts the message in the header.
        expect(bob.locator("#flash")).to_contain_text(
            "alice changed this article since you opened it"
        )
        expect(bob.locator("#copy-summary")).to_have_value(
            "Bob: the bank keeps rates on hold."
        )

        story.refresh_from_db()
        assert (story.summary, story.version) == ("Alice: rates unchanged at 4%.", 2)
        assert history(story) == [("alice", "edit", "")]


def test_a_stale_edit_shows_the_conflict_and_their_version_in_the_panel(
    desk: Desk,
) -> None:
    story = in_review("Central bank holds rates", ai_importance=6)
    bob = desk.page_for(editor("bob"))

    with desk.artifacts_on_failure():
        open_queue(bob, f"?open={story.pk}")
        expect_panel(bob, story, version=1)
        # Another editor saves meanwhile (the two-browser version is the test above).
        services.article_edit(
            article=story,
            editor=editor("alice"),
            version=1,
            changes={"summary": "Alice: rates unchanged at 4%."},
        )
        bob.locator("#copy-summary").fill("Bob: the bank keeps rates on hold.")
        with bob.expect_response(f"**/queue/{story.pk}/edit/"):
            bob.locator("#copy-summary").press("Control+Enter")

        error = bob.locator("#panel .notice.error[role=alert]")
        expect(error).to_contain_text(
            "alice changed this article since you opened it", timeout=1_000
        )
        expect(bob.locator("#copy-form")).to_contain_text(
            "Alice: rates unchanged at 4%."
        )
        expect(bob.locator("#copy-summary")).to_have_value(
            "Bob: the bank keeps rates on hold."
        )
        expect_panel(bob, story, version=2)


def test_question_mark_shows_the_help_and_escape_hides_it_without_page_errors(
    desk: Desk,
) -> None:
    in_review("Harbour expansion approved", ai_importance=9)
    page = desk.page_for(editor("ed"))
    help_overlay = page.locator("#help")

    with desk.artifacts_on_failure():
        open_queue(page)
        expect(help_overlay).to_be_hidden()
        page.keyboard.press("?")
        expect(help_overlay).to_be_visible()
        expect(help_overlay).to_contain_text("set importance (0 = 10)")
        page.keyboard.press("Escape")
        expect(help_overlay).to_be_hidden()

        assert page.evaluate("window.__cspViolations") == []
        assert desk.console_errors == []
