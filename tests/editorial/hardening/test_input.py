"""Regressions found by attacking the desk: odd input on query parameters and hidden
fields; schedules that outlive their story's state."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from editorial import services
from tests.editorial.factories import chief, editor, story

pytestmark = pytest.mark.django_db
S = Article.Status
HX = {"HX-Request": "true"}


@pytest.mark.parametrize(
    "param", ["open", "min", "page", "status", "category", "sentiment", "source"]
)
@pytest.mark.parametrize("value", ["²", "\x00", "9" * 40, "-1", "１２"])
def test_queue_get_parameters_never_500(client: Client, param: str, value: str) -> None:
    story()
    client.force_login(editor())
    client.raise_request_exception = False
    r = client.get(reverse("editorial:queue"), {param: value})
    assert r.status_code < 500, (param, repr(value), r.status_code)


@pytest.mark.parametrize("value", ["\x00", "a\x00b"])
def test_merge_picker_q_never_500(client: Client, value: str) -> None:
    a = story()
    client.force_login(editor())
    client.raise_request_exception = False
    r = client.get(
        reverse("editorial:merge_picker", args=[a.pk]), {"q": value}, headers=HX
    )
    assert r.status_code < 500, (repr(value), r.status_code)


def test_admin_search_with_nul_never_500(client: Client) -> None:
    story()
    client.force_login(editor())
    client.raise_request_exception = False
    for name in [
        "admin:articles_article_changelist",
        "admin:editorial_auditevent_changelist",
    ]:
        r = client.get(reverse(name), {"q": "a\x00b"})
        assert r.status_code < 500, (name, r.status_code)


def test_bulk_approve_with_unicode_digit_ids_never_500(client: Client) -> None:
    a = story()
    client.force_login(editor())
    client.raise_request_exception = False
    r = client.post(
        reverse("editorial:bulk_approve"), {"ids": ["².1", f"{a.pk}.²"]}, headers=HX
    )
    assert r.status_code < 500, r.status_code


def test_undo_show_unicode_digit_never_500(client: Client) -> None:
    a = story()
    ed = editor()
    services.article_approve(article=a, editor=ed, version=1)
    client.force_login(ed)
    client.raise_request_exception = False
    r = client.post(
        reverse("editorial:undo", args=[a.pk]), {"version": 2, "show": "²"}, headers=HX
    )
    assert r.status_code < 500, r.status_code


def test_a_rejected_story_does_not_keep_its_old_schedule() -> None:
    """Chief schedules S; an editor rejects it (publish_at stays set); later S is sent back to
    review and approved by an editor: beat publishes it at once, on the chief's authority,
    though no one with publish rights scheduled this version."""
    boss, ed = chief(), editor()
    a = story()
    services.article_schedule_publish(
        article=a,
        editor=boss,
        version=1,
        publish_at=timezone.now() + timedelta(minutes=5),
    )
    services.article_reject(article=a, editor=ed, reason="wrong figures")
    a.refresh_from_db()
    assert a.publish_at is None, f"rejected story still scheduled for {a.publish_at}"


def test_reject_resubmit_approve_does_not_auto_publish() -> None:
    boss, ed = chief(), editor()
    a = story()
    services.article_schedule_publish(
        article=a,
        editor=boss,
        version=1,
        publish_at=timezone.now() + timedelta(minutes=5),
    )
    services.article_reject(article=a, editor=ed, reason="wrong figures")
    services.article_submit(article=a, editor=ed)
    services.article_edit(
        article=a,
        editor=ed,
        version=Article.objects.get(pk=a.pk).version,
        changes={"summary": "Rewritten by an editor."},
    )
    services.article_approve(article=a, editor=ed)
    published = services.publish_due(now=timezone.now() + timedelta(minutes=6))
    a.refresh_from_db()
    assert published == 0 and a.status == S.APPROVED, (
        f"published {published}: an editor's reject→submit→approve revived the chief's "
        f"old schedule (published_by={a.published_by})"
    )


@pytest.mark.parametrize("back", ["a=1\r\nSet-Cookie: x=1", "a=1\nb", "//evil.example"])
def test_bulk_approve_back_parameter(client: Client, back: str) -> None:
    a = story()
    client.force_login(editor())
    client.raise_request_exception = False
    for ids in ([], [f"{a.pk}.1"]):
        r = client.post(reverse("editorial:bulk_approve"), {"ids": ids, "back": back})
        assert r.status_code < 500, (repr(back), r.status_code)
        if r.status_code == 302:
            assert r["Location"].startswith("/editorial/queue/")
