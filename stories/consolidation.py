"""One answer whatever the order: stories of a region settled as a whole.

``clustering.assign`` places each report as it arrives, against what is stored at that
moment. Two reports of one event clustered at the same time could each start a story, and
which report came first decided the rest (a later report joins the *best* story it finds,
not all of them). ``consolidate`` settles the reports near a set of seeds as a whole:

1. **The region**: the seeds, every report of their stories, every report one of them
   resembles at all, and from there every report that could join one of those stories
   (recursively, up to ``CLUSTER_REGION_LIMIT`` reports) — all the reports whose story
   could change.
2. **Evidence**: one symmetric score per pair of reports (the mean of the two directions of
   ``clustering.similarity``, each under its report's own window of document frequencies),
   with the same rules as ``assign`` (threshold, two shared words, one outlet only when it
   re-posts) and, in a band around the threshold, the second opinion's cached verdict.
3. **Stories**: every report starts alone, except that a story an editor touched (merged,
   split, chose its lead, or decided or edited one of its reports) is one fixed group no
   report leaves; pairs are joined from the strongest evidence down, when the two groups
   also agree on average (``CLUSTER_LINKAGE``, as in ``assign``) and are not both fixed.
   Pairs are taken by score, ties by the reports' publication time, feed and guid — never
   by arrival order or database id — so the outcome depends on the reports alone.
4. **Writing it**: each group keeps the existing story holding most of it (an editor's, if
   any), so a pass that changes nothing moves nothing; reports move with one UPDATE per
   story; emptied stories are deleted.

Run after each ingest batch (``pipeline.hand_on``) and by beat over recent reports
(``stories.consolidate_recent``): read first, then checked and written under
``clustering.lock`` (see ``consolidate``). With a second opinion configured,
``services.stories_consolidate`` first asks it about the band's pairs (``preview``), outside
the lock; ``PairOpinion`` keeps each answer and the pass reads them.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from articles.models import Article

from . import clustering
from .models import PairOpinion, StoryCluster

logger = logging.getLogger(__name__)

# Pairs this far under the threshold are looked at at all (the second opinion's band, and
# the reports through which the region grows).
REGION_FLOOR = 0.75
# Beyond the seeds' stories, the region grows by pairs at this fraction of the threshold.
REGION_GROWTH = 0.9
# Seeds are taken in this order (chunks included): the same in every run, whatever the ids.
SEED_ORDER = ("published_at", "source__feed_url", "guid")
# Group agreement is averaged over at most this many reports of each side.
LINKAGE_SAMPLE = 8

Pair = tuple[int, int]


@dataclass(slots=True)
class Report:
    """What consolidation knows of one article."""

    pk: int
    key: tuple[datetime, str, str]  # published, feed URL, guid: the same in every run
    source_id: int
    published_at: datetime
    cluster_id: int | None
    terms: dict[str, float]
    names: clustering.Names | None = None
    idf: dict[str, float] = field(default_factory=dict)
    neighbours: set[int] = field(default_factory=set)
    expanded: bool = False


@dataclass(slots=True)
class Outcome:
    region: int = 0
    moved: int = 0
    stories_before: int = 0
    stories_after: int = 0
    band: list[Pair] = field(default_factory=list)


_FIELDS = (
    "pk",
    "published_at",
    "source__feed_url",
    "guid",
    "source_id",
    "cluster_id",
    "cluster_signature",
)


def _load(ids: Iterable[int], reports: dict[int, Report]) -> list[int]:
    """Load these articles and every report of their stories; returns the new ones."""
    wanted = set(ids) - reports.keys()
    if not wanted:
        return []
    rows = list(Article.objects.filter(pk__in=wanted).values_list(*_FIELDS))
    stories = {row[5] for row in rows if row[5] is not None}
    rows += (
        Article.objects.filter(cluster_id__in=stories)
        .exclude(pk__in=reports.keys() | wanted)
        .values_list(*_FIELDS)
    )
    added = []
    for pk, published_at, feed_url, guid, source_id, cluster_id, sig in rows:
        if pk in reports:
            continue
        reports[pk] = Report(
            pk=pk,
            key=(published_at, feed_url, guid),
            source_id=source_id,
            published_at=published_at,
            cluster_id=cluster_id,
            terms=(sig or {}).get("terms") or {},
            names=clustering.names_of(sig),
        )
        added.append(pk)
    return added


def _region(seeds: Iterable[int]) -> dict[int, Report]:
    """The seeds, their stories and every report they resemble, breadth first. The seeds
    and their stories are always looked at, except the other reports of a story bigger
    than ``CLUSTER_BIG_STORY`` (it keeps them); the region grows beyond them up to
    ``CLUSTER_REGION_LIMIT`` reports (callers pass at most ``CLUSTER_SEED_CHUNK`` seeds)."""
    reports: dict[int, Report] = {}
    seed_ids = set(seeds)
    frontier = _load(seed_ids, reports)
    floor = settings.CLUSTER_THRESHOLD * REGION_FLOOR
    limit = max(settings.CLUSTER_REGION_LIMIT, len(reports))
    # The seeds' stories grow by every report worth a look (the second opinion's band);
    # beyond them, only by what could join a story (a pair's two views of each other may
    # differ a little, hence the margin): a region does not spread through look-alikes.
    grow = floor
    while frontier:
        found: set[int] = set()
        sizes = Counter(r.cluster_id for r in reports.values())
        for pk in sorted(frontier, key=lambda pk: reports[pk].key):
            report = reports[pk]
            if len(reports) > limit:
                break
            if (
                pk not in seed_ids
                and sizes[report.cluster_id] > settings.CLUSTER_BIG_STORY
            ):
                # A big story is settled: walking its hundreds of reports would hold the
                # lock for seconds. It keeps its reports this pass; new ones may join it.
                continue
            stub = Article(
                pk=pk, published_at=report.published_at, source_id=report.source_id
            )
            matches, report.idf = clustering.candidates(
                stub, report.terms, names=report.names
            )
            report.expanded = True
            for match in matches:
                if match.score >= floor:
                    report.neighbours.add(match.article_id)
                if match.score >= grow:
                    found.add(match.article_id)
        frontier = _load(found, reports) if len(reports) <= limit else []
        grow = settings.CLUSTER_THRESHOLD * REGION_GROWTH
    if len(reports) > limit:
        logger.warning(
            "story consolidation stopped growing its region at %d reports "
            "(CLUSTER_REGION_LIMIT); the rest keep their stories",
            len(reports),
        )
    return reports


def _score(a: Report, b: Report) -> float:
    """Symmetric: the mean of the two reports' views of each other."""
    hours = abs((a.published_at - b.published_at).total_seconds()) / 3600
    return (
        clustering.similarity(
            a.terms, b.terms, a.idf, hours=hours, names=a.names, other_names=b.names
        )
        + clustering.similarity(
            b.terms, a.terms, b.idf, hours=hours, names=b.names, other_names=a.names
        )
    ) / 2


