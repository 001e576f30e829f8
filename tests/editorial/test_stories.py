"""One review per story: the queue lists stories, decisions act on the story's lead, and
merges, splits and the choice of lead are editors' decisions that can be undone."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Article
from editorial import services
from editorial.exceptions import InvalidTransition
from editorial.models import AuditEvent

from .factories import chief, cluster_of, editor, newer_proposal_held, reported, story

pytestmark = pytest.mark.django_db
S = Article.Status
HX = {"HX-Request": "true"}


def test_two_reports_of_one_story_are_one_queue_row_with_its_sources(
    client: Client,
) -> None:
    lead = story(title="Helios buys Lumen")
    reported(lead, title="Chip giant snaps up optics maker")
    client.force_login(editor())
    html = client.get(reverse("editorial:queue")).content.decode()
    assert html.count('class="queue-row') == 1
    assert f'id="row-{lead.pk}"' in html
    assert "2 sources" in html
    response = client.get(
        reverse("editorial:queue"), headers={**HX, "HX-Target": "queue-list"}
    )
    assert response.content.decode().count('class="queue-row') == 1


def test_the_counts_count_stories() -> None:
    from editorial.views import _counts

    lead = story()
    reported(lead)
    story()
    assert _counts()["in_review"] == 2


def test_the_panel_shows_the_storys_other_reports(client: Client) -> None:
    lead = story(title="Helios buys Lumen")
    report = reported(lead, title="Chip giant snaps up optics maker")
    client.force_login(editor())
    panel = client.get(
        reverse("editorial:story", args=[lead.pk]), headers=HX
    ).content.decode()
    assert "Chip giant snaps up optics maker" in panel
    assert reverse("editorial:split", args=[report.pk]) in panel
    assert reverse("editorial:lead", args=[report.pk]) in panel


def test_approving_a_story_approves_its_lead_and_its_reports_stay_sources() -> None:
    lead = story()
    report = reported(lead)
    services.article_approve(article=lead, editor=editor())
    assert Article.objects.get(pk=lead.pk).status == S.APPROVED
    assert Article.objects.get(pk=report.pk).status == S.IN_REVIEW
    assert list(Article.objects.leading().values_list("pk", flat=True)) == [lead.pk]
    with pytest.raises(InvalidTransition, match="one of the sources"):
        services.article_publish(article=report, editor=chief())


def test_a_split_report_becomes_a_story_of_its_own_in_the_queue() -> None:
    lead = story()
    report = reported(lead)
    services.article_split(article=report, editor=editor(), version=report.version)
    report.refresh_from_db()
    assert report.cluster_id != lead.cluster_id
    assert report.leads_its_story is True
    assert set(Article.objects.leading().values_list("pk", flat=True)) == {
        lead.pk,
        report.pk,
    }


def test_merge_goes_into_the_chosen_story_only() -> None:
    """Regression: `m` merged into whatever related story came first."""
    chosen, other, moving = story(), story(), story()
    services.story_merge(article=moving, target=chosen, editor=editor())
    moving.refresh_from_db()
    assert moving.cluster_id == chosen.cluster_id
    assert cluster_of(other).article_count == 1
    assert Article.objects.leading().filter(pk=moving.pk).exists() is False


def test_a_published_story_cannot_be_merged_away() -> None:
    published, other = story(S.PUBLISHED), story()
    with pytest.raises(InvalidTransition):
        services.story_merge(article=published, target=other, editor=chief())
    assert Article.objects.get(pk=published.pk).leads_its_story is True


def test_merging_a_story_into_itself_is_a_field_error() -> None:
    from django.core.exceptions import ValidationError

    lead = story()
    with pytest.raises(ValidationError):
        services.story_merge(article=lead, target=lead, editor=editor())


def test_a_merge_groups_its_rows_under_one_action_id() -> None:
    lead, target = story(), story()
    report = reported(lead)
    services.story_merge(article=lead, target=target, editor=editor())
    events = AuditEvent.objects.filter(action="merge")
    # The merged story, its report, and the story they went into (its history says so).
    assert {e.article_id for e in events} == {lead.pk, report.pk, target.pk}
    assert len({e.group for e in events}) == 1
    # Both reports were versioned, so a form loaded before the merge is refused.
    assert Article.objects.get(pk=report.pk).version == report.version + 1


def test_the_lead_report_can_be_chosen_only_while_the_story_is_undecided() -> None:
    lead = story()
    report = reported(lead)
    user = editor()
    services.story_choose_lead(article=report, editor=user)
    assert cluster_of(lead).canonical_id == report.pk
    decided = story(S.APPROVED)
    other = reported(decided)
    with pytest.raises(InvalidTransition, match="a story that is approved"):
        services.story_choose_lead(article=other, editor=user)


@pytest.mark.parametrize("state", [S.APPROVED, S.PUBLISHED])
def test_the_panel_of_a_decided_story_offers_no_new_lead(
    client: Client, state: str
) -> None:
    """The service refuses a new lead once the desk signed the story off; the panel does
    not offer the button it would refuse."""
    lead = story(state, title="Helios buys Lumen")
    report = reported(lead, title="Chip giant snaps up optics maker")
    client.force_login(chief())
    panel = client.get(
        reverse("editorial:story", args=[lead.pk]), headers=HX
    ).content.decode()
    assert "Chip giant snaps up optics maker" in panel
    assert reverse("editorial:lead", args=[report.pk]) not in panel
    response = client.post(
        reverse("editorial:lead", args=[report.pk]),
        {"version": report.version},
        headers=HX,
    )
    assert f"a story that is {S(state).label}" in response.content.decode()
    assert cluster_of(lead).canonical_id == lead.pk


def test_the_lead_stays_once_the_desk_acted_on_it() -> None:
    """An earlier report arriving later must not take over a story the desk has edited."""
    from datetime import timedelta

    from stories.clustering import refresh_cluster

    lead = story()
    services.article_edit(
        article=lead, editor=editor(), version=1, changes={"importance": 9}
    )
    earlier = reported(lead, published_at=lead.published_at - timedelta(hours=3))
    assert lead.cluster_id is not None
    refresh_cluster(lead.cluster_id)
    assert cluster_of(lead).canonical_id == lead.pk
    assert earlier.leads_its_story is False


def test_the_merge_picker_lists_candidate_stories_with_their_sources(
    client: Client,
) -> None:
    moving = story(title="Helios to buy Lumen Optics")
    candidate = story(title="Lumen Optics deal approved")
    reported(candidate)
    client.force_login(editor())
    html = client.get(
        reverse("editorial:merge_picker", args=[moving.pk]) + "?q=Lumen", headers=HX
    ).content.decode()
    assert f'name="target" value="{candidate.pk}"' in html
    assert "Lumen Optics deal approved" in html
    assert "+1" in html  # one more source
    assert f'name="target" value="{moving.pk}"' not in html  # not itself


def test_merging_from_the_queue_posts_the_chosen_story_and_advances(
    client: Client,
) -> None:
    moving, chosen = story(), story()
    client.force_login(editor())
    response = client.post(
        reverse("editorial:merge", args=[moving.pk]),
        {"target": chosen.pk, "version": moving.version},
        headers=HX,
    )
    assert response.status_code == 200
    event = json.loads(response["HX-Trigger"])["queue-changed"]
    assert event["advance"] is True and event["article"] == moving.pk
    assert Article.objects.get(pk=moving.pk).cluster_id == chosen.cluster_id


def test_story_actions_tell_the_queue_to_load_its_list_again(client: Client) -> None:
    """A split adds a row; approving only changes one: the queue's event says which."""
    lead = story(title="Helios buys Lumen")
    report = reported(lead, title="Chip giant snaps up optics maker")
    client.force_login(editor())

    def event(response: object) -> dict[str, object]:
        return json.loads(response["HX-Trigger"])["queue-changed"]  # type: ignore[index]

    split = client.post(
        reverse("editorial:split", args=[report.pk]),
        {"version": report.version},
        headers=HX,
    )
    assert split.status_code == 200 and event(split)["reload"] is True
    lead.refresh_from_db()  # the split is in its story's history
    approve = client.post(
        reverse("editorial:decide", args=[lead.pk]),
        {"version": lead.version, "decision": "approve"},
        headers=HX,
    )
    assert approve.status_code == 200 and event(approve)["reload"] is False


