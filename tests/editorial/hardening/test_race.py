"""Regressions found by attacking the desk: races between two people (threads with their
own database connections).

On SQLite writers are serialised (transaction_mode IMMEDIATE), so these are meaningful on
PostgreSQL: run with DATABASE_URL=postgres://... ."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from articles.models import Article
from editorial import services
from editorial.exceptions import ActionRefused
from tests.editorial.factories import cluster_of, editor, reported, story

# Transactional (the threads need committed rows), with the rows migrations seed put back
# after each test like every transactional test here: a plain flush would re-create the
# content types under new ids and break the serialized rollback of the tests after it.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
S = Article.Status
POSTGRES = connection.vendor == "postgresql"


def run(fn: Callable[[], Any], out: dict, key: str) -> threading.Thread:
    def target():
        try:
            out[key] = fn()
        except Exception as exc:  # noqa: BLE001
            out[key] = exc
        finally:
            connections.close_all()

    t = threading.Thread(target=target)
    t.start()
    return t


@pytest.mark.skipif(
    not POSTGRES,
    reason="SQLite serialises writers (in-memory test DB: 'table is locked')",
)
def test_two_editors_saving_the_same_version_one_wins_one_conflicts() -> None:
    a = story()
    alice, bob = editor("alice"), editor("bob")
    barrier = threading.Barrier(2)
    out: dict = {}

    def save(user, text):
        def go():
            barrier.wait()
            return services.article_edit(
                article=a.pk, editor=user, version=1, changes={"summary": text}
            )

        return go

    ts = [run(save(alice, "A"), out, "a"), run(save(bob, "B"), out, "b")]
    for t in ts:
        t.join(10)
    kinds = sorted(type(v).__name__ for v in out.values())
    assert kinds == ["Article", "EditConflict"], out
    a.refresh_from_db()
    assert a.version == 2


def paused_inside(
    module, name: str, release: threading.Event, entered: threading.Event
):
    """Wrap module.name so the caller pauses (inside its transaction, after the write) until
    ``release`` is set or 3 s pass."""
    real = getattr(module, name)

    def wrapper(*args, **kwargs):
        result = real(*args, **kwargs)
        if threading.current_thread().name.startswith("A-"):
            entered.set()
            release.wait(3)
        return result

    return real, wrapper


@pytest.mark.skipif(not POSTGRES, reason="needs concurrent writers (PostgreSQL)")
def test_approving_the_lead_while_another_editor_makes_a_report_lead(
    monkeypatch,
) -> None:
    """A approves lead L (row L locked, not committed yet) while B makes report R the lead:
    B reads L's status without a lock, sees 'in review' and goes ahead."""
    import editorial.services.workflow as workflow

    lead = story()
    rep = reported(lead)
    a_user, b_user = editor("a"), editor("b")
    release, entered = threading.Event(), threading.Event()
    real, wrapper = paused_inside(workflow, "change", release, entered)
    monkeypatch.setattr(workflow, "change", wrapper)
    out: dict = {}
    ta = threading.Thread(
        name="A-approve",
        target=lambda: out.__setitem__(
            "a",
            _catch(
                lambda: services.article_approve(
                    article=lead.pk, editor=a_user, version=1
                )
            ),
        ),
    )
    ta.start()
    assert entered.wait(5)
    tb = threading.Thread(
        name="B-lead",
        target=lambda: out.__setitem__(
            "b",
            _catch(
                lambda: services.story_choose_lead(
                    article=rep.pk, editor=b_user, version=rep.version
                )
            ),
        ),
    )
    tb.start()
    tb.join(2.5)
    release.set()
    ta.join(10)
    tb.join(10)
    lead.refresh_from_db()
    cluster = cluster_of(lead)
    assert not (lead.status == S.APPROVED and cluster.canonical_id != lead.pk), (
        f"approved #{lead.pk} is now a mere report; the story is led by undecided "
        f"#{cluster.canonical_id}; results: {out}"
    )


