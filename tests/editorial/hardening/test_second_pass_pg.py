"""Second pass, PostgreSQL only: NUL bytes, and races (threads with their own connections).
Run with DATABASE_URL=postgres://..."""

from __future__ import annotations

import contextlib
import threading
import time

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from articles.models import Article
from editorial import services
from editorial.exceptions import ActionRefused
from tests.editorial.factories import chief, editor, reported, story

S = Article.Status
PG = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
RACE = [pytest.mark.django_db(transaction=True, serialized_rollback=True), PG]


@PG
@pytest.mark.django_db
def test_admin_reject_with_a_nul_in_the_reason_is_not_a_500(client: Client) -> None:
    a = story()
    client.force_login(editor())
    client.raise_request_exception = False
    r = client.post(
        reverse("admin:articles_article_changelist"),
        {
            "action": "reject",
            "_selected_action": [a.pk],
            "apply": "1",
            "reason": "spam\x00",
        },
    )
    assert r.status_code < 500, r.status_code


@PG
@pytest.mark.django_db
@pytest.mark.parametrize(
    "url,param",
    [
        ("admin:articles_article_changelist", "status"),
        ("admin:articles_article_changelist", "sentiment"),
        ("admin:editorial_auditevent_changelist", "action"),
    ],
)
def test_admin_list_filters_with_a_nul_are_not_a_500(
    client: Client, url, param
) -> None:
    client.force_login(editor())
    client.raise_request_exception = False
    assert client.get(reverse(url), {param: "a\x00b"}).status_code < 500


def _run(name, fn, out, key):
    def target():
        try:
            out[key] = fn()
        except Exception as exc:  # noqa: BLE001
            out[key] = exc
        finally:
            connections.close_all()

    t = threading.Thread(name=name, target=target)
    t.start()
    return t


def _publish_paused(monkeypatch, article, boss, out):
    """A chief's publication of ``article`` that holds its row lock (written, not committed)
    until released."""
    import editorial.services.workflow as workflow

    release, entered = threading.Event(), threading.Event()
    real = workflow.change

    def wrapper(*args, **kwargs):
        result = real(*args, **kwargs)
        if threading.current_thread().name == "publish":
            entered.set()
            release.wait(5)
        return result

    monkeypatch.setattr(workflow, "change", wrapper)
    t = _run(
        "publish",
        lambda: services.article_publish(article=article.pk, editor=boss, version=1),
        out,
        "publish",
    )
    assert entered.wait(5)
    return t, release


@RACE[0]
@RACE[1]
def test_an_editor_cannot_merge_into_a_story_a_chief_is_publishing(monkeypatch) -> None:
    target, pending = story(), story()
    out: dict = {}
    tp, release = _publish_paused(monkeypatch, target, chief(), out)
    tm = _run(
        "merge",
        lambda: services.story_merge(
            article=pending.pk, target=target.pk, editor=editor(), version=1
        ),
        out,
        "merge",
    )
    tm.join(1.5)
    release.set()
    tp.join(10), tm.join(10)
    target.refresh_from_db()
    pending.refresh_from_db()
    assert target.status == S.PUBLISHED
    assert pending.cluster_id != target.cluster_id, (
        f"editor added a report to a published story: {out}"
    )


@RACE[0]
@RACE[1]
def test_an_editor_cannot_split_a_report_of_a_story_a_chief_is_publishing(
    monkeypatch,
) -> None:
    lead = story()
    rep = reported(lead)
    out: dict = {}
    tp, release = _publish_paused(monkeypatch, lead, chief(), out)
    ts = _run(
        "split",
        lambda: services.article_split(
            article=rep.pk, editor=editor(), version=rep.version
        ),
        out,
        "split",
    )
    ts.join(1.5)
    release.set()
    tp.join(10), ts.join(10)
    lead.refresh_from_db()
    rep.refresh_from_db()
    assert lead.status == S.PUBLISHED
    assert rep.cluster_id == lead.cluster_id, (
        f"editor took a source off a published story: {out}"
    )


@RACE[0]
@RACE[1]
def test_undoing_a_merge_while_another_editor_merges_into_the_same_story(
    monkeypatch,
) -> None:
    """Undo locks the articles, then (refresh_cluster) the story; merge locks the stories,
    then the articles. The barrier only makes both hold their first locks at once."""
    import editorial.services.stories as stories_module
    import editorial.services.undo as undo_module

    x, y, z = story(), story(), story()
    e1 = editor("e1")
    services.story_merge(article=x.pk, target=y.pk, editor=e1, version=1)
    x.refresh_from_db()
    barrier = threading.Barrier(2)
    real_unmerge, real_lock = (
        undo_module.clustering.unmerge,
        stories_module._lock_stories,
    )

    def meet() -> None:
        # Both hold their first locks at once — unless one now waits for the other's
        # (the fix: both lock the stories first), and then the barrier breaks: go on.
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(2)

    def unmerge(**kwargs):
        meet()
        time.sleep(0.3)
        return real_unmerge(**kwargs)

    def lock(*args):
        result = real_lock(*args)
        meet()
        return result

    monkeypatch.setattr(undo_module.clustering, "unmerge", unmerge)
    monkeypatch.setattr(stories_module, "_lock_stories", lock)
    out: dict = {}
    ta = _run(
        "undo",
        lambda: services.article_undo(article=x.pk, editor=e1, version=x.version),
        out,
        "undo",
    )
    tb = _run(
        "merge",
        lambda: services.story_merge(
            article=z.pk, target=y.pk, editor=editor("e2"), version=1
        ),
        out,
        "merge",
    )
    ta.join(20), tb.join(20)
    errors = {
        k: repr(v)
        for k, v in out.items()
        if isinstance(v, Exception) and not isinstance(v, ActionRefused)
    }
    assert not errors, errors