def pair_of(a: int, b: int) -> Pair:
    return (a, b) if a < b else (b, a)


def evidence(
    reports: Mapping[int, Report],
) -> tuple[dict[Pair, float], list[Pair]]:
    """Scores of the pairs worth a look, and which of them fall in the second opinion's band
    (under the threshold but not far, or barely over it)."""
    threshold = settings.CLUSTER_THRESHOLD
    low = threshold - settings.CLUSTER_SECOND_OPINION_BELOW
    high = threshold + settings.CLUSTER_SECOND_OPINION_ABOVE
    scores: dict[Pair, float] = {}
    band = []
    for a in reports.values():
        if not a.expanded:
            continue
        for other in a.neighbours:
            b = reports.get(other)
            pair = pair_of(a.pk, other)
            if b is None or not b.expanded or pair in scores:
                continue
            score = _score(a, b)
            if a.source_id == b.source_id and (
                score < settings.CLUSTER_SAME_SOURCE_THRESHOLD
            ):
                continue
            if clustering.words_in_common(a.terms, b.terms) < 2:
                continue
            scores[pair] = score
            if low <= score < high:
                band.append(pair)
    return scores, band


def fixed_stories(reports: Mapping[int, Report]) -> set[int]:
    """Stories an editor touched: manual ones, and those holding a settled report."""
    ids = {r.cluster_id for r in reports.values() if r.cluster_id is not None}
    manual = StoryCluster.objects.filter(pk__in=ids, manual=True).values_list(
        "pk", flat=True
    )
    settled = (
        Article.objects.settled()
        .filter(cluster_id__in=ids)
        .values_list("cluster_id", flat=True)
    )
    return set(manual) | set(settled)


class _Groups:
    """Union-find over reports, with each group's members and its fixed story, if any."""

    def __init__(self, reports: Mapping[int, Report], fixed: set[int]) -> None:
        self.parent = {pk: pk for pk in reports}
        self.members = {pk: [pk] for pk in reports}
        self.story: dict[int, int | None] = {pk: None for pk in reports}
        # Every report of a fixed story stays in it: one group from the start.
        by_story: dict[int, list[int]] = {}
        for pk in sorted(reports):
            story = reports[pk].cluster_id
            if story is not None and story in fixed:
                by_story.setdefault(story, []).append(pk)
        for story, pks in by_story.items():
            for pk in pks[1:]:
                self.union(pks[0], pk)
            self.story[self.find(pks[0])] = story

    def find(self, pk: int) -> int:
        while self.parent[pk] != pk:
            self.parent[pk] = self.parent[self.parent[pk]]
            pk = self.parent[pk]
        return pk

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        self.parent[rb] = ra
        self.members[ra] += self.members.pop(rb)
        joined = self.story.pop(rb)
        self.story[ra] = self.story[ra] or joined