@pytest.mark.skipif(not POSTGRES, reason="needs concurrent writers (PostgreSQL)")
@pytest.mark.parametrize("decision", ["approve", "publish"])
def test_a_decision_waiting_on_a_new_lead_sees_the_new_lead(
    monkeypatch: pytest.MonkeyPatch, decision: str
) -> None:
    """An attack: A makes report R the lead (old lead L locked, not committed yet) while a
    chief approves or publishes L from the admin (no version). The chief's lock on L waits;
    once it has it, L's story must be read as it is now, led by R, and the decision
    refused. It read the story as it was when the wait began and approved (or published,
    invisibly to readers) a report that no longer led its story."""
    import editorial.services.stories as stories_service
    from tests.editorial.factories import chief

    lead = story()
    rep = reported(lead)
    a_user, boss = editor("a"), chief("boss")
    release, entered = threading.Event(), threading.Event()
    real, wrapper = paused_inside(stories_service, "_touch", release, entered)
    monkeypatch.setattr(stories_service, "_touch", wrapper)
    out: dict = {}
    ta = threading.Thread(
        name="A-lead",
        target=lambda: out.__setitem__(
            "a",
            _catch(lambda: services.story_choose_lead(article=rep.pk, editor=a_user)),
        ),
    )
    ta.start()
    assert entered.wait(5)
    decide = getattr(services, f"article_{decision}")
    tb = threading.Thread(
        name="B-decide",
        target=lambda: out.__setitem__(
            "b", _catch(lambda: decide(article=lead.pk, editor=boss))
        ),
    )
    tb.start()
    tb.join(1.0)
    release.set()
    ta.join(10)
    tb.join(10)
    lead.refresh_from_db()
    assert cluster_of(lead).canonical_id == rep.pk, out
    assert lead.status == S.IN_REVIEW, out
    assert isinstance(out["b"], ActionRefused), out


@pytest.mark.skipif(not POSTGRES, reason="needs concurrent writers (PostgreSQL)")
def test_two_opposite_merges_at_once() -> None:
    x, y = story(), story()
    reported(x), reported(y)
    e1, e2 = editor("e1"), editor("e2")
    barrier = threading.Barrier(2)
    out: dict = {}

    def merge(src, dst, user):
        def go():
            barrier.wait()
            return services.story_merge(
                article=src.pk, target=dst.pk, editor=user, version=1
            )

        return go

    ts = [run(merge(x, y, e1), out, "x->y"), run(merge(y, x, e2), out, "y->x")]
    for t in ts:
        t.join(20)
    errors = {
        k: repr(v)
        for k, v in out.items()
        if isinstance(v, Exception) and not isinstance(v, (ActionRefused,))
    }
    assert not errors, errors
    # consistent clusters: every article in an existing cluster, each cluster led by a member
    for art in Article.objects.all():
        c = cluster_of(art)
        assert c.canonical_id is not None, (art.pk, out)
        assert Article.objects.filter(id=c.canonical_id, cluster=c).exists(), (
            c.pk,
            out,
        )


def _catch(fn):
    try:
        return fn()
    except Exception as exc:  # noqa: BLE001
        return exc
    finally:
        connections.close_all()


@pytest.mark.skipif(not POSTGRES, reason="needs concurrent writers (PostgreSQL)")
def test_two_undos_at_once_only_one_runs() -> None:
    ed = editor()
    a = story()
    services.article_approve(article=a, editor=ed, version=1)
    barrier = threading.Barrier(2)
    out: dict = {}

    def undo():
        barrier.wait()
        return services.article_undo(article=a.pk, editor=ed, version=2)

    ts = [run(undo, out, "1"), run(undo, out, "2")]
    for t in ts:
        t.join(10)
    kinds = sorted(type(v).__name__ for v in out.values())
    assert kinds == ["Article", "EditConflict"] or kinds == [
        "Article",
        "InvalidTransition",
    ], out