def test_undoing_a_new_lead_shows_the_story_led_as_before(client: Client) -> None:
    """The panel goes back to the story's row, its lead, not to the report the undo made
    a report again (which has no row, so the keys had nothing highlighted)."""
    lead = story(title="Helios buys Lumen")
    report = reported(lead, title="Chip giant snaps up optics maker")
    client.force_login(editor())
    client.post(
        reverse("editorial:lead", args=[report.pk]),
        {"version": report.version},
        headers=HX,
    )
    report.refresh_from_db()
    undone = client.post(
        reverse("editorial:undo", args=[report.pk]),
        {"version": report.version, "show": report.pk},
        headers=HX,
    )
    assert undone.status_code == 200
    assert cluster_of(lead).canonical_id == lead.pk
    assert undone["X-Story"] == str(lead.pk)
    assert json.loads(undone["HX-Trigger"])["queue-changed"]["reload"] is True


def test_a_reports_panel_offers_no_new_lead_for_the_report_already_leading() -> None:
    lead = story(title="Helios buys Lumen")
    report = reported(lead, title="Chip giant snaps up optics maker")
    client = Client()
    client.force_login(editor())
    panel = client.get(
        reverse("editorial:story", args=[report.pk]), headers=HX
    ).content.decode()
    assert "Helios buys Lumen" in panel
    assert reverse("editorial:lead", args=[lead.pk]) not in panel
    with pytest.raises(InvalidTransition, match="already led by it"):
        services.story_choose_lead(article=lead, editor=editor("other"))