def partition(
    reports: Mapping[int, Report],
    scores: Mapping[Pair, float],
    *,
    fixed: set[int],
    verdicts: Mapping[Pair, bool] | None = None,
) -> list[tuple[list[int], int | None]]:
    """The region's stories, as lists of article ids with the fixed story each keeps (or
    None): a function of the reports and their evidence alone (see the module's
    docstring)."""
    verdicts = verdicts or {}
    threshold = settings.CLUSTER_THRESHOLD
    Key = tuple[datetime, str, str]
    edges: list[tuple[float, Key, Key, int, int]] = []
    for pair, score in scores.items():
        verdict = verdicts.get(pair)
        if verdict is False:
            continue
        if score >= threshold or verdict:
            first, second = sorted(
                (reports[pair[0]], reports[pair[1]]), key=lambda r: r.key
            )
            edges.append((-score, first.key, second.key, first.pk, second.pk))
    edges.sort()
    groups = _Groups(reports, fixed)
    agreement = threshold * settings.CLUSTER_LINKAGE

    def score_of(a: int, b: int) -> float:
        pair = pair_of(a, b)
        if verdicts.get(pair):
            return max(scores.get(pair, 0.0), threshold)
        if pair in scores:
            return scores[pair]
        return _score(reports[a], reports[b])

    def latest(root: int) -> list[int]:
        members = sorted(groups.members[root], key=lambda pk: reports[pk].key)
        return members[-LINKAGE_SAMPLE:]

    for *_, a, b in edges:
        ra, rb = groups.find(a), groups.find(b)
        if ra == rb or (groups.story[ra] and groups.story[rb]):
            continue
        left, right = latest(ra), latest(rb)
        if len(left) * len(right) > 1:
            mean = sum(score_of(x, y) for x in left for y in right) / (
                len(left) * len(right)
            )
            if mean < agreement:
                continue
        groups.union(ra, rb)
    stories = [
        (sorted(members, key=lambda pk: reports[pk].key), groups.story[root])
        for root, members in groups.members.items()
    ]
    return sorted(stories, key=lambda story: reports[story[0][0]].key)


def _target(
    reports: Mapping[int, Report], members: list[int], claimed: set[int]
) -> int | None:
    """The existing story a group without a fixed one keeps: the one holding most of it
    (ties: the earliest report's; members come sorted by key); None for a new story."""
    held: Counter[int] = Counter()
    first_seen: dict[int, tuple[datetime, str, str]] = {}
    for pk in members:
        story = reports[pk].cluster_id
        if story is not None:
            held[story] += 1
            first_seen.setdefault(story, reports[pk].key)
    free = [story for story in held if story not in claimed]
    if not free:
        return None
    return min(free, key=lambda story: (-held[story], first_seen[story]))


