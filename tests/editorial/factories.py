"""Desk people and stories for the editorial tests."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser, Group, User

from articles.models import Article
from enrichment.models import Enrichment
from stories.models import StoryCluster
from tests.factories import ArticleFactory, SourceFactory

S = Article.Status


def editor(username: str = "ed") -> User:
    user = User.objects.create_user(username, password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return User.objects.get(pk=user.pk)  # fresh permission cache


def chief(username: str = "chief") -> User:
    user = User.objects.create_user(username, password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Chief editors"))
    return User.objects.get(pk=user.pk)


def administrator(username: str = "morgan") -> User:
    """The site's administrator: the only one who may delete a story for good (the desk
    cannot); the same one each time it is asked for."""
    found = User.objects.filter(username=username).first()
    return found or User.objects.create_superuser(
        username, f"{username}@example.org", "pw"
    )


def nobody(username: str = "visitor") -> User:
    """Signed in to the admin, but in no desk group."""
    return User.objects.create_user(username, password="pw", is_staff=True)


def person(role: str, username: str = "") -> Any:
    """One of the four roles of the permission matrix."""
    if role == "anonymous":
        return AnonymousUser()
    make = {"nobody": nobody, "editor": editor, "chief": chief}[role]
    return make(username or role)


def proposal(article: Article, **values: Any) -> Enrichment:
    """An offline AI proposal for ``article`` (not applied to its copy)."""
    fields: dict[str, Any] = {
        "status": "ok",
        "backend": "offline",
        "model": "offline-1",
        "prompt_version": "t",
        "input_hash": f"{article.pk}-{Enrichment.objects.count()}",
        "summary": f"AI summary of {article.title}",
        "analysis": "AI analysis.",
        "takeaways": ["One.", "Two.", "Three."],
        "sentiment": "neutral",
        "importance": 5,
        "category": "",
        "companies": [],
    }
    return Enrichment.objects.create(article=article, **{**fields, **values})


def story(status: str = S.IN_REVIEW, **kwargs: Any) -> Article:
    """A story alone in its cluster, its copy filled from an AI proposal."""
    article = ArticleFactory.create(
        status=status,
        summary=kwargs.pop("summary", "AI summary."),
        importance=kwargs.pop("importance", 5),
        **kwargs,
    )
    article.enrichment = proposal(article, summary=article.summary)
    article.cluster = StoryCluster.objects.create(
        canonical=article, article_count=1, source_count=1
    )
    article.save(update_fields=["enrichment", "cluster"])
    return article


def reported(lead: Article, *, status: str = S.IN_REVIEW, **kwargs: Any) -> Article:
    """Another outlet's report of ``lead``'s story (not its lead)."""
    assert lead.cluster_id is not None  # a lead made by ``story``
    report = ArticleFactory.create(
        status=status, source=SourceFactory.create(), cluster=lead.cluster, **kwargs
    )
    StoryCluster.objects.filter(pk=lead.cluster_id).update(
        article_count=2, source_count=2
    )
    report.refresh_from_db()
    return report


def cluster_of(article: Article) -> StoryCluster:
    """The story ``article`` is in, read afresh from the database."""
    assert article.cluster_id is not None
    return StoryCluster.objects.get(pk=article.cluster_id)


def admin_form(article: Article, **changes: Any) -> dict[str, Any]:
    """What the admin's change form posts for ``article``, with ``changes``."""
    data: dict[str, Any] = {
        "title": article.title,
        "summary": article.summary,
        "analysis": article.analysis,
        "takeaways": "\n".join(article.takeaways or []),
        "sentiment": article.sentiment,
        "importance": article.importance or "",
        "category": "",
        "companies": [],
        "loaded_version": article.version,
    }
    for inline in ("audit_events", "enrichments", "corrections"):
        data[f"{inline}-TOTAL_FORMS"] = 0
        data[f"{inline}-INITIAL_FORMS"] = 0
    data.update(changes)
    return data


def newer_proposal_held(article: Article, **values: Any) -> Enrichment:
    """The AI's newer proposal for ``article``, received while the desk's edits stand: held
    beside the copy (``article`` is read afresh)."""
    from editorial import services

    newer = proposal(article, **values)
    services.proposal_receive(article_id=article.pk, enrichment_id=newer.pk)
    article.refresh_from_db()
    return newer
