from __future__ import annotations

from datetime import timedelta
from html import unescape
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from pytest_django import Settings

from articles.models import Article
from newsroom.management.commands.load_demo import DEMO_SOURCES
from sources.models import FetchAttempt, Source
from sources.services import sources_due

pytestmark = pytest.mark.django_db


def signs_in(username: str, password: str) -> bool:
    """Whether the admin's sign-in form lets this user in (as a person would sign in)."""
    response = Client().post(
        "/admin/login/", {"username": username, "password": password, "next": "/admin/"}
    )
    return response.status_code == 302


def test_the_demo_loads_offline_every_bundled_story_and_an_editor(
    settings: Settings,
) -> None:
    settings.DEBUG = True  # make run's setting
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert Source.objects.count() == len(DEMO_SOURCES)
    assert Article.objects.count() == 46
    assert not Article.objects.filter(content__icontains="<script").exists()
    assert not Article.objects.filter(content__icontains="javascript:").exists()
    assert not FetchAttempt.objects.exclude(outcome=FetchAttempt.Outcome.OK).exists()
    assert signs_in("editor", "newsroom-demo")
    assert "editor / newsroom-demo" in out.getvalue()


def test_the_demo_sources_are_not_polled_since_their_addresses_are_placeholders() -> (
    None
):
    """make run starts beat, which fetches what is due: a .example address would fail and
    mark each demo source failing once its interval passed."""
    call_command("load_demo", stdout=StringIO())
    a_day_later = timezone.now() + timedelta(days=1)
    assert list(Source.objects.due(a_day_later)) == []
    for source in Source.objects.all():
        assert source.health == Source.Health.DISABLED
        assert "demo_feeds/" in source.disabled_reason
        assert "not polled" in source.disabled_reason
    assert sources_due() == []


def test_loading_the_demo_twice_changes_nothing() -> None:
    call_command("load_demo", stdout=StringIO())
    call_command("load_demo", stdout=StringIO())
    assert Article.objects.count() == 46
    assert set(Source.objects.values_list("active", "health")) == {
        (False, Source.Health.DISABLED)
    }


def test_the_demo_publishes_its_most_important_stories_and_leaves_the_rest_for_review(
    django_capture_on_commit_callbacks: object,
) -> None:
    from django.test import Client
    from django.urls import reverse

    from editorial.models import AuditEvent
    from newsroom.management.commands.load_demo import DEMO_PUBLISHED

    # In a test the pipeline runs when the capture ends (make run's commits run it at
    # once), so the stories reach review after the first call and are published by the next.
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        call_command("load_demo", "--publish", "0", stdout=StringIO())
    call_command("load_demo", stdout=StringIO())
    published = Article.objects.visible()
    assert published.count() == DEMO_PUBLISHED
    assert Article.objects.leading().awaiting_review().exists()
    published_by_setup = AuditEvent.objects.filter(action="publish", actor=None)
    assert published_by_setup.count() == DEMO_PUBLISHED
    assert not AuditEvent.objects.filter(action="publish").exclude(actor=None).exists()
    assert set(published.values_list("published_by__username", flat=True)) == {"editor"}
    # The demo editor did not publish them, and is not offered to undo it.
    from django.contrib.auth import get_user_model

    from editorial.services import last_undoable

    assert last_undoable(get_user_model().objects.get(username="editor")) is None
    front = Client().get(reverse("public:front")).content.decode()
    assert front.count('class="card"') == DEMO_PUBLISHED
    # Nobody read them: the setup published them, and their pages do not say otherwise.
    first = published.earliest("published_at_site")
    page = unescape(Client().get(first.get_absolute_url()).content.decode())
    assert "published without an editor's review" in page
    assert "reviewed by our editors" not in page


def test_outside_debug_the_demo_editor_gets_a_random_password_shown_once(
    settings: Settings,
) -> None:
    """The documented password is for make run (DEBUG) only: a server someone may reach
    never gets a chief editor anyone can log in as from the README."""
    settings.DEBUG = False
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert not signs_in("editor", "newsroom-demo")
    line = next(x for x in out.getvalue().splitlines() if "Demo editor created" in x)
    password = line.rsplit(" / ", 1)[1].strip()
    assert len(password) >= 12 and signs_in("editor", password)
