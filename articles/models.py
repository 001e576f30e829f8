from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models, transaction
from django.db.models import Case, ExpressionWrapper, F, FloatField, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sources.models import ShownText, Source


class Category(ShownText):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=100)

    shown_text = ("name", "description")

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class CompanyQuerySet(models.QuerySet["Company"]):
    def in_the_news(self) -> CompanyQuerySet:
        """Companies a story readers can see names. A company the AI linked only to stories
        still in review is not shown anywhere public: it would announce them."""
        return self.filter(
            models.Exists(
                Article.objects.visible().filter(companies=models.OuterRef("pk"))
            )
        )


class Company(ShownText):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    aliases = models.JSONField(
        _("aliases"),
        default=list,
        blank=True,
        help_text=_("Other names the text may use."),
    )
    ticker = models.CharField(_("ticker"), max_length=20, blank=True, db_index=True)

    objects = CompanyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("companies")

    def __str__(self) -> str:
        return f"{self.name} ({self.ticker})" if self.ticker else self.name

    @property
    def all_names(self) -> list[str]:
        return [self.name, *self.aliases]

    def reading_in(self, readings: dict[str, str] | None) -> str | None:
        """This company's entry in an AI proposal's per-company readings, which name it as
        the article did ("Helios" for Helios Semiconductor, an alias since it was linked)."""
        names = {name.casefold() for name in self.all_names}
        return next(
            (
                value
                for key, value in (readings or {}).items()
                if key.casefold() in names
            ),
            None,
        )


def _search_terms(query: str) -> tuple[list[list[str]], list[str]]:
    """The terms of a web-search query: groups of alternatives (every group must match)
    and the excluded terms."""
    # As websearch_to_tsquery reads it: a quoted phrase is one term, OR joins the
    # terms either side, a leading "-" excludes; at most eight terms.
    groups: list[list[str]] = []
    excluded: list[str] = []
    join_next = False
    for match in re.finditer(r'(-?)"([^"]*)"?|(\S+)', query):
        negated, term, word = match.groups()
        if word is not None:
            if word.upper() == "OR" and groups and not join_next:
                join_next = True
                continue
            negated = "-" if word.startswith("-") and len(word) > 1 else ""
            term = word.removeprefix("-") if negated else word
        term = " ".join(term.split()).strip(".,;:!?()[]{}'\"")
        if not term or len(excluded) + sum(map(len, groups)) >= 8:
            continue
        if negated:
            excluded.append(term)
        elif join_next:
            groups[-1].append(term)
        else:
            groups.append([term])
        join_next = False
    return groups, excluded


# A word's English inflections, for search without PostgreSQL's stemming: "cut" finds
# "cuts" and "cutting", "semiconductors" finds "Semiconductor", "rates" finds "rate" (a
# reader found "rate cut" matched neither "cuts policy rate" nor "cuts rates").
_INFLECTIONS = (
    ("ies", "y"),
    ("sses", "ss"),
    ("ches", "ch"),
    ("shes", "sh"),
    ("xes", "x"),
    ("ing", ""),
    ("ed", ""),
    ("s", ""),
)
_ENDINGS = "(?:e|es|s|ed|d|ing|er|ers|y|ies|ied)?"
_INVARIANT = frozenset({"news", "series", "species", "means", "us"})


def _stem(word: str) -> str:
    """What the forms of ``word`` share: "cuts", "cutting" and "cut" give "cut"; "rates"
    and "rating" give "rat"; "companies" gives "compan". Short words stay whole."""
    word = word.lower()
    if len(word) <= 2 or word in _INVARIANT:
        return word
    for ending, replacement in _INFLECTIONS:
        rest = word[: -len(ending)]
        if (
            word.endswith(ending)
            and len(rest) >= 3
            and not rest.endswith(("s", "u", "i"))
        ):
            word = rest + replacement
            break
    if len(word) > 4 and word[-1] == word[-2] and word[-1] not in "lsz":
        word = word[:-1]  # cutt(ing) -> cut
    if len(word) > 3 and word[-1] in "ey":
        word = word[:-1]  # rate -> rat(e|es|ed|ing), company -> compan(y|ies)
    return word


def _forms(stem: str) -> str:
    """A regular expression for the words sharing ``stem``: the ending may follow a
    doubled last letter (cut, cuts, cutting)."""
    if len(stem) <= 2 or stem in _INVARIANT:
        return rf"{re.escape(stem)}s?"  # "AI" finds "AIs", never "aid"
    doubled = re.escape(stem[-1]) + "?" if stem[-1:].isalpha() else ""
    return rf"{re.escape(stem)}(?:{doubled}{_ENDINGS})"


