"""The editorial copy: no edit is ever lost, every change is in the history — editors', the
AI's and the feed's."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from pytest_django import DjangoCaptureOnCommitCallbacks

from articles.models import Article, Category
from editorial import services
from editorial.exceptions import EditConflict, InvalidTransition, NotAllowed
from editorial.models import AuditEvent, Correction
from newsroom.pipeline import store_entries
from sources.models import Source
from sources.parsing import parse_feed
from tests.factories import ArticleFactory, SourceFactory, enrich, rss
from tests.factories import story as item

from .factories import chief, editor, newer_proposal_held, proposal, story

pytestmark = pytest.mark.django_db
S = Article.Status


# --------------------------------------------------------------------------------------------
# Editors' edits
# --------------------------------------------------------------------------------------------
def test_edits_record_field_level_changes_and_which_fields_are_the_desks() -> None:
    article, user = story(), editor()
    services.article_edit(
        article=article,
        editor=user,
        version=1,
        changes={"summary": "Editor summary.", "importance": 8},
    )
    article.refresh_from_db()
    event = AuditEvent.objects.get()
    assert (article.summary, article.importance, article.version) == (
        "Editor summary.",
        8,
        2,
    )
    assert event.changes["summary"] == ["AI summary.", "Editor summary."]
    assert event.changes["importance"] == [5, 8]
    assert article.edited_fields == ["importance", "summary"]


def test_two_editors_saving_the_same_story_never_overwrite_each_other() -> None:
    article = story()
    alice, bob = editor("alice"), editor("bob")
    services.article_edit(
        article=article,
        editor=alice,
        version=1,
        changes={"summary": "Alice's summary."},
    )
    with pytest.raises(EditConflict) as caught:
        services.article_edit(
            article=article,
            editor=bob,
            version=1,
            changes={"summary": "Bob's summary.", "importance": 9},
        )
    conflict = caught.value
    assert conflict.theirs == {"summary": "Alice's summary."}
    assert conflict.events[0]["actor"] == "alice"
    article.refresh_from_db()
    assert article.summary == "Alice's summary." and article.importance == 5
    services.article_edit(
        article=article,
        editor=bob,
        version=conflict.current_version,
        changes={"summary": "Bob's summary."},
    )
    assert Article.objects.get(pk=article.pk).summary == "Bob's summary."


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"importance": 11}, "importance"),
        ({"importance": 0}, "importance"),
        ({"sentiment": "euphoric"}, "sentiment"),
        ({"category": 999_999}, "category"),
        ({"takeaways": ["1", "2", "3", "4", "5", "6"]}, "takeaways"),
        ({"title": "x" * 301}, "title"),
    ],
)
def test_invalid_values_are_field_errors_and_change_nothing(
    changes: dict[str, object], field: str
) -> None:
    article = story()
    with pytest.raises(ValidationError) as caught:
        services.article_edit(
            article=article, editor=editor(), version=1, changes=changes
        )
    assert field in caught.value.message_dict
    after = Article.objects.get(pk=article.pk)
    assert (after.version, after.importance, after.sentiment) == (
        1,
        5,
        article.sentiment,
    )
    assert not AuditEvent.objects.exists()


def test_archived_stories_cannot_be_edited() -> None:
    article = story(S.ARCHIVED)
    with pytest.raises(InvalidTransition, match="cannot edit a story that is archived"):
        services.article_edit(
            article=article, editor=chief(), version=1, changes={"summary": "Too late."}
        )
    assert Article.objects.get(pk=article.pk).summary == "AI summary."


def test_editors_cannot_change_a_published_story() -> None:
    article = story(S.PUBLISHED)
    with pytest.raises(NotAllowed, match="published story"):
        services.article_edit(
            article=article,
            editor=editor(),
            version=1,
            changes={"summary": "Live rewrite."},
            correction="rewrote it",
        )
    assert Article.objects.get(pk=article.pk).summary == "AI summary."


def test_correcting_a_published_story_needs_a_public_note() -> None:
    article, boss = story(S.PUBLISHED), chief()
    with pytest.raises(ValidationError) as caught:
        services.article_edit(
            article=article,
            editor=boss,
            version=1,
            changes={"summary": "Fixed figure."},
        )
    assert "correction" in caught.value.message_dict
    services.article_edit(
        article=article,
        editor=boss,
        version=1,
        changes={"summary": "Fixed figure."},
        correction="corrected the figure in the summary",
    )
    correction = Correction.objects.get()
    assert (
        correction.article_id,
        correction.note,
        correction.fields,
        correction.actor,
    ) == (
        article.pk,
        "corrected the figure in the summary",
        ["summary"],
        boss,
    )
    assert correction.event_group == AuditEvent.objects.get(action="edit").group


@pytest.mark.parametrize(
    ("changes", "noted"),
    [
        ({"importance": 9}, False),
        ({"category": "markets"}, False),
        ({"sentiment": "bearish"}, True),
        ({"title": "A corrected headline"}, True),
    ],
)
def test_what_readers_were_told_needs_a_note_and_a_new_rank_does_not(
    changes: dict[str, object], noted: bool
) -> None:
    """A sentiment, a headline or the words told readers something: changing them on a
    published story is a public correction. An importance or a category re-ranks or
    re-files it: the history keeps it, no note is asked for or shown."""
    article, boss = story(S.PUBLISHED), chief()
    if "category" in changes:
        changes = {
            "category": Category.objects.create(name="Zoology", slug="zoology").pk
        }
    if noted:
        with pytest.raises(ValidationError):
            services.article_edit(
                article=article, editor=boss, version=1, changes=changes
            )
    note = "Fixed." if noted else ""
    services.article_edit(
        article=article, editor=boss, version=1, changes=changes, correction=note
    )
    assert Correction.objects.exists() is noted
    assert Article.objects.get(pk=article.pk).version == 2


def test_pasted_characters_no_feed_may_carry_are_dropped_from_the_copy() -> None:
    """An attacker: U+FFFE in a headline made every feed and the news sitemap unreadable
    XML. Ingest drops it; so does the desk, where text is pasted from anywhere."""
    article = story()
    services.article_edit(
        article=article,
        editor=editor(),
        version=1,
        changes={
            "title": "Yarrow Bank \ufffe sells unit",
            "summary": "Line one\u202e.\nLine two.",
            "takeaways": "First\uffff.\n\ufffe\nSecond.",
        },
    )
    article.refresh_from_db()
    assert article.title == "Yarrow Bank  sells unit"
    assert article.summary == "Line one.\nLine two."
    assert article.takeaways == ["First.", "Second."]


def test_a_typo_fix_can_be_silent_for_those_allowed() -> None:
    article = story(S.PUBLISHED)
    services.article_edit(
        article=article,
        editor=chief(),
        version=1,
        changes={"summary": "AI summary, typo fixed."},
        silent=True,
    )
    assert not Correction.objects.exists()
    assert "silent correction" in AuditEvent.objects.get().note


def test_silent_corrections_need_their_own_permission() -> None:
    boss = chief()
    boss.user_permissions.clear()
    group = boss.groups.get()
    group.permissions.remove(group.permissions.get(codename="correct_silently"))
    boss = type(boss).objects.get(pk=boss.pk)
    with pytest.raises(NotAllowed, match="silently"):
        services.article_edit(
            article=story(S.PUBLISHED),
            editor=boss,
            version=1,
            changes={"summary": "Quietly changed."},
            silent=True,
        )


def test_any_earlier_edit_can_be_reverted_and_the_revert_is_audited() -> None:
    article, user = story(), editor()
    services.article_edit(
        article=article, editor=user, version=1, changes={"summary": "First rewrite."}
    )
    first = AuditEvent.objects.get()
    services.article_edit(
        article=article, editor=user, version=2, changes={"importance": 9}
    )
    services.article_revert(event=first, editor=editor("sub"))
    article.refresh_from_db()
    assert article.summary == "AI summary."
    assert article.importance == 9
    revert = AuditEvent.objects.order_by("-pk").first()
    assert revert is not None
    assert revert.action == "revert" and revert.note.startswith("revert of the edit")


# --------------------------------------------------------------------------------------------
# AI proposals reaching the desk
# --------------------------------------------------------------------------------------------
def new_article(status: str = S.ENRICHING) -> Article:
    return ArticleFactory.create(
        status=status, title="Helios buys Lumen", text="Helios buys Lumen. " * 20
    )


def test_a_proposal_fills_an_unedited_copy_as_the_system_and_bumps_the_version() -> (
    None
):
    article = new_article()
    Category.objects.get_or_create(slug="business", defaults={"name": "Business"})
    ai = proposal(article, summary="Helios agreed to buy Lumen.", category="Business")
    services.proposal_receive(article_id=article.pk, enrichment_id=ai.pk)
    article.refresh_from_db()
    assert (article.status, article.summary, article.enrichment, article.version) == (
        S.IN_REVIEW,
        "Helios agreed to buy Lumen.",
        ai,
        2,
    )
    assert article.category is not None and article.category.name == "Business"
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.actor_label) == (
        "proposal_applied",
        None,
        "system",
    )
    assert event.changes["summary"] == ["", "Helios agreed to buy Lumen."]
    # Received twice (a redelivered message): nothing changes.
    services.proposal_receive(article_id=article.pk, enrichment_id=ai.pk)
    assert Article.objects.get(pk=article.pk).version == 2


def test_a_forced_rerun_never_overwrites_an_editors_summary() -> None:
    """Regression: proposal_apply used to write the copy with no version bump and no
    audit row, replacing the editor's summary."""
    article = new_article(S.NEW)
    enrich(article.pk)
    article.refresh_from_db()
    user = editor()
    services.article_edit(
        article=article,
        editor=user,
        version=article.version,
        changes={"summary": "The desk's own summary."},
    )
    enrich(article.pk, force=True, requested_by_id=user.pk)
    article.refresh_from_db()
    assert article.summary == "The desk's own summary."
    assert article.status == S.IN_REVIEW
    assert article.pending_enrichment is not None
    held = AuditEvent.objects.filter(article=article, action="proposal_held").get()
    assert held.actor is None and held.changes["version"] == article.version


