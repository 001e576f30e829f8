from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from sources.models import FetchAttempt, Source
from sources.services import source_fetch
from sources.tasks import fetch_source
from tests.factories import SourceFactory, rss, story
from tests.feedserver import FeedServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(client: Client) -> Client:
    user = User.objects.create_superuser("chief", "chief@example.com", "pw")
    client.force_login(user)
    return client


def test_the_source_list_shows_health_in_plain_words(
    admin_client_: Client,
    feeds: FeedServer,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    good = SourceFactory.create(
        name="Good Wire", feed_url=feeds.add("/ok.xml", rss([story(1)]))
    )
    bad = SourceFactory.create(
        name="Broken Wire", feed_url=feeds.add("/bad.xml", status=503)
    )
    for _ in range(20):
        SourceFactory.create()
    source_fetch(source_id=good.pk)
    source_fetch(source_id=bad.pk)
    with django_assert_max_num_queries(8):
        response = admin_client_.get(reverse("admin:sources_source_changelist"))
    html = response.content.decode()
    assert 'nr-health-ok" title="">ok<' in html
    error = "the server is unavailable (HTTP 503 Service Unavailable)"
    assert f'nr-health-failing" title="{error}">failing<' in html
    assert html.count(error) == 2  # the badge's title and the column


def test_the_source_list_says_why_a_source_is_disabled(admin_client_: Client) -> None:
    """A stranger: the demo's disabled sources showed a grey badge, no error and a recent
    success; why they were not polled was only on each source's page."""
    SourceFactory.create(
        active=False,
        health=Source.Health.DISABLED,
        disabled_reason="a placeholder address",
        last_success_at=timezone.now(),
    )
    html = admin_client_.get(reverse("admin:sources_source_changelist")).content
    page = html.decode()
    assert 'title="Off: a placeholder address">disabled<' in page
    assert '<td class="field-last_error_short">Off: a placeholder address' in page
    assert "just now" in page and "0\xa0minutes ago" not in page


def test_the_actions_count_sources_in_words_that_agree(
    admin_client_: Client, feeds: FeedServer
) -> None:
    one = SourceFactory.create(feed_url=feeds.add("/one.xml", rss([story(1)])))
    two = SourceFactory.create(active=False, health=Source.Health.DISABLED)
    url = reverse("admin:sources_source_changelist")

    def said(action: str, *sources: Source) -> list[str]:
        response = admin_client_.post(
            url,
            {"action": action, "_selected_action": [s.pk for s in sources]},
            follow=True,
        )
        return [str(m) for m in response.context["messages"]]

    assert said("disable", one) == ["Disabled 1 source."]
    assert said("fetch_now", one) == [
        "1 disabled source was not fetched: enable it first."
    ]
    assert said("fetch_now", one, two) == [
        "2 disabled sources were not fetched: enable them first."
    ]
    assert said("enable", one, two) == ["Enabled 2 sources."]
    # Without a worker the fetch has run by the time the page answers: not "queued".
    fetched = said("fetch_now", one)
    if fetch_source.app.conf.task_always_eager:
        assert fetched[0].startswith("Fetched 1 source: its health")
    else:
        assert fetched == ["Fetch queued for 1 source."]


def test_the_source_page_shows_recent_fetches(
    admin_client_: Client, feeds: FeedServer
) -> None:
    source = SourceFactory.create(feed_url=feeds.add("/ok.xml", rss([story(1)])))
    source_fetch(source_id=source.pk)
    response = admin_client_.get(
        reverse("admin:sources_source_change", args=[source.pk])
    )
    assert response.status_code == 200
    assert "recent fetches" in response.content.decode().lower()


def test_fetch_now_enable_and_disable_actions(
    admin_client_: Client, feeds: FeedServer
) -> None:
    source = SourceFactory.create(
        feed_url=feeds.add("/ok.xml", rss([story(1)])), next_fetch_at=None
    )
    url = reverse("admin:sources_source_changelist")
    admin_client_.post(url, {"action": "disable", "_selected_action": [source.pk]})
    source.refresh_from_db()
    assert (source.active, source.health) == (False, Source.Health.DISABLED)
    admin_client_.post(url, {"action": "enable", "_selected_action": [source.pk]})
    source.refresh_from_db()
    assert source.active is True
    assert source.next_fetch_at is not None
    assert source.next_fetch_at <= timezone.now()
    admin_client_.post(url, {"action": "fetch_now", "_selected_action": [source.pk]})
    assert FetchAttempt.objects.filter(source=source, outcome="ok").count() == 1


def test_an_editor_without_change_permission_cannot_fetch(client: Client) -> None:
    user = User.objects.create_user("viewer", password="pw", is_staff=True)
    from django.contrib.auth.models import Permission

    user.user_permissions.add(Permission.objects.get(codename="view_source"))
    client.force_login(user)
    source = SourceFactory.create()
    response = client.post(
        reverse("admin:sources_source_changelist"),
        {"action": "fetch_now", "_selected_action": [source.pk]},
    )
    assert response.status_code in (200, 302, 403)
    assert not FetchAttempt.objects.exists()


@pytest.mark.parametrize(
    ("url", "hint"),
    [
        ("http://127.0.0.1:8059/rss.xml", True),  # a feed on the editor's own machine
        ("http://10.1.2.3/feed", True),  # an intranet
        (
            "http://169.254.169.254/latest/meta-data/",
            False,
        ),  # a cloud's metadata service
    ],
)
def test_adding_a_feed_the_fetcher_would_refuse_says_so_at_once(
    admin_client_: Client, settings: Any, url: str, hint: bool
) -> None:
    """A stranger added http://127.0.0.1:8059/rss.xml: the form took it, and its first
    fetch failed a minute later with "refused to connect", with no word of the setting
    that allows it on a development machine."""
    settings.NEWSROOM_ALLOW_PRIVATE_FEEDS = False
    form_class = admin.site._registry[Source].get_form(
        RequestFactory().get("/"), obj=None
    )
    form = form_class(data={"name": "Mine", "slug": "mine", "feed_url": url})
    assert not form.is_valid()
    error = " ".join(str(e) for e in form.errors["feed_url"])
    assert "refused to connect" in error
    assert ("NEWSROOM_ALLOW_PRIVATE_FEEDS=1" in error) is hint

    settings.NEWSROOM_ALLOW_PRIVATE_FEEDS = True
    form = form_class(data={"name": "Mine", "slug": "mine", "feed_url": url})
    form.is_valid()
    assert "feed_url" not in form.errors


def test_a_feed_host_that_does_not_resolve_today_may_still_be_added(
    settings: Any,
) -> None:
    settings.NEWSROOM_ALLOW_PRIVATE_FEEDS = False
    form_class = admin.site._registry[Source].get_form(
        RequestFactory().get("/"), obj=None
    )
    form = form_class(
        data={
            "name": "Later",
            "slug": "later",
            "feed_url": "https://later.invalid/feed",
        }
    )
    form.is_valid()
    assert "feed_url" not in form.errors
