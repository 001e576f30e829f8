"""Regressions found by a stranger and an attacker on `make run` (2026-12-03): where a
login lands, what the desk's pages let caches keep, what counts as a reason."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Article
from tests.editorial.factories import chief, editor, story

pytestmark = pytest.mark.django_db
S = Article.Status
HX = {"HX-Request": "true"}


def test_the_footers_editor_login_lands_in_the_review_queue(client: Client) -> None:
    """Found by a stranger: "Editor login" led to the bare admin, with no way to the queue."""
    editor("ed")  # password "pw"
    front = client.get(reverse("public:front")).content.decode()
    login = reverse("admin:login") + "?next=" + reverse("editorial:queue")
    assert f'href="{login}"' in front
    page = client.get(login)
    response = client.post(
        login,
        {"username": "ed", "password": "pw", "next": page.context["next"]},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("editorial:queue")


@pytest.mark.parametrize("nxt", ["https://evil.example/", "//evil.example", ""])
def test_a_login_with_a_refused_next_lands_on_the_desk_not_a_404(
    client: Client, nxt: str
) -> None:
    """Found attacking the login: a refused "next" went to /accounts/profile/, a 404."""
    editor("ed")
    response = client.post(
        reverse("admin:login") + f"?next={nxt}",
        {"username": "ed", "password": "pw", "next": nxt},
    )
    assert response.status_code == 302
    assert "evil" not in response["Location"]
    assert client.get(response["Location"]).status_code == 200


def test_the_admin_links_to_the_desk_for_editors(client: Client) -> None:
    client.force_login(editor())
    html = client.get(reverse("admin:index")).content.decode()
    assert f'href="{reverse("editorial:queue")}">Review queue</a>' in html


@pytest.mark.parametrize(
    "name", ["editorial:dashboard", "editorial:queue", "editorial:story"]
)
def test_no_browser_or_shared_cache_keeps_a_desk_page(
    client: Client, name: str
) -> None:
    """Found attacking the desk: its pages (rejected and unpublished stories among them)
    carried no Cache-Control, so a browser's history or a proxy could keep them."""
    article = story(S.REJECTED)
    client.force_login(chief())
    args = [article.pk] if name == "editorial:story" else []
    response = client.get(reverse(name, args=args), headers=HX)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


@pytest.mark.parametrize("reason", [".", "...", "-", "!?", "x", " . "])
def test_punctuation_is_not_a_reason(client: Client, reason: str) -> None:
    """Found attacking the queue: a reject reason of "..." and an unpublish reason of "."
    were accepted, and the history kept them as the why."""
    rejected, published = story(), story(S.PUBLISHED)
    client.force_login(chief())
    for article, decision in [(rejected, "reject"), (published, "unpublish")]:
        response = client.post(
            reverse("editorial:decide", args=[article.pk]),
            {"decision": decision, "version": article.version, "reason": reason},
            headers=HX,
        )
        assert response.status_code == 422, (decision, reason)
    assert Article.objects.get(pk=rejected.pk).status == S.IN_REVIEW
    assert Article.objects.get(pk=published.pk).status == S.PUBLISHED


@pytest.mark.parametrize("reason", ["dup", "legal said no", "违法"])
def test_a_short_reason_in_words_is_one(client: Client, reason: str) -> None:
    article = story()
    client.force_login(chief())
    response = client.post(
        reverse("editorial:decide", args=[article.pk]),
        {"decision": "reject", "version": article.version, "reason": reason},
        headers=HX,
    )
    assert response.status_code == 200
    assert Article.objects.get(pk=article.pk).status == S.REJECTED
