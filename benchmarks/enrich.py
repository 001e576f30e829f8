"""Enrichment benchmark: tokens per Claude request as built, and offline throughput.

    .venv/bin/python benchmarks/enrich.py [--limit N] [--json PATH]

1. Tokens per article for the Claude request exactly as the backend builds it, over every
   entry of ../shared/feeds/real with some text. With ANTHROPIC_API_KEY set it asks the API's
   token counter (``messages.count_tokens``); without a key it estimates from the request
   size (4 characters per token, the ratio the prompt module trims with). Reported: the
   static, cached part; the per-article uncached part (median, p95); the cached share of
   every call after the first; and an output estimate (the offline proposal's JSON size,
   since real output needs a real call).
2. Offline backend throughput on the same articles, one process pinned to one core.
3. How the offline copy reads (``enrichment.offline.quality`` defines the measures): the
   share of summaries that repeat at least 80% of a lead sentence verbatim (the longest run
   of words shared with one of the text's first three sentences of 8+ words, as a share of
   that sentence's words) and the median of that share, over entries with at least 200
   characters of text; the share of takeaways that end mid-sentence (no final . ! ?, or an
   ellipsis); the share of stories with a takeaway that only pads (the headline again, the
   source's name, "no further details", the summary again: ``quality.pads``) and of those
   with fewer than three (texts too thin for three); and how importance scores spread when
   each entry is scored one hour after it was published (the corpus is years old, so
   scoring it "now" would only measure its age).
   Printed next to the figures of offline-1 (commit 2219b38), measured the same way.
   Also the share of the source's words that summary, analysis and takeaways together show
   (words in the three fields over words in the text), median and p95.

Targets (issue "AI enrichment"): median <= 2,500 uncached input tokens per article with the
static part cached; offline >= 50 articles/s on one core. (Issue "The public site", copy that
reads like an editor wrote it): no takeaway ending mid-sentence. The copy targets were <= 12%
of summaries copying a lead sentence and a median copied share <= 60%; offline-3 met them by
dropping attributions, cutting clauses and merging sentences, which changed facts ("said it
would pay" became "will pay") and left fragments. offline-4 prints the article's sentences
whole (bar a dateline, a ticker, a weekday after "said" and plain wording), so nearly every
summary repeats its lead; offline-7 leaves out the asides that only describe and the tail of
long lists (enrichment/offline/condense.py), which brings the demo from 65% to 59% and the
corpus from 85.3% to 84.9% once a review and two attacks had put back every aside that
carried a fact and removed the rewording rules that changed one. The copy targets are kept
as the issue set them and are MISSED on purpose: condensing without changing a fact takes a
language model (the claude backend); every offline rule that a review or an attack caught
changing one has been narrowed or removed. The suite guards against the copy getting worse
(tests/enrichment/test_offline.py, <= 86%; tests/enrichment/test_offline_demo.py, <= 61%).
(Issue "The public site": our copy and a link, never the publisher's article): median share
of source words shown <= 40%.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypedDict

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "feeds" / "real"
DEMO_FEEDS = ROOT / "newsroom" / "demo_feeds"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ.setdefault("DATABASE_URL", "sqlite:///:memory:")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from enrichment import prompt  # noqa: E402
from enrichment.claude import ClaudeBackend, make_client  # noqa: E402
from enrichment.offline import SHORT_TEXT_CHARS, OfflineBackend  # noqa: E402
from enrichment.offline.budget import MAX_WORD_SHARE  # noqa: E402
from enrichment.offline.quality import (  # noqa: E402
    COPY_THRESHOLD,
    ends_mid_sentence,
    lead_copy_share,
    lead_sentences,
    pads,
    shown_copy,
    source_word_share,
)
from enrichment.schema import ArticleInput  # noqa: E402
from sources.parsing import (  # noqa: E402
    FeedParseError,
    NormalizedEntry,
    parse_feed,
)

TARGET_UNCACHED_MEDIAN = 2500
TARGET_OFFLINE_RATE = 50.0
TARGET_COPIED_LEAD = 0.12  # missed on purpose since offline-4: see the docstring
TARGET_MEDIAN_COPY = 0.60
TARGET_MID_SENTENCE = 0.0
TARGET_PADDED = 0.0
# offline-7 as it was until 2026-12-02 padded a thin text's takeaways with its headline, its
# source's name and "The report gave no further details.": stories with such a takeaway.
PADDED_BEFORE = 0.690
# The public site shows our copy and a link, never the publisher's article: summary, analysis
# and takeaways together show at most MAX_WORD_SHARE (40%) of the source's words (offline-5's
# budget; a very short text may pass it, its summary being all it has).
TARGET_SOURCE_WORDS_MEDIAN = MAX_WORD_SHARE
# offline-1 (commit 2219b38), which copied its summary from the lead and clipped takeaways
# with "…", on this corpus (2,050 entries; 1,526 summaries judged, 6,682 takeaways),
# measured with this script's measures on 2026-12-01 on the same machine, whose load varies.
BEFORE: dict[str, Any] = {
    "copied_lead": 0.959,
    "median_copy": 1.0,
    "mid_sentence": 0.180,
    "rate": 2133.0,
    "importance": {2: 513, 3: 1259, 4: 226, 5: 36, 6: 13, 7: 3},
}


def as_input(entry: NormalizedEntry, source_name: str, **fields: Any) -> ArticleInput:
    """What the backend sees of a parsed feed entry (``fields``: categories, companies)."""
    return ArticleInput(
        title=entry.title,
        text=entry.text,
        source_name=source_name,
        published_at=entry.published_at,
        url=entry.url,
        **fields,
    )


def corpus_articles(limit: int | None) -> list[ArticleInput]:
    if not CORPUS.is_dir():
        sys.exit(f"the real feed corpus is missing at {CORPUS}")
    fetched = datetime(2026, 11, 27, tzinfo=UTC)
    articles: list[ArticleInput] = []
    for path in sorted(CORPUS.iterdir()):
        try:
            feed = parse_feed(
                path.read_bytes(),
                url=f"https://{path.stem}.example/",
                fetched_at=fetched,
            )
        except FeedParseError:
            continue
        for entry in feed.entries:
            if len(entry.text) < 80:
                continue
            articles.append(
                as_input(
                    entry, feed.title or path.stem, categories=prompt.DEFAULT_CATEGORIES
                )
            )
    return articles[:limit] if limit else articles


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def estimate(text: str) -> int:
    return max(1, len(text) // prompt.CHARS_PER_TOKEN)


class TokenReport(TypedDict):
    method: str
    articles: int
    static_tokens: int
    uncached_median: float
    uncached_p95: float
    first_call_median: float
    cached_share_after_first: float
    output_median_estimate: float
    output_p95_estimate: float
    max_tokens: int


def measure_tokens(articles: list[ArticleInput]) -> TokenReport:
    key = settings.ANTHROPIC_API_KEY
    backend = ClaudeBackend(client=make_client(api_key=key or "not-used"))
    requests = [backend.build_request(article) for article in articles]
    schema = json.dumps(requests[0]["output_config"])
    static_text = requests[0]["system"][0]["text"]
    if key:
        method = "messages.count_tokens (API)"

        def count(request: dict[str, Any]) -> int:
            fields = {k: request[k] for k in ("model", "system", "messages")}
            return backend.client.messages.count_tokens(**fields).input_tokens

        probe = {**requests[0], "messages": [{"role": "user", "content": "x"}]}
        static = count(probe) - 1
        per_article = [count(request) - static for request in requests]
    else:
        method = "request size / 4 characters per token (no API key)"
        static = estimate(static_text) + estimate(schema)
        per_article = [
            estimate(json.dumps(r["messages"], ensure_ascii=False)) for r in requests
        ]
    offline = OfflineBackend()
    outputs = [
        estimate(offline.enrich(article).model_dump_json()) for article in articles
    ]
    median = statistics.median(per_article)
    return {
        "method": method,
        "articles": len(articles),
        "static_tokens": static,
        "uncached_median": median,
        "uncached_p95": percentile(per_article, 0.95),
        "first_call_median": static + median,
        "cached_share_after_first": static / (static + median),
        "output_median_estimate": statistics.median(outputs),
        "output_p95_estimate": percentile(outputs, 0.95),
        "max_tokens": settings.ENRICHMENT_MAX_TOKENS,
    }


def measure_offline(articles: list[ArticleInput], rounds: int = 3) -> dict[str, float]:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    backend = OfflineBackend()
    now = datetime(2026, 11, 27, 12, tzinfo=UTC)
    backend.enrich(articles[0], now=now)  # warm caches (compiled patterns)
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for article in articles:
            backend.enrich(article, now=now)
        best = min(best, time.perf_counter() - started)
    return {"articles": len(articles), "seconds": best, "rate": len(articles) / best}


class CopyReport(TypedDict):
    summaries: int
    copied_lead: float
    median_copy: float
    takeaways: int
    mid_sentence: float
    padded: float
    thin: float
    importance: dict[int, int]
    source_words_median: float
    source_words_p95: float


def measure_copy(articles: list[ArticleInput]) -> CopyReport:
    """How the offline copy reads: summaries that repeat a lead sentence, cut takeaways,
    and the spread of importance scores.

    Summaries are judged on entries with at least SHORT_TEXT_CHARS of text and a lead
    sentence to compare with (shorter texts are summarised by their headline and text as
    given); takeaways and importance on every entry.
    """
    backend = OfflineBackend()
    shares: list[float] = []
    takeaways = cut = padded = thin = 0
    importance: Counter[int] = Counter()
    shown_shares: list[float] = []
    for article in articles:
        result = backend.enrich(article, now=article.published_at + timedelta(hours=1))
        shown_shares.append(
            source_word_share(
                shown_copy(result.summary, result.analysis, result.key_takeaways),
                article.text,
            )
        )
        importance[result.importance] += 1
        takeaways += len(result.key_takeaways)
        cut += sum(ends_mid_sentence(t) for t in result.key_takeaways)
        padded += any(
            pads(t, title=article.title, summary=result.summary)
            for t in result.key_takeaways
        )
        thin += len(result.key_takeaways) < 3
        if len(article.text.strip()) >= SHORT_TEXT_CHARS and lead_sentences(
            article.text
        ):
            shares.append(lead_copy_share(result.summary, article.text))
    return {
        "summaries": len(shares),
        "copied_lead": sum(s >= COPY_THRESHOLD for s in shares) / max(len(shares), 1),
        "median_copy": statistics.median(shares) if shares else 0.0,
        "takeaways": takeaways,
        "mid_sentence": cut / max(takeaways, 1),
        "padded": padded / max(len(articles), 1),
        "thin": thin / max(len(articles), 1),
        "importance": dict(sorted(importance.items())),
        "source_words_median": statistics.median(shown_shares),
        "source_words_p95": percentile(shown_shares, 0.95),
    }


def demo_articles() -> list[ArticleInput]:
    """The demo's stories as the pipeline passes them on (with the demo's companies)."""
    from newsroom.management.commands.load_demo import DEMO_COMPANIES

    known = tuple(
        (name, ticker, tuple(aliases)) for name, ticker, aliases in DEMO_COMPANIES
    )
    articles = []
    for path in sorted(DEMO_FEEDS.glob("*.xml")):
        now = datetime.now(UTC)
        feed = parse_feed(
            path.read_bytes(), url=f"https://{path.stem}.example/", fetched_at=now
        )
        articles += [
            as_input(entry, feed.title or path.stem, known_companies=known)
            for entry in feed.entries
        ]
    return articles


def measure_demo(articles: list[ArticleInput]) -> dict[str, float]:
    """What a newcomer reads first: the demo's summaries and analyses."""
    backend = OfflineBackend()
    shares, shown, analysed = [], [], 0
    for article in articles:
        result = backend.enrich(article, now=article.published_at + timedelta(hours=1))
        shares.append(lead_copy_share(result.summary, article.text))
        shown.append(
            source_word_share(
                shown_copy(result.summary, result.analysis, result.key_takeaways),
                article.text,
            )
        )
        analysed += bool(result.analysis)
    return {
        "stories": len(articles),
        "copied_lead": sum(s >= COPY_THRESHOLD for s in shares) / max(len(shares), 1),
        "median_copy": statistics.median(shares),
        "with_analysis": analysed,
        "source_words_median": statistics.median(shown),
    }


