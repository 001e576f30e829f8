"""Regressions found by attacking the desk: every decision, role and state through the
queue's views; the server decides."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Article
from tests.editorial.factories import person, story

pytestmark = pytest.mark.django_db
S = Article.Status
HX = {"HX-Request": "true"}

EDITOR_OK = {
    "submit": {S.NEW, S.FAILED, S.REJECTED},
    "approve": {S.IN_REVIEW},
    "reject": {S.IN_REVIEW, S.APPROVED, S.NEW, S.FAILED},
    "rerun": {S.NEW, S.FAILED, S.IN_REVIEW},
}
CHIEF_OK = {
    **EDITOR_OK,
    "publish": {S.IN_REVIEW, S.APPROVED},
    "unpublish": {S.PUBLISHED},
    "archive": {S.PUBLISHED, S.APPROVED, S.REJECTED},
}
DECISIONS = ["submit", "approve", "reject", "rerun", "publish", "unpublish", "archive"]


@pytest.mark.parametrize("role", ["nobody", "editor", "chief"])
@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("decision", DECISIONS)
def test_decision_matrix(client: Client, role: str, status: str, decision: str) -> None:
    a = story(status)
    client.force_login(person(role))
    client.raise_request_exception = False
    r = client.post(
        reverse("editorial:decide", args=[a.pk]),
        {"version": 1, "decision": decision, "reason": "because"},
        headers=HX,
    )
    a.refresh_from_db()
    ok = {"nobody": {}, "editor": EDITOR_OK, "chief": CHIEF_OK}[role].get(
        decision, set()
    )
    if status in ok:
        assert r.status_code == 200, r.status_code
        assert a.version > 1 or decision == "rerun"
    else:
        assert r.status_code in (403, 409), r.status_code
        assert a.version == 1 and a.status == status


@pytest.mark.parametrize("role", ["editor", "chief"])
@pytest.mark.parametrize("status", list(S))
def test_edit_matrix(client: Client, role: str, status: str) -> None:
    a = story(status)
    client.force_login(person(role))
    r = client.post(
        reverse("editorial:edit", args=[a.pk]),
        {"version": 1, "summary": "Changed.", "correction": "fixed"},
        headers=HX,
    )
    a.refresh_from_db()
    allowed = status != S.ARCHIVED and (status != S.PUBLISHED or role == "chief")
    assert (a.summary == "Changed.") == allowed, (r.status_code, a.summary)
    assert r.status_code == (
        200 if allowed else (403 if status == S.PUBLISHED else 409)
    )
