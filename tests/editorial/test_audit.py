"""The history outlives what it describes, and the AI's proposals are records nobody
changes or deletes."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from articles.models import Article
from editorial import services
from editorial.models import AuditEvent
from editorial.services.base import audit
from enrichment.models import Enrichment, ImmutableProposal

from .factories import editor, story

pytestmark = pytest.mark.django_db


def test_the_history_survives_the_deletion_of_its_article() -> None:
    """Regression: AuditEvent rows disappeared with their article (CASCADE)."""
    article = story(title="Defamatory story")
    services.article_reject(article=article, editor=editor(), reason="legal says kill")
    pk = article.pk
    article.delete()
    event = AuditEvent.objects.get()
    assert (event.article_id, event.label, event.note) == (
        pk,
        "Defamatory story",
        "legal says kill",
    )
    assert Enrichment.objects.filter(article_id=pk).exists()  # and so does the proposal


def test_the_actor_is_kept_as_a_name_when_the_user_goes() -> None:
    article, user = story(), editor("alice")
    services.article_approve(article=article, editor=user)
    User.objects.filter(pk=user.pk).delete()
    event = AuditEvent.objects.get()
    assert event.actor_label == "alice"


def test_a_bulk_approve_is_one_action_in_the_history(client: Client) -> None:
    stories = [story() for _ in range(3)]
    client.force_login(editor())
    client.post(
        reverse("editorial:bulk_approve"),
        {"ids": [f"{a.pk}.{a.version}" for a in stories]},
    )
    groups = set(
        AuditEvent.objects.filter(action="approve").values_list("group", flat=True)
    )
    assert AuditEvent.objects.filter(action="approve").count() == 3
    assert len(groups) == 1


def test_only_actions_of_the_rulebook_are_recorded() -> None:
    with pytest.raises(ValueError, match="not an action"):
        audit("teleport", article=story(), actor=None)
    event = AuditEvent(article_id=1, action="teleport")
    with pytest.raises(ValidationError):
        event.clean()


def test_an_ai_proposal_cannot_be_changed_or_deleted_in_code() -> None:
    proposal = story().enrichment
    assert proposal is not None
    proposal.summary = "tampered"
    with pytest.raises(ImmutableProposal):
        proposal.save()
    with pytest.raises(ImmutableProposal):
        proposal.delete()
    with pytest.raises(ImmutableProposal):
        Enrichment.objects.filter(pk=proposal.pk).update(summary="tampered")
    with pytest.raises(ImmutableProposal):
        Enrichment.objects.all().delete()
    assert Enrichment.objects.get(pk=proposal.pk).summary != "tampered"


def test_not_even_a_superuser_changes_or_deletes_a_proposal_in_the_admin(
    client: Client,
) -> None:
    """Regression: a superuser could delete an Enrichment."""
    proposal = story().enrichment
    assert proposal is not None
    client.force_login(User.objects.create_superuser("root", "r@example.com", "pw"))
    change = reverse("admin:enrichment_enrichment_change", args=[proposal.pk])
    delete = reverse("admin:enrichment_enrichment_delete", args=[proposal.pk])
    client.post(change, {"summary": "tampered"})
    assert client.get(delete).status_code == 403
    client.post(delete, {"post": "yes"})
    listing = reverse("admin:enrichment_enrichment_changelist")
    client.post(
        listing, {"action": "delete_selected", "_selected_action": [proposal.pk]}
    )
    assert Enrichment.objects.get(pk=proposal.pk).summary == proposal.summary
    assert client.get(reverse("admin:enrichment_enrichment_add")).status_code == 403


def test_the_admin_lists_proposals_and_history_of_deleted_articles(
    client: Client,
) -> None:
    article = story(title="Gone story")
    services.article_approve(article=article, editor=editor())
    Article.objects.filter(pk=article.pk).delete()
    client.force_login(User.objects.create_superuser("root", "r@example.com", "pw"))
    proposals = client.get(reverse("admin:enrichment_enrichment_changelist"))
    assert proposals.status_code == 200 and "deleted" in proposals.content.decode()
    history = client.get(reverse("admin:editorial_auditevent_changelist"))
    assert history.status_code == 200 and "Gone story" in history.content.decode()
    assert (
        client.get(
            reverse(
                "admin:editorial_auditevent_delete", args=[AuditEvent.objects.get().pk]
            )
        ).status_code
        == 403
    )
