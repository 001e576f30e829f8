"""Story-clustering benchmark: quality on a labelled set, and speed at 100,000 articles.

    .venv/bin/python benchmarks/clusters.py [--articles 100000] [--json PATH]

1. Quality. The labelled evaluation set (benchmarks/clusters_eval: its own feeds plus the
   demo feeds, every entry labelled with the event it reports) is ingested through the real
   pipeline (parse → ingest → cluster) into a fresh database, optionally with the real-world
   corpus of ../shared/feeds/real as unlabelled distractors. Pairwise precision and recall of
   "same story" are computed over every pair of labelled articles; a threshold sweep shows
   the trade-off and why CLUSTER_THRESHOLD is what it is.
2. Speed. The database is filled with N synthetic articles (default 100,000) spread over 60
   days, indexed as clustering indexes them; then the time to assign one new article is
   measured over 200 new articles.

Targets (issue "Same story, many sources"): precision >= 0.95, recall >= 0.80, assignment
< 20 ms per article at 100,000 articles.

Uses DATABASE_URL when it is set (e.g. PostgreSQL; the database name must contain "bench"),
otherwise a temporary SQLite file.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TypedDict

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT / "benchmarks" / "clusters_eval"
DEMO = ROOT / "newsroom" / "demo_feeds"
REAL = ROOT.parent / "shared" / "feeds" / "real"
sys.path.insert(0, str(ROOT))

if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/clusters.sqlite3"
elif "bench" not in os.environ["DATABASE_URL"].rsplit("/", 1)[-1]:
    sys.exit("DATABASE_URL must name a database containing 'bench': it is emptied")
os.environ.pop("REDIS_URL", None)
os.environ["ENRICHMENT_BACKEND"] = "offline"
os.environ["ANTHROPIC_API_KEY"] = ""
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from articles.models import Article  # noqa: E402
from sources.models import Source  # noqa: E402
from sources.services import source_create, source_ingest_body  # noqa: E402
from stories import clustering  # noqa: E402
from stories.models import ArticleTerm, StoryCluster, TermDay  # noqa: E402

TARGETS = {"precision": 0.95, "recall": 0.80, "assign_ms": 20.0}


def fresh_database() -> None:
    call_command("flush", "--noinput", verbosity=0)
    call_command("migrate", verbosity=0)


def ingest_folder(folder: Path, prefix: str) -> int:
    count = 0
    for path in sorted(folder.glob("*.xml")):
        source = source_create(
            feed_url=f"https://{prefix}-{path.stem.replace('_', '-')}.example/feed",
            name=f"{prefix}:{path.stem}",
        )
        attempt = source_ingest_body(source=source, body=path.read_bytes())
        count += attempt.new_count
    return count


def pairs_of(groups: dict[object, list[int]]) -> set[tuple[int, int]]:
    return {
        (a, b)
        for members in groups.values()
        for a, b in itertools.combinations(sorted(members), 2)
    }


class Scores(TypedDict):
    precision: float
    recall: float
    tp: int
    fp: int
    fn: int


class Quality(Scores):
    threshold: float
    labelled_articles: int
    labels_not_ingested: int
    positive_pairs: int
    distractors: int
    sweep: dict[float, Scores]


def quality(with_real: bool) -> Quality:
    fresh_database()
    labels = json.loads((EVAL / "labels.json").read_text())
    event_of = {
        guid: event for event, guids in labels["events"].items() for guid in guids
    }
    ingest_folder(DEMO, "demo")
    ingest_folder(EVAL / "feeds", "eval")
    distractors = ingest_folder(REAL, "real") if with_real and REAL.is_dir() else 0

    labelled = {
        pk: event_of[guid]
        for pk, guid in Article.objects.values_list("pk", "guid")
        if guid in event_of
    }
    missing = len(event_of) - len(labelled)
    truth_groups: dict[object, list[int]] = {}
    for pk, event in labelled.items():
        truth_groups.setdefault(event, []).append(pk)
    truth = pairs_of(truth_groups)

    def evaluate() -> Scores:
        predicted_groups: dict[object, list[int]] = {}
        for pk, cluster_id in Article.objects.values_list("pk", "cluster_id"):
            predicted_groups.setdefault(cluster_id, []).append(pk)
        predicted_all = pairs_of(predicted_groups)
        # Pairs among labelled articles, plus any labelled article wrongly joined to a
        # distractor (distractors are all different stories from the labelled ones).
        predicted = {p for p in predicted_all if p[0] in labelled and p[1] in labelled}
        wrong_with_distractors = sum(
            1 for a, b in predicted_all if (a in labelled) != (b in labelled)
        )
        true_positive = len(predicted & truth)
        false_positive = len(predicted - truth) + wrong_with_distractors
        precision = true_positive / max(true_positive + false_positive, 1)
        recall = true_positive / max(len(truth), 1)
        return {
            "precision": precision,
            "recall": recall,
            "tp": true_positive,
            "fp": false_positive,
            "fn": len(truth - predicted),
        }

    chosen = settings.CLUSTER_THRESHOLD
    sweep: dict[float, Scores] = {}
    for threshold in (0.25, 0.3, 0.35, 0.4, 0.42, 0.45, 0.48, 0.5, 0.6):
        settings.CLUSTER_THRESHOLD = threshold
        call_command("recluster", "--days", "100000", verbosity=0)
        sweep[threshold] = evaluate()
    settings.CLUSTER_THRESHOLD = chosen
    call_command("recluster", "--days", "100000", verbosity=0)
    result = evaluate()
    return {
        "threshold": chosen,
        **result,
        "labelled_articles": len(labelled),
        "labels_not_ingested": missing,
        "positive_pairs": len(truth),
        "distractors": distractors,
        "sweep": sweep,
    }


# ---------------------------------------------------------------------------------------
# Speed at scale
# ---------------------------------------------------------------------------------------
def _words(n: int, seed: int, capitalise: bool = False) -> list[str]:
    """Distinct pronounceable words: key terms are letters-only, like real ones."""
    rng = random.Random(seed)
    syllables = [c + v for c in "bcdfghjklmnprstvz" for v in "aeiou"]
    words: set[str] = set()
    while len(words) < n:
        word = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))
        words.add(word.capitalize() if capitalise else word)
    return sorted(words)


# English news vocabulary follows Zipf's law; so do these.
VOCAB = _words(20000, 1)
NAMES = _words(8000, 2, capitalise=True)


def synthetic(rng: random.Random) -> tuple[str, str]:
    def zipf(items: list[str], n: int) -> list[str]:
        return [
            items[
                min(int(rng.paretovariate(1.1)) - 1, len(items) - 1)
                if rng.random() < 0.5
                else rng.randrange(len(items))
            ]
            for _ in range(n)
        ]

    names = zipf(NAMES, 3)
    title = f"{names[0]} {' '.join(zipf(VOCAB, 5))} {rng.randint(10, 999)}"
    text = (
        f"{names[0]} and {names[1]} {' '.join(zipf(VOCAB, 40))}. "
        f"{names[2]} said {rng.randint(10, 9999)} {' '.join(zipf(VOCAB, 30))}."
    )
    return title, text


def speed(n: int, new: int = 200) -> dict[str, float]:
    fresh_database()
    rng = random.Random(7)
    sources = [
        Source.objects.create(
            name=f"S{i}", slug=f"s{i}", feed_url=f"https://s{i}.example/f"
        )
        for i in range(200)
    ]
    end = datetime(2026, 11, 27, tzinfo=UTC)
    started = time.perf_counter()
    frequencies: Counter[tuple[str, date]] = Counter()
    batch = 5000
    for offset in range(0, n, batch):
        articles = []
        for i in range(offset, min(n, offset + batch)):
            title, text = synthetic(rng)
            article = Article(
                source=sources[i % len(sources)],
                guid=f"g{i}",
                title=title[:300],
                text=text,
                published_at=end - timedelta(seconds=rng.uniform(0, 60 * 86400)),
                content_hash=f"{i:064x}",
            )
            article.cluster_signature = clustering.signature(article)
            articles.append(article)
        Article.objects.bulk_create(articles, batch_size=1000)
        clusters = StoryCluster.objects.bulk_create([StoryCluster() for _ in articles])
        for article, cluster in zip(articles, clusters, strict=True):
            article.cluster_id = cluster.pk
        Article.objects.bulk_update(articles, ["cluster"], batch_size=1000)
        ArticleTerm.objects.bulk_create(
            [
                ArticleTerm(article=a, term=t, published_at=a.published_at)
                for a in articles
                for t in a.cluster_signature["terms"]
            ],
            batch_size=5000,
        )
        for a in articles:
            for t in [*a.cluster_signature["terms"], clustering.ALL_ARTICLES]:
                frequencies[(t, a.published_at.date())] += 1
        print(
            f"\r  filling: {min(n, offset + batch):,}/{n:,} articles",
            end="",
            flush=True,
        )
    TermDay.objects.bulk_create(
        [TermDay(term=t, day=d, articles=n) for (t, d), n in frequencies.items()],
        batch_size=5000,
    )
    print(f"  ({time.perf_counter() - started:.0f} s)")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    timings = []
    for i in range(new):
        title, text = synthetic(rng)
        article = Article.objects.create(
            source=sources[i % len(sources)],
            guid=f"new{i}",
            title=title[:300],
            text=text,
            published_at=end - timedelta(hours=rng.uniform(0, 24)),
            content_hash=f"n{i:063x}",
        )
        t = time.perf_counter()
        clustering.assign(article)
        timings.append((time.perf_counter() - t) * 1000)
    timings.sort()
    return {
        "articles": n,
        "terms": ArticleTerm.objects.count(),
        "assigned": new,
        "median_ms": statistics.median(timings),
        "p95_ms": timings[int(0.95 * len(timings))],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument(
        "--no-real", action="store_true", help="leave out the real corpus"
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    db = connection.vendor

    print(
        f"Story clustering benchmark ({db}, threshold {settings.CLUSTER_THRESHOLD}, "
        f"window {settings.CLUSTER_WINDOW_HOURS} h)"
    )
    q = quality(with_real=not args.no_real)
    print(
        f"\nQuality on {q['labelled_articles']} labelled articles "
        f"({q['positive_pairs']} same-story pairs; {q['distractors']} real-corpus "
        f"distractors; {q['labels_not_ingested']} labels not ingested)"
    )
    print("  threshold  precision  recall     tp    fp    fn")
    for threshold, row in q["sweep"].items():
        mark = " <- configured" if threshold == q["threshold"] else ""
        print(
            f"  {threshold:>9.2f}  {row['precision']:>9.3f}  {row['recall']:>6.3f}  "
            f"{row['tp']:>5} {row['fp']:>5} {row['fn']:>5}{mark}"
        )

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "MISS"

    print(
        f"  precision {q['precision']:.3f} {verdict(q['precision'] >= TARGETS['precision'])}"
        f" (target >= {TARGETS['precision']}), recall {q['recall']:.3f} "
        f"{verdict(q['recall'] >= TARGETS['recall'])} (target >= {TARGETS['recall']})"
    )

    print(f"\nAssignment time with {args.articles:,} articles stored")
    s = speed(args.articles)
    print(
        f"  {s['terms']:,} index rows; assigning {s['assigned']} new articles: "
        f"median {s['median_ms']:.1f} ms {verdict(s['median_ms'] < TARGETS['assign_ms'])}, "
        f"p95 {s['p95_ms']:.1f} ms {verdict(s['p95_ms'] < TARGETS['assign_ms'])} "
        f"(target < {TARGETS['assign_ms']:.0f} ms); load average {os.getloadavg()[0]:.1f}"
    )
    if args.json:
        args.json.write_text(
            json.dumps(
                {"database": db, "quality": q, "speed": s}, indent=2, default=str
            )
        )


if __name__ == "__main__":
    main()
