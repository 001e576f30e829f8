"""A story an administrator deletes (a takedown) while an editor has it open: whatever the
editor does next, on any of the desk's actions, is refused with who deleted it and when,
nothing is changed, and the queue drops the row, instead of a bare 404 (which htmx shows as
nothing at all) or, when the deletion lands between the view's look-up and the lock, a
server error."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from editorial import services, views
from editorial.models import AuditEvent
from editorial.services import base
from sources import services as services_of_sources
from stories.clustering import refresh_cluster
from stories.models import ArticleTerm

from ..factories import (
    S,
    administrator,
    chief,
    cluster_of,
    editor,
    nobody,
    reported,
    story,
)

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}

# Each desk action as the queue posts it (``version``: the story's version as loaded).
POSTS: dict[str, Callable[[Article], tuple[str, dict[str, Any]]]] = {
    "approve": lambda a: (
        reverse("editorial:decide", args=[a.pk]),
        {"decision": "approve", "version": a.version},
    ),
    "reject": lambda a: (
        reverse("editorial:decide", args=[a.pk]),
        {"decision": "reject", "version": a.version, "reason": "Off topic."},
    ),
    "edit": lambda a: (
        reverse("editorial:edit", args=[a.pk]),
        {
            "version": a.version,
            "title": a.title,
            "summary": "A better summary.",
            "analysis": "",
            "takeaways": "",
            "importance": 5,
            "sentiment": "neutral",
        },
    ),
    "schedule": lambda a: (
        reverse("editorial:schedule", args=[a.pk]),
        {
            "version": a.version,
            "publish_at": (timezone.now() + timedelta(days=30)).strftime(
                "%Y-%m-%dT09:00"
            ),
            "tz": "UTC",
        },
    ),
    "merge": lambda a: (
        reverse("editorial:merge", args=[a.pk]),
        {"version": a.version, "target": a.pk + 1000},
    ),
}


@pytest.fixture
def people() -> tuple[User, User]:
    """An editor, and the site's administrator (the desk cannot delete: only an
    administrator takes a story down for good)."""
    return editor("dana"), administrator()


def take_down(article: Article, by: User) -> None:
    services.article_delete(article=article.pk, editor=by, note="Legal takedown.")


def said(response: Any) -> dict[str, Any]:
    return json.loads(response["HX-Trigger"])["queue-changed"]


def report_buttons(
    client: Client, report: Article, version: int, **posted: Any
) -> list[tuple[str, Any]]:
    """ "Make lead" and "Split out" posted for ``report`` at ``version`` (htmx): each
    button's name with the answer."""
    return [
        (
            name,
            client.post(
                reverse(f"editorial:{name}", args=[report.pk]),
                {"version": version, **posted},
                headers=HX,
            ),
        )
        for name in ("lead", "split")
    ]


@pytest.mark.parametrize("action", sorted(POSTS))
def test_an_action_on_a_story_deleted_meanwhile_says_who_deleted_it(
    client: Client, people: tuple[User, User], action: str
) -> None:
    dana, morgan = people
    article = story(title="Halvard Steel to lay off 2,800 and idle blast furnace")
    url, data = POSTS[action](article)
    take_down(article, morgan)
    client.force_login(dana)

    response = client.post(url, data, headers=HX)

    assert response.status_code == 410
    html = response.content.decode()
    assert (
        "“Halvard Steel to lay off 2,800 and idle blast furnace” was deleted by morgan"
        in html
    )
    assert "nothing was changed" in html
    assert response["X-Story"] == str(article.pk)
    event = said(response)
    assert event["reload"] is True  # the list comes back without its row
    assert "deleted by morgan" in event["message"]
    assert not AuditEvent.objects.filter(actor=dana).exists()


def test_opening_a_story_deleted_meanwhile_says_so(
    client: Client, people: tuple[User, User]
) -> None:
    dana, morgan = people
    article = story(title="Aster recalls 212,000 EVs")
    take_down(article, morgan)
    client.force_login(dana)

    response = client.get(reverse("editorial:story", args=[article.pk]), headers=HX)

    assert response.status_code == 410
    assert (
        "“Aster recalls 212,000 EVs” was deleted by morgan" in response.content.decode()
    )
    picker = client.get(
        reverse("editorial:merge_picker", args=[article.pk]), headers=HX
    )
    assert picker.status_code == 410