def test_the_held_proposal_is_shown_field_by_field_and_can_be_taken_per_field() -> None:
    article, user = story(), editor()
    services.article_edit(
        article=article,
        editor=user,
        version=1,
        changes={"summary": "Ours.", "importance": 8},
    )
    newer = newer_proposal_held(
        article, summary="The AI's newer summary.", importance=6
    )
    differences = {
        d.name: (d.ours, d.theirs) for d in services.proposal_differences(article)
    }
    assert differences["summary"] == ("Ours.", "The AI's newer summary.")
    assert differences["importance"] == (8, 6)

    services.proposal_take(
        article=article, editor=user, version=article.version, fields=["summary"]
    )
    article.refresh_from_db()
    assert (article.summary, article.importance) == ("The AI's newer summary.", 8)
    assert article.pending_enrichment == newer  # importance still differs
    taken = AuditEvent.objects.filter(action="proposal_take").get()
    assert taken.changes["summary"] == ["Ours.", "The AI's newer summary."]


def test_taking_all_makes_the_proposal_the_copys_own() -> None:
    article, user = story(), editor()
    services.article_edit(
        article=article, editor=user, version=1, changes={"summary": "Ours."}
    )
    newer = newer_proposal_held(article, summary="Newer.", importance=7)
    services.proposal_take(article=article, editor=user, version=article.version)
    article.refresh_from_db()
    assert (article.summary, article.importance) == ("Newer.", 7)
    assert (article.enrichment, article.pending_enrichment) == (newer, None)
    assert article.edited_fields == []


