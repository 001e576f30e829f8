from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries, DjangoCaptureOnCommitCallbacks

from articles.models import Article
from editorial import services
from editorial.models import AuditEvent, Correction
from tests.factories import ArticleFactory

from .factories import admin_form, administrator, chief, editor

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:articles_article_changelist"


def login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def deleter() -> User:
    """An editor given Django's delete permission on articles, but not publish."""
    user = editor("deleter")
    user.user_permissions.add(Permission.objects.get(codename="delete_article"))
    return user


def confirm(
    client: Client, chosen: dict[str, Any] | str, reason: str, *, follow: bool = False
) -> Any:
    """Send an admin action's reason page back as a browser would: the page's hidden
    fields (which stories it acts on) and ``reason``. ``chosen``: the action and the
    stories to ask the page for, or the page itself (shown earlier)."""
    page = (
        chosen
        if isinstance(chosen, str)
        else client.post(reverse(CHANGELIST), chosen).text
    )
    data: dict[str, list[str]] = {}
    for name, value in re.findall(
        r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page
    ):
        data.setdefault(name, []).append(value)
    assert "apply" not in data and "action" in data, page[:2000]
    return client.post(
        reverse(CHANGELIST), {**data, "apply": "1", "reason": reason}, follow=follow
    )


def test_the_article_list_shows_ai_and_editor_importance_in_constant_queries(
    client: Client, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    ArticleFactory.create_batch(30, status=Article.Status.IN_REVIEW, importance=4)
    login(client, editor())
    with django_assert_max_num_queries(12):
        response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    assert "AI importance" in response.content.decode()


def test_editors_approve_from_the_admin_and_it_is_audited(client: Client) -> None:
    article = ArticleFactory.create(status=Article.Status.IN_REVIEW)
    login(client, editor())
    client.post(
        reverse(CHANGELIST), {"action": "approve", "_selected_action": [article.pk]}
    )
    article.refresh_from_db()
    assert article.status == Article.Status.APPROVED
    assert AuditEvent.objects.get().action == "approve"


def test_rejecting_from_the_admin_asks_for_a_reason(client: Client) -> None:
    article = ArticleFactory.create(status=Article.Status.IN_REVIEW)
    login(client, editor())
    page = client.post(
        reverse(CHANGELIST), {"action": "reject", "_selected_action": [article.pk]}
    )
    assert "Say why" in page.content.decode()
    assert Article.objects.get(pk=article.pk).status == Article.Status.IN_REVIEW
    confirm(
        client,
        {"action": "reject", "_selected_action": [article.pk]},
        "press release, not news",
    )
    assert Article.objects.get(pk=article.pk).status == Article.Status.REJECTED
    assert AuditEvent.objects.get().note == "press release, not news"


def test_unpublishing_from_the_admin_asks_for_a_reason(client: Client) -> None:
    article = ArticleFactory.create(status=Article.Status.PUBLISHED)
    login(client, chief())
    page = client.post(
        reverse(CHANGELIST), {"action": "unpublish", "_selected_action": [article.pk]}
    )
    assert "Say why" in page.text and 'value="unpublish"' in page.text
    assert Article.objects.get(pk=article.pk).status == Article.Status.PUBLISHED
    empty = confirm(
        client, {"action": "unpublish", "_selected_action": [article.pk]}, "  "
    )
    assert "A reason is required." in empty.text
    assert Article.objects.get(pk=article.pk).status == Article.Status.PUBLISHED
    confirm(
        client,
        {"action": "unpublish", "_selected_action": [article.pk]},
        "wrong company named",
    )
    assert Article.objects.get(pk=article.pk).status == Article.Status.APPROVED
    assert AuditEvent.objects.get().note == "wrong company named"


def test_archiving_from_the_admin_asks_a_reason_only_for_stories_on_the_site(
    client: Client,
) -> None:
    approved = ArticleFactory.create(status=Article.Status.APPROVED)
    published = ArticleFactory.create(status=Article.Status.PUBLISHED)
    login(client, chief())
    client.post(
        reverse(CHANGELIST), {"action": "archive", "_selected_action": [approved.pk]}
    )
    assert Article.objects.get(pk=approved.pk).status == Article.Status.ARCHIVED
    both = [approved.pk, published.pk]
    page = client.post(
        reverse(CHANGELIST), {"action": "archive", "_selected_action": both}
    )
    assert "Those published come off the site" in page.text
    assert Article.objects.get(pk=published.pk).status == Article.Status.PUBLISHED
    confirm(
        client,
        {"action": "archive", "_selected_action": [published.pk]},
        "superseded by a fuller story",
    )
    assert Article.objects.get(pk=published.pk).status == Article.Status.ARCHIVED
    assert AuditEvent.objects.latest("pk").note == "superseded by a fuller story"


def test_the_admins_reason_page_says_what_each_story_is_and_refuses_empty_reasons(
    client: Client,
) -> None:
    """Strangers' and attackers' finds: the page listed stories the action would skip
    without a word, and a reason of control characters or 100,000 characters was kept."""
    published = ArticleFactory.create(status=Article.Status.PUBLISHED, title="Port")
    waiting = ArticleFactory.create(status=Article.Status.IN_REVIEW, title="Rail")
    login(client, chief())
    both = {"action": "unpublish", "_selected_action": [published.pk, waiting.pk]}
    page = client.post(reverse(CHANGELIST), both)
    assert "Port <small>(published)</small>" in page.text
    assert "Rail <small>(in review: left as it is)</small>" in page.text
    for junk in ["\u200b\x01", "x" * 2001]:
        again = confirm(client, both, junk)
        assert "Say why" in again.text  # the page again, with the message
        assert Article.objects.get(pk=published.pk).status == Article.Status.PUBLISHED
    done = confirm(client, both, "Legal hold", follow=True)
    assert "Unpublished: 1 story." in done.text
    assert Article.objects.get(pk=waiting.pk).status == Article.Status.IN_REVIEW


def test_a_story_the_reason_page_leaves_alone_stays_alone_if_it_changes_meanwhile(
    client: Client,
) -> None:
    """An attacker's find: a story the page listed as "left as it is" was published by a
    colleague before the reason was sent, then taken down with a reason written for
    another story."""
    port = ArticleFactory.create(status=Article.Status.PUBLISHED, title="Port")
    rail = ArticleFactory.create(status=Article.Status.APPROVED, title="Rail")
    login(client, chief())
    chosen = {"action": "unpublish", "_selected_action": [port.pk, rail.pk]}
    page = client.post(reverse(CHANGELIST), chosen).text
    assert "Rail <small>(approved: left as it is)</small>" in page
    services.article_publish(article=rail.pk, editor=chief("colleague"))
    confirm(client, page, "Legal hold on the port story")
    assert Article.objects.get(pk=port.pk).status == Article.Status.APPROVED
    assert Article.objects.get(pk=rail.pk).status == Article.Status.PUBLISHED


def test_an_admin_delete_with_a_reason_too_long_is_refused_not_a_500(
    client: Client,
) -> None:
    """An attacker's find: a reason over 2,000 characters (or one at the box's limit
    with line breaks, which the browser sends as two characters each) was a 500."""
    article = ArticleFactory.create(status=Article.Status.PUBLISHED)
    url = reverse("admin:articles_article_delete", args=[article.pk])
    login(client, administrator())
    refused = client.post(url, {"post": "yes", "reason": "x" * 2001}, follow=True)
    assert refused.status_code == 200 and "under 2000 characters" in refused.text
    assert Article.objects.filter(pk=article.pk).exists()
    at_the_limit = ("y" * 199 + "\r\n") * 10  # 2,000 as the box counts, 2,010 sent
    client.post(url, {"post": "yes", "reason": at_the_limit})
    assert not Article.objects.filter(pk=article.pk).exists()


def test_an_archive_confirmed_after_the_story_left_the_site_keeps_its_reason(
    client: Client,
) -> None:
    """Attackers' finds: a story unpublished by another chief between the reason page
    and "apply" was archived without the reason typed for it; then (with the reason) it
    was still archived, though the page had shown it published. A story changed since
    the page was shown is left as it is, and the message says so."""
    article = ArticleFactory.create(status=Article.Status.PUBLISHED, title="Port")
    login(client, chief())
    chosen = {"action": "archive", "_selected_action": [article.pk]}
    page = client.post(reverse(CHANGELIST), chosen).text
    assert "Say why" in page
    services.article_unpublish(article=article, editor=chief("other"), reason="first")
    done = confirm(client, page, "typed reason", follow=True)
    assert "Port: changed since this page was shown (now approved); left as it is." in (
        done.text
    )
    assert Article.objects.get(pk=article.pk).status == Article.Status.APPROVED
    assert not AuditEvent.objects.filter(article_id=article.pk, action="archive")


def test_deleting_a_published_story_in_the_admin_asks_why(client: Client) -> None:
    """An attacker's find: the site's administrator deleted a published story, taking it
    off the site, with nothing in its history to say why."""
    article = ArticleFactory.create(status=Article.Status.PUBLISHED, title="Port")
    url = reverse("admin:articles_article_delete", args=[article.pk])
    login(client, administrator())
    assert 'name="reason"' in client.get(url).text
    refused = client.post(url, {"post": "yes", "reason": " \u200b "}, follow=True)
    assert "A reason is required." in refused.text
    assert Article.objects.filter(pk=article.pk).exists()
    client.post(url, {"post": "yes", "reason": "Defamatory, legal says kill"})
    assert not Article.objects.filter(pk=article.pk).exists()
    deleted = AuditEvent.objects.get(article_id=article.pk, action="delete")
    assert deleted.note == "Defamatory, legal says kill"


def test_deleting_selected_stories_asks_why_only_when_one_is_published(
    client: Client,
) -> None:
    waiting = ArticleFactory.create(status=Article.Status.IN_REVIEW, title="Rail")
    published = ArticleFactory.create(status=Article.Status.PUBLISHED, title="Port")
    login(client, administrator())
    plain = {"action": "delete_selected", "_selected_action": [waiting.pk]}
    assert "Are you sure" in client.post(reverse(CHANGELIST), plain).text
    both = {"action": "delete_selected", "_selected_action": [waiting.pk, published.pk]}
    page = client.post(reverse(CHANGELIST), both)
    assert "Say why" in page.text and "Port <small>(published)</small>" in page.text
    assert "delete-confirmation" in page.text  # its button is red, as Django's delete
    assert Article.objects.count() == 2
    confirm(client, both, "Legal hold")
    assert not Article.objects.exists()
    notes = set(
        AuditEvent.objects.filter(action="delete").values_list("note", flat=True)
    )
    assert notes == {"Legal hold"}


def test_the_admins_publish_leaves_a_story_taken_off_the_site_to_the_queue(
    client: Client,
) -> None:
    """Its bulk "Publish" put back a story unpublished for a legal hold, unasked."""
    held = ArticleFactory.create(status=Article.Status.PUBLISHED, title="Mayor resigns")
    services.article_unpublish(article=held, editor=chief("dana"), reason="Legal hold")
    ready = ArticleFactory.create(status=Article.Status.APPROVED, title="Port reopens")
    login(client, chief())
    answer = client.post(
        reverse(CHANGELIST),
        {"action": "publish", "_selected_action": [held.pk, ready.pk]},
        follow=True,
    )
    assert "Mayor resigns: taken off the site; publish it again from the" in answer.text
    assert "Published: 1 story." in answer.text
    assert Article.objects.get(pk=held.pk).status == Article.Status.APPROVED
    assert Article.objects.get(pk=ready.pk).status == Article.Status.PUBLISHED


def test_the_admins_publish_reads_which_stories_were_taken_down_in_one_query(
    client: Client,
) -> None:
    """The re-read: it asked each selected story's history in turn, a query per row."""
    boss = chief("dana")
    login(client, chief())
    counts = []
    for held_count in (1, 5):
        held = ArticleFactory.create_batch(held_count, status=Article.Status.PUBLISHED)
        for article in held:
            services.article_unpublish(article=article, editor=boss, reason="Legal")
        chosen = {"action": "publish", "_selected_action": [a.pk for a in held]}
        with CaptureQueriesContext(connection) as queries:
            client.post(reverse(CHANGELIST), chosen)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert not Article.objects.filter(status=Article.Status.PUBLISHED).exists()


def test_only_chief_editors_get_the_publish_action(client: Client) -> None:
    article = ArticleFactory.create(status=Article.Status.APPROVED)
    login(client, editor())
    assert "Publish" not in client.get(reverse(CHANGELIST)).content.decode()
    client.post(
        reverse(CHANGELIST), {"action": "publish", "_selected_action": [article.pk]}
    )
    assert Article.objects.get(pk=article.pk).status == Article.Status.APPROVED
    login(client, chief())
    client.post(
        reverse(CHANGELIST), {"action": "publish", "_selected_action": [article.pk]}
    )
    assert Article.objects.get(pk=article.pk).status == Article.Status.PUBLISHED


def test_a_stale_admin_save_is_refused_and_shows_what_changed(client: Client) -> None:
    article = ArticleFactory.create(
        status=Article.Status.IN_REVIEW, summary="AI text", importance=5
    )
    url = reverse("admin:articles_article_change", args=[article.pk])
    alice, bob = Client(), Client()
    login(alice, editor("alice"))
    login(bob, editor("bob"))
    stale = admin_form(article)  # both opened version 1
    first = alice.post(url, admin_form(article, summary="Alice's text"))
    assert first.status_code == 302, first.content.decode()[:2000]
    second = bob.post(url, {**stale, "summary": "Bob's text"})
    html = second.content.decode()
    assert second.status_code == 200
    assert "alice changed this story" in html
    assert (
        "Bob&#x27;s text" in html or "Bob's text" in html
    )  # his text is still in the form
    article.refresh_from_db()
    assert article.summary == "Alice's text"
    assert AuditEvent.objects.filter(action="edit").count() == 1


def test_an_edit_is_reverted_from_the_history_in_the_admin(client: Client) -> None:
    from editorial import services

    article = ArticleFactory.create(status=Article.Status.IN_REVIEW, summary="AI text")
    user = editor()
    services.article_edit(
        article=article, editor=user, version=1, changes={"summary": "Mine"}
    )
    event = AuditEvent.objects.get()
    login(client, user)
    client.post(
        reverse("admin:editorial_auditevent_changelist"),
        {"action": "revert", "_selected_action": [event.pk]},
    )
    assert Article.objects.get(pk=article.pk).summary == "AI text"


def changelist_post(article: Article, importance: int, version: int) -> dict[str, Any]:
    return {
        "form-TOTAL_FORMS": 1,
        "form-INITIAL_FORMS": 1,
        "form-MIN_NUM_FORMS": 0,
        "form-MAX_NUM_FORMS": 1000,
        "form-0-id": article.pk,
        "form-0-importance_0": importance,
        "form-0-importance_1": version,
        "_save": "Save",
    }


def test_importance_is_editable_in_the_list_with_the_same_conflict_check(
    client: Client,
) -> None:
    article = ArticleFactory.create(status=Article.Status.IN_REVIEW, importance=5)
    login(client, editor())
    page = client.get(reverse(CHANGELIST)).content.decode()
    assert 'name="form-0-importance_1"' in page  # the row carries its version
    client.post(reverse(CHANGELIST), changelist_post(article, 8, 1))
    article.refresh_from_db()
    assert (article.importance, article.version) == (8, 2)
    assert AuditEvent.objects.get().changes["importance"] == [5, 8]
    # A second editor's list, loaded at version 1, is refused and changes nothing.
    other = Client()
    login(other, editor("other"))
    refused = other.post(reverse(CHANGELIST), changelist_post(article, 3, 1))
    article.refresh_from_db()
    assert article.importance == 8
    # It says who did what (a stranger: "Changed by someone else" named neither).
    assert (
        "changed this story since you opened it (edited the importance; version 1 → 2)"
        in refused.content.decode()
    )


def test_a_published_storys_importance_is_saved_from_the_list_without_a_public_note(
    client: Client,
) -> None:
    """A stranger: the list refused it with "Say what was corrected: readers see this
    note", and the list has no note to fill in. A new importance re-ranks the story; it
    corrects nothing readers were told, so it leaves no public correction (the history
    keeps it)."""
    article = ArticleFactory.create(status=Article.Status.PUBLISHED, importance=5)
    login(client, chief())
    client.post(reverse(CHANGELIST), changelist_post(article, 9, 1))
    article.refresh_from_db()
    assert article.importance == 9
    assert AuditEvent.objects.get().changes["importance"] == [5, 9]
    assert not Correction.objects.exists()


def test_the_admin_re_run_is_the_queues_service_with_its_permission_and_audit(
    client: Client,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    """Regression: the admin's re-run skipped the audit and needed only `change`."""
    from editorial.models import AuditEvent
    from enrichment.models import Enrichment
    from tests.factories import enrich

    article = ArticleFactory.create(
        status=Article.Status.NEW, text="Plenty of text. " * 30
    )
    enrich(article.pk)
    login(client, editor())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse(CHANGELIST),
            {"action": "rerun_enrichment", "_selected_action": [article.pk]},
        )
    assert Enrichment.objects.filter(article=article).count() == 2
    assert AuditEvent.objects.filter(article=article, action="rerun").exists()


def test_the_admin_says_why_a_published_story_is_not_re_run(client: Client) -> None:
    article = ArticleFactory.create(status=Article.Status.PUBLISHED)
    login(client, chief())
    response = client.post(
        reverse(CHANGELIST),
        {"action": "rerun_enrichment", "_selected_action": [article.pk]},
        follow=True,
    )
    assert (
        "cannot re-run the AI on a story that is published" in response.content.decode()
    )


def test_takeaways_are_edited_as_lines_in_the_admin(client: Client) -> None:
    article = ArticleFactory.create(status=Article.Status.IN_REVIEW, takeaways=["Old."])
    login(client, editor())
    url = reverse("admin:articles_article_change", args=[article.pk])
    page = client.get(url).content.decode()
    assert "Old.</textarea>" in page  # a line, not a JSON list
    client.post(url, admin_form(article, takeaways="First point.\nSecond point.\n"))
    article.refresh_from_db()
    assert article.takeaways == ["First point.", "Second point."]


def test_select_all_then_a_reason_acts_on_every_story_the_filter_selects(
    client: Client, settings: Any
) -> None:
    """ "Select all N" and Reject: the reason page sent a field per story back, and from
    DATA_UPLOAD_MAX_NUMBER_FIELDS (1,000: 500 stories) the confirmation was a 400. The
    page now names the first stories, counts the rest and keeps the changelist's filter."""
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 40
    batch = ArticleFactory.create_batch(30, status=Article.Status.IN_REVIEW)
    kept = ArticleFactory.create(status=Article.Status.PUBLISHED)  # outside the filter
    login(client, editor())
    url = reverse(CHANGELIST) + "?status__exact=in_review"
    chosen = {
        "action": "reject",
        "select_across": "1",
        "index": "0",
        "_selected_action": [a.pk for a in batch[:10]],  # the page's boxes
    }
    page = client.post(url, chosen).text
    assert "Say why" in page
    assert page.count("(in review)") == 30
    data: dict[str, list[str]] = {}
    for name, value in re.findall(
        r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page
    ):
        data.setdefault(name, []).append(value)
    done = client.post(
        url, {**data, "apply": "1", "reason": "wire duplicates"}, follow=True
    )
    assert done.status_code == 200, done.status_code
    assert "Rejected: 30 stories." in done.text
    assert set(Article.objects.values_list("status", flat=True)) == {
        Article.Status.REJECTED,
        Article.Status.PUBLISHED,
    }
    assert Article.objects.get(pk=kept.pk).status == Article.Status.PUBLISHED


def test_the_reason_page_names_a_hundred_stories_and_counts_the_rest(
    client: Client,
) -> None:
    ArticleFactory.create_batch(105, status=Article.Status.IN_REVIEW)
    login(client, editor())
    page = client.post(
        reverse(CHANGELIST),
        {
            "action": "reject",
            "select_across": "1",
            "index": "0",
            "_selected_action": ["1"],
        },
    ).text
    assert page.count("(in review)") == 100
    assert "and 5 more" in page


def test_deleting_a_published_story_still_says_what_goes_with_it(
    client: Client,
) -> None:
    """A stranger: the page that asks why a published story is deleted dropped Django's
    list of what the delete takes with it (its corrections, here)."""
    article = ArticleFactory.create(status=Article.Status.PUBLISHED, title="Port")
    Correction.objects.create(article=article, note="Figure fixed", fields=["summary"])
    login(client, administrator())
    page = client.get(reverse("admin:articles_article_delete", args=[article.pk])).text
    assert "Say why" in page
    assert "<h2>Summary</h2>" in page and "Corrections: 1" in page
    assert "Figure fixed" in page


def test_no_take_me_back_leads_to_the_story_even_after_a_refused_reason(
    client: Client,
) -> None:
    """A stranger: after a reason was refused, "No, take me back" (the browser's back)
    went back to the same page."""
    article = ArticleFactory.create(status=Article.Status.PUBLISHED)
    url = reverse("admin:articles_article_delete", args=[article.pk])
    login(client, administrator())
    again = client.post(url, {"post": "yes", "reason": "x" * 2001}, follow=True)
    change = reverse("admin:articles_article_change", args=[article.pk])
    assert f'<a href="{change}" class="button">No, take me back</a>' in again.text


def test_ticked_stories_past_the_hundred_named_are_acted_on_too(client: Client) -> None:
    """An attacker's find: with "Show all" (up to 200 rows) and every box ticked, the
    reason page sent back only the boxes of the 100 stories it named: "Rejected: 100
    stories.", and 50 stayed in review (a takedown would have left 50 on the site)."""
    batch = ArticleFactory.create_batch(150, status=Article.Status.IN_REVIEW)
    login(client, editor())
    chosen = {"action": "reject", "_selected_action": [a.pk for a in batch]}
    assert "and 50 more" in client.post(reverse(CHANGELIST), chosen).text
    done = confirm(client, chosen, "wire duplicates", follow=True)
    assert "Rejected: 150 stories." in done.text
    assert not Article.objects.filter(status=Article.Status.IN_REVIEW).exists()


def test_a_tampered_reason_page_acts_on_nothing_and_is_not_a_500(
    client: Client,
) -> None:
    """An attacker's find: "applies=²" (isdigit() says yes) or a number past a bigint was
    a 500; an id outside the selection, or a page that names nothing, said nothing."""
    article = ArticleFactory.create(status=Article.Status.IN_REVIEW, title="Port")
    outside = ArticleFactory.create(status=Article.Status.IN_REVIEW)
    login(client, editor())
    for applies in [
        "².1",
        "9" * 30 + ".1",
        f"{article.pk}.²",
        f"-{article.pk}.1",
        f"{outside.pk}.1",
        "",
        f"{article.pk}",
    ]:
        answer = client.post(
            reverse(CHANGELIST),
            {
                "action": "reject",
                "_selected_action": [article.pk],
                "applies": applies,
                "apply": "1",
                "reason": "legal",
            },
            follow=True,
        )
        assert answer.status_code == 200, applies
        assert "nothing was changed" in answer.text, applies
    assert Article.objects.get(pk=article.pk).status == Article.Status.IN_REVIEW
    assert Article.objects.get(pk=outside.pk).status == Article.Status.IN_REVIEW


def test_refusals_past_the_tenth_are_counted(client: Client) -> None:
    """A stranger's find: a bulk Publish of 130 stories taken off the site showed ten
    refusals and nothing about the other 120."""
    boss = chief()
    batch = ArticleFactory.create_batch(13, status=Article.Status.PUBLISHED)
    for article in batch:
        services.article_unpublish(article=article.pk, editor=boss, reason="hold")
    login(client, boss)
    done = client.post(
        reverse(CHANGELIST),
        {"action": "publish", "_selected_action": [a.pk for a in batch]},
        follow=True,
    ).text
    assert done.count("taken off the site; publish it again") == 10
    assert "… and 3 more stories were left as they are." in done


def test_who_may_not_delete_a_published_story_is_not_asked_why(client: Client) -> None:
    """An attacker's find: an editor given Django's delete permission (but not publish)
    was shown the reason box and "Delete for good" for a published story, then a bare
    403 when they sent it."""
    published = ArticleFactory.create(status=Article.Status.PUBLISHED)
    waiting = ArticleFactory.create(status=Article.Status.IN_REVIEW)
    login(client, deleter())
    url = reverse("admin:articles_article_delete", args=[published.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"post": "yes", "reason": "legal"}).status_code == 403
    assert Article.objects.filter(pk=published.pk).exists()
    other = reverse("admin:articles_article_delete", args=[waiting.pk])
    assert client.get(other).status_code == 200


def test_a_chief_who_may_not_delete_a_sources_articles_is_refused_not_asked_why(
    client: Client,
) -> None:
    """Helpers' find: a chief editor (no delete permission on articles) who posted the
    delete of a source with published stories was told "A reason is required.", for a
    delete Django would refuse whatever the reason."""
    article = ArticleFactory.create(status=Article.Status.PUBLISHED)
    url = reverse("admin:sources_source_delete", args=[article.source_id])
    login(client, chief())
    assert "<title>Cannot delete source" in client.get(url).text
    refused = client.post(url, {"post": "yes", "reason": ""})
    assert refused.status_code == 403
    assert Article.objects.filter(pk=article.pk).exists()


def test_view_on_site_is_offered_only_for_a_story_readers_can_see(
    client: Client,
) -> None:
    """A stranger's find: "View on site" on a story taken off the site led to a 404."""
    published = ArticleFactory.create(status=Article.Status.PUBLISHED, slug="port")
    off = ArticleFactory.create(status=Article.Status.APPROVED, slug="rail")
    login(client, chief())
    page = client.get(reverse("admin:articles_article_change", args=[published.pk]))
    assert "View on site" in page.text
    page = client.get(reverse("admin:articles_article_change", args=[off.pk]))
    assert "View on site" not in page.text


def test_deleting_a_source_names_the_stories_it_takes_off_the_site(
    client: Client,
) -> None:
    """A stranger's find: the page said "2 of the stories … are on the site" without
    saying which."""
    port = ArticleFactory.create(status=Article.Status.PUBLISHED, title="Port reopens")
    url = reverse("admin:sources_source_delete", args=[port.source_id])
    login(client, administrator())
    assert "on the site (“Port reopens”)" in client.get(url).text


def test_delete_selected_leaves_published_stories_to_those_who_may_unpublish(
    client: Client,
) -> None:
    """An attacker's find: an editor given Django's delete permission saw a published
    story among those "Delete for good" would delete, then a refusal for it."""
    published = ArticleFactory.create(status=Article.Status.PUBLISHED, title="Port")
    approved = ArticleFactory.create(status=Article.Status.APPROVED, title="Rail")
    login(client, deleter())
    chosen = {
        "action": "delete_selected",
        "_selected_action": [published.pk, approved.pk],
    }
    page = client.post(reverse(CHANGELIST), chosen).text
    assert "Port <small>(published: left as it is)</small>" in page
    done = confirm(client, page, "duplicate", follow=True)
    assert "Deleted: 1 story." in done.text and "may not" not in done.text
    assert Article.objects.filter(pk=published.pk).exists()
    assert not Article.objects.filter(pk=approved.pk).exists()


def test_deleting_a_source_names_five_of_its_stories_and_counts_the_rest(
    client: Client,
) -> None:
    first = ArticleFactory.create(status=Article.Status.PUBLISHED)
    ArticleFactory.create_batch(6, status=Article.Status.PUBLISHED, source=first.source)
    url = reverse("admin:sources_source_delete", args=[first.source_id])
    login(client, administrator())
    page = client.get(url).text
    assert "7 of the stories of" in page and " and 2 more): deleting" in page
    assert page.split("on the site (", 1)[1].split(" and 2 more", 1)[0].count("“") == 5