def test_without_javascript_the_queue_says_who_deleted_it_and_keeps_the_text(
    client: Client, people: tuple[User, User]
) -> None:
    """The queue as filtered, nothing else open (a stranger took the first row's story for
    the deleted one), and a rewrite typed for it shown back to copy (an attack)."""
    dana, morgan = people
    article = story(title="Aster recalls 212,000 EVs")
    other = story(title="Still here")
    take_down(article, morgan)
    client.force_login(dana)

    url, data = POSTS["approve"](article)
    response = client.post(url, {**data, "back": "status=all"})
    assert response.status_code == 410
    html = response.content.decode()
    assert "“Aster recalls 212,000 EVs” was deleted by morgan" in html
    assert "data-gone" in html and f'data-pk="{other.pk}" data-version' not in html
    assert 'value="status=all"' in html  # the filters kept for the next post

    url, data = POSTS["edit"](article)
    html = client.post(url, {**data, "summary": "A careful rewrite."}).content.decode()
    assert "What you typed was not saved" in html and "A careful rewrite." in html


def test_a_deletion_between_the_views_look_up_and_the_lock_is_refused_not_a_500(
    client: Client, people: tuple[User, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The chief's deletion commits after the view found the story and before the desk
    locks its row."""
    dana, morgan = people
    article = story(title="Pellucid Retail slashes outlook")
    url, data = POSTS["approve"](article)
    locked = base.locked
    deleting: list[bool] = []

    def deleted_first(target: Article | int) -> Article:
        if not deleting:  # the first lock is dana's; the deletion locks it too
            deleting.append(True)
            take_down(article, morgan)
        return locked(target)

    monkeypatch.setattr(base, "locked", deleted_first)
    client.force_login(dana)

    response = client.post(url, data, headers=HX)

    assert response.status_code == 410
    assert "“Pellucid Retail slashes outlook” was deleted by morgan" in (
        response.content.decode()
    )


def test_bulk_approval_names_the_story_deleted_meanwhile(
    client: Client, people: tuple[User, User]
) -> None:
    dana, morgan = people
    kept, removed = story(title="Kept story"), story(title="Removed story")
    picked = [f"{a.pk}.{a.version}" for a in (kept, removed)]
    take_down(removed, morgan)
    client.force_login(dana)

    response = client.post(
        reverse("editorial:bulk_approve"), {"ids": picked}, follow=True
    )

    page = response.content.decode()
    assert "Approved 1 stories." in page
    assert "“Removed story” was deleted by morgan" in page
    assert "matching query does not exist" not in page
    kept.refresh_from_db()
    assert kept.status == Article.Status.APPROVED


def test_merging_into_a_story_deleted_meanwhile_asks_for_another(
    client: Client, people: tuple[User, User]
) -> None:
    dana, morgan = people
    article, target = story(title="Source story"), story(title="Target story")
    take_down(target, morgan)
    client.force_login(dana)

    response = client.post(
        reverse("editorial:merge", args=[article.pk]),
        {"version": article.version, "target": target.pk},
        headers=HX,
    )

    assert response.status_code == 422
    html = response.content.decode()
    assert "“Target story” was deleted by morgan" in html
    assert "Pick another story to merge into." in html
    article.refresh_from_db()
    assert article.cluster is not None and article.cluster.canonical_id == article.pk


def test_the_service_refuses_a_merge_target_deleted_after_the_view_found_it(
    people: tuple[User, User],
) -> None:
    dana, morgan = people
    article, target = story(title="Source story"), story(title="Target story")
    take_down(target, morgan)

    with pytest.raises(ValidationError, match="“Target story” was deleted by morgan"):
        services.story_merge(
            article=article.pk, target=target.pk, editor=dana, version=article.version
        )


def test_a_report_deleted_meanwhile_cannot_be_made_lead_or_split(
    client: Client, people: tuple[User, User]
) -> None:
    dana, morgan = people
    lead = story(title="Lead report")
    report = reported(lead, title="Second report")
    version = report.version
    take_down(report, morgan)
    client.force_login(dana)

    for name, response in report_buttons(client, report, version):
        assert response.status_code == 410, name
        assert "“Second report” was deleted by morgan" in response.content.decode()


# --- Found by a stranger's pass ----------------------------------------------------------------
def test_a_deleted_reports_buttons_answer_in_the_panel_of_its_story(
    client: Client, people: tuple[User, User]
) -> None:
    """ "Make lead" or "Split out" on a report deleted since: the story stays open, with
    the message, instead of a panel with only the message and the keys acting on nothing."""
    dana, morgan = people
    lead = story(title="Continental Reserve Authority cuts rates")
    report = reported(lead, title="Continental central bank lowers deposit rate")
    version = report.version
    take_down(report, morgan)
    client.force_login(dana)

    for name, response in report_buttons(client, report, version, in_panel=lead.pk):
        assert response.status_code == 410, name
        assert response["X-Story"] == str(lead.pk)
        html = response.content.decode()
        assert f'data-pk="{lead.pk}"' in html
        assert (
            "“Continental central bank lowers deposit rate” was deleted by morgan"
            in html
        )
        assert said(response)["reload"] is True
    # Without JavaScript: the queue with the story still open, and the message.
    response = client.post(
        reverse("editorial:lead", args=[report.pk]),
        {"version": version, "in_panel": lead.pk},
    )
    html = response.content.decode()
    assert f'data-pk="{lead.pk}"' in html and "was deleted by morgan" in html


def test_undo_of_an_action_on_a_story_deleted_since_answers_in_the_open_panel(
    client: Client, people: tuple[User, User]
) -> None:
    dana, morgan = people
    approved, now_open = story(title="Approved then deleted"), story(title="Now open")
    services.article_approve(article=approved, editor=dana, version=approved.version)
    approved.refresh_from_db()
    take_down(approved, morgan)
    client.force_login(dana)

    response = client.post(
        reverse("editorial:undo", args=[approved.pk]),
        {"version": approved.version, "in_panel": now_open.pk},
        headers=HX,
    )

    assert response.status_code == 410
    assert response["X-Story"] == str(now_open.pk)
    assert "“Approved then deleted” was deleted by morgan" in response.content.decode()


def test_a_report_of_a_story_whose_lead_was_deleted_says_the_story_was_deleted(
    client: Client, people: tuple[User, User]
) -> None:
    """The deletion hands the lead to the report (a new version of it): its buttons in the
    deleted story's panel said "morgan changed this story …; your text is kept"."""
    dana, morgan = people
    lead = story(title="Zephyrine Telecom spends $3.4 billion")
    report = reported(lead, title="Zephyrine wins the biggest slice")
    version = report.version
    take_down(lead, morgan)
    client.force_login(dana)

    for name, response in report_buttons(client, report, version, in_panel=lead.pk):
        assert response.status_code == 410, name
        html = response.content.decode()
        assert "“Zephyrine Telecom spends $3.4 billion” was deleted by morgan" in html
        assert "your text is kept" not in html
        assert said(response)["reload"] is True


def test_a_link_to_a_story_deleted_since_says_so_and_opens_no_other(
    client: Client, people: tuple[User, User]
) -> None:
    dana, morgan = people
    deleted, other = story(title="Deleted by legal"), story(title="Still here")
    take_down(deleted, morgan)
    client.force_login(dana)

    for url in (
        reverse("editorial:queue") + f"?open={deleted.pk}",
        reverse("editorial:story", args=[deleted.pk]),  # redirects to the line above
    ):
        response = client.get(url, follow=True)
        assert response.status_code == 200
        html = response.content.decode()
        assert "“Deleted by legal” was deleted by morgan" in html
        assert "nothing was changed" not in html  # nothing was tried
        assert "data-gone" in html
        assert (
            f'id="panel" class="panel" aria-label="Open story" data-pk="{other.pk}"'
            not in html
        )
    # An id that never was a story opens the first one, as before.
    response = client.get(reverse("editorial:queue") + "?open=987654")
    assert f'data-pk="{other.pk}"' in response.content.decode()


def test_a_conflict_on_a_button_does_not_say_text_was_kept(client: Client) -> None:
    article = story(title="Rail strike called off")
    services.article_edit(
        article=article, editor=editor("alice"), version=1, changes={"importance": 2}
    )
    client.force_login(editor("bob"))

    response = client.post(
        reverse("editorial:decide", args=[article.pk]),
        {"decision": "approve", "version": 1},
        headers=HX,
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert (
        "alice changed this story since you opened it (edited the importance; "
        "version 1 → 2); nothing was done" in html
    )
    assert "your text is kept" not in html
    assert said(response)["refused"] is True


# --- Found by an attack ------------------------------------------------------------------------
def test_a_reports_panel_renders_while_its_lead_is_deleted(
    client: Client, people: tuple[User, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    dana, morgan = people
    lead = story(title="Lead report")
    report = reported(lead, title="Second report")
    mark = views._mark_presence

    def deleting(article: Article, user: Any) -> None:
        mark(article, user)
        if Article.objects.filter(pk=lead.pk).exists():
            take_down(lead, morgan)

    monkeypatch.setattr(views, "_mark_presence", deleting)
    client.force_login(dana)

    response = client.get(reverse("editorial:story", args=[report.pk]), headers=HX)

    assert response.status_code == 200
    assert "Second report" in response.content.decode()


def test_a_panel_renders_when_the_story_of_the_last_action_is_deleted_meanwhile(
    client: Client, people: tuple[User, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    dana, morgan = people
    approved, other = story(title="Approved"), story(title="Other")
    services.article_approve(article=approved.pk, editor=dana, version=1)
    last = services.last_undoable

    def deleting(user: Any) -> Any:
        event = last(user)
        if event and Article.objects.filter(pk=approved.pk).exists():
            take_down(approved, morgan)
        return event

    monkeypatch.setattr(services, "last_undoable", deleting)
    client.force_login(dana)

    response = client.get(reverse("editorial:story", args=[other.pk]), headers=HX)

    assert response.status_code == 200
    assert 'data-key="u"' not in response.content.decode()  # nothing left to undo


def test_the_merge_picker_of_a_deleted_story_replaces_the_panel_not_nests_in_it(
    client: Client, people: tuple[User, User]
) -> None:
    dana, morgan = people
    article = story(title="Deleted by legal")
    take_down(article, morgan)
    client.force_login(dana)

    response = client.get(
        reverse("editorial:merge_picker", args=[article.pk]),
        headers={**HX, "HX-Target": "merge-picker"},
    )

    assert response.status_code == 410
    assert response["HX-Retarget"] == "#panel-slot"
    assert response["HX-Reswap"] == "innerHTML"


def test_a_merge_whose_story_is_deleted_after_the_views_look_up_answers_for_it(
    client: Client, people: tuple[User, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    dana, morgan = people
    source, target = story(title="Source story"), story(title="Target story")
    merge = services.story_merge

    def deleting(**kwargs: Any) -> Any:
        take_down(source, morgan)
        return merge(**kwargs)

    monkeypatch.setattr(services, "story_merge", deleting)
    client.force_login(dana)

    response = client.post(
        reverse("editorial:merge", args=[source.pk]),
        {"version": 1, "target": target.pk},
        headers=HX,
    )

    assert response.status_code == 410
    assert response["X-Story"] == str(source.pk)  # not the target's panel
    assert "“Source story” was deleted by morgan" in response.content.decode()
    assert said(response)["reload"] is True


def test_a_story_deleted_with_its_source_says_so_and_who_deleted_it(
    client: Client, people: tuple[User, User]
) -> None:
    """An attack: deleting a source takes its stories with it, unrecorded; the desk
    answered a bare 404 (nothing on screen), and the history said nothing. (A chief may
    delete a source only once it has no articles: the admin asks for the articles' delete
    permission, which only an administrator has.)"""
    dana, morgan = people
    article = story(title="Ledger Daily lead story")
    source_name = article.source.name
    client.force_login(morgan)
    response = client.post(
        reverse("admin:sources_source_delete", args=[article.source_id]),
        {"post": "yes"},
    )
    assert response.status_code == 302
    assert not Article.objects.filter(pk=article.pk).exists()
    event = AuditEvent.objects.get(article_id=article.pk, action="delete")
    assert (event.actor, event.label) == (morgan, "Ledger Daily lead story")

    client.force_login(dana)
    url, data = POSTS["approve"](article)
    response = client.post(url, data, headers=HX)

    assert response.status_code == 410
    assert (
        f"“Ledger Daily lead story” was deleted with its source “{source_name}” by morgan"
        in response.content.decode()
    )


def test_the_admins_delete_confirmation_lists_no_search_index_rows(
    client: Client, people: tuple[User, User]
) -> None:
    """A stranger: the confirmation listed 24 "Article term: aurali" lines."""
    _dana, morgan = people
    article = story(title="Auralis patches router flaw")
    ArticleTerm.objects.bulk_create(
        ArticleTerm(article=article, term=term, published_at=article.published_at)
        for term in ("aurali", "router", "flaw")
    )
    client.force_login(morgan)

    page = client.get(reverse("admin:articles_article_delete", args=[article.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    assert "Auralis patches router flaw" in html
    assert "Article term" not in html and "aurali<" not in html


def test_what_the_editor_typed_for_a_deleted_story_is_shown_to_copy(
    client: Client, people: tuple[User, User]
) -> None:
    """A stranger: saving a rewrite of a story deleted meanwhile threw the text away."""
    dana, morgan = people
    article = story(title="Aster recalls 212,000 EVs")
    url, data = POSTS["edit"](article)
    take_down(article, morgan)
    client.force_login(dana)

    rewrite = "Dana's careful rewrite <of> the summary."
    response = client.post(url, {**data, "summary": rewrite}, headers=HX)

    assert response.status_code == 410
    html = response.content.decode()
    assert "What you typed was not saved" in html
    assert "Dana&#x27;s careful rewrite &lt;of&gt; the summary." in html
    assert "<textarea readonly" in html


def test_the_message_names_the_report_that_now_leads_the_story(
    client: Client, people: tuple[User, User]
) -> None:
    """A stranger: a new row appeared after a deletion that said "nothing was changed"."""
    dana, morgan = people
    lead = story(title="Saltmarsh storage project reaches financial close")
    reported(lead, title="Verdant Grid finalises Saltmarsh financing")
    url, data = POSTS["approve"](lead)
    take_down(lead, morgan)
    client.force_login(dana)

    response = client.post(url, data, headers=HX)

    assert "“Verdant Grid finalises Saltmarsh financing” now leads its story." in (
        response.content.decode()
    )


# --- Found by a second attack ------------------------------------------------------------------
def test_undo_works_when_the_story_whose_panel_it_sits_on_was_deleted(
    client: Client, people: tuple[User, User]
) -> None:
    """The Undo form says which panel it is in (``in_panel``) only to answer there: the
    deletion of that story must not refuse the undo of another."""
    dana, morgan = people
    approved, open_one = story(title="B approved"), story(title="A open")
    services.article_approve(article=approved.pk, editor=dana, version=approved.version)
    approved.refresh_from_db()
    take_down(open_one, morgan)
    client.force_login(dana)

    response = client.post(
        reverse("editorial:undo", args=[approved.pk]),
        {"version": approved.version, "in_panel": open_one.pk},
        headers=HX,
    )

    assert response.status_code == 200
    approved.refresh_from_db()
    assert approved.status == Article.Status.IN_REVIEW


@pytest.mark.parametrize("first", ["reject", "publish"])
def test_a_conflict_whose_form_is_gone_shows_the_text_instead_of_saying_it_is_kept(
    client: Client, first: str
) -> None:
    """Another editor rejected (or a chief published) first: the reject form (or the
    schedule form) is not in the new panel, so "your text is kept" pointed at nothing."""
    article = story(title="Rail strike called off")
    if first == "reject":
        services.article_reject(
            article=article.pk, editor=editor("alice"), version=1, reason="Duplicate."
        )
        post = {"decision": "reject", "version": 1, "reason": "Bob's long reason"}
        url = reverse("editorial:decide", args=[article.pk])
        client.force_login(editor("bob"))
    else:
        services.article_publish(article=article.pk, editor=chief("alice"), version=1)
        when = (timezone.now() + timedelta(days=30)).strftime("%Y-%m-%dT09:00")
        post = {"version": 1, "publish_at": when, "tz": "UTC"}
        url = reverse("editorial:schedule", args=[article.pk])
        client.force_login(chief("bob"))

    response = client.post(url, post, headers=HX)

    assert response.status_code == 409
    html = response.content.decode()
    assert "nothing was done" in html and "your text is kept" not in html
    assert "What you typed was not saved" in html
    typed = str(post.get("reason") or post["publish_at"])
    assert typed.replace("'", "&#x27;") in html


def test_the_report_named_as_the_new_lead_still_leads(
    people: tuple[User, User],
) -> None:
    dana, morgan = people
    lead = story(title="Lead deleted")
    heir = reported(lead, title="Heir report")
    other = story(title="Other story")
    take_down(lead, morgan)
    assert "“Heir report” now leads its story." in str(services.gone(lead.pk))
    heir.refresh_from_db()
    services.story_merge(
        article=heir.pk, target=other.pk, editor=morgan, version=heir.version
    )

    assert "now leads its story" not in str(services.gone(lead.pk))


def test_a_lead_deleted_with_its_source_names_the_report_that_now_leads(
    client: Client, people: tuple[User, User]
) -> None:
    """A second attack: a source's deletion handed its stories' leads on unrecorded, so
    the desk could not say which report now leads (a desk deletion does)."""
    _dana, morgan = people
    lead = story(title="Lead from the deleted source")
    reported(lead, title="Other outlet's report")
    client.force_login(morgan)
    client.post(
        reverse("admin:sources_source_delete", args=[lead.source_id]), {"post": "yes"}
    )

    said_now = str(services.gone(lead.pk))
    assert "with its source" in said_now
    assert "“Other outlet's report” now leads its story." in said_now


def test_the_report_that_takes_the_lead_from_a_deleted_source_says_so_and_moves_on(
    client: Client, people: tuple[User, User]
) -> None:
    """As after the desk's deletion of a lead: the report now leading has it in its
    history, and a form loaded before the deletion is stale (its version moved on), so an
    edit typed for the old lead is not saved over the new one's copy unseen."""
    dana, morgan = people
    lead = story(title="Lead from the deleted source")
    heir = reported(lead, title="Other outlet's report", summary="The heir's own copy.")
    client.force_login(morgan)
    client.post(
        reverse("admin:sources_source_delete", args=[lead.source_id]), {"post": "yes"}
    )

    handed = AuditEvent.objects.get(article_id=heir.pk, action="lead_handed_on")
    assert (handed.actor, handed.changes["canonical"]) == (morgan, [lead.pk, heir.pk])
    assert f"deleted with its source “{lead.source.name}”" in handed.note
    client.force_login(dana)
    url, data = POSTS["edit"](heir)  # as loaded before the deletion
    response = client.post(url, data, headers=HX)
    assert response.status_code == 409
    heir.refresh_from_db()
    assert heir.summary == "The heir's own copy."


def test_a_story_counts_its_reports_again_when_a_source_goes(
    client: Client, people: tuple[User, User]
) -> None:
    """An attacker: after a source's deletion its stories kept their counts ("and 2 more"
    on a front-page card with one report left)."""
    _dana, morgan = people
    lead = story(title="Helios buys Lumen")
    gone_report = reported(lead, title="Market Pulse's report")
    reported(lead, title="A third outlet's report")
    refresh_cluster(cluster_of(lead).pk)
    assert (cluster_of(lead).article_count, cluster_of(lead).source_count) == (3, 3)
    client.force_login(morgan)
    client.post(
        reverse("admin:sources_source_delete", args=[gone_report.source_id]),
        {"post": "yes"},
    )

    assert (cluster_of(lead).article_count, cluster_of(lead).source_count) == (2, 2)


def test_sources_deleted_together_hand_no_lead_to_a_report_deleted_with_them(
    client: Client, people: tuple[User, User]
) -> None:
    """An attacker's third pass: "delete selected" on two sources recorded leads handed to
    reports of the other source, deleted in the same action."""
    _dana, morgan = people
    lead = story(title="Lead from the first source")
    doomed = reported(lead, title="Report from the second source")
    survivor = reported(lead, title="Report from a third source")
    Article.objects.filter(pk=doomed.pk).update(published_at=lead.published_at)
    client.force_login(morgan)
    client.post(
        reverse("admin:sources_source_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [lead.source_id, doomed.source_id],
            "post": "yes",
        },
    )

    assert list(Article.objects.values_list("pk", flat=True)) == [survivor.pk]
    deleted = AuditEvent.objects.get(article_id=lead.pk, action="delete")
    assert deleted.changes["lead_to"] == survivor.pk
    assert cluster_of(survivor).canonical_id == survivor.pk


def test_deleting_a_source_with_published_stories_asks_why(
    client: Client, people: tuple[User, User]
) -> None:
    """An attacker's find: deleting a source took its published stories off the site with
    nothing in their history but "deleted with its source"; an article's delete asks why."""
    _dana, morgan = people
    published = story(S.PUBLISHED, title="Port reopens after storm")
    source = published.source
    url = reverse("admin:sources_source_delete", args=[source.pk])
    client.force_login(morgan)
    page = client.get(url).text
    assert "1 of the stories of" in page and 'name="reason"' in page
    refused = client.post(url, {"post": "yes", "reason": "\u200b"}, follow=True)
    assert "A reason is required." in refused.text
    assert Article.objects.filter(pk=published.pk).exists()
    with pytest.raises(ValidationError, match="Say why"):
        services_of_sources.sources_delete(sources=[source], by=morgan)
    assert Article.objects.filter(pk=published.pk).exists()

    client.post(url, {"post": "yes", "reason": "The outlet's licence was withdrawn"})
    assert not Article.objects.filter(pk=published.pk).exists()
    deleted = AuditEvent.objects.get(article_id=published.pk, action="delete")
    assert deleted.note == (
        f"deleted with its source “{source.name}”: The outlet's licence was withdrawn"
    )


def test_deleting_selected_sources_leaves_those_with_stories_on_the_site_alone(
    client: Client, people: tuple[User, User]
) -> None:
    _dana, morgan = people
    published = story(S.PUBLISHED, title="Port reopens after storm")
    waiting = story(title="Rail strike called off")
    client.force_login(morgan)
    answer = client.post(
        reverse("admin:sources_source_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [published.source_id, waiting.source_id],
            "post": "yes",
        },
        follow=True,
    )
    assert "delete each of those on its own page" in answer.text
    assert Article.objects.count() == 2


# --- Found by the re-read: what no test asked yet -----------------------------------------------
@pytest.mark.parametrize("who", ["anonymous", "nobody"])
def test_only_the_desk_learns_who_deleted_a_story(
    client: Client, people: tuple[User, User], who: str
) -> None:
    """Outside the desk, a deleted story's actions say nothing of it: the login page for a
    visitor, a 403 for signed-in staff outside the desk groups."""
    _dana, morgan = people
    article = story(title="Defamatory claim about a rival")
    take_down(article, morgan)
    if who == "nobody":
        client.force_login(nobody())

    answers = [client.post(*POSTS[action](article), headers=HX) for action in POSTS]
    answers.append(
        client.get(reverse("editorial:story", args=[article.pk]), headers=HX)
    )
    answers.append(client.get(reverse("editorial:queue") + f"?open={article.pk}"))

    for response in answers:
        assert response.status_code == (302 if who == "anonymous" else 403)
        body = response.content.decode() + response.get("HX-Trigger", "")
        assert "Defamatory" not in body and "morgan" not in body


@pytest.mark.parametrize("forged", ["abc", "-1", "²", "9" * 30, "0"])
def test_a_forged_panel_id_changes_nothing_about_the_answer(
    client: Client, people: tuple[User, User], forged: str
) -> None:
    dana, morgan = people
    article = story(title="Deleted by legal")
    take_down(article, morgan)
    client.force_login(dana)

    url, data = POSTS["approve"](article)
    response = client.post(url, {**data, "in_panel": forged}, headers=HX)

    assert response.status_code == 410
    assert response["X-Story"] == str(article.pk)
    assert "“Deleted by legal” was deleted by morgan" in response.content.decode()


def test_a_deletion_from_another_year_says_the_year(people: tuple[User, User]) -> None:
    _dana, morgan = people
    article = story(title="Old story")
    take_down(article, morgan)
    AuditEvent.objects.filter(article_id=article.pk, action="delete").update(
        at=timezone.make_aware(datetime(2019, 3, 3, 14, 5))
    )

    assert "(3 Mar 2019 14:05)" in str(services.gone(article.pk))
