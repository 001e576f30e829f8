"""The desk's records: the audit log of every change to a story, and the public corrections
of published stories."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models import Article


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def for_article(self, article: Article | int) -> AuditEventQuerySet:
        """The article's history, newest first."""
        pk = article if isinstance(article, int) else article.pk
        return self.filter(article_id=pk).order_by("-at", "-pk")


class AuditEvent(models.Model):
    """One change to a story: who (a person, or the system) did what to which article, what
    changed, and why.

    The log outlives what it describes (Wagtail's audit log does the same): the article and
    the actor are referenced without a database constraint or cascade, so deleting either
    leaves the rows; the article's title and the actor's name are kept as labels. The rows
    of one action (a bulk approve, a merge) share a ``group``.
    """

    article = models.ForeignKey(
        Article,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="audit_events",
    )
    label = models.CharField(
        _("story"), max_length=300, blank=True, help_text=_("Its title at the time.")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField(_("actor"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=40, db_index=True)
    group = models.UUIDField(_("action id"), default=uuid.uuid4, db_index=True)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    # The story (cluster id) a change on or off the site was made to: a takedown holds the
    # story whichever report leads it later. No constraint: stories are merged and deleted,
    # and the history stays.
    story = models.IntegerField(_("story id"), null=True, blank=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["article", "-at"], name="auditevent_article_at"),
            models.Index(fields=["actor", "-at"], name="auditevent_actor_at"),
            models.Index(
                fields=["story", "-at"],
                name="auditevent_story_at",
                condition=models.Q(story__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} #{self.article_id}"

    def clean(self) -> None:
        from .actions import REGISTRY

        if self.action not in REGISTRY:
            raise ValidationError({"action": f"unknown action {self.action!r}"})

    @property
    def actor_label(self) -> str:
        """Who did it: the person's name as it was, or the system."""
        return self.actor_name or (str(_("system")) if self.actor_id is None else "?")

    @property
    def action_label(self) -> str:
        from .actions import REGISTRY

        action = REGISTRY.get(self.action)
        return str(action.audit_label) if action else self.action

    @property
    def description(self) -> str:
        """What happened, in the history's words: "edited summary, importance", "undid
        approved"."""
        from .actions import REGISTRY

        if self.action == "undo":
            undone = REGISTRY.get(self.changes.get("undid_action", ""))
            return f"undid {undone.audit_label}" if undone else "undid an action"
        fields = [
            str(getattr(Article._meta.get_field(name), "verbose_name", name))
            for name, values in self.changes.items()
            if name in Article.EDITORIAL_FIELDS and isinstance(values, list)
        ]
        return (
            f"{self.action_label} {', '.join(fields)}" if fields else self.action_label
        )


class CorrectionQuerySet(models.QuerySet["Correction"]):
    def public(self) -> CorrectionQuerySet:
        """Notes readers see under the story, oldest first."""
        return self.order_by("at", "pk")


class Correction(models.Model):
    """A dated, public note that a published story was changed ("Updated 1 Dec 14:05:
    corrected the figure in the summary"). The public site and the API show them."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="corrections"
    )
    note = models.CharField(_("correction note"), max_length=500)
    fields = models.JSONField(_("fields changed"), default=list, blank=True)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    event_group = models.UUIDField(
        _("action id"), null=True, blank=True, help_text=_("The audited edit it notes.")
    )

    objects = CorrectionQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%d %b %H:%M}: {self.note}"
