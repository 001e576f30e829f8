"""AI proposals and what they cost: the immutable ``Enrichment`` rows, the daily budget and
Message Batches submissions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models import Article


class ImmutableProposal(Exception):
    """An AI proposal is a record: it is never changed or deleted, by anyone."""


class EnrichmentQuerySet(models.QuerySet["Enrichment"]):
    def update(self, **kwargs: object) -> int:
        raise ImmutableProposal("AI proposals are never changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ImmutableProposal("AI proposals are never deleted")

    def succeeded(self) -> EnrichmentQuerySet:
        """Proposals that passed validation."""
        return self.filter(status=Enrichment.Status.OK)

    def on_day(self, day: date) -> EnrichmentQuerySet:
        """Calls made on this UTC day."""
        return self.filter(created_at__date=day)


class Enrichment(models.Model):
    """One AI run on one article: the immutable proposal, its provenance and its cost.

    Editors never edit this row; they edit the article's copy. A re-run is a new row. The
    row outlives its article (no cascade, no database constraint), so what the AI proposed
    and what it cost stay on record.
    """

    class Status(models.TextChoices):
        OK = "ok", _("ok")
        FAILED = "failed", _("failed")

    article = models.ForeignKey(
        Article,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="enrichments",
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    backend = models.CharField(_("backend"), max_length=20)
    model = models.CharField(_("model"), max_length=100)
    prompt_version = models.CharField(_("prompt version"), max_length=20)
    input_hash = models.CharField(
        max_length=64,
        db_index=True,
        help_text=_("Hash of content, prompt version and model: the idempotency key."),
    )
    via_batch = models.BooleanField(default=False)

    # The proposal
    summary = models.TextField(blank=True)
    analysis = models.TextField(blank=True)
    takeaways = models.JSONField(default=list, blank=True)
    sentiment = models.CharField(
        max_length=10, choices=Article.Sentiment.choices, blank=True
    )
    company_sentiments = models.JSONField(default=dict, blank=True)
    importance = models.PositiveSmallIntegerField(null=True, blank=True)
    importance_reason = models.CharField(max_length=300, blank=True)
    category = models.CharField(max_length=100, blank=True)
    companies = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(
        _("grounding warnings"),
        default=list,
        blank=True,
        help_text=_(
            "Companies or numbers in the proposal that the article does not state."
        ),
    )

    # Accounting
    input_tokens = models.PositiveIntegerField(default=0)
    output_tokens = models.PositiveIntegerField(default=0)
    cache_write_tokens = models.PositiveIntegerField(default=0)
    cache_read_tokens = models.PositiveIntegerField(default=0)
    cost_usd = models.DecimalField(
        max_digits=10, decimal_places=6, default=Decimal("0")
    )
    latency_ms = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=1)
    raw_reply = models.TextField(blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = EnrichmentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        get_latest_by = "created_at"

    def __str__(self) -> str:
        return (
            f"{self.backend}/{self.model} on article {self.article_id} ({self.status})"
        )

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise ImmutableProposal("AI proposals are never changed")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ImmutableProposal("AI proposals are never deleted")

    @property
    def is_offline(self) -> bool:
        return self.backend == "offline"


class BudgetDay(models.Model):
    """Money committed to enrichment on one UTC day.

    A call reserves its worst-case cost here before it is made and settles the real cost
    after, under a row lock, so concurrent workers can never spend past the budget.
    """

    day = models.DateField(unique=True)
    spent_usd = models.DecimalField(
        max_digits=12, decimal_places=6, default=Decimal("0")
    )
    reserved_usd = models.DecimalField(
        max_digits=12, decimal_places=6, default=Decimal("0")
    )

    def __str__(self) -> str:
        return f"{self.day}: ${self.spent_usd:.4f} spent, ${self.reserved_usd:.4f} reserved"


class EnrichmentBatch(models.Model):
    """A Message Batches API submission for a backlog (half price, results within 24 h)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        ENDED = "ended", _("ended")

    batch_id = models.CharField(max_length=100, unique=True)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    model = models.CharField(max_length=100)
    prompt_version = models.CharField(max_length=20)
    article_ids = models.JSONField(default=list)
    applied = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    reserved_usd = models.DecimalField(
        max_digits=12, decimal_places=6, default=Decimal("0")
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return (
            f"batch {self.batch_id} ({self.status}, {len(self.article_ids)} articles)"
        )
