from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from sources.models import FetchAttempt, Source
from sources.services import source_fetch
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
    assert 'nr-health-ok">ok<' in html
    assert 'nr-health-failing">failing<' in html
    assert "the server is unavailable (HTTP 503 Service Unavailable)" in html


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
