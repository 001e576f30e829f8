from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from articles.models import Article
from editorial import services
from editorial.models import AuditEvent
from editorial.services.base import desk_time
from enrichment.models import Enrichment

from .factories import S, chief, editor, newer_proposal_held, story

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


def pending(
    n: int = 1, *, proposal: dict[str, Any] | None = None, **kwargs: Any
) -> list[Article]:
    """``n`` stories in review, each with an AI proposal (``proposal``: its fields)."""
    articles = [story(**kwargs) for _ in range(n)]
    for i, article in enumerate(articles):
        fields: dict[str, Any] = {
            "status": "ok",
            "backend": "offline",
            "model": "offline-1",
            "prompt_version": "t",
            "input_hash": f"{i}",
            "summary": "AI summary.",
            "importance": (i % 10) + 1,
            "warnings": [
                {
                    "kind": "number",
                    "value": "9",
                    "message": "number 9 is not in the article",
                }
            ]
            if i == 0
            else [],
        }
        article.enrichment = Enrichment.objects.create(
            article=article, **{**fields, **(proposal or {})}
        )
        article.save(update_fields=["enrichment"])
    return articles


@pytest.fixture
def desk(client: Client) -> Client:
    client.force_login(editor())
    return client


@pytest.mark.parametrize("size", [5, 60])
def test_the_queue_page_costs_the_same_few_queries_whatever_its_size(
    desk: Client, size: int, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    pending(size)
    with django_assert_max_num_queries(16):  # 15 before the rows said "taken down"
        response = desk.get(reverse("editorial:queue"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="queue-row') == min(size, 50)
    if size <= 50:
        assert "1 ⚠" in html  # the row with a grounding warning is flagged


@pytest.mark.parametrize("size", [5, 60])
def test_the_list_reloaded_alone_costs_the_same_few_queries_whatever_its_size(
    desk: Client, size: int, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    pending(size)
    with django_assert_max_num_queries(7):  # 6 before the rows said "taken down"
        response = desk.get(
            reverse("editorial:queue"), headers={**HX, "HX-Target": "queue-list-slot"}
        )
    assert response.content.decode().count('class="queue-row') == min(size, 50)


def test_the_open_story_highlights_grounding_warnings(desk: Client) -> None:
    article = pending(2)[0]
    html = desk.get(reverse("editorial:queue") + f"?open={article.pk}").content.decode()
    assert "⚠ number 9 is not in the article" in html


def test_the_open_story_shows_the_ai_analysis_and_what_it_says_for_each_company(
    desk: Client,
) -> None:
    """A reader found the analysis and per-company sentiment went out unreviewed: the panel
    showed neither as the AI's proposal."""
    (article,) = pending(
        proposal={
            "analysis": "Shares moved both ways: Lumen shares rose 27%.",
            "companies": [
                {"name": "Lumen Optics", "ticker": "LMNO", "sentiment": "bullish"},
                {"name": "Helios", "ticker": None, "sentiment": "bearish"},
            ],
        }
    )

    html = desk.get(reverse("editorial:queue") + f"?open={article.pk}").content.decode()

    assert "<b>Analysis:</b> Shares moved both ways: Lumen shares rose 27%." in html
    assert "Lumen Optics (LMNO) · bullish" in html
    assert "Helios · bearish" in html


def ai_importance(article: Article) -> int:
    assert article.enrichment is not None
    assert article.enrichment.importance is not None
    return article.enrichment.importance


def test_the_queue_is_ordered_by_ai_importance(desk: Client) -> None:
    articles = pending(3)
    html = desk.get(reverse("editorial:queue")).content.decode()
    positions = [
        html.index(f'id="row-{a.pk}"')
        for a in sorted(articles, key=lambda a: -ai_importance(a))
    ]
    assert positions == sorted(positions)


def test_htmx_gets_only_the_fragment(desk: Client) -> None:
    article = pending()[0]
    panel = desk.get(
        reverse("editorial:story", args=[article.pk]), headers=HX
    ).content.decode()
    assert panel.lstrip().startswith('<section id="panel"')
    response = desk.get(reverse("editorial:story", args=[article.pk]), headers=HX)
    assert response["X-Story"] == str(article.pk)
    listing = desk.get(
        reverse("editorial:queue"), headers={**HX, "HX-Target": "queue-list"}
    )
    assert listing.content.decode().lstrip().startswith('<form id="queue-list"')


def test_approving_without_javascript_redirects_back_to_the_queue(desk: Client) -> None:
    article = pending()[0]
    response = desk.post(
        reverse("editorial:decide", args=[article.pk]),
        {"decision": "approve", "version": article.version},
    )
    assert response.status_code == 302
    assert Article.objects.get(pk=article.pk).status == Article.Status.APPROVED


def test_approving_with_htmx_swaps_the_panel_and_updates_the_counts(
    desk: Client,
) -> None:
    article = pending(2)[0]
    response = desk.post(
        reverse("editorial:decide", args=[article.pk]),
        {"decision": "approve", "version": article.version},
        headers=HX,
    )
    event = json.loads(response["HX-Trigger"])["queue-changed"]
    assert response.status_code == 200
    assert event["status"] == "approved"
    assert event["counts"]["in_review"] == 1 and event["counts"]["approved"] == 1
    assert "Approved." in response.content.decode()


def test_rejecting_without_a_reason_is_refused_with_a_message(desk: Client) -> None:
    article = pending()[0]
    response = desk.post(
        reverse("editorial:decide", args=[article.pk]),
        {"decision": "reject", "reason": "", "version": 1},
        headers=HX,
    )
    assert response.status_code == 422
    assert "Reason: This field is required." in response.content.decode()
    assert Article.objects.get(pk=article.pk).status == Article.Status.IN_REVIEW


@pytest.mark.parametrize("decision", ["unpublish", "archive"])
def test_a_published_story_comes_off_the_site_only_with_a_reason_which_the_desk_then_sees(
    client: Client, decision: str
) -> None:
    article = story(S.PUBLISHED)
    client.force_login(chief("dana"))
    url = reverse("editorial:decide", args=[article.pk])
    panel = client.get(reverse("editorial:story", args=[article.pk]), headers=HX)
    form = re.search(
        r'<form[^>]*class="inline takedown-form".*?</form>', panel.text, re.S
    )
    assert form is not None and f'value="{decision}"' in form.group(0)
    assert 'name="reason"' in form.group(0) and "required" in form.group(0)

    refused = client.post(
        url, {"decision": decision, "reason": " ", "version": 1}, headers=HX
    )
    assert refused.status_code == 422
    assert "Say why the story comes off the site" in refused.text
    assert Article.objects.get(pk=article.pk).status == S.PUBLISHED

    done = client.post(
        url,
        {"decision": decision, "reason": "Legal asked us to hold it", "version": 1},
        headers=HX,
    )
    assert done.status_code == 200
    assert Article.objects.get(pk=article.pk).status != S.PUBLISHED
    panel = client.get(reverse("editorial:story", args=[article.pk]), headers=HX)
    assert re.search(r"Taken off the site on [^<]* by dana: Legal asked", panel.text)
    assert "Legal asked us to hold it" in panel.text


def _panel(client: Client, article: Article) -> str:
    return client.get(reverse("editorial:story", args=[article.pk]), headers=HX).text


def test_the_panel_says_who_took_a_story_down_however_much_happened_since(
    client: Client,
) -> None:
    """Attackers' and strangers' finds: the line read the last ten history rows for any
    archive with a note: ten edits later it was gone, and a chief's archive of the story
    already off the site took the credit from the editor who had unpublished it."""
    article, dana, boss = story(S.PUBLISHED), chief("dana"), chief("boss")
    services.article_unpublish(article=article, editor=dana, reason="Legal hold")
    for score in range(1, 11):
        article.refresh_from_db()
        services.article_edit(
            article=article,
            editor=boss,
            version=article.version,
            changes={"importance": score},
        )
    article.refresh_from_db()
    services.article_archive(article=article, editor=boss, reason="Old news")
    client.force_login(boss)
    assert re.search(
        r"Taken off the site on [^<]* by dana: Legal hold", _panel(client, article)
    )
    assert "Old news" not in _panel(client, article).split("History")[0]


def test_the_panel_says_nothing_of_a_takedown_for_a_story_never_on_the_site(
    client: Client,
) -> None:
    article, boss = story(S.APPROVED), chief()
    services.article_archive(article=article, editor=boss, reason="Superseded")
    client.force_login(boss)
    assert "Taken off the site" not in _panel(client, article)


def test_an_undone_publication_is_the_takedown_the_panel_names(client: Client) -> None:
    """A stranger's find: unpublish (a reason), publish again, undo: the panel showed the
    first takedown's reason as if it were why the story is off the site now."""
    article, boss = story(S.PUBLISHED), chief("boss")
    services.article_unpublish(article=article, editor=boss, reason="Legal hold")
    article.refresh_from_db()
    services.article_publish(
        article=article, editor=boss, version=article.version, again=True
    )
    services.article_undo(article=article, editor=boss)
    client.force_login(boss)
    panel = _panel(client, article)
    assert "by boss (an undone publication)</p>" in panel
    assert "Legal hold</p>" not in panel.split("History")[0]


def test_a_reason_typed_for_one_decision_never_fills_the_others_box(
    client: Client,
) -> None:
    """A stranger's find: a reject reason typed for a story another chief published
    meanwhile came back in the panel's unpublish box, one click from a takedown."""
    article, boss = story(S.IN_REVIEW), chief("boss")
    services.article_publish(article=article, editor=chief("other"), version=1)
    client.force_login(boss)
    answer = client.post(
        reverse("editorial:decide", args=[article.pk]),
        {"decision": "reject", "reason": "Unverified claim", "version": 1},
        headers=HX,
    )
    assert answer.status_code == 409
    box = re.search(r'<input[^>]*id="takedown-reason"[^>]*>', answer.text)
    assert box is not None and 'value=""' in box.group(0)
    assert "Unverified claim" in answer.text  # kept, in the box to copy it from


def test_a_story_taken_off_the_site_is_published_again_only_by_a_button_that_asks(
    client: Client,
) -> None:
    """A stranger's find: an unpublished story waits in "Approved", where `p` put it back on
    the site with one key and no word of why it had come off."""
    article, boss = story(S.PUBLISHED), chief("boss")
    services.article_unpublish(article=article, editor=boss, reason="Legal hold")
    client.force_login(boss)
    panel = _panel(client, article)
    button = re.search(
        r'<button name="decision" value="publish_again"[^>]*>[^<]*', panel
    )
    assert button is not None
    assert button.group(0).endswith(">Publish again")
    assert 'data-key="p"' not in button.group(0)
    assert (
        'data-confirm="This story was taken off the site: Legal hold. '
        'Publish it again?"' in button.group(0)
    )
    assert 'value="publish" data-key="p"' not in panel  # what the p key presses
    assert "Schedule</button>" not in panel
    fresh = story(S.APPROVED)
    assert 'value="publish" data-key="p">Publish' in _panel(client, fresh)


def test_the_server_publishes_a_story_taken_off_the_site_only_when_asked_again(
    client: Client,
) -> None:
    """Attackers' and strangers' finds: the question was only the browser's confirm(); a
    plain "publish" (without JavaScript, another client, a key pressed as the panel
    changed) put a story under a legal hold back on the site, and so did scheduling it."""
    article, boss = story(S.PUBLISHED), chief("boss")
    services.article_unpublish(article=article, editor=boss, reason="Legal hold")
    article.refresh_from_db()
    client.force_login(boss)
    url = reverse("editorial:decide", args=[article.pk])
    plain = client.post(url, {"decision": "publish", "version": article.version})
    assert plain.status_code == 409
    assert "taken off the site" in plain.text and "Legal hold" in plain.text
    scheduled = client.post(
        reverse("editorial:schedule", args=[article.pk]),
        {
            "version": article.version,
            "publish_at": (timezone.localtime() + timedelta(hours=1)).strftime(
                "%Y-%m-%dT%H:%M"
            ),
        },
    )
    assert scheduled.status_code in (400, 409), scheduled.status_code
    article.refresh_from_db()
    assert article.status == S.APPROVED and article.publish_at is None

    again = client.post(url, {"decision": "publish_again", "version": article.version})
    assert again.status_code in (200, 302), again.status_code
    article.refresh_from_db()
    assert article.status == S.PUBLISHED
    assert AuditEvent.objects.filter(article=article).latest("pk").note == (
        "published again"
    )


def test_a_schedule_made_before_a_takedown_rule_is_cancelled_not_run() -> None:
    """A schedule already on a story taken off the site (set before this rule, or by a
    script) is cancelled with the reason in its history; the story stays off."""
    article, boss = story(S.PUBLISHED), chief("boss")
    services.article_unpublish(article=article, editor=boss, reason="Legal hold")
    Article.objects.filter(pk=article.pk).update(
        publish_at=timezone.now() - timedelta(minutes=1), scheduled_by=boss
    )
    assert services.publish_due() == 0
    article.refresh_from_db()
    assert article.status == S.APPROVED and article.publish_at is None
    cancelled = AuditEvent.objects.filter(article=article).latest("pk")
    assert cancelled.action == "schedule_cancelled"
    assert "taken off the site" in cancelled.note


def test_archived_stories_have_their_place_in_the_status_filter(client: Client) -> None:
    """A stranger's find: an archived story (with why it was taken down) was reachable
    only by typing ?status=archived, and the filter then said "In review"."""
    archived = story(S.ARCHIVED, title="Mayor resigns")
    client.force_login(chief())
    page = client.get(reverse("editorial:queue"), {"status": "archived"}).text
    assert '<option value="archived" selected>Archived</option>' in page
    assert "Mayor resigns" in page and f"row-{archived.pk}" in page


def test_archiving_a_story_that_was_never_on_the_site_asks_no_reason(
    client: Client,
) -> None:
    article = story(S.APPROVED)
    client.force_login(chief())
    panel = client.get(reverse("editorial:story", args=[article.pk]), headers=HX)
    assert "takedown-form" not in panel.text and 'value="archive"' in panel.text
    done = client.post(
        reverse("editorial:decide", args=[article.pk]),
        {"decision": "archive", "version": 1},
        headers=HX,
    )
    assert done.status_code == 200
    assert Article.objects.get(pk=article.pk).status == S.ARCHIVED
    assert "Taken off the site" not in done.text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("importance", "11", "less than or equal to 10"),
        ("importance", "0", "greater than or equal to 1"),
        ("importance", "seven", "Enter a whole number"),
        ("sentiment", "euphoric", "Select a valid choice"),
        ("category", "999999", "Select a valid choice"),
        ("takeaways", "1\n2\n3\n4\n5\n6", "At most 5 takeaways"),
        ("title", "", "A story needs a headline"),
        # Found attacking the queue: a 2 MB summary was saved, published and syndicated.
        ("summary", "word " * 1000, "at most 4000 characters"),
        ("analysis", "word " * 2001, "at most 10000 characters"),
    ],
)
def test_invalid_copy_is_a_422_with_the_message_in_the_panel_never_a_500(
    desk: Client, field: str, value: str, message: str
) -> None:
    """Regression: importance=11, sentiment=euphoric or an unknown category gave a 500."""
    article = pending()[0]
    response = desk.post(
        reverse("editorial:edit", args=[article.pk]),
        {field: value, "version": 1},
        headers=HX,
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    assert Article.objects.get(pk=article.pk).version == 1


def test_a_form_without_its_version_is_refused(desk: Client) -> None:
    article = pending()[0]
    for url, data in [
        (reverse("editorial:decide", args=[article.pk]), {"decision": "approve"}),
        (reverse("editorial:edit", args=[article.pk]), {"importance": "8"}),
    ]:
        response = desk.post(url, data, headers=HX)
        assert response.status_code == 400
    assert Article.objects.get(pk=article.pk).status == Article.Status.IN_REVIEW


def test_actions_on_a_missing_story_are_404(desk: Client) -> None:
    for name in ("decide", "edit", "undo", "split", "merge", "take", "dismiss", "lead"):
        response = desk.post(
            reverse(f"editorial:{name}", args=[987654]), {"version": 1}
        )
        assert response.status_code == 404, name


def test_a_stale_edit_gets_409_and_keeps_the_editors_text(client: Client) -> None:
    article = pending()[0]
    alice, bob = Client(), Client()
    alice.force_login(editor("alice"))
    bob.force_login(editor("bob"))
    url = reverse("editorial:edit", args=[article.pk])
    alice.post(url, {"summary": "Alice's words.", "version": 1}, headers=HX)
    response = bob.post(
        url, {"summary": "Bob's careful words.", "version": 1}, headers=HX
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "alice changed this story" in html
    assert "Bob&#x27;s careful words." in html  # his draft is still in the textarea
    assert "Alice&#x27;s words." in html  # and theirs is shown
    assert Article.objects.get(pk=article.pk).summary == "Alice's words."


def test_number_keys_post_just_the_importance(desk: Client) -> None:
    article = pending()[0]
    desk.post(
        reverse("editorial:edit", args=[article.pk]),
        {"importance": "8", "version": 1},
        headers=HX,
    )
    article.refresh_from_db()
    assert article.importance == 8 and article.summary == "AI summary."
    assert AuditEvent.objects.get().changes["importance"] == [5, 8]


def test_editors_cannot_publish_but_chief_editors_can(
    desk: Client, client: Client
) -> None:
    article = pending()[0]
    response = desk.post(
        reverse("editorial:decide", args=[article.pk]),
        {"decision": "publish", "version": 1},
        headers=HX,
    )
    assert response.status_code == 403
    boss = Client()
    boss.force_login(chief())
    boss.post(
        reverse("editorial:decide", args=[article.pk]),
        {"decision": "publish", "version": 1},
        headers=HX,
    )
    assert Article.objects.get(pk=article.pk).status == Article.Status.PUBLISHED


def test_the_queue_is_closed_to_people_without_the_editor_role(client: Client) -> None:
    client.force_login(User.objects.create_user("reader", is_staff=True))
    assert client.get(reverse("editorial:queue")).status_code == 403
    article = pending()[0]
    response = client.post(
        reverse("editorial:decide", args=[article.pk]),
        {"decision": "approve", "version": 1},
    )
    assert response.status_code == 403
    assert Article.objects.get(pk=article.pk).status == Article.Status.IN_REVIEW


def test_posts_need_a_csrf_token(client: Client) -> None:
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(editor())
    article = pending()[0]
    response = strict.post(
        reverse("editorial:decide", args=[article.pk]),
        {"decision": "approve", "version": 1},
        headers=HX,
    )
    assert response.status_code == 403


def test_bulk_approve_acts_on_the_versions_the_rows_were_loaded_at(
    desk: Client,
) -> None:
    articles = pending(3)
    services.article_edit(
        article=articles[1],
        editor=editor("other"),
        version=1,
        changes={"importance": 2},
    )
    response = desk.post(
        reverse("editorial:bulk_approve"),
        {"ids": [f"{a.pk}.1" for a in articles[:2]]},
        follow=True,
    )
    statuses = [Article.objects.get(pk=a.pk).status for a in articles]
    assert statuses == ["approved", "in_review", "in_review"]
    assert "1 could not be approved" in response.content.decode()


def test_an_open_story_shows_who_is_reviewing_it(client: Client) -> None:
    article = pending()[0]
    alice, bob = Client(), Client()
    alice.force_login(editor("alice"))
    bob.force_login(editor("bob"))
    alice.get(reverse("editorial:story", args=[article.pk]), headers=HX)
    html = bob.get(reverse("editorial:queue")).content.decode()
    assert "being reviewed by alice" in html


def test_loading_the_list_again_says_nobody_is_reviewing_what_they_did_not_open() -> (
    None
):
    """An attack: the queue's list reload ran the whole page, which marked its editor as
    reviewing the first story (and no longer the one they had open)."""
    first, second = pending(2)
    alice, bob = Client(), Client()
    alice.force_login(editor("alice"))
    bob.force_login(editor("bob"))
    alice.get(reverse("editorial:story", args=[second.pk]), headers=HX)
    listing = alice.get(
        reverse("editorial:queue"), headers={**HX, "HX-Target": "queue-list-slot"}
    ).content.decode()
    assert listing.lstrip().startswith('<form id="queue-list"')
    assert 'id="panel"' not in listing
    html = bob.get(reverse("editorial:queue")).content.decode()
    assert html.count("being reviewed by alice") == 1
    row = html[html.index(f'id="row-{second.pk}"') :]
    assert row[: row.index("</tr>")].count("being reviewed by alice") == 1


def test_undo_reverts_the_last_decision(desk: Client) -> None:
    article = pending()[0]
    desk.post(
        reverse("editorial:decide", args=[article.pk]),
        {"decision": "approve", "version": 1},
        headers=HX,
    )
    stale = desk.post(
        reverse("editorial:undo", args=[article.pk]), {"version": 1}, headers=HX
    )
    assert stale.status_code == 409  # offered at version 2, not 1
    desk.post(reverse("editorial:undo", args=[article.pk]), {"version": 2}, headers=HX)
    assert Article.objects.get(pk=article.pk).status == Article.Status.IN_REVIEW


def test_a_scheduled_time_is_read_in_the_editors_time_zone(client: Client) -> None:
    """Found by a first-time user in New York: 08:00 was read as 08:00 UTC."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    article = pending()[0]
    client.force_login(chief())
    new_york = ZoneInfo("America/New_York")
    local = (datetime.now(new_york) + timedelta(hours=2)).replace(
        second=0, microsecond=0
    )
    response = client.post(
        reverse("editorial:schedule", args=[article.pk]),
        {
            "version": 1,
            "publish_at": local.strftime("%Y-%m-%dT%H:%M"),
            "tz": "America/New_York",
        },
        headers=HX,
    )
    assert response.status_code == 200
    article.refresh_from_db()
    assert article.publish_at == local
    # A stranger: "Approved; publishes 02 Dec 17:09." named no zone, to an editor who had
    # typed 12:09 in New York; the panel says "17:09 UTC".
    said = f"Approved; publishes {desk_time(local, 'T')}."
    assert said.endswith(" UTC.") and said in response.text


def test_an_unknown_time_zone_falls_back_to_the_sites(client: Client) -> None:
    article = pending()[0]
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    client.force_login(chief())
    response = client.post(
        reverse("editorial:schedule", args=[article.pk]),
        {"version": 1, "publish_at": f"{tomorrow}T08:00", "tz": "../../etc/passwd"},
        headers=HX,
    )
    assert response.status_code == 200
    article.refresh_from_db()
    assert article.publish_at is not None and article.publish_at.hour == 8


def test_the_panel_gives_the_year_of_a_story_from_another_year(desk: Client) -> None:
    """Feeds carry years-old items: "3 Mar 14:05" called a 2019 story this year's."""
    old, new = pending(2)
    Article.objects.filter(pk=old.pk).update(
        published_at=timezone.make_aware(datetime(2019, 3, 3, 14, 5))
    )
    this_year = timezone.localtime().replace(month=1, day=2, hour=9, minute=30)
    Article.objects.filter(pk=new.pk).update(published_at=this_year)

    def meta(article: Article) -> str:
        html = desk.get(reverse("editorial:story", args=[article.pk]), headers=HX)
        return html.content.decode().split('<p class="meta">', 1)[1].split("</p>", 1)[0]

    assert "3 Mar 2019 14:05" in meta(old)
    assert "2 Jan 09:30" in meta(new)
    assert str(this_year.year) not in meta(new)


def test_taking_a_new_importance_into_a_published_story_asks_no_public_note(
    client: Client,
) -> None:
    """The AI's newer proposal beside a published story: taking its summary is a public
    correction (the row asks for the note), taking its importance is not (no note asked,
    and the take goes through)."""
    article, boss = story(S.PUBLISHED), chief()
    services.article_edit(
        article=article,
        editor=boss,
        version=1,
        changes={"summary": "Ours."},
        correction="reworded",
    )
    newer_proposal_held(article, summary="Newer.", importance=9)
    client.force_login(boss)

    panel = client.get(reverse("editorial:story", args=[article.pk]), headers=HX)
    html = panel.content.decode()
    summary_row = re.search(r'value="summary">(.*?)</form>', html, re.S)
    importance_row = re.search(r'value="importance">(.*?)</form>', html, re.S)
    assert summary_row and 'name="correction"' in summary_row.group(1)
    assert importance_row and 'name="correction"' not in importance_row.group(1)
    client.post(
        reverse("editorial:take", args=[article.pk]),
        {"version": article.version, "field": "importance"},
        headers=HX,
    )
    assert Article.objects.get(pk=article.pk).importance == 9


def test_the_importance_reason_says_when_it_was_scored(desk: Client) -> None:
    """A stranger: "A guidance change from one source; published 1 h ago" under a story
    the header says has two sources, days later: the reason is the score's when it was
    given, and says so."""
    (article,) = pending(proposal={"importance_reason": "From one source; 1 h ago"})
    assert article.enrichment is not None
    scored = article.enrichment.created_at
    html = desk.get(reverse("editorial:story", args=[article.pk]), headers=HX)
    when = desk_time(scored)
    assert f"as scored {when}: From one source; 1 h ago" in html.content.decode()


def test_a_story_taken_off_the_site_says_so_in_the_list(client: Client) -> None:
    """A stranger's find: stories taken off the site wait among the approved, and their
    rows looked exactly like stories ready to publish."""
    held, ready = story(S.PUBLISHED, title="Mayor resigns"), story(S.APPROVED)
    services.article_unpublish(article=held, editor=chief("boss"), reason="Legal hold")
    client.force_login(chief())
    page = client.get(reverse("editorial:queue"), {"status": "approved"}).text
    rows = {
        int(pk): html
        for pk, html in re.findall(r'<tr id="row-(\d+)"(.*?)</tr>', page, re.S)
    }
    assert 'class="badge takedown"' in rows[held.pk]
    assert "taken down" not in rows[ready.pk]


def test_a_published_story_links_to_its_page_and_says_what_each_takedown_does(
    client: Client,
) -> None:
    """A stranger's find: a published story's panel had no way to the story on the site,
    and Unpublish and Archive stood side by side with nothing to tell them apart."""
    article = story(S.PUBLISHED)
    client.force_login(chief())
    panel = _panel(client, article)
    assert (
        f'<a href="{article.get_absolute_url()}" target="_blank">on the site' in panel
    )
    assert 'value="unpublish" title="Off the site; the story stays on the desk' in panel
    assert 'value="archive" title="Off the site and off the desk' in panel


def test_a_scheduled_story_whose_minute_passed_long_ago_is_marked_overdue(
    desk: Client,
) -> None:
    """A stranger killed make run's beat: the story still read "publishes 17:29" long
    after, and nothing said that nothing would publish it."""
    late, due = story(title="Late story"), story(title="Due story")
    for article in (late, due):
        services.article_schedule_publish(
            article=article,
            editor=chief(f"boss{article.pk}"),
            publish_at=timezone.now() + timedelta(minutes=5),
        )
    Article.objects.filter(pk=late.pk).update(
        publish_at=timezone.now() - timedelta(minutes=5)
    )
    Article.objects.filter(pk=due.pk).update(
        publish_at=timezone.now() - timedelta(seconds=30)  # beat's next tick takes it
    )
    html = desk.get(reverse("editorial:queue"), {"status": "approved"}).text
    late_row = html[html.index(f'id="row-{late.pk}"') :].split("</tr>", 1)[0]
    due_row = html[html.index(f'id="row-{due.pk}"') :].split("</tr>", 1)[0]
    assert "overdue: was to publish" in late_row and "is it running?" in late_row
    assert "overdue" not in due_row and "publishes " in due_row
    panel = desk.get(reverse("editorial:queue"), {"open": late.pk}).text
    assert "is beat running? (/readyz says)" in panel