@pytest.mark.skipif(not POSTGRES, reason="needs concurrent writers (PostgreSQL)")
def test_approving_the_lead_while_clustering_adds_an_earlier_report(
    monkeypatch,
) -> None:
    """A approves lead L; meanwhile the pipeline adds an earlier report N to L's story and
    refreshes it: refresh_cluster reads L's status without a lock, sees it unsettled and
    makes the earliest report (N) the lead."""
    from datetime import timedelta

    import editorial.services.workflow as workflow
    from stories import clustering
    from tests.factories import ArticleFactory

    lead = story()
    a_user = editor("a")
    release, entered = threading.Event(), threading.Event()
    real, wrapper = paused_inside(workflow, "change", release, entered)
    monkeypatch.setattr(workflow, "change", wrapper)
    out: dict = {}
    ta = threading.Thread(
        name="A-approve",
        target=lambda: out.__setitem__(
            "a",
            _catch(
                lambda: services.article_approve(
                    article=lead.pk, editor=a_user, version=1
                )
            ),
        ),
    )
    ta.start()
    assert entered.wait(5)

    def pipeline():
        n = ArticleFactory.create(
            status=S.NEW,
            cluster_id=lead.cluster_id,
            published_at=lead.published_at - timedelta(hours=1),
        )
        assert n.cluster_id is not None
        return clustering.refresh_cluster(n.cluster_id)

    tb = threading.Thread(
        name="B-cluster", target=lambda: out.__setitem__("b", _catch(pipeline))
    )
    tb.start()
    tb.join(2.5)
    release.set()
    ta.join(10)
    tb.join(10)
    lead.refresh_from_db()
    cluster = cluster_of(lead)
    assert not (lead.status == S.APPROVED and cluster.canonical_id != lead.pk), (
        f"approved #{lead.pk} is now a mere report; the story is led by a new report "
        f"#{cluster.canonical_id}; results: {out}"
    )


@pytest.mark.skipif(not POSTGRES, reason="needs PostgreSQL's row locks")
@pytest.mark.parametrize("reason", ["The outlet asked us to", ""])
def test_a_publication_committing_while_its_source_is_deleted_is_recorded_and_uncached(
    client, monkeypatch, reason: str
) -> None:
    """A second attack: the deletion read the story before the publication committed, so
    its history said "in review" and readers' caches were never told it was gone. Without
    a reason (the page asked none: nothing was on the site then) the deletion is refused
    and the story stays on the site."""
    import time

    from django.contrib.auth.models import User
    from django.db import transaction
    from django.test import Client

    from editorial.models import AuditEvent
    from editorial.services import base
    from tests.editorial.factories import chief

    a = story(S.APPROVED, title="Published as its source goes")
    morgan = User.objects.create_superuser("morgan", "m@example.org", "pw")
    boss = chief("boss")
    told: list[int] = []
    real = base.readers_see_it

    def recording(pk: int) -> None:
        told.append(pk)
        real(pk)

    monkeypatch.setattr(base, "readers_see_it", recording)
    held, release = threading.Event(), threading.Event()
    out: dict = {}

    def publish():
        with transaction.atomic():
            services.article_publish(article=a.pk, editor=boss, version=a.version)
            held.set()
            release.wait(5)

    def delete_source():
        admin = Client()
        admin.force_login(morgan)
        return admin.post(
            f"/admin/sources/source/{a.source_id}/delete/",
            {"post": "yes", "reason": reason},
        )

    first = run(publish, out, "publish")
    assert held.wait(5)
    told.clear()
    second = run(delete_source, out, "delete")
    time.sleep(1)  # the deletion is now waiting for the publication's lock
    release.set()
    first.join(10)
    second.join(10)

    assert getattr(out["delete"], "status_code", None) == 302, out
    if not reason:
        assert Article.objects.get(pk=a.pk).status == S.PUBLISHED
        assert not AuditEvent.objects.filter(article_id=a.pk, action="delete").exists()
        return
    assert not Article.objects.filter(pk=a.pk).exists()
    event = AuditEvent.objects.get(article_id=a.pk, action="delete")
    assert event.from_state == S.PUBLISHED
    assert event.note.endswith(f": {reason}")
    assert a.pk in told  # readers' caches are told the story is gone