def test_keeping_our_copy_sets_the_proposal_aside() -> None:
    article, user = story(), editor()
    services.article_edit(
        article=article, editor=user, version=1, changes={"summary": "Ours."}
    )
    newer_proposal_held(article, summary="Newer.")
    services.proposal_dismiss(article=article, editor=user, version=article.version)
    article.refresh_from_db()
    assert (article.summary, article.pending_enrichment) == ("Ours.", None)
    assert AuditEvent.objects.filter(action="proposal_dismiss").exists()


def test_taking_the_ai_copy_into_a_published_story_is_a_correction() -> None:
    article, boss = story(S.PUBLISHED), chief()
    services.article_edit(
        article=article,
        editor=boss,
        version=1,
        changes={"summary": "Ours."},
        correction="reworded",
    )
    newer_proposal_held(article, summary="Newer.")
    with pytest.raises(ValidationError):
        services.proposal_take(article=article, editor=boss, version=article.version)
    services.proposal_take(
        article=article,
        editor=boss,
        version=article.version,
        correction="took the newer summary",
    )
    assert Correction.objects.count() == 2


# --------------------------------------------------------------------------------------------
# Feed updates
# --------------------------------------------------------------------------------------------
def ingest(source: Source, items: list[dict[str, str]]) -> None:
    from django.utils import timezone

    parsed = parse_feed(rss(items), url=source.feed_url, fetched_at=timezone.now())
    store_entries(source=source, entries=parsed.entries, fetched_at=timezone.now())


