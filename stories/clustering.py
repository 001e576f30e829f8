"""Story clustering: which articles report the same real-world event.

An article is described by its *key terms* — names (capitalised words), figures and the
significant words of its title and lead — weighted by where they occur. Candidates come from
an inverted index (``ArticleTerm``: term → articles published in the time window), so
assigning one article reads a few index ranges, never the whole table. Candidates are scored
by the cosine of TF-IDF vectors over key terms, with document frequencies taken from the same
window, and an article joins the best candidate's cluster when the score clears the
threshold. Precision matters more than recall (users ask to turn grouping off when it merges
different stories), so the threshold is set for precision on the labelled evaluation set in
``benchmarks/clusters_eval`` (see ``benchmarks/clusters.py``).

Rules: the time window (default 48 h); two articles of the same source only when their texts
are near-identical; editors' decisions (``cluster_locked``) are never undone here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Case, Count, FloatField, Max, Min, Q, Sum, Value, When

from articles.models import Article

from .models import ArticleTerm, StoryCluster, TermDay
from .signals import reports_changed
from .terms import (
    Names,
    cosine,
    figures_disagree,
    key_names,
    key_terms,
    names_disagree,
    title_words,
)

MAX_LOOKUP_TERMS = 12
STRONG_TERMS = 3
COMMON_LOOKUP_TERMS = 4
TIME_PENALTY = 0.35
IDF_PRIOR_DOCS = 200
# TermDay row counting every indexed article of the day (key terms are never empty).
ALL_ARTICLES = ""
FIGURE_PENALTY = 0.75
NAME_PENALTY = 0.5
# pg_advisory_xact_lock key of story assignment (any constant unique to this purpose).
ASSIGNMENT_LOCK = 0x5_70_21E5


# ---------------------------------------------------------------------------------------
# Assignment (database)
# ---------------------------------------------------------------------------------------
@dataclass(slots=True)
class Match:
    article_id: int
    cluster_id: int | None
    score: float
    shared_words: int = 0  # shared terms that are not figures


def names_of(sig: dict[str, Any] | None) -> Names | None:
    """The names a stored signature holds; None for one stored before names were kept."""
    if not sig or "names" not in sig:
        return None
    return sig["names"], sig.get("title_names") or []


def _window() -> timedelta:
    return timedelta(hours=settings.CLUSTER_WINDOW_HOURS)


def signature(article: Article) -> dict[str, object]:
    names, title_names = key_names(article.source_headline, article.text)
    return {
        "names": names,
        "title_names": title_names,
        "terms": key_terms(article.source_headline, article.text),
        "title": title_words(article.source_headline),
    }


def index_article(article: Article) -> dict[str, float]:
    """Store the article's signature and its inverted-index rows; returns its terms."""
    sig = signature(article)
    terms: dict[str, float] = sig["terms"]  # type: ignore[assignment]
    day = article.published_at.astimezone(UTC).date()
    old_terms = set(
        ArticleTerm.objects.filter(article=article).values_list("term", flat=True)
    )
    Article.objects.filter(pk=article.pk).update(cluster_signature=sig)
    article.cluster_signature = sig
    if old_terms:
        ArticleTerm.objects.filter(article=article).delete()
        _count_terms(old_terms | {ALL_ARTICLES}, day, -1)
    ArticleTerm.objects.bulk_create(
        [
            ArticleTerm(article=article, term=t, published_at=article.published_at)
            for t in terms
        ]
    )
    _count_terms(set(terms) | {ALL_ARTICLES}, day, +1)
    return terms


def _count_terms(terms: set[str], day: date, delta: int) -> None:
    """Add ``delta`` to the day's document frequency of each term, in one upsert."""
    if not terms:
        return
    table = TermDay._meta.db_table
    rows = ", ".join(["(%s, %s, %s)"] * len(terms))
    params: list[str | date | int] = []
    for term in sorted(terms):
        params += [term, day, delta]
    with connection.cursor() as cursor:
        # INSERT ... ON CONFLICT DO UPDATE: atomic on PostgreSQL and SQLite alike.
        cursor.execute(
            f"INSERT INTO {table} (term, day, articles) VALUES {rows} "  # noqa: S608
            f"ON CONFLICT (term, day) DO UPDATE SET articles = {table}.articles + "
            "excluded.articles",
            params,
        )