def spread(counts: dict[int, int]) -> str:
    """ "1-3 12% · 4-6 80% · 7-10 8%": importance scores in three bands."""
    total = sum(counts.values()) or 1
    bands = {"1-3": range(1, 4), "4-6": range(4, 7), "7-10": range(7, 11)}
    return " · ".join(
        f"{name} {sum(counts.get(score, 0) for score in scores) / total:.0%}"
        for name, scores in bands.items()
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    articles = corpus_articles(args.limit)
    tokens = measure_tokens(articles)
    offline = measure_offline(articles)
    copy = measure_copy(articles)
    demo = measure_demo(demo_articles())

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "MISS"

    print(f"Enrichment benchmark: {len(articles)} articles from {CORPUS}")
    print(
        f"  model {settings.ANTHROPIC_MODEL}, prompt {prompt.PROMPT_VERSION}; "
        f"tokens by {tokens['method']}"
    )
    print()
    print(
        f"  static prompt (cached)                {tokens['static_tokens']:>8,.0f} tokens"
    )
    print(
        f"  per article, uncached: median         {tokens['uncached_median']:>8,.0f} tokens  "
        f"{verdict(tokens['uncached_median'] <= TARGET_UNCACHED_MEDIAN)} "
        f"(target <= {TARGET_UNCACHED_MEDIAN:,})"
    )
    print(
        f"  per article, uncached: p95            {tokens['uncached_p95']:>8,.0f} tokens"
    )
    print(
        f"  first call (cache write): median      {tokens['first_call_median']:>8,.0f} tokens"
    )
    print(
        f"  cached share of input after 1st call  {tokens['cached_share_after_first']:>8.0%}"
    )
    print(
        f"  output, estimated: median / p95       {tokens['output_median_estimate']:>8,.0f} / "
        f"{tokens['output_p95_estimate']:,.0f} tokens (max_tokens {tokens['max_tokens']:,})"
    )
    print()
    print(
        f"  offline backend, one core             {offline['rate']:>8,.0f} articles/s  "
        f"{verdict(offline['rate'] >= TARGET_OFFLINE_RATE)} (target >= {TARGET_OFFLINE_RATE:.0f}"
        f"; offline-1: {BEFORE['rate']:,.0f})"
    )
    print()
    print("  offline copy                                   now   offline-1  target")
    print(
        f"  summaries copying >= 80% of a lead sentence  {copy['copied_lead']:>6.1%}"
        f"  {BEFORE['copied_lead']:>6.1%}   <= {TARGET_COPIED_LEAD:.0%}  "
        f"{verdict(copy['copied_lead'] <= TARGET_COPIED_LEAD)}"
        f"  ({copy['summaries']:,} summaries)"
    )
    print(
        f"  median share of a lead sentence copied       {copy['median_copy']:>6.0%}"
        f"  {BEFORE['median_copy']:>6.0%}   <= {TARGET_MEDIAN_COPY:.0%}  "
        f"{verdict(copy['median_copy'] <= TARGET_MEDIAN_COPY)}"
    )
    print(
        f"  takeaways ending mid-sentence                {copy['mid_sentence']:>6.1%}"
        f"  {BEFORE['mid_sentence']:>6.1%}   = {TARGET_MID_SENTENCE:.0%}   "
        f"{verdict(copy['mid_sentence'] <= TARGET_MID_SENTENCE)}"
        f"  ({copy['takeaways']:,} takeaways)"
    )
    print(
        f"  stories with a takeaway that only pads       {copy['padded']:>6.1%}"
        f"  ({PADDED_BEFORE:.1%} before)  = {TARGET_PADDED:.0%}   "
        f"{verdict(copy['padded'] <= TARGET_PADDED)}"
    )
    print(
        f"  stories with fewer than 3 takeaways          {copy['thin']:>6.1%}"
        "  (texts too thin for three: podcast and blog blurbs)"
    )
    print(
        f"  share of source words shown, median / p95    {copy['source_words_median']:>6.0%}"
        f" / {copy['source_words_p95']:.0%}   median <= {TARGET_SOURCE_WORDS_MEDIAN:.0%}  "
        f"{verdict(copy['source_words_median'] <= TARGET_SOURCE_WORDS_MEDIAN)}"
    )
    print(
        "  importance, scored 1 h after publication     "
        + " ".join(f"{k}:{v}" for k, v in copy["importance"].items())
    )
    print(f"    now        {spread(copy['importance'])}")
    print(f"    offline-1  {spread(BEFORE['importance'])}")
    print()
    print(f"  the demo's {demo['stories']} stories (what a newcomer reads first)")
    print(
        f"  summaries copying >= 80% of a lead sentence  {demo['copied_lead']:>6.1%}"
        f"   median share copied {demo['median_copy']:.0%}"
    )
    print(
        f"  story pages with an analysis                 {demo['with_analysis']:>6} of "
        f"{demo['stories']} (offline-5: 0 of 46)"
    )
    print(
        f"  share of source words shown, median          {demo['source_words_median']:>6.0%}"
    )
    if args.json:
        args.json.write_text(
            json.dumps(
                {"tokens": tokens, "offline": offline, "copy": copy, "demo": demo},
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