def _write(
    reports: Mapping[int, Report], stories: list[tuple[list[int], int | None]]
) -> int:
    """Give each group its story and move the reports whose story changed; returns how
    many moved."""
    claimed: set[int] = {story for _, story in stories if story is not None}
    moves: list[tuple[int, list[int]]] = []
    for members, kept in stories:
        target = kept if kept is not None else _target(reports, members, claimed)
        if target is None:
            target = StoryCluster.objects.create(canonical_id=members[0]).pk
        claimed.add(target)
        movers = [pk for pk in members if reports[pk].cluster_id != target]
        if movers:
            moves.append((target, movers))
    touched = {target for target, _ in moves} | {
        story
        for _, movers in moves
        for pk in movers
        if (story := reports[pk].cluster_id) is not None
    }
    # The desk's lock order: stories (in id order), then their articles.
    list(
        StoryCluster.objects.select_for_update()
        .filter(pk__in=touched)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    # Only reports still where they were read and still undecided move (a copy edit or a
    # decision does not take clustering's lock): the desk acting meanwhile wins.
    undecided = Q(status__in=Article.UNDECIDED, edited_fields=[], cluster_locked=False)
    moved = 0
    for target, movers in moves:
        by_story: dict[int | None, list[int]] = {}
        for pk in movers:
            by_story.setdefault(reports[pk].cluster_id, []).append(pk)
        for story, ids in by_story.items():
            moved += Article.objects.filter(
                undecided, pk__in=ids, cluster_id=story
            ).update(cluster_id=target)
    for story in sorted(touched):
        clustering.refresh_cluster(story)
    return moved


def preview(
    seeds: Iterable[int],
) -> tuple[dict[int, Report], dict[Pair, float], list[Pair]]:
    """The region around ``seeds``, its pairs' scores and the pairs in the second opinion's
    band, read without the lock and without writing (to ask before consolidating)."""
    reports = _region(seeds)
    scores, band = evidence(reports)
    return reports, scores, band


def opinions(pairs: Iterable[Pair]) -> dict[Pair, bool]:
    """The second opinions recorded for these pairs: True, same event."""
    pairs = set(pairs)
    if not pairs:
        return {}
    firsts = {a for a, _ in pairs}
    seconds = {b for _, b in pairs}
    rows = PairOpinion.objects.filter(
        first_id__in=firsts, second_id__in=seconds
    ).values_list("first_id", "second_id", "same_event")
    return {(a, b): same for a, b, same in rows if (a, b) in pairs}


@dataclass(slots=True)
class _Plan:
    """A pass worked out from what was read: the region, its evidence and its stories."""

    reports: dict[int, Report]
    settled: set[int]  # stories the desk touched, as read
    band: list[Pair]
    stories: list[tuple[list[int], int | None]]
    members: set[tuple[int, int | None]]


def _members(reports: Mapping[int, Report]) -> set[tuple[int, int | None]]:
    """Which story each report of the region is in, and every report of those stories: what
    a pass's plan was read from."""
    stories = {r.cluster_id for r in reports.values() if r.cluster_id is not None}
    rows: set[tuple[int, int | None]] = set(
        Article.objects.filter(pk__in=reports.keys()).values_list("pk", "cluster_id")
    )
    # Two lookups rather than one OR, which SQLite answers with a table scan.
    rows |= set(
        Article.objects.filter(cluster_id__in=stories).values_list("pk", "cluster_id")
    )
    return rows


def _plan(seeds: list[int]) -> _Plan:
    reports = _region(seeds)
    # Stories an editor touched, and those the region was too large (or the story too
    # big) to look at, keep all their reports.
    settled = fixed_stories(reports)
    fixed = settled | {
        r.cluster_id
        for r in reports.values()
        if not r.expanded and r.cluster_id is not None
    }
    scores, band = evidence(reports)
    verdicts = opinions(band)
    stories = partition(reports, scores, fixed=fixed, verdicts=verdicts)
    # The region holds every report of its stories (``_load``).
    members = {(pk, r.cluster_id) for pk, r in reports.items()}
    return _Plan(reports, settled, band, stories, members)


def consolidate(seeds: Iterable[int]) -> Outcome:
    """Settle the stories of the region around ``seeds`` (article ids) as a whole, with the
    second opinions recorded for the pairs in the band.

    Reading the region is most of a pass (a candidate search per report: seconds for an
    ingest batch of hundreds). It is done before taking clustering's lock, which on SQLite
    is the database's one writer: an editor saving meanwhile would wait, and past SQLite's
    busy timeout fail. Under the lock the pass checks that what it read still holds (each
    report in the story it was read in, no report joined or left those stories, the same
    stories fixed by the desk) and writes; if anything changed, it reads again under the
    lock. A report stored meanwhile outside those stories is the next pass's, as if it had
    arrived a moment later."""
    seeds = list(seeds)
    outcome = Outcome()
    if not seeds:
        return outcome
    plan = _plan(seeds)
    with transaction.atomic():
        clustering.lock()
        if (
            _members(plan.reports) != plan.members
            or fixed_stories(plan.reports) != plan.settled
        ):
            plan = _plan(seeds)
        outcome.band = plan.band
        outcome.region = len(plan.reports)
        outcome.stories_before = len(
            {r.cluster_id for r in plan.reports.values()} - {None}
        )
        outcome.stories_after = len(plan.stories)
        outcome.moved = _write(plan.reports, plan.stories)
    return outcome


def recent_seeds(hours: float | None = None) -> list[int]:
    """Reports ingested in the last ``hours`` (CLUSTER_CONSOLIDATE_HOURS) that have a
    story, in an order that does not depend on arrival (publication time, feed, guid)."""
    since = timezone.now() - timedelta(
        hours=settings.CLUSTER_CONSOLIDATE_HOURS if hours is None else hours
    )
    return list(
        Article.objects.filter(created_at__gte=since, cluster__isnull=False)
        .order_by(*SEED_ORDER)
        .values_list("pk", flat=True)
    )


def chunks(seeds: list[int]) -> list[list[int]]:
    """Seeds in passes of at most ``CLUSTER_SEED_CHUNK``: each pass holds clustering's
    lock for the time of its region only, and a long backlog is settled a part at a
    time instead of not at all."""
    size = max(settings.CLUSTER_SEED_CHUNK, 1)
    return [seeds[i : i + size] for i in range(0, len(seeds), size)]