def candidates(
    article: Article,
    terms: dict[str, float],
    limit: int = 30,
    *,
    names: Names | None = None,
) -> tuple[list[Match], dict[str, float]]:
    """Articles in the window sharing the most discriminative key terms, scored by cosine
    similarity of TF-IDF vectors. Two index-only range scans, whatever the table size."""
    if not terms:
        return [], {}
    lo, hi = article.published_at - _window(), article.published_at + _window()
    in_window = ArticleTerm.objects.filter(published_at__range=(lo, hi))
    days = (lo.astimezone(UTC).date(), hi.astimezone(UTC).date())
    # One read: the terms' document frequencies and the window's size (ALL_ARTICLES).
    frequencies = dict(
        TermDay.objects.filter(term__in=[*terms, ALL_ARTICLES], day__range=days)
        .values_list("term")
        .annotate(n=Sum("articles"))
        .values_list("term", "n")
    )
    total = max(frequencies.pop(ALL_ARTICLES, 0) or 0, 1)
    # A prior of IDF_PRIOR_DOCS unseen documents keeps the weights sane while the window is
    # nearly empty (a new installation, a quiet weekend); it vanishes in a busy window.
    idf = {
        t: math.log((total + IDF_PRIOR_DOCS) / (frequencies.get(t, 0) + 1)) + 1
        for t in terms
    }
    # Words most articles of the window share cannot tell stories apart; looking them up
    # would only cost time. The rarest, heaviest terms find the candidates.
    common = max(50, total // 20)
    heaviest = sorted(
        (t for t in terms if frequencies.get(t, 0) > 0),
        key=lambda t: terms[t] * idf[t],
        reverse=True,
    )
    lookup = [t for t in heaviest if frequencies[t] <= common][:MAX_LOOKUP_TERMS]
    if len(lookup) < 2:
        # Every term is common in the window: a wire copied by dozens of outlets, one event
        # everybody covers. Its heaviest terms still find its other reports (a wider scan);
        # no candidates would read as "no other report", and split the story.
        lookup = heaviest[:COMMON_LOOKUP_TERMS]
    if not lookup:
        return [], idf
    weight = {t: terms[t] * idf[t] for t in lookup}
    # Candidates rank by the weight of what they share, not by how many terms: one rare
    # name outweighs two everyday words. One shared term is enough among the three
    # heaviest (a report in other words often shares little but its names).
    strong = sorted(weight.values(), reverse=True)[:STRONG_TERMS][-1]
    shared = (
        in_window.filter(term__in=lookup)
        .exclude(article_id=article.pk)
        .values("article_id")
        .annotate(
            n=Count("id"),
            w=Sum(
                Case(
                    *(When(term=t, then=Value(w)) for t, w in weight.items()),
                    output_field=FloatField(),
                )
            ),
        )
        .filter(Q(n__gte=2) | Q(w__gte=strong))
        .order_by("-w", "article_id")[:limit]
    )
    ids = [row["article_id"] for row in shared]
    if not ids:
        return [], idf
    found = []
    for other_id, cluster_id, source_id, sig, published_at in Article.objects.filter(
        pk__in=ids
    ).values_list("pk", "cluster_id", "source_id", "cluster_signature", "published_at"):
        other = (sig or {}).get("terms", {})
        hours = abs((published_at - article.published_at).total_seconds()) / 3600
        score = similarity(
            terms,
            other,
            idf,
            hours=hours,
            names=names,
            other_names=names_of(sig),
        )
        if (
            source_id == article.source_id
            and score < settings.CLUSTER_SAME_SOURCE_THRESHOLD
        ):
            continue  # one outlet does not report the same event twice, unless it re-posts
        found.append(Match(other_id, cluster_id, score, words_in_common(terms, other)))
    return sorted(found, key=lambda m: m.score, reverse=True), idf


def similarity(
    terms: dict[str, float],
    other: dict[str, float],
    idf: dict[str, float],
    *,
    hours: float,
    names: Names | None = None,
    other_names: Names | None = None,
) -> float:
    """How surely two reports ``hours`` apart describe one event: the cosine of their key
    terms under ``idf``, less for time apart, for figures that disagree and for names that
    have nothing in common."""
    score = cosine(terms, other, idf)
    # Reports of one event come close together; a story days later is usually a
    # follow-up (approval after a deal, end of a strike), a different event.
    score *= 1 - TIME_PENALTY * min(hours / settings.CLUSTER_WINDOW_HOURS, 1.0)
    # Reports of one event quote the same figures; two stories whose figures of one kind
    # all differ are usually two events of the same company or kind.
    if figures_disagree(terms, other):
        score *= FIGURE_PENALTY
    # Same kind of event, same figure, other companies: "Halden to cut 1,200 jobs" and
    # "Corvel to cut 1,200 jobs" share everything but who.
    if names and other_names and names_disagree(names, other_names):
        score *= NAME_PENALTY
    return score


def words_in_common(terms: dict[str, float], other: dict[str, float]) -> int:
    """Key terms two reports share that are not figures (a shared "450" alone proves
    nothing)."""
    return sum(1 for t in terms.keys() & other.keys() if not t.startswith("#"))


def lock() -> None:
    """Serialise changes to story membership until the transaction ends: two reports of one
    event clustered at the same moment must not each start a story unseen by the other,
    and a consolidation must not move articles under an assignment's feet. A PostgreSQL
    advisory lock; SQLite has one writer at a time anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ASSIGNMENT_LOCK])


def best_match(article: Article, terms: dict[str, float]) -> Match | None:
    """The most similar clustered article that clears the threshold and whose story the
    article agrees with as a whole (average link), or None."""
    matches, idf = candidates(article, terms, names=names_of(article.cluster_signature))
    for match in matches:
        if match.score < settings.CLUSTER_THRESHOLD:
            return None
        if match.cluster_id is None or match.shared_words < 2:
            continue  # shared figures alone ("450") do not make the same story
        if _agrees_with_cluster(article, terms, match, idf):
            return match
    return None


def _agrees_with_cluster(
    article: Article, terms: dict[str, float], match: Match, idf: dict[str, float]
) -> bool:
    """Single-link clustering chains stories together (a chip deal, then the same company's
    new chip, then its rival's); joining a story also needs a fair average similarity to
    its latest members."""
    members = (
        Article.objects.filter(cluster_id=match.cluster_id)
        .exclude(pk=article.pk)
        .order_by("-published_at")
        .values_list("cluster_signature", flat=True)[:8]
    )
    scores = [cosine(terms, (sig or {}).get("terms", {}), idf) for sig in members]
    if len(scores) <= 1:
        return True
    return (
        sum(scores) / len(scores)
        >= settings.CLUSTER_THRESHOLD * settings.CLUSTER_LINKAGE
    )


@transaction.atomic
def refresh_cluster(cluster_id: int) -> StoryCluster | None:
    """Recompute a cluster's counts, dates and (unless an editor chose it) canonical article;
    delete it when empty."""
    cluster = StoryCluster.objects.select_for_update().filter(pk=cluster_id).first()
    if cluster is None:
        return None
    shown = (cluster.article_count, cluster.source_count, cluster.canonical_id)
    members = Article.objects.filter(cluster=cluster)
    stats = members.aggregate(
        n=Count("id"),
        sources=Count("source", distinct=True),
        first=Min("published_at"),
        last=Max("published_at"),
    )
    if not stats["n"]:
        cluster.delete()
        return None
    cluster.article_count = stats["n"]
    cluster.source_count = stats["sources"]
    cluster.first_seen, cluster.last_seen = stats["first"], stats["last"]
    # No lead when the canonical article was deleted (the foreign key is SET_NULL).
    # Locked, so an editor's decision on the lead committing meanwhile is seen before the
    # lead is chosen again (the desk's lock order: story, then its articles).
    lead = (
        members.filter(pk=cluster.canonical_id)
        .select_for_update()
        .only("id", "status", "edited_fields", "cluster_locked")
        .first()
        if cluster.canonical_id is not None
        else None
    )
    # The lead report stays the lead once an editor chose it or the desk acted on it (its
    # copy edited, its story decided); until then the earliest report leads.
    if lead is None or not (cluster.canonical_chosen or lead.is_settled):
        cluster.canonical_id = (
            members.order_by("published_at", "pk").values_list("pk", flat=True).first()
        )
        cluster.canonical_chosen = False
    cluster.save()
    cache.delete_many([f"related:{pk}" for pk in members.values_list("pk", flat=True)])
    if (
        lead is not None
        and lead.status == Article.Status.PUBLISHED
        and shown != (cluster.article_count, cluster.source_count, cluster.canonical_id)
    ):
        # Readers see this story with its sources and their count: its pages are stale.
        reports_changed(cluster_id)
    return cluster


@transaction.atomic
def assign(article: Article, *, reindex: bool = True) -> StoryCluster:
    """Put an article in the cluster of the story it reports, or in a new one.

    ``reindex=False`` reuses the stored signature (re-clustering unchanged articles).
    """
    lock()
    stored = (article.cluster_signature or {}).get("terms")
    terms = stored if stored is not None and not reindex else index_article(article)
    previous = article.cluster_id
    if previous and article.is_settled:
        # An editor placed it, decided its story or edited its copy: it stays.
        return refresh_cluster(previous)  # type: ignore[return-value]
    match = best_match(article, terms)
    alone = (
        previous is not None
        and not Article.objects.filter(cluster_id=previous)
        .exclude(pk=article.pk)
        .exists()
    )
    if match is None and alone:
        assert previous is not None  # implied by ``alone``
        return StoryCluster.objects.get(pk=previous)  # already alone in its own story
    if match is None:
        cluster = StoryCluster.objects.create(
            canonical=article,
            article_count=1,
            source_count=1,
            first_seen=article.published_at,
            last_seen=article.published_at,
        )
        cluster_id = cluster.pk
    else:
        cluster_id = match.cluster_id  # type: ignore[assignment]
    Article.objects.filter(pk=article.pk).update(cluster_id=cluster_id)
    article.cluster_id = cluster_id
    if previous and previous != cluster_id:
        refresh_cluster(previous)
    if match is None:
        return cluster
    return refresh_cluster(cluster_id)  # type: ignore[return-value]


# ---------------------------------------------------------------------------------------
# Editors' corrections (called by editorial.services, which audits them)
# ---------------------------------------------------------------------------------------
@transaction.atomic
def merge(*, source: StoryCluster, target: StoryCluster) -> StoryCluster:
    """Move every article of ``source`` into ``target``; the automatic pass keeps them there."""
    Article.objects.filter(cluster=source).update(cluster=target, cluster_locked=True)
    Article.objects.filter(cluster=target).update(cluster_locked=True)
    StoryCluster.objects.filter(pk=target.pk).update(manual=True)
    refresh_cluster(source.pk)
    return refresh_cluster(target.pk)  # type: ignore[return-value]


@transaction.atomic
def split(*, article: Article) -> StoryCluster:
    """Take an article out of its cluster into a cluster of its own, for good."""
    previous = article.cluster_id
    cluster = StoryCluster.objects.create(manual=True)
    Article.objects.filter(pk=article.pk).update(cluster=cluster, cluster_locked=True)
    article.cluster_id, article.cluster_locked = cluster.pk, True
    if previous:
        # The reports the editor saw stay in the story they left, for good too.
        Article.objects.filter(cluster_id=previous).update(cluster_locked=True)
        StoryCluster.objects.filter(pk=previous).update(manual=True)
        refresh_cluster(previous)
    return refresh_cluster(cluster.pk)  # type: ignore[return-value]


@transaction.atomic
def choose_canonical(
    *, cluster: StoryCluster, article: Article, chosen: bool = True
) -> StoryCluster:
    """Make ``article`` its story's lead report (``chosen=False`` only to undo a choice)."""
    if article.cluster_id != cluster.pk:
        raise ValueError("the canonical article must belong to the cluster")
    StoryCluster.objects.filter(pk=cluster.pk).update(
        canonical=article, canonical_chosen=chosen, manual=True
    )
    return refresh_cluster(cluster.pk)  # type: ignore[return-value]


@transaction.atomic
def ensure_cluster(article: Article) -> StoryCluster:
    """The article's story; one of its own when clustering never reached it."""
    if article.cluster_id is not None:
        return StoryCluster.objects.get(pk=article.cluster_id)
    cluster = StoryCluster.objects.create(canonical=article)
    Article.objects.filter(pk=article.pk).update(cluster=cluster)
    article.cluster_id = cluster.pk
    article.cluster = cluster
    return refresh_cluster(cluster.pk)  # type: ignore[return-value]


@transaction.atomic
def unmerge(
    *,
    article_ids: list[int],
    lead_id: int | None,
    lead_chosen: bool,
    manual: bool,
    locked: dict[str, bool],
    target_id: int,
    target_manual: bool,
) -> StoryCluster:
    """Undo a merge: the moved articles get a story of their own again, as it was."""
    cluster = StoryCluster.objects.create(
        canonical_id=lead_id, canonical_chosen=lead_chosen, manual=manual
    )
    Article.objects.filter(pk__in=article_ids).update(cluster=cluster)
    for pk, was_locked in locked.items():
        Article.objects.filter(pk=int(pk)).update(cluster_locked=was_locked)
    StoryCluster.objects.filter(pk=target_id).update(manual=target_manual)
    refresh_cluster(target_id)
    return refresh_cluster(cluster.pk)  # type: ignore[return-value]


@transaction.atomic
def rejoin(*, article: Article, cluster_id: int, locked: bool) -> StoryCluster:
    """Undo a split: the article goes back into the story it left."""
    left = article.cluster_id
    Article.objects.filter(pk=article.pk).update(
        cluster_id=cluster_id, cluster_locked=locked
    )
    article.cluster_id, article.cluster_locked = cluster_id, locked
    if left:
        refresh_cluster(left)
    return refresh_cluster(cluster_id)  # type: ignore[return-value]
