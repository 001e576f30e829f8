"""Regressions found by attacking the queue's views: roles, CSRF, methods, invalid input,
drafts."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from editorial import services
from editorial.models import AuditEvent, Correction
from tests.editorial.factories import chief, editor, person, reported, story

pytestmark = pytest.mark.django_db
S = Article.Status
HX = {"HX-Request": "true"}

POSTS = [
    "decide",
    "schedule",
    "edit",
    "take",
    "dismiss",
    "undo",
    "split",
    "lead",
    "merge",
]


def url(name, pk=None):
    return reverse(f"editorial:{name}", args=[pk] if pk is not None else [])


# ---------------------------------------------------------------- CSRF / methods / roles
@pytest.mark.parametrize("name", POSTS + ["bulk_approve"])
def test_every_post_needs_csrf(name: str) -> None:
    a = story()
    c = Client(enforce_csrf_checks=True)
    c.force_login(chief())
    r = c.post(
        url(name, None if name == "bulk_approve" else a.pk),
        {"version": 1, "decision": "approve", "ids": f"{a.pk}.1"},
        headers=HX,
    )
    assert r.status_code == 403
    a.refresh_from_db()
    assert (a.status, a.version) == (S.IN_REVIEW, 1)


@pytest.mark.parametrize("name", POSTS + ["bulk_approve"])
def test_get_on_post_only_is_405(client: Client, name: str) -> None:
    a = story()
    client.force_login(chief())
    r = client.get(url(name, None if name == "bulk_approve" else a.pk))
    assert r.status_code == 405


@pytest.mark.parametrize("role", ["anonymous", "nobody"])
@pytest.mark.parametrize(
    "name", POSTS + ["bulk_approve", "queue", "story", "merge_picker"]
)
def test_outsiders_change_nothing(client: Client, role: str, name: str) -> None:
    a = story()
    user = person(role)
    if role != "anonymous":
        client.force_login(user)
    method = client.get if name in ("queue", "story", "merge_picker") else client.post
    args = None if name in ("bulk_approve", "queue") else a.pk
    data: dict[str, Any] = {
        "version": 1,
        "decision": "approve",
        "ids": f"{a.pk}.1",
        "summary": "hack",
        "target": a.pk,
    }
    r = method(url(name, args), data, headers=HX)
    assert r.status_code in (302, 403)
    if role == "anonymous":
        assert r.status_code == 302 and "/login" in r["Location"]
    a.refresh_from_db()
    assert (a.status, a.version, a.summary) == (S.IN_REVIEW, 1, "AI summary.")


@pytest.mark.parametrize("decision", ["publish", "unpublish", "archive", "unschedule"])
def test_editor_cannot_run_chief_decisions(client: Client, decision: str) -> None:
    start = {
        "publish": S.APPROVED,
        "unpublish": S.PUBLISHED,
        "archive": S.APPROVED,
        "unschedule": S.APPROVED,
    }[decision]
    a = story(start)
    client.force_login(editor())
    r = client.post(
        url("decide", a.pk), {"version": 1, "decision": decision}, headers=HX
    )
    assert r.status_code == 403
    a.refresh_from_db()
    assert (a.status, a.version) == (start, 1)


def _next_month() -> str:
    return (timezone.now() + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")


def test_editor_cannot_schedule(client: Client) -> None:
    a = story()
    client.force_login(editor())
    r = client.post(
        url("schedule", a.pk),
        {"version": 1, "publish_at": _next_month()},
        headers=HX,
    )
    assert r.status_code == 403


def test_editor_cannot_change_a_published_story(client: Client) -> None:
    a = story(S.PUBLISHED)
    client.force_login(editor())
    r = client.post(
        url("edit", a.pk), {"version": 1, "summary": "x", "correction": "c"}, headers=HX
    )
    assert r.status_code == 403
    a.refresh_from_db()
    assert a.summary == "AI summary."


def test_editor_silent_fix_of_published_refused_and_chief_needs_a_note(
    client: Client,
) -> None:
    a = story(S.PUBLISHED)
    client.force_login(editor("e1"))
    r = client.post(
        url("edit", a.pk), {"version": 1, "summary": "x", "silent": "1"}, headers=HX
    )
    assert r.status_code == 403
    client.force_login(chief())
    r = client.post(url("edit", a.pk), {"version": 1, "summary": "x"}, headers=HX)
    assert r.status_code == 422


# ---------------------------------------------------------------- reports (non-leads)
@pytest.mark.parametrize(
    "decision", ["approve", "reject", "publish", "submit", "rerun", "archive"]
)
def test_a_report_cannot_be_decided_on_its_own(client: Client, decision: str) -> None:
    lead = story()
    rep = reported(lead, status=S.APPROVED if decision == "archive" else S.IN_REVIEW)
    client.force_login(chief())
    before = rep.status
    r = client.post(
        url("decide", rep.pk),
        {"version": rep.version, "decision": decision, "reason": "legal"},
        headers=HX,
    )
    assert r.status_code in (403, 409)
    rep.refresh_from_db()
    assert rep.status == before


def test_a_report_cannot_be_bulk_approved_or_edited(client: Client) -> None:
    lead = story()
    rep = reported(lead)
    client.force_login(editor())
    client.post(url("bulk_approve"), {"ids": [f"{rep.pk}.{rep.version}"]}, headers=HX)
    r = client.post(
        url("edit", rep.pk), {"version": rep.version, "summary": "x"}, headers=HX
    )
    assert r.status_code == 409
    rep.refresh_from_db()
    assert rep.status == S.IN_REVIEW and rep.version == 1


# ---------------------------------------------------------------- invalid input
BAD_EDITS = [
    {"takeaways": "\n".join(f"t{i}" for i in range(6))},
    {"takeaways": "x" * 501},
    {"importance": "11"},
    {"importance": "0"},
    {"importance": "-1"},
    {"importance": "7.5"},
    {"importance": "9" * 30},
    {"importance": "abc"},
    {"sentiment": "euphoric"},
    {"category": "987654"},
    {"category": "abc"},
    {"title": ""},
    {"title": "   "},
    {"title": "x" * 301},
    {"correction": "x" * 10000},
    {"version": "0"},
    {"version": "-1"},
    {"version": "abc"},
    {"version": ""},
    {"version": "9" * 40},
    {"version": "2"},
]


@pytest.mark.parametrize("bad", BAD_EDITS, ids=lambda d: repr(d)[:40])
def test_invalid_edit_is_4xx_and_writes_nothing(client: Client, bad: dict) -> None:
    a = story(S.PUBLISHED)
    client.force_login(chief())
    client.raise_request_exception = False
    data = {"version": 1, "summary": "new", "correction": "fixed", **bad}
    r = client.post(url("edit", a.pk), data, headers=HX)
    assert 400 <= r.status_code < 500, r.status_code
    a.refresh_from_db()
    assert a.version == 1 and a.summary == "AI summary."
    assert not Correction.objects.exists()


def test_huge_ids_in_urls_and_bulk(client: Client) -> None:
    client.force_login(chief())
    client.raise_request_exception = False
    huge = 10**25
    for name in POSTS:
        r = client.post(f"/editorial/queue/{huge}/{name}/", {"version": 1}, headers=HX)
        assert r.status_code == 404, (name, r.status_code)
    r = client.get(f"/editorial/queue/?open={huge}")
    assert r.status_code == 200
    r = client.post(
        url("bulk_approve"),
        {"ids": [f"{huge}.1", "1.x", "x.1", ".", "1.", "-1.1"]},
        headers=HX,
    )
    assert r.status_code == 204
    a = story()
    r = client.post(url("merge", a.pk), {"version": 1, "target": str(huge)}, headers=HX)
    assert 400 <= r.status_code < 500, r.status_code


def test_merge_edge_cases(client: Client) -> None:
    client.force_login(editor())
    client.raise_request_exception = False
    a, archived, published = story(), story(S.ARCHIVED), story(S.PUBLISHED)
    rep = reported(a)
    for target in [a.pk, rep.pk, archived.pk, 0, -1, "x"]:
        r = client.post(
            url("merge", a.pk), {"version": 1, "target": target}, headers=HX
        )
        assert 400 <= r.status_code < 500, (target, r.status_code)
    # a published story cannot be merged away
    r = client.post(
        url("merge", published.pk), {"version": 1, "target": a.pk}, headers=HX
    )
    assert r.status_code == 409
    a.refresh_from_db()
    assert a.version == 1


def test_split_the_only_article_and_decide_unknown(client: Client) -> None:
    client.force_login(editor())
    a = story()
    r = client.post(url("split", a.pk), {"version": 1}, headers=HX)
    assert r.status_code == 409
    r = client.post(
        url("decide", a.pk), {"version": 1, "decision": "drop table"}, headers=HX
    )
    assert r.status_code == 400


def test_merge_picker_with_nasty_queries(client: Client) -> None:
    client.force_login(editor())
    a = story()
    for q in ["' OR 1=1 --", "%", "_", "\\", "x" * 100_000, "🙂" * 1000]:
        r = client.get(url("merge_picker", a.pk), {"q": q}, headers=HX)
        assert r.status_code == 200, (q[:10], r.status_code)


# ---------------------------------------------------------------- without htmx
def test_without_htmx_a_conflicting_edit_answers_4xx_and_keeps_the_text(
    client: Client,
) -> None:
    """The queue is "usable without JavaScript" and invalid input must be a 4xx with field
    messages; a plain form post that conflicts or is invalid is redirected and the typed text
    is dropped."""
    a = story()
    services.article_edit(
        article=a, editor=editor("other"), version=1, changes={"importance": 2}
    )
    client.force_login(editor())
    r = client.post(
        url("edit", a.pk), {"version": 1, "summary": "My long careful rewrite"}
    )
    assert r.status_code == 409, r.status_code
    assert "My long careful rewrite" in r.content.decode()


def test_without_htmx_invalid_input_is_4xx_with_field_messages(client: Client) -> None:
    a = story()
    client.force_login(editor())
    r = client.post(
        url("edit", a.pk), {"version": 1, "summary": "keep me", "importance": "11"}
    )
    assert r.status_code == 422, r.status_code


# ---------------------------------------------------------------- escaping
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_html_in_copy_correction_and_reason_is_escaped(client: Client) -> None:
    boss = chief()
    a = story(S.PUBLISHED)
    services.article_edit(
        article=a,
        editor=boss,
        version=1,
        changes={"summary": XSS, "title": XSS},
        correction=XSS,
    )
    b = story()
    services.article_reject(article=b, editor=boss, reason=XSS)
    client.force_login(boss)
    pages = [
        client.get(reverse("editorial:queue") + f"?open={a.pk}&status=all"),
        client.get(reverse("editorial:queue") + f"?open={b.pk}&status=rejected"),
        client.get(url("story", a.pk), headers=HX),
        client.get(reverse("admin:articles_article_change", args=[a.pk])),
        client.get(reverse("admin:articles_article_change", args=[b.pk])),
        client.get(reverse("admin:editorial_auditevent_changelist")),
        client.get(
            reverse(
                "admin:editorial_auditevent_change",
                args=[AuditEvent.objects.filter(action="reject").get().pk],
            )
        ),
        client.get(url("merge_picker", b.pk), {"q": "script"}, headers=HX),
    ]
    for r in pages:
        html = r.content.decode()
        assert r.status_code == 200
        assert "<script>alert" not in html and "<img src=x" not in html


# ---------------------------------------------------------------- CRLF from a browser textarea
def test_pressing_an_importance_key_does_not_mark_an_untouched_summary_as_edited(
    client: Client,
) -> None:
    """Browsers submit textarea newlines as CRLF. The panel's copy form always posts every
    field, so pressing "3" (importance) also posts the summary the editor never touched."""
    a = story(summary="First paragraph.\n\nSecond paragraph.")
    client.force_login(editor())
    r = client.post(
        url("edit", a.pk),
        {
            "version": 1,
            "title": a.title,
            "summary": "First paragraph.\r\n\r\nSecond paragraph.",  # what a browser sends
            "analysis": "",
            "takeaways": "",
            "sentiment": "",
            "importance": "3",
            "category": "",
        },
        headers=HX,
    )
    assert r.status_code == 200
    a.refresh_from_db()
    event = AuditEvent.objects.get(action="edit")
    assert a.edited_fields == ["importance"], (a.edited_fields, event.changes)


def test_saving_again_after_a_conflict_keeps_what_the_other_editor_changed(
    client: Client,
) -> None:
    """A stranger, two tabs: A corrects the summary; B, on the version loaded before,
    changes the headline and is refused; B saves again and the form, now on the current
    version, still held the summary as B loaded it: A's correction was undone unseen
    (its public note stayed). The form shown again takes A's summary, keeps B's headline."""
    a = story(title="Greyfell delays mine", summary="Costs rose to $3.1 billion.")
    services.article_edit(
        article=a,
        editor=editor("alice"),
        version=1,
        changes={"summary": "Costs rose to $3.1 billion, from $2.54 billion."},
    )
    client.force_login(editor("bob"))
    loaded = {  # the whole copy form as bob loaded it, at version 1
        "version": 1,
        "title": "Greyfell delays Sable Flats mine to 2029",
        "summary": "Costs rose to $3.1 billion.",
        "analysis": a.analysis,
        "takeaways": "\n".join(a.takeaways),
        "sentiment": a.sentiment,
        "importance": a.importance or "",
        "category": a.category_id or "",
    }
    refused = client.post(url("edit", a.pk), loaded, headers=HX)
    assert refused.status_code == 409
    html = refused.content.decode()
    form = re.search(r'<form class="copy".*?</form>', html, re.S)
    assert form is not None
    summary = re.search(
        r'<textarea name="summary"[^>]*>(.*?)</textarea>', form[0], re.S
    )
    title = re.search(r'<input type="text" name="title"[^>]*value="([^"]*)"', form[0])
    version = re.search(r'name="version" value="(\d+)"', form[0])
    assert summary and title and version
    # The summary saved meanwhile, bob's headline, on the current version.
    assert summary[1] == "Costs rose to $3.1 billion, from $2.54 billion."
    assert title[1] == "Greyfell delays Sable Flats mine to 2029"
    assert version[1] == "2"

    # Saving the form as shown: bob's headline, alice's summary.
    again = {
        **loaded,
        "version": 2,
        "summary": "Costs rose to $3.1 billion, from $2.54 billion.",
    }
    assert client.post(url("edit", a.pk), again, headers=HX).status_code == 200
    a.refresh_from_db()
    assert a.title == "Greyfell delays Sable Flats mine to 2029"
    assert a.summary == "Costs rose to $3.1 billion, from $2.54 billion."


def test_a_form_refused_as_invalid_keeps_the_version_its_editor_loaded(
    client: Client,
) -> None:
    """An attacker: bob's stale form refused for six takeaways came back on the current
    version with the summary as he loaded it; trimmed and saved, it put back the summary
    alice had changed meanwhile, with no conflict. Now the form keeps bob's version: the
    next save is a conflict, and the form shown then takes alice's summary."""
    a = story(summary="The original summary.", takeaways=["One.", "Two.", "Three."])
    services.article_edit(
        article=a,
        editor=editor("alice"),
        version=1,
        changes={"summary": "Alice's corrected summary."},
    )
    client.force_login(editor("bob"))
    loaded = {
        "version": 1,
        "title": a.title,
        "summary": "The original summary.",
        "analysis": a.analysis,
        "takeaways": "One.\nTwo.\nThree.\nFour.\nFive.\nSix.",
        "sentiment": a.sentiment,
        "importance": a.importance or "",
        "category": a.category_id or "",
    }
    invalid = client.post(url("edit", a.pk), loaded, headers=HX)
    assert invalid.status_code == 422
    form = re.search(r'<form class="copy".*?</form>', invalid.content.decode(), re.S)
    assert form is not None and 'name="version" value="1"' in form[0]

    trimmed = {**loaded, "takeaways": "One.\nTwo.\nThree.\nFour."}
    assert client.post(url("edit", a.pk), trimmed, headers=HX).status_code == 409
    a.refresh_from_db()
    assert a.summary == "Alice's corrected summary."
