"""Second attack pass on the editorial desk: each test fails on 2615e51 and asserts the
promised behaviour. PostgreSQL-only tests are in test_second_pass_pg.py, the browser one in
test_second_pass_browser.py."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import articles.ingest as ingest_module
from articles.models import Article
from editorial import services
from editorial.exceptions import ActionRefused
from editorial.models import AuditEvent
from enrichment import services as enrichment
from enrichment.base import PermanentEnrichmentError
from newsroom.pipeline import store_entries
from sources.parsing import parse_feed
from sources.services import sources_delete
from stories import clustering
from tests.editorial.factories import (
    admin_form,
    administrator,
    chief,
    cluster_of,
    editor,
    reported,
    story,
)
from tests.factories import ArticleFactory, SourceFactory, rss
from tests.factories import story as item

pytestmark = pytest.mark.django_db
S = Article.Status
HX = {"HX-Request": "true"}


# 1 ------------------------------------------------------------------------------------------
def test_a_slow_rerun_that_fails_never_takes_a_published_story_off_the_site(
    monkeypatch,
) -> None:
    """Re-run → the worker claims the story and calls the model (slow); the sweep puts the
    story back in review after 15 min; a chief publishes it; the model call then fails for
    good: _fail() saves the status of the row it read before the call."""
    boss = chief()
    a = story(summary="The copy the chief publishes.")
    services.article_rerun_enrichment(article=a, editor=editor(), version=1)

    class SlowFailingBackend:
        name, model, is_metered = "offline", "offline-1", False

        def cost(self, usage):
            return Decimal(0)

        def enrich(self, data):
            Article.objects.filter(pk=a.pk).update(
                updated_at=timezone.now() - timedelta(minutes=20)
            )
            enrichment.stale_enriching_release()  # beat's sweep
            current = Article.objects.get(pk=a.pk)
            services.article_publish(
                article=current, editor=boss, version=current.version
            )
            raise PermanentEnrichmentError("the model refused the request")

    monkeypatch.setattr(enrichment, "get_backend", lambda: SlowFailingBackend())
    enrichment.article_enrich(article_id=a.pk, force=True)
    a.refresh_from_db()
    assert a.status == S.PUBLISHED, (
        f"published story silently set to {a.status}; history: "
        f"{list(AuditEvent.objects.filter(article_id=a.pk).values_list('action', flat=True))}"
    )


# 2 ------------------------------------------------------------------------------------------
def test_the_undo_the_queue_offers_after_a_split_works(client: Client) -> None:
    ed = editor()
    lead = story()
    rep = reported(lead)
    services.article_split(article=rep, editor=ed, version=rep.version)
    offered = services.last_undoable(ed)  # the row on the story the report left
    assert offered is not None
    target = Article.objects.get(pk=offered.article_id)
    client.force_login(ed)
    client.raise_request_exception = False
    r = client.post(
        reverse("editorial:undo", args=[target.pk]),
        {"version": target.version},
        headers=HX,
    )
    assert r.status_code == 200, r.status_code  # 500: KeyError 'cluster' in _undo_split


# 3 ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("htmx", [True, False])
def test_a_refused_edit_keeps_the_editors_text(client: Client, htmx: bool) -> None:
    """The pipeline adds an earlier report N to story L (in review, AI copy untouched):
    refresh_cluster makes N the lead with no version bump and no history. The editor's save
    on L is refused (409) and the answer drops their text."""
    lead = story()
    n = ArticleFactory.create(
        status=S.NEW,
        source=SourceFactory.create(),
        cluster=lead.cluster,
        published_at=lead.published_at - timedelta(hours=2),
    )
    assert lead.cluster_id is not None
    clustering.refresh_cluster(lead.cluster_id)
    assert cluster_of(lead).canonical_id == n.pk
    client.force_login(editor())
    text = "A long careful summary the editor spent ten minutes on"
    r = client.post(
        reverse("editorial:edit", args=[lead.pk]),
        {"version": 1, "summary": text},
        headers=HX if htmx else {},
    )
    assert r.status_code == 409
    assert text in r.content.decode(), "refused, and the editor's text is gone"


# 4 ------------------------------------------------------------------------------------------
def test_admin_save_refused_between_check_and_write_keeps_the_text(
    client: Client, monkeypatch
) -> None:
    """The form's check passes; Alice's save (another request) commits before Bob's write;
    the service refuses Bob's. The message says "your text is kept": Bob is redirected to
    the list, without it."""
    a = story()
    real_check = services.edit_check

    alice_saved: list[bool] = []

    def alice_saves_meanwhile(**kwargs):
        result = real_check(**kwargs)
        if not alice_saved:  # her one save lands between Bob's check and his write
            services.article_edit(
                article=a.pk,
                editor=editor("alice"),
                version=1,
                changes={"importance": 2},
            )
            alice_saved.append(True)
        return result

    monkeypatch.setattr(services, "edit_check", alice_saves_meanwhile)
    client.force_login(editor("bob"))
    text = "Bob: a long careful rewrite of the summary."
    r = client.post(
        reverse("admin:articles_article_change", args=[a.pk]),
        admin_form(a, summary=text),
        follow=True,
    )
    assert text in r.content.decode(), (
        f"{[str(m) for m in get_messages(r.wsgi_request)]} — landed on "
        f"{r.redirect_chain} without the text"
    )


# 5 ------------------------------------------------------------------------------------------
def test_a_deleted_story_is_not_served_from_the_public_cache(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    a = services.article_publish(
        article=story(S.APPROVED, title="Story taken down for legal reasons"),
        editor=chief(),
    )
    url = a.get_absolute_url()
    assert client.get(url).status_code == 200
    admin = Client()
    admin.force_login(User.objects.create_superuser("root", "r@x.org", "pw"))
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(
            reverse("admin:articles_article_delete", args=[a.pk]),
            {"post": "yes", "reason": "legal"},
        )
    assert not Article.objects.filter(pk=a.pk).exists()
    assert client.get(url).status_code == 404, (
        "the deleted story is still served (cache)"
    )


# 6 ------------------------------------------------------------------------------------------
def test_undo_is_offered_only_when_the_service_would_do_it() -> None:
    ed, other = editor("ed"), editor("other")
    x, y = story(), story()
    services.story_merge(article=x, target=y, editor=ed, version=1)
    y.refresh_from_db()
    services.article_edit(
        article=y, editor=other, version=y.version, changes={"summary": "o"}
    )
    offered = services.last_undoable(ed)
    if offered is not None:
        article = Article.objects.get(pk=offered.article_id)
        with pytest.raises(ActionRefused) as refused:
            services.article_undo(article=article, editor=ed, version=article.version)
        pytest.fail(
            f"'u' offered for the {offered.action}, then refused: {refused.value}"
        )


# 7 ------------------------------------------------------------------------------------------
def test_changelist_row_untouched_by_me_does_not_spoil_my_save(client: Client) -> None:
    """Bob loads the list (A, B at version 1); Alice edits B's summary; Bob changes only A's
    importance and saves (the list posts every row as loaded)."""
    a, b = story(importance=5), story(importance=5)
    services.article_edit(
        article=b, editor=editor("alice"), version=1, changes={"summary": "x"}
    )
    client.force_login(editor("bob"))
    data = {
        "form-TOTAL_FORMS": 2,
        "form-INITIAL_FORMS": 2,
        "form-MIN_NUM_FORMS": 0,
        "form-MAX_NUM_FORMS": 1000,
        "_save": "Save",
    }
    for i, (article, importance) in enumerate([(a, 8), (b, 5)]):
        data |= {
            f"form-{i}-id": article.pk,
            f"form-{i}-importance_0": importance,
            f"form-{i}-importance_1": 1,
        }
    r = client.post(reverse("admin:articles_article_changelist"), data, follow=True)
    msgs = [(m.level_tag, str(m)) for m in get_messages(r.wsgi_request)]
    assert Article.objects.get(pk=a.pk).importance == 8  # saved
    assert msgs and all(level != "error" for level, _ in msgs), msgs


# 8 ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("htmx", [True, False])
def test_a_conflicting_reject_keeps_the_reason_it_says_it_kept(
    client: Client, htmx
) -> None:
    a = story()
    services.article_edit(
        article=a, editor=editor("other"), version=1, changes={"importance": 2}
    )
    client.force_login(editor())
    reason = "The figures in paragraph three contradict the filing"
    r = client.post(
        reverse("editorial:decide", args=[a.pk]),
        {"version": 1, "decision": "reject", "reason": reason},
        headers=HX if htmx else {},
    )
    html = r.content.decode()
    assert r.status_code == 409 and "your text is kept" in html
    assert reason in html, "says the text is kept; the reason typed is gone"


# 9 ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "after", ["/?after=999999999999999999.1", "/top/?after=5.999999999999999999.1"]
)
def test_a_forged_public_cursor_is_not_a_server_error(
    client: Client, after: str
) -> None:
    client.raise_request_exception = False
    assert client.get(after).status_code < 500


# 10 -----------------------------------------------------------------------------------------
def test_scheduling_at_the_end_of_year_9999_in_a_western_zone_is_a_4xx(
    client: Client,
) -> None:
    a = story()
    client.force_login(chief())
    client.raise_request_exception = False
    r = client.post(
        reverse("editorial:schedule", args=[a.pk]),
        {"version": 1, "publish_at": "9999-12-31T23:59", "tz": "America/New_York"},
        headers=HX,
    )
    assert r.status_code < 500, r.status_code


# 11 -----------------------------------------------------------------------------------------
def test_deleting_a_lead_hands_the_story_on_in_its_history(client: Client) -> None:
    lead = story(S.PUBLISHED)
    rep = reported(lead)
    admin = Client()
    admin.force_login(User.objects.create_superuser("root", "r@x.org", "pw"))
    admin.post(
        reverse("admin:articles_article_delete", args=[lead.pk]),
        {"post": "yes", "reason": "legal"},
    )
    rep.refresh_from_db()
    cluster = cluster_of(rep)
    assert cluster.canonical_id == rep.pk  # handed on (good)
    assert cluster.article_count == 1, f"the story still counts {cluster.article_count}"
    assert rep.version > 1 and AuditEvent.objects.filter(article_id=rep.pk).exists(), (
        "the report now leads the story: no version bump, nothing in its history"
    )


# 12 -----------------------------------------------------------------------------------------
def test_a_feed_change_flagged_under_lock_is_recorded_truthfully(monkeypatch) -> None:
    source = SourceFactory.create()

    def ingest(items):
        parsed = parse_feed(rss(items), url=source.feed_url, fetched_at=timezone.now())
        store_entries(source=source, entries=parsed.entries, fetched_at=timezone.now())

    ingest([item(1)])
    article = Article.objects.get()
    Article.objects.filter(pk=article.pk).update(status=S.IN_REVIEW)
    changed = item(1, title="The source's new headline")
    changed["description"] += " Update."
    real_write = ingest_module._write

    def chief_publishes_between_read_and_write(*args, **kwargs):
        current = Article.objects.get(pk=article.pk)
        services.article_publish(
            article=current, editor=chief(), version=current.version
        )
        return real_write(*args, **kwargs)

    monkeypatch.setattr(ingest_module, "_write", chief_publishes_between_read_and_write)
    ingest([changed])
    article.refresh_from_db()
    event = AuditEvent.objects.get(action="feed_update")
    assert (event.from_state, event.to_state, event.label) == (
        S.PUBLISHED,
        S.PUBLISHED,
        article.title,
    ), (event.from_state, event.to_state, event.label, event.changes)


# 13 -----------------------------------------------------------------------------------------
def test_no_js_filters_survive_an_error_then_a_success(client: Client) -> None:
    """Without JavaScript a refusal renders the queue at the form's URL: it must list the
    queue as the editor had it filtered, and its forms must carry those filters on."""
    a = story(S.APPROVED)
    services.article_edit(
        article=a, editor=editor("other"), version=1, changes={"importance": 2}
    )
    client.force_login(editor())
    queue = f"http://testserver/editorial/queue/?status=approved&open={a.pk}"
    edit = reverse("editorial:edit", args=[a.pk])
    r = client.post(edit, {"version": 1, "summary": "Mine"}, HTTP_REFERER=queue)
    assert r.status_code == 409
    html = r.content.decode()
    assert 'value="approved" selected' in html, "error page lists in_review"
    back = re.search(r'name="back" value="([^"]*)"', html)
    assert back and "status=approved" in unescape(back.group(1))
    # the browser now sends the error page's form, whose address is the Referer
    r = client.post(
        edit,
        {"version": 2, "summary": "Mine", "back": unescape(back.group(1))},
        HTTP_REFERER="http://testserver" + edit,
    )
    assert "status=approved" in r["Location"], r["Location"]


def test_no_js_merge_is_possible(client: Client) -> None:
    a = story()
    story()
    client.force_login(editor())
    html = client.get(reverse("editorial:queue") + f"?open={a.pk}").content.decode()
    picker = reverse("editorial:merge_picker", args=[a.pk])
    assert f'href="{picker}' in html or f'action="{picker}' in html, (
        "the only way to merge is an htmx button (type=button, no href/form)"
    )


# Follow-ups: the paths the fixes opened, tested end to end ----------------------------------
def test_a_nul_byte_in_any_parameter_is_a_400_not_a_database_error(
    client: Client,
) -> None:
    client.force_login(editor())
    client.raise_request_exception = False
    for url, data in [
        (reverse("admin:articles_article_changelist"), {"status": "a\x00b"}),
        (reverse("editorial:queue"), {"category": "x\x00"}),
        ("/search/", {"q": "oil\x00"}),
    ]:
        r = client.get(url, data)
        assert r.status_code == 400, (url, r.status_code)
    a = story()
    r = client.post(
        reverse("editorial:decide", args=[a.pk]),
        {"version": 1, "decision": "reject", "reason": "spam\x00"},
    )
    assert r.status_code == 400
    assert Article.objects.get(pk=a.pk).status == S.IN_REVIEW


def test_without_javascript_an_editor_merges_through_the_picker_page(
    client: Client,
) -> None:
    a = story(title="Port strike halts exports")
    b = story(title="Port strike: exports halted")
    client.force_login(editor())
    page = client.get(
        reverse("editorial:merge_picker", args=[a.pk]), {"status": "in_review"}
    )
    html = page.content.decode()
    assert page.status_code == 200 and "<html" in html
    assert f'value="{b.pk}"' in html or "Search" in html
    found = client.get(
        reverse("editorial:merge_picker", args=[a.pk]),
        {"q": "exports halted", "back": "status=in_review"},
    ).content.decode()
    assert f'name="target" value="{b.pk}"' in found
    r = client.post(
        reverse("editorial:merge", args=[a.pk]),
        {"version": 1, "target": b.pk, "back": "status=in_review"},
    )
    assert r.status_code == 302 and "status=in_review" in r["Location"]
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.cluster_id == b.cluster_id


def test_deleting_a_source_takes_its_published_stories_off_the_cached_site(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    a = services.article_publish(article=story(S.APPROVED), editor=chief())
    url = a.get_absolute_url()
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        sources_delete(sources=[a.source], by=administrator(), reason="legal")
    assert client.get(url).status_code == 404


def test_the_desk_cannot_delete_and_a_deletion_is_in_the_history(
    client: Client,
) -> None:
    lead = story(S.PUBLISHED, title="Defamatory story legal says kill")
    rep = reported(lead)
    for person in (editor(), chief()):
        client.force_login(person)
        r = client.post(
            reverse("admin:articles_article_delete", args=[lead.pk]), {"post": "yes"}
        )
        assert r.status_code == 403
        with pytest.raises(ActionRefused):
            services.article_delete(article=lead.pk, editor=person)
    root = User.objects.create_superuser("root", "r@x.org", "pw")
    services.article_delete(article=lead.pk, editor=root, note="legal")
    deleted = AuditEvent.objects.get(article_id=lead.pk, action="delete")
    assert (deleted.actor_name, deleted.label, deleted.note) == (
        "root",
        "Defamatory story legal says kill",
        "legal",
    )
    assert deleted.changes["lead_to"] == rep.pk
    handed = AuditEvent.objects.get(article_id=rep.pk, action="lead_handed_on")
    assert f"#{lead.pk}" in handed.note
    assert cluster_of(rep).canonical_id == rep.pk


def test_a_refused_undo_says_why_in_plain_words() -> None:
    ed = editor()
    a = story()
    services.article_approve(article=a, editor=ed, version=1)
    with pytest.raises(ActionRefused) as refused:
        services.article_undo(article=a, editor=editor("other"))
    assert (
        str(refused.value)
        == "cannot undo: you have no action on this story to take back"
    )