def test_a_feed_update_in_review_is_audited_versioned_and_keeps_the_desks_headline(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    source = SourceFactory.create()
    with django_capture_on_commit_callbacks(execute=True):
        ingest(source, [item(1)])
    article = Article.objects.get()
    assert article.status == S.IN_REVIEW
    services.article_edit(
        article=article,
        editor=editor(),
        version=article.version,
        changes={"title": "The desk's headline", "summary": "The desk's summary."},
    )
    version = Article.objects.get().version
    changed = item(1, title="Feed's corrected headline")
    changed["description"] += " Update: the port authority added a second phase."
    with django_capture_on_commit_callbacks(execute=True):
        ingest(source, [changed])
    article = Article.objects.get()
    assert article.version > version
    assert article.title == "The desk's headline"
    assert article.summary == "The desk's summary."  # the new proposal waits beside it
    assert "second phase" in article.text
    update = AuditEvent.objects.get(action="feed_update")
    assert update.actor is None and "content_hash" in update.changes
    assert article.pending_enrichment is not None


def test_a_feed_update_after_approval_is_only_flagged(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    source = SourceFactory.create()
    with django_capture_on_commit_callbacks(execute=True):
        ingest(source, [item(1)])
    article = Article.objects.get()
    services.article_approve(article=article, editor=editor())
    changed = item(1)
    changed["description"] += " A later correction by the source."
    with django_capture_on_commit_callbacks(execute=True):
        ingest(source, [changed])
    article = Article.objects.get()
    assert article.upstream_changed_at is not None
    assert "later correction" not in article.text


def test_a_conflict_says_what_the_other_editor_did() -> None:
    """A stranger: "editor changed this story since you opened it (version 2 → 3)" named
    who but not what, though the history knows."""
    article = story()
    services.article_edit(
        article=article,
        editor=editor("alice"),
        version=1,
        changes={"summary": "Alice's summary.", "importance": 8},
    )
    services.article_approve(article=article.pk, editor=editor("carol"), version=2)
    with pytest.raises(EditConflict) as caught:
        services.article_edit(
            article=article.pk,
            editor=editor("bob"),
            version=1,
            changes={"summary": "Bob's summary."},
        )
    assert caught.value.what == (
        "alice, carol changed this story since you opened it (edited the summary and "
        "importance; approved; version 1 → 3)"
    )


def test_a_correction_note_keeps_none_of_what_a_page_may_not_carry() -> None:
    article = story(S.PUBLISHED)
    services.article_edit(
        article=article,
        editor=chief(),
        version=1,
        changes={"summary": "Fixed figure."},
        correction="Corrected \u202ethe figure\u202c\ufffe.",
    )
    assert Correction.objects.get().note == "Corrected the figure."


def test_a_report_the_feed_retitles_is_retitled_on_its_published_storys_page(
    client: Client, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    """An attacker: a feed retitled a report listed under a published story's "Also
    reported by"; the cached page kept the old title for five minutes."""
    lead = story(S.PUBLISHED, title="Orrin lifts off after Corvane order")
    source = SourceFactory.create(name="Market Pulse")
    with django_capture_on_commit_callbacks(execute=True):
        ingest(source, [item(7, title="Corvane orders 40 Orrin jets")])
    report = Article.objects.get(source=source)
    Article.objects.filter(pk=report.pk).update(cluster=lead.cluster)
    page = lead.get_absolute_url()
    assert "Corvane orders 40 Orrin jets" in client.get(page).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        ingest(source, [item(7, title="Corvane orders 40 Orrin jets worth $5.6bn")])

    assert "worth $5.6bn" in client.get(page).content.decode()


def test_a_refused_edit_knows_which_fields_its_editor_left_as_loaded() -> None:
    """The rule the queue's form follows after a conflict: a field changed meanwhile that
    the refused edit still holds as loaded is the other editor's to keep; one the editor
    changed is theirs (whatever its kind: text, lines, a number, a category)."""
    article = story(summary="Loaded summary.", takeaways=["One.", "Two."], importance=4)
    services.article_edit(
        article=article,
        editor=editor("alice"),
        version=1,
        changes={"summary": "Alice's summary.", "takeaways": "One.\nTwo.\nThree."},
    )
    posted = {
        "summary": "Loaded summary.",  # as loaded: alice's stays
        "takeaways": "One.\r\nTwo.",  # as loaded, with a browser's line breaks
        "importance": 7,  # changed by bob, by no one else
    }
    with pytest.raises(EditConflict) as caught:
        services.article_edit(
            article=article.pk, editor=editor("bob"), version=1, changes=posted
        )

    assert services.left_as_loaded(caught.value, posted) == ["summary", "takeaways"]
