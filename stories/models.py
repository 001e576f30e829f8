"""Story clusters: which articles report the same real-world event, and the term index that
finds them."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Field
from django.db.models.deletion import Collector
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models import Article


def next_lead(
    collector: Collector, field: Field[Any, Any], sub_objs: Any, using: str
) -> None:
    """``on_delete`` of a story's lead: its earliest remaining report leads instead (a story
    without a lead would vanish from the desk and the site)."""
    deleted = {obj.pk for obj in collector.data.get(Article, ())}
    for cluster in sub_objs:
        successor = (
            Article.objects.using(using)
            .filter(cluster=cluster)
            .exclude(pk__in=deleted)
            .order_by("published_at", "pk")
            .first()
        )
        collector.add_field_update(field, successor, [cluster])
        chosen = StoryCluster._meta.get_field("canonical_chosen")
        collector.add_field_update(chosen, False, [cluster])


class StoryClusterQuerySet(models.QuerySet["StoryCluster"]):
    def multi_source(self) -> StoryClusterQuerySet:
        """Clusters that more than one source reports."""
        return self.filter(source_count__gt=1)


class StoryCluster(models.Model):
    """One real-world story and every article that reports it.

    Every article belongs to one (alone at first). Editors can merge, split and choose the
    canonical article; those decisions are marked manual and the automatic pass never
    overrides them.
    """

    canonical = models.ForeignKey(
        Article,
        on_delete=next_lead,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("canonical article"),
    )
    canonical_chosen = models.BooleanField(
        _("canonical chosen by an editor"), default=False
    )
    manual = models.BooleanField(_("edited by an editor"), default=False)
    article_count = models.PositiveIntegerField(default=0)
    source_count = models.PositiveIntegerField(default=0)
    first_seen = models.DateTimeField(null=True, blank=True)
    last_seen = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = StoryClusterQuerySet.as_manager()

    class Meta:
        ordering = ["-last_seen"]

    def __str__(self) -> str:
        canonical = self.canonical  # None (no query) when canonical_id is unset
        title = canonical.title if canonical is not None else "(empty)"
        sources = "source" if self.source_count == 1 else "sources"
        return f"{title} [{self.source_count} {sources}]"


class ArticleTerm(models.Model):
    """Inverted index of an article's key terms, for finding same-story candidates without
    scanning the table: (term, published_at) is the lookup."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    term = models.CharField(max_length=64)
    published_at = models.DateTimeField()

    class Meta:
        # Covering (term, date, article): candidate lookups are index-only range scans.
        indexes = [
            models.Index(
                fields=["term", "published_at", "article"], name="articleterm_covering"
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "term"], name="articleterm_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.article_id}: {self.term}"


class TermDay(models.Model):
    """How many articles carried a key term on a day: document frequencies for clustering's
    TF-IDF, read in a few rows instead of counting the inverted index."""

    term = models.CharField(max_length=64)
    day = models.DateField()
    articles = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["term", "day"], name="termday_unique")
        ]

    def __str__(self) -> str:
        return f"{self.term} {self.day}: {self.articles}"


class PairOpinionQuerySet(models.QuerySet["PairOpinion"]):
    def within(self, cluster_id: int) -> PairOpinionQuerySet:
        """Opinions on two reports now in this story: why they were joined."""
        members = Article.objects.filter(cluster_id=cluster_id).values("pk")
        return self.filter(first__in=members, second__in=members)


class PairOpinion(models.Model):
    """A second opinion on whether two reports describe one event: Claude's answer for a
    pair whose rules score fell in the band around the threshold (``CLUSTER_SECOND_OPINION``).
    Asked once per pair and kept, so the desk sees why two reports were joined or kept
    apart, and consolidation reads it instead of asking again."""

    first = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    same_event = models.BooleanField(_("same event"))
    reason = models.TextField(_("reason"), blank=True)
    score = models.FloatField(_("rules score when asked"))
    model = models.CharField(_("model"), max_length=100)
    cost_usd = models.DecimalField(
        _("cost (USD)"), max_digits=10, decimal_places=6, default=0
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = PairOpinionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["first", "second"], name="pairopinion_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(first__lt=models.F("second")),
                name="pairopinion_ordered",
            ),
        ]

    def __str__(self) -> str:
        verdict = "same event" if self.same_event else "different events"
        return f"{self.first_id} × {self.second_id}: {verdict}"
