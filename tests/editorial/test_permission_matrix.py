"""The rulebook as a table: every desk action × role × state, through ``can()``, through the
services, through the review queue and through the admin.

The table below is written out independently of ``editorial.actions`` on purpose: it is the
specification the registry must match, so a change to the rules shows up here as a diff.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from articles.models import Article
from editorial import actions, services
from editorial.exceptions import InvalidTransition, NotAllowed
from editorial.models import AuditEvent

from .factories import admin_form, person, story

pytestmark = pytest.mark.django_db
S = Article.Status
ROLES = ["anonymous", "nobody", "editor", "chief"]
STATES = list(S)
UNDECIDED: set[str] = {S.NEW, S.ENRICHING, S.IN_REVIEW, S.FAILED}

# action: (the least role that may run it, the states it starts from)
RULES: dict[str, tuple[str, set[str]]] = {
    "submit": ("editor", {S.NEW, S.FAILED, S.REJECTED}),
    "approve": ("editor", {S.IN_REVIEW}),
    "reject": ("editor", {S.IN_REVIEW, S.APPROVED, S.NEW, S.FAILED}),
    "publish": ("chief", {S.IN_REVIEW, S.APPROVED}),
    "unpublish": ("chief", {S.PUBLISHED}),
    "archive": ("chief", {S.PUBLISHED, S.APPROVED, S.REJECTED}),
    "schedule": ("chief", {S.IN_REVIEW, S.APPROVED}),
    "edit": ("editor", {state for state in S if state != S.ARCHIVED}),
    "rerun": ("editor", {S.NEW, S.FAILED, S.IN_REVIEW}),
    "merge": ("editor", UNDECIDED),
}
RANK = {"anonymous": 0, "nobody": 1, "editor": 2, "chief": 3}


def expected(role: str, action: str, state: str) -> str:
    least, states = RULES[action]
    if RANK[role] < RANK[least]:
        return "not allowed"
    if action == "edit" and state == S.PUBLISHED and RANK[role] < RANK["chief"]:
        return "not allowed"  # changing live copy needs the publish permission
    return "ok" if state in states else "invalid"


def run(action: str, article: Article, user: Any) -> Callable[[], Any]:
    version = article.version
    calls: dict[str, Callable[[], Any]] = {
        "submit": lambda: services.article_submit(
            article=article, editor=user, version=version
        ),
        "approve": lambda: services.article_approve(
            article=article, editor=user, version=version
        ),
        "reject": lambda: services.article_reject(
            article=article, editor=user, version=version, reason="off topic"
        ),
        "publish": lambda: services.article_publish(
            article=article, editor=user, version=version
        ),
        "unpublish": lambda: services.article_unpublish(
            article=article, editor=user, version=version, reason="a test takedown"
        ),
        "archive": lambda: services.article_archive(
            article=article, editor=user, version=version, reason="a test takedown"
        ),
        "schedule": lambda: services.article_schedule_publish(
            article=article,
            editor=user,
            version=version,
            publish_at=timezone.now() + timedelta(hours=1),
        ),
        "edit": lambda: services.article_edit(
            article=article,
            editor=user,
            version=version,
            changes={"summary": "The desk's summary."},
            correction="rewrote the summary",
        ),
        "rerun": lambda: services.article_rerun_enrichment(
            article=article, editor=user, version=version
        ),
        "merge": lambda: services.story_merge(
            article=article, target=story(), editor=user, version=version
        ),
    }
    return calls[action]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", RULES)
def test_can_matches_the_table_in_every_state(role: str, action: str) -> None:
    user = person(role)
    for state in STATES:
        article = story(state)
        assert actions.can(user, action, article) is (
            expected(role, action, state) == "ok"
        ), (role, action, state)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", RULES)
def test_the_services_enforce_the_table(
    action: str,
    role: str,
    state: str,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    article, user = story(state), person(role)
    outcome = expected(role, action, state)
    with django_capture_on_commit_callbacks(execute=False):
        if outcome == "ok":
            run(action, article, user)()
        else:
            refusal = NotAllowed if outcome == "not allowed" else InvalidTransition
            with pytest.raises(refusal) as caught:
                run(action, article, user)()
            assert isinstance(caught.value, PermissionDenied)
    after = Article.objects.get(pk=article.pk)
    events = AuditEvent.objects.filter(article=article)
    if outcome == "ok":
        assert events.filter(action=action, actor=user).exists()
        target = actions.REGISTRY[action].to_state
        assert after.status == (target or state)
    else:
        assert not events.exists()
        assert (after.status, after.version, after.summary) == (
            state,
            article.version,
            article.summary,
        )


def test_a_report_of_a_story_is_never_reviewed_on_its_own() -> None:
    from .factories import reported

    lead = story()
    report = reported(lead)
    boss = person("chief")
    for action in ("approve", "reject", "publish", "edit", "schedule", "rerun"):
        assert actions.can(boss, action, report) is False, action
        with pytest.raises(InvalidTransition, match="one of the sources of story"):
            run(action, report, boss)()
    assert Article.objects.get(pk=report.pk).status == S.IN_REVIEW


# --------------------------------------------------------------------------------------------
# The review queue
# --------------------------------------------------------------------------------------------
DECISIONS = ["approve", "reject", "publish", "submit", "unpublish", "archive", "rerun"]
EXPECTED_HTTP = {"ok": 200, "not allowed": 403, "invalid": 409}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("decision", DECISIONS)
def test_the_queue_enforces_the_table_and_shows_only_allowed_buttons(
    decision: str,
    role: str,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    client = Client()
    user = person(role)
    if role != "anonymous":
        client.force_login(user)
    for state in STATES:
        article = story(state)
        url = reverse("editorial:decide", args=[article.pk])
        with django_capture_on_commit_callbacks(execute=False):
            response = client.post(
                url,
                {"decision": decision, "version": article.version, "reason": "legal"},
                headers={"HX-Request": "true"},
            )
        outcome = expected(role, decision, state)
        if role == "anonymous":
            assert response.status_code == 302  # to the login page
        elif role == "nobody":
            assert response.status_code == 403  # not a desk member at all
        else:
            assert response.status_code == EXPECTED_HTTP[outcome], (decision, state)
        after = Article.objects.get(pk=article.pk)
        if outcome != "ok":
            assert (after.status, after.version) == (state, article.version)
        if role in ("editor", "chief"):
            panel = client.get(
                reverse("editorial:story", args=[article.pk]),
                headers={"HX-Request": "true"},
            ).content.decode()
            offered = f'name="decision" value="{decision}"' in panel
            assert offered is actions.can(user, decision, after), (decision, state)


# --------------------------------------------------------------------------------------------
# The admin
# --------------------------------------------------------------------------------------------
ADMIN_ACTIONS = {
    "approve": "editor",
    "reject": "editor",
    "rerun_enrichment": "editor",
    "publish": "chief",
    "unpublish": "chief",
    "archive": "chief",
}


@pytest.mark.parametrize("role", ["editor", "chief"])
def test_the_admin_offers_each_role_only_its_actions(role: str) -> None:
    client = Client()
    client.force_login(person(role))
    story()
    html = client.get(reverse("admin:articles_article_changelist")).content.decode()
    for name, least in ADMIN_ACTIONS.items():
        assert (f'value="{name}"' in html) is (RANK[role] >= RANK[least]), name


@pytest.mark.parametrize("role", ["editor", "chief"])
@pytest.mark.parametrize("state", STATES)
def test_the_admin_change_form_is_read_only_where_the_rulebook_refuses_edits(
    role: str, state: str
) -> None:
    client = Client()
    client.force_login(person(role))
    article = story(state)
    url = reverse("admin:articles_article_change", args=[article.pk])
    page = client.get(url).content.decode()
    editable = expected(role, "edit", state) == "ok"
    assert ('name="summary"' in page) is editable
    response = client.post(
        url,
        admin_form(
            article, summary="Changed in the admin.", correction="rewrote the summary"
        ),
    )
    after = Article.objects.get(pk=article.pk)
    if editable:
        assert after.summary == "Changed in the admin.", response.content.decode()[:500]
    else:
        assert response.status_code == 403
        assert after.summary == article.summary
