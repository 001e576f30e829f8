"""A story taken off the site stays off whichever of its reports leads it later: an
attacker put a legal hold back on the site with a plain Publish after splitting the lead
out, making another report the lead, or deleting the lead (or its source)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from articles.models import Article
from editorial import services
from editorial.exceptions import TakenDown
from sources import services as source_services
from sources.models import Source

from .factories import S, administrator, chief, editor, reported, story

pytestmark = pytest.mark.django_db


def held_story() -> tuple[Article, Article]:
    """A published story of two reports, taken off the site by the chief "boss": (its
    lead, the other)."""
    lead = story(S.PUBLISHED, title="Mayor resigns")
    other = reported(lead, title="Mayor steps down")
    services.article_unpublish(article=lead, editor=chief("boss"), reason="Legal hold")
    return lead, other


def boss() -> User:
    return User.objects.get(username="boss")


def test_a_report_split_from_its_taken_down_story_does_not_bring_it_back() -> None:
    lead, other = held_story()
    services.article_split(article=lead.pk, editor=editor())
    other.refresh_from_db()
    assert services.last_takedown(other) is not None  # it leads the story now
    with pytest.raises(TakenDown, match="Legal hold"):
        services.article_publish(article=other.pk, editor=boss())
    lead.refresh_from_db()  # and the split-out lead is held on its own
    with pytest.raises(TakenDown):
        services.article_publish(article=lead.pk, editor=boss())
    assert services.taken_down(Article.objects.all()) == {lead.pk, other.pk}


def test_a_new_lead_of_a_taken_down_story_is_held_too() -> None:
    lead, other = held_story()
    ed = editor()
    services.article_reject(article=lead.pk, editor=ed, reason="wrong outlet")
    services.article_submit(article=lead.pk, editor=ed)
    services.story_choose_lead(article=other.pk, editor=ed)
    services.article_approve(article=other.pk, editor=ed)
    with pytest.raises(TakenDown, match="Legal hold"):
        services.article_publish(article=other.pk, editor=boss())
    assert other.pk in services.taken_down(Article.objects.filter(pk=other.pk))
    services.article_publish(article=other.pk, editor=boss(), again=True)
    assert Article.objects.get(pk=other.pk).status == S.PUBLISHED


def test_the_heir_of_a_deleted_taken_down_lead_is_held() -> None:
    lead, other = held_story()
    services.article_delete(article=lead.pk, editor=administrator())
    other.refresh_from_db()
    with pytest.raises(TakenDown):
        services.article_publish(article=other.pk, editor=boss())


def test_a_story_taken_off_with_its_source_is_held_under_its_new_lead() -> None:
    lead = story(S.PUBLISHED, title="Mayor resigns")
    other = reported(lead)
    source = Source.objects.get(pk=lead.source_id)
    source_services.sources_delete(
        sources=[source], by=administrator(), reason="Outlet sued us"
    )
    other.refresh_from_db()
    assert other.status != S.PUBLISHED
    with pytest.raises(TakenDown, match="Outlet sued us"):
        services.article_publish(article=other.pk, editor=chief("boss"))


def test_the_panel_of_the_new_lead_offers_only_publish_again(client: Client) -> None:
    lead, other = held_story()
    services.article_split(article=lead.pk, editor=editor())
    client.force_login(boss())
    panel = client.get(
        reverse("editorial:story", args=[other.pk]), headers={"HX-Request": "true"}
    ).text
    assert "Taken off the site on" in panel and "Legal hold" in panel
    assert 'value="publish_again"' in panel and 'value="publish" data-key' not in panel


def test_an_archived_story_is_not_promised_a_publish_again_button(
    client: Client,
) -> None:
    """An attacker's find: the "taken down" badge of an archived story said it goes back
    by "Publish again", which an archived story does not have."""
    lead, _other = held_story()
    services.article_archive(article=lead.pk, editor=boss())
    client.force_login(boss())
    page = client.get(reverse("editorial:queue"), {"status": "archived"}).text
    badge = page.split('class="badge takedown"', 1)[1].split("</span>", 1)[0]
    assert "Publish again" not in badge and "archived" in badge


def test_publish_again_is_a_chief_editors_and_on_the_version_shown(
    client: Client,
) -> None:
    """Each role on the new button: a plain editor is refused; a chief whose page is
    older than a colleague's change gets a conflict, and nothing is published."""
    lead, _other = held_story()
    lead.refresh_from_db()
    url = reverse("editorial:decide", args=[lead.pk])
    again = {"decision": "publish_again", "version": lead.version}
    client.force_login(editor())
    assert client.post(url, again).status_code == 403
    services.article_reject(article=lead.pk, editor=boss(), reason="dup")  # meanwhile
    client.force_login(boss())
    assert client.post(url, again).status_code == 409
    assert Article.objects.get(pk=lead.pk).status == S.REJECTED


def test_a_schedule_on_the_new_lead_of_a_taken_down_story_is_cancelled() -> None:
    from datetime import timedelta

    from django.utils import timezone

    lead, other = held_story()
    services.article_split(article=lead.pk, editor=editor())
    Article.objects.filter(pk=other.pk).update(
        status=S.APPROVED,
        publish_at=timezone.now() - timedelta(minutes=1),
        scheduled_by=boss(),
    )
    assert services.publish_due() == 0
    assert Article.objects.get(pk=other.pk).status == S.APPROVED
