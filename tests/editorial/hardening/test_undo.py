"""Regressions found by attacking undo."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from editorial import services
from editorial.exceptions import ActionRefused
from editorial.models import AuditEvent
from tests.editorial.factories import chief, cluster_of, editor, reported, story

pytestmark = pytest.mark.django_db
S = Article.Status
HX = {"HX-Request": "true"}


def post_undo(client, pk, version, **extra):
    return client.post(
        reverse("editorial:undo", args=[pk]), {"version": version, **extra}, headers=HX
    )


# --- D: undo on a report moved by a merge -> 500 ---------------------------------------
def test_undo_on_a_report_moved_by_my_merge_is_not_a_500(client: Client) -> None:
    ed = editor()
    x = story()
    x_report = reported(x)
    y = story()
    services.story_merge(article=x, target=y, editor=ed, version=x.version)
    x_report.refresh_from_db()
    client.force_login(ed)
    # Posting undo on the moved report (its last event is my merge) must not crash.
    client.raise_request_exception = False
    r = post_undo(client, x_report.pk, x_report.version)
    assert r.status_code < 500, r.status_code


def test_undo_on_the_former_lead_after_choosing_a_new_lead_is_not_a_500(
    client: Client,
) -> None:
    ed = editor()
    lead = story()
    report = reported(lead)
    services.story_choose_lead(article=report, editor=ed, version=report.version)
    lead.refresh_from_db()
    client.force_login(ed)
    client.raise_request_exception = False
    r = post_undo(client, lead.pk, lead.version)
    assert r.status_code < 500, r.status_code


# --- D: forged `show` -----------------------------------------------------------------
def test_undo_with_a_show_id_of_nothing_is_not_a_500(client: Client) -> None:
    ed = editor()
    a = story()
    services.article_approve(article=a, editor=ed, version=a.version)
    a.refresh_from_db()
    client.force_login(ed)
    client.raise_request_exception = False
    r = post_undo(client, a.pk, a.version, show="987654")
    assert r.status_code < 500, r.status_code


def test_undo_refused_with_a_show_id_of_nothing_is_not_a_500(client: Client) -> None:
    a = story()
    client.force_login(editor())
    client.raise_request_exception = False
    r = post_undo(client, a.pk, a.version, show="987654")
    assert r.status_code < 500, r.status_code


# --- D: undoing a split after someone decided the story it returns to ---------------------
@pytest.mark.parametrize("decision", ["approve", "publish"])
def test_undo_of_a_split_does_not_demote_a_story_decided_meanwhile(
    decision: str,
) -> None:
    ed, boss = editor("ed"), chief("boss")
    lead = story()
    report = reported(lead)
    # the editor splits the lead out: the report now leads the original story
    services.article_split(article=lead, editor=ed, version=lead.version)
    report.refresh_from_db()
    assert cluster_of(report).canonical_id == report.pk
    # the chief decides that story (its new lead)
    if decision == "approve":
        services.article_approve(article=report, editor=boss, version=report.version)
    else:
        services.article_publish(article=report, editor=boss, version=report.version)
    # within 30 s the editor undoes the split
    lead.refresh_from_db()
    try:
        services.article_undo(article=lead, editor=ed, version=lead.version)
    except ActionRefused:
        return  # refused: fine
    report.refresh_from_db()
    cluster = cluster_of(report)
    # the story the chief decided is now led by an undecided report; the decided one is a source
    assert cluster.canonical_id == report.pk, (
        f"after undo the {report.get_status_display()} article #{report.pk} is a mere "
        f"report; the story is led by #{cluster.canonical_id}"
    )


# --- things that should hold ---------------------------------------------------------------
def test_undo_of_undo_is_refused() -> None:
    ed = editor()
    a = story()
    services.article_approve(article=a, editor=ed)
    services.article_undo(article=a, editor=ed)
    with pytest.raises(ActionRefused):
        services.article_undo(article=a, editor=ed)


def test_undo_after_30s_is_refused() -> None:
    ed = editor()
    a = story()
    services.article_approve(article=a, editor=ed)
    AuditEvent.objects.update(at=timezone.now() - timedelta(seconds=31))
    with pytest.raises(ActionRefused):
        services.article_undo(article=a, editor=ed)


def test_undo_of_someone_elses_action_is_refused() -> None:
    ed, other = editor("a"), editor("b")
    a = story()
    services.article_approve(article=a, editor=ed)
    with pytest.raises(ActionRefused):
        services.article_undo(article=a, editor=other)


def test_undo_after_someone_else_acted_is_refused() -> None:
    ed, other = editor("a"), editor("b")
    a = story()
    services.article_edit(article=a, editor=ed, version=1, changes={"importance": 3})
    services.article_edit(article=a, editor=other, version=2, changes={"summary": "x"})
    with pytest.raises(ActionRefused):
        services.article_undo(article=a, editor=ed)


def test_undo_view_with_stale_or_bad_versions(client: Client) -> None:
    ed = editor()
    a = story()
    services.article_approve(article=a, editor=ed)
    client.force_login(ed)
    client.raise_request_exception = False
    for v in ["1", "0", "-5", "abc", "", "9" * 40, "1.5"]:
        r = post_undo(client, a.pk, v)
        assert 400 <= r.status_code < 500, (v, r.status_code)
    a.refresh_from_db()
    assert a.status == S.APPROVED