@pytest.mark.parametrize(
    ("title", "shown"),
    [
        (
            "Why Helios wants Lumen Optics: light, not silicon, is AI's next bottleneck",
            "Why Helios wants Lumen Optics: light, not silicon, is AI's…",
        ),
        ("Helios buys Lumen", "Helios buys Lumen"),
        ("光" * 80, "光" * 59 + "…"),
    ],
)
def test_a_split_names_the_story_with_its_headline_cut_at_a_word(
    client: Client, title: str, shown: str
) -> None:
    lead = story(title="Helios buys Lumen")
    report = reported(lead, title=title)
    client.force_login(editor())
    answer = client.post(
        reverse("editorial:split", args=[report.pk]),
        {"version": report.version},
        headers=HX,
    )
    message = json.loads(answer["HX-Trigger"])["queue-changed"]["message"]
    assert message == f"“{shown}” is now a story of its own."


def test_a_held_proposal_with_no_takeaways_says_so_beside_ours(client: Client) -> None:
    """An attack: the offline rules may now propose no takeaways for a thin text; the
    comparison showed an empty cell, and "Take all" emptied the takeaways unseen."""
    article, user = story(title="Helios buys Lumen"), editor()
    services.article_edit(
        article=article,
        editor=user,
        version=1,
        changes={"takeaways": ["Our takeaway."], "summary": "Ours."},
    )
    newer_proposal_held(article, summary="Newer.", takeaways=[])
    client.force_login(user)
    panel = client.get(
        reverse("editorial:story", args=[article.pk]), headers=HX
    ).content.decode()
    assert "Our takeaway." in panel
    assert "<em>none proposed</em>" in panel
