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

Targets (issue "AI enrichment"): median <= 2,500 uncached input tokens per article with the
static part cached; offline >= 50 articles/s on one core.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypedDict

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "feeds" / "real"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ.setdefault("DATABASE_URL", "sqlite:///:memory:")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from enrichment import prompt  # noqa: E402
from enrichment.claude import ClaudeBackend, make_client  # noqa: E402
from enrichment.offline import OfflineBackend  # noqa: E402
from enrichment.schema import ArticleInput  # noqa: E402
from sources.parsing import FeedParseError, parse_feed  # noqa: E402

TARGET_UNCACHED_MEDIAN = 2500
TARGET_OFFLINE_RATE = 50.0


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
                ArticleInput(
                    title=entry.title,
                    text=entry.text,
                    source_name=feed.title or path.stem,
                    published_at=entry.published_at,
                    url=entry.url,
                    categories=prompt.DEFAULT_CATEGORIES,
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    articles = corpus_articles(args.limit)
    tokens = measure_tokens(articles)
    offline = measure_offline(articles)

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
        f"{verdict(offline['rate'] >= TARGET_OFFLINE_RATE)} (target >= {TARGET_OFFLINE_RATE:.0f})"
    )
    if args.json:
        args.json.write_text(
            json.dumps({"tokens": tokens, "offline": offline}, indent=2)
        )


if __name__ == "__main__":
    main()
