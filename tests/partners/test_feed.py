"""Incremental pulls: a partner following the change feed's cursor while the desk
publishes, corrects and takes stories down receives every change exactly once, and ends
with exactly what readers see."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from pytest_django import Settings

from articles.models import Article
from editorial import services
from partners.models import StoryChange
from tests.editorial.factories import chief
from tests.partners.factories import api, published

pytestmark = pytest.mark.django_db
STORIES = "/api/v1/stories/"


class Mirror:
    """What a partner keeps: follows ``next``, applies stories and tombstones."""

    def __init__(self, client: Client, url: str = STORIES + "?page_size=3") -> None:
        self.client, self.next = client, url
        self.stories: dict[int, dict[str, Any]] = {}
        self.received: list[tuple[int, str]] = []

    def pull(self, pages: int = 1000) -> None:
        for _ in range(pages):
            body = self.client.get(self.next).json()
            for item in body["results"]:
                self.received.append((item["id"], item["updated_at"]))
                if "title" in item:
                    self.stories[item["id"]] = item
                else:
                    self.stories.pop(item["id"], None)
            self.next = body["next"]
            if not body["has_more"]:
                return


def correct(article: Article, boss: User, summary: str) -> None:
    article.refresh_from_db()
    services.article_edit(
        article=article,
        editor=boss,
        version=article.version,
        changes={"summary": summary},
        correction="Corrected.",
    )


def readers_see() -> dict[int, str]:
    return dict(Article.objects.visible().values_list("pk", "summary"))


def test_paging_while_the_desk_works_misses_nothing_and_repeats_nothing() -> None:
    boss = chief()
    first = [published(f"Story {i}") for i in range(7)]
    partner = Mirror(api())
    partner.pull(pages=1)  # three stories in
    correct(first[0], boss, "A story the partner already has, corrected.")
    services.article_unpublish(
        article=first[4].pk, editor=boss, reason="a test takedown"
    )
    correct(first[5], boss, "A story the partner has not reached yet, corrected.")
    late = published("Published while the partner pages")
    partner.pull()
    # Every story once per change: the corrected one they had comes again, changed.
    assert len(partner.received) == len(set(partner.received))
    assert [pk for pk, _ in partner.received].count(first[0].pk) == 2
    assert {pk: s["summary"] for pk, s in partner.stories.items()} == readers_see()
    assert late.pk in partner.stories and first[4].pk not in partner.stories
    # Later polls of the last `next` bring only what changed since.
    partner.pull()
    before = len(partner.received)
    services.article_unpublish(
        article=first[1].pk, editor=boss, reason="a test takedown"
    )
    partner.pull()
    assert partner.received[before:] == [(first[1].pk, partner.received[-1][1])], (
        "only the tombstone of the story taken down"
    )
    assert first[1].pk not in partner.stories
    assert {pk: s["summary"] for pk, s in partner.stories.items()} == readers_see()


def test_a_deleted_story_reaches_the_partner_as_a_tombstone() -> None:
    a = published("Story legal says kill")
    partner = Mirror(api())
    partner.pull()
    assert a.pk in partner.stories
    services.article_delete(
        article=a.pk,
        editor=User.objects.create_superuser("root", "r@x.org", "pw"),
        note="legal",
    )
    partner.pull()
    assert a.pk not in partner.stories
    tombstone = partner.received[-1]
    assert tombstone[0] == a.pk


def test_at_the_end_of_the_feed_next_is_where_to_poll_from() -> None:
    published("One")
    body = api().get(STORIES).json()
    assert body["has_more"] is False and "cursor=" in body["next"]
    again = api().get(body["next"]).json()
    assert again["results"] == [] and again["next"] == body["next"]
    empty = api().get(STORIES + "?updated_since=2999-01-01T00:00:00Z").json()
    assert empty["results"] == [] and empty["next"]


def test_updated_since_starts_the_feed_at_a_time() -> None:
    old = published("Old story")
    StoryChange.objects.filter(article_id=old.pk).update(
        changed_at=timezone.now() - timedelta(days=2)
    )
    new = published("New story")
    since = (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = api().get(STORIES, {"updated_since": since}).json()
    assert [s["id"] for s in body["results"]] == [new.pk]


def test_a_change_is_served_once_it_has_settled(settings: Settings) -> None:
    settings.PARTNER_FEED_SETTLE_SECONDS = 5
    a = published("Just published")
    assert api().get(STORIES).json()["results"] == []
    StoryChange.objects.filter(article_id=a.pk).update(
        changed_at=timezone.now() - timedelta(seconds=6)
    )
    assert [s["id"] for s in api().get(STORIES).json()["results"]] == [a.pk]


def test_with_filters_the_feed_still_carries_every_tombstone() -> None:
    a = published("Markets story")
    services.article_unpublish(article=a.pk, editor=chief(), reason="a test takedown")
    body = api().get(STORIES, {"sentiment": "bullish"}).json()
    assert [item["id"] for item in body["results"]] == [a.pk]
    assert "title" not in body["results"][0]


def test_a_story_never_published_leaves_no_tombstone(
    django_capture_on_commit_callbacks,
) -> None:
    from tests.editorial.factories import story

    with django_capture_on_commit_callbacks(execute=True):
        a = story(Article.Status.APPROVED)
        services.article_reject(article=a.pk, editor=chief(), reason="No.")
    assert api().get(STORIES).json()["results"] == []