class ArticleQuerySet(models.QuerySet["Article"]):
    def settled(self) -> ArticleQuerySet:
        """Articles the desk has acted on (decided, or copy edited): automatic passes such
        as re-clustering leave them where they are."""
        return self.filter(
            ~Q(status__in=Article.UNDECIDED)
            | ~Q(edited_fields=[])
            | Q(cluster_locked=True)
        )

    def with_source(self) -> ArticleQuerySet:
        """Join the source, which every list shows."""
        return self.select_related("source", "category")

    def new(self) -> ArticleQuerySet:
        """Ingested and waiting for enrichment."""
        return self.filter(status=Article.Status.NEW)

    def awaiting_review(self) -> ArticleQuerySet:
        """Enriched and waiting for an editor."""
        return self.filter(status=Article.Status.IN_REVIEW)

    def published(self) -> ArticleQuerySet:
        """Published by the desk."""
        return self.filter(status=Article.Status.PUBLISHED)

    def visible(self) -> ArticleQuerySet:
        """What readers may see, wherever they look: published stories, one per story (its
        lead report). Everything public starts here."""
        return self.published().leading()

    def matching(self, query: str) -> ArticleQuerySet:
        """Articles whose words match ``query`` (web-search syntax: words, "a phrase",
        ``OR``, ``-word``) in the headline, summary or analysis, annotated with a ``rank``
        (higher is better): ranked full-text search on PostgreSQL, whole words elsewhere,
        a match in the headline weighing more than one in the summary or the analysis."""
        if connection.vendor == "postgresql" and not _search_terms(query)[0]:
            # Only exclusions: nothing to look for (and "-word" alone would read every
            # story, the index cannot help).
            return self.none().annotate(rank=Value(0.0, output_field=FloatField()))
        if connection.vendor == "postgresql":
            from django.contrib.postgres.search import (
                SearchQuery,
                SearchRank,
                SearchVector,
            )

            vector = (
                SearchVector("title", weight="A", config="english")
                + SearchVector("summary", weight="B", config="english")
                + SearchVector("analysis", weight="C", config="english")
            )
            words = SearchQuery(query, search_type="websearch", config="english")
            # Matched with @@ (a phrase, an exclusion hold), then ranked: ts_rank alone
            # gives a document that misses the phrase a rank too.
            return (
                self.annotate(document=vector)
                .filter(document=words)
                .annotate(rank=SearchRank(vector, words))
            )

        weights = {"title": 4.0, "summary": 2.0, "analysis": 1.0}

        def mentions(term: str, fields: Iterable[str] = weights) -> Q:
            # Whole words in any of their forms, case-insensitive; the cheap substring
            # test (the first word's stem) first, so the regular expression (Python's, in
            # SQLite) runs only on likely rows.
            stems = [_stem(word) for word in term.split()]
            words = r"\s+".join(_forms(stem) for stem in stems)
            pattern = rf"(?<!\w){words}(?!\w)"
            found = Q()
            for name in fields:
                found |= Q(**{f"{name}__icontains": stems[0]}) & Q(
                    **{f"{name}__iregex": pattern}
                )
            return found

        groups, excluded = _search_terms(query)
        if not groups:  # only exclusions, or nothing to look for: no story matches
            return self.none().annotate(rank=Value(0.0, output_field=FloatField()))
        found = self
        rank: Any = Value(0.0)
        for group in groups:
            either = Q()
            for term in group:
                either |= mentions(term)
                for name, weight in weights.items():
                    rank += Case(
                        When(mentions(term, [name]), then=Value(weight)),
                        default=Value(0.0),
                    )
            found = found.filter(either)
        for term in excluded:
            found = found.exclude(mentions(term))
        return found.annotate(rank=ExpressionWrapper(rank, output_field=FloatField()))

    def other_reports(self, article: Article) -> ArticleQuerySet:
        """The other reports of ``article``'s story (the same event from other outlets),
        with their source, oldest first."""
        if article.cluster_id is None:
            return self.none()
        return (
            self.filter(cluster_id=article.cluster_id)
            .exclude(pk=article.pk)
            .select_related("source")
            .order_by("published_at", "pk")
        )

    def latest_first(self) -> ArticleQuerySet:
        return self.order_by("-published_at", "-pk")

    def leading(self) -> ArticleQuerySet:
        """Articles that stand for their story: alone in it, or its canonical report. The
        desk reviews these once per story; the other reports are the story's sources."""
        return self.filter(Q(cluster__isnull=True) | Q(cluster__canonical_id=F("pk")))

    def delete(self) -> tuple[int, dict[str, int]]:
        """Delete and leave tombstones, so the next fetch does not bring the articles back."""
        with transaction.atomic():
            Tombstone.objects.bulk_create(
                [
                    Tombstone.for_article(article)
                    for article in self.only(*Tombstone.KEY_FIELDS)
                ],
                ignore_conflicts=True,
            )
            return super().delete()


class Article(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("new")
        ENRICHING = "enriching", _("enriching")
        IN_REVIEW = "in_review", _("in review")
        APPROVED = "approved", _("approved")
        PUBLISHED = "published", _("published")
        REJECTED = "rejected", _("rejected")
        FAILED = "failed", _("enrichment failed")
        ARCHIVED = "archived", _("archived")

    class Sentiment(models.TextChoices):
        BULLISH = "bullish", _("bullish")
        BEARISH = "bearish", _("bearish")
        NEUTRAL = "neutral", _("neutral")

    # Not decided by the desk yet: still in the pipeline or waiting for review.
    UNDECIDED = frozenset({"new", "enriching", "in_review", "failed"})

    # The editorial copy: the fields an AI proposal fills and editors edit (the admin, the
    # desk's services and the proposal all use these two lists).
    PROPOSED_FIELDS = (
        "summary",
        "analysis",
        "takeaways",
        "sentiment",
        "importance",
        "category",
        "companies",
    )
    EDITORIAL_FIELDS = ("title", *PROPOSED_FIELDS)

    # What the feed said
    source = models.ForeignKey(
        Source, on_delete=models.CASCADE, related_name="articles"
    )
    guid = models.CharField(_("guid"), max_length=512)
    url = models.URLField(_("URL"), max_length=2048, blank=True)
    canonical_url = models.CharField(_("canonical URL"), max_length=600, blank=True)
    title = models.CharField(_("title"), max_length=300)
    # The headline as the source wrote it; ``title`` is the desk's, which editors may rewrite.
    # Clustering and the AI read the source's words.
    feed_title = models.CharField(
        _("headline at the source"), max_length=300, blank=True
    )
    author = models.CharField(_("author"), max_length=200, blank=True)
    published_at = models.DateTimeField(_("published"), db_index=True)
    updated_at_source = models.DateTimeField(
        _("updated at the source"), null=True, blank=True
    )
    content = models.TextField(_("content (sanitised HTML)"), blank=True)
    text = models.TextField(_("plain text"), blank=True)
    image_url = models.URLField(_("lead image"), max_length=2048, blank=True)
    language = models.CharField(_("language"), max_length=20, blank=True)
    content_hash = models.CharField(max_length=64, db_index=True)
    feed_revisions = models.PositiveIntegerField(
        _("changes in the feed"),
        default=0,
        help_text=_("Times the feed changed this entry."),
    )
    upstream_changed_at = models.DateTimeField(
        _("changed in the feed after publication"), null=True, blank=True
    )

    status = models.CharField(
        _("status"),
        max_length=20,
        choices=Status.choices,
        default=Status.NEW,
        db_index=True,
    )
    # The AI proposal the editorial copy was filled from, and why enrichment is not done yet.
    enrichment = models.ForeignKey(
        "enrichment.Enrichment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("current AI proposal"),
    )
    # A newer proposal that arrived after editors changed the copy: shown beside it, never
    # written over it (editorial.services.proposal_receive).
    pending_enrichment = models.ForeignKey(
        "enrichment.Enrichment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("newer AI proposal, not taken yet"),
    )
    edited_fields = models.JSONField(
        _("fields edited by the desk"),
        default=list,
        blank=True,
        editable=False,
        help_text=_(
            "Copy fields an editor changed since the copy was filled by the AI."
        ),
    )
    enrichment_error = models.TextField(_("enrichment error"), blank=True)
    # Story clustering (stories.clustering)
    cluster = models.ForeignKey(
        "stories.StoryCluster",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
    )
    cluster_locked = models.BooleanField(
        _("cluster set by an editor"),
        default=False,
        help_text=_("The automatic clustering never moves this article."),
    )
    cluster_signature = models.JSONField(default=dict, blank=True, editable=False)
    waiting_for_budget = models.BooleanField(
        _("waiting for budget"),
        default=False,
        help_text=_("The daily enrichment budget is spent; it resumes tomorrow."),
    )

    # The editorial copy, pre-filled from the AI proposal and edited by editors
    summary = models.TextField(_("summary"), blank=True)
    analysis = models.TextField(_("analysis"), blank=True)
    takeaways = models.JSONField(_("key takeaways"), default=list, blank=True)
    sentiment = models.CharField(
        _("sentiment"), max_length=10, choices=Sentiment.choices, blank=True
    )
    importance = models.PositiveSmallIntegerField(
        _("importance"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
    )
    companies = models.ManyToManyField(Company, blank=True, related_name="articles")
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        help_text=_("Bumped by every editorial change; a stale edit is refused."),
    )
    # The story's address on the site, given when it is first published and kept for good
    # (a rewritten headline does not break links).
    slug = models.SlugField(_("address on the site"), max_length=120, blank=True)
    publish_at = models.DateTimeField(_("scheduled publication"), null=True, blank=True)
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("scheduled by"),
    )
    published_at_site = models.DateTimeField(
        _("published on the site"), null=True, blank=True
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    published_unreviewed = models.BooleanField(
        _("published without an editor's review"),
        default=False,
        editable=False,
        help_text=_(
            "Published by a setup step (the demo's first stories), not by an editor who "
            "read the copy; the story page says so."
        ),
    )

    created_at = models.DateTimeField(
        _("ingested"), default=timezone.now, editable=False
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        permissions = [
            ("review_article", _("Can review articles: edit, approve and reject")),
            (
                "publish_article",
                _("Can publish, unpublish, schedule and archive articles"),
            ),
            (
                "correct_silently",
                _("Can correct a published story without a public correction note"),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "guid"], name="article_unique_guid"
            ),
            models.UniqueConstraint(
                fields=["canonical_url"],
                condition=~Q(canonical_url=""),
                name="article_unique_canonical_url",
            ),
            models.UniqueConstraint(
                fields=["slug"], condition=~Q(slug=""), name="article_unique_slug"
            ),
            models.CheckConstraint(
                condition=Q(importance__isnull=True)
                | (Q(importance__gte=1) & Q(importance__lte=10)),
                name="article_importance_1_10",
            ),
        ]
        indexes = [
            # The reader lists' order (latest first, then the id as the keyset's tiebreak)
            # within a status: the front page reads its page from here, no sort.
            models.Index(
                fields=["status", "-published_at", "-id"],
                name="article_status_list_idx",
            ),
            models.Index(fields=["source", "-published_at"], name="article_source_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        if self.slug:
            return reverse("public:story", args=[self.slug])
        return reverse("public:article", args=[self.pk])

    @property
    def source_headline(self) -> str:
        """The headline as the source wrote it (the desk may have rewritten ``title``)."""
        return self.feed_title or self.title

    # Beat publishes what is due every minute: later than this, it is not running.
    SCHEDULE_GRACE = timedelta(minutes=2)

    @property
    def schedule_overdue(self) -> bool:
        """Scheduled for a time that passed more than ``SCHEDULE_GRACE`` ago and still not
        published: beat (``publish_due``, every minute) is not running."""
        return (
            self.publish_at is not None
            and self.status != self.Status.PUBLISHED
            and self.publish_at < timezone.now() - self.SCHEDULE_GRACE
        )

    @property
    def is_settled(self) -> bool:
        """The desk has acted on it (see ``ArticleQuerySet.settled``)."""
        return (
            self.status not in self.UNDECIDED
            or bool(self.edited_fields)
            or self.cluster_locked
        )

    @property
    def story_status(self) -> str:
        """The state of the story it belongs to: its lead report's (loads it if needed)."""
        cluster = self.cluster
        if cluster is None or cluster.canonical_id in (None, self.pk):
            return self.status
        try:
            lead = cluster.canonical
        except Article.DoesNotExist:
            return self.status  # deleted since the cluster was read; another leads now
        return lead.status if lead is not None else self.status

    @property
    def leads_its_story(self) -> bool:
        """Alone in its story or its canonical report (loads the cluster if needed)."""
        if self.cluster_id is None:
            return True
        cluster = self.cluster
        assert cluster is not None  # cluster_id is set
        return cluster.canonical_id == self.pk

    def delete(
        self, using: Any = None, keep_parents: bool = False
    ) -> tuple[int, dict[str, int]]:
        with transaction.atomic():
            Tombstone.objects.bulk_create(
                [Tombstone.for_article(self)], ignore_conflicts=True
            )
            return super().delete(using=using, keep_parents=keep_parents)


class Tombstone(models.Model):
    """What is left of a deleted article: enough to recognise the entry if the feed still
    carries it (Miniflux keeps the same so purged entries never come back)."""

    KEY_FIELDS = ("source_id", "guid", "canonical_url", "content_hash")

    source = models.ForeignKey(
        Source, on_delete=models.CASCADE, related_name="tombstones"
    )
    guid = models.CharField(max_length=512)
    canonical_url = models.CharField(max_length=600, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    deleted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "guid"], name="tombstone_unique_guid"
            ),
        ]
        indexes = [
            models.Index(fields=["canonical_url"], name="tombstone_url_idx"),
            models.Index(fields=["content_hash"], name="tombstone_hash_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.source_id}: {self.guid}"

    @classmethod
    def for_article(cls, article: Article) -> Tombstone:
        return cls(
            source_id=article.source_id,
            guid=article.guid,
            canonical_url=article.canonical_url,
            content_hash=article.content_hash,
        )
