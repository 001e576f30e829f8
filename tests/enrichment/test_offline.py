"""The offline enrichment backend: handcrafted stories, then the real feed corpus."""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from conftest import SHARED_FEEDS
from enrichment.offline import OfflineBackend, split_sentences
from enrichment.schema import ArticleInput, EnrichmentResult
from sources.parsing import parse_feed

CORPUS = SHARED_FEEDS / "real"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
CATEGORIES = (
    "Markets",
    "Business",
    "Technology",
    "Energy",
    "Economy",
    "Health",
    "World",
)
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def make_article(title: str, text: str = "", **fields: Any) -> ArticleInput:
    values: dict[str, Any] = {
        "title": title,
        "text": text,
        "source_name": "Northwind Wire",
        "published_at": NOW - timedelta(hours=2),
        "categories": CATEGORIES,
    }
    values.update(fields)
    return ArticleInput(**values)


def enrich(article: ArticleInput) -> EnrichmentResult:
    return OfflineBackend().enrich(article, now=NOW)


def verbatim_chunks(summary: str, text: str) -> list[str] | None:
    """Split ``summary`` at spaces into the fewest pieces that each occur in ``text``, or None.

    Greedy longest-first is exact here: any piece of a substring is a substring. A clipped
    sentence ends in "…", which is not in the text, so the mark is ignored on both sides.
    """
    summary, text = summary.replace("…", ""), text.replace("…", "")
    chunks: list[str] = []
    rest = summary
    while rest:
        cuts = [m.start() for m in re.finditer(" ", rest)] + [len(rest)]
        cut = next((c for c in reversed(cuts) if rest[:c] and rest[:c] in text), None)
        if cut is None:
            return None
        chunks.append(rest[:cut])
        rest = rest[cut + 1 :]
    return chunks


# --- Sentences --------------------------------------------------------------------------------
def test_sentences_do_not_break_at_abbreviations_initials_or_decimals() -> None:
    text = (
        "Apple Inc. said revenue rose 4.2% to $1.5bn in the U.S. market on Tuesday. "
        'Dr. Jane Smith of J. P. Morgan called it "solid." Shares rose 3%.\n\n'
        "A new paragraph starts here."
    )

    assert split_sentences(text) == [
        (
            "Apple Inc. said revenue rose 4.2% to $1.5bn in the U.S. market on Tuesday.",
            0,
        ),
        ('Dr. Jane Smith of J. P. Morgan called it "solid."', 0),
        ("Shares rose 3%.", 0),
        ("A new paragraph starts here.", 1),
    ]


def test_a_missing_space_after_a_full_stop_still_ends_the_sentence() -> None:
    text = "Modi met Xi in Wuhan last year in April.Previously, Modi hosted Xi in 2014."

    assert [s for s, _ in split_sentences(text)] == [
        "Modi met Xi in Wuhan last year in April.",
        "Previously, Modi hosted Xi in 2014.",
    ]


# --- Summary, takeaways, analysis -------------------------------------------------------------
DEAL_TEXT = (
    "Helios Semiconductor agreed on Monday to buy Lumen Optics for $4.2 billion in cash, "
    "the chipmaker's largest acquisition. "
    "Helios will pay $38.50 a share, a premium of 31% to Lumen's closing price on Friday. "
    "Lumen Optics makes photonic interconnects that move data between AI accelerators. "
    "Lumen Optics shares soared 27% and hit a record high after the announcement. "
    "Helios shares fell 3% as some investors worried about the price.\n\n"
    "The deal is expected to close in the third quarter of 2027, subject to regulatory "
    "approval. Helios plans to keep the Lumen brand."
)


def test_the_summary_is_two_or_three_lead_weighted_sentences_in_original_order() -> (
    None
):
    result = enrich(
        make_article("Helios to buy Lumen Optics for $4.2 billion", DEAL_TEXT)
    )

    chunks = verbatim_chunks(result.summary, DEAL_TEXT)
    assert chunks is not None
    sentences = [s for s, _ in split_sentences(result.summary)]
    assert 2 <= len(sentences) <= 3
    assert result.summary.startswith("Helios Semiconductor agreed on Monday")
    positions = [DEAL_TEXT.index(s) for s in sentences]
    assert positions == sorted(positions)


def test_takeaways_prefer_sentences_the_summary_did_not_use() -> None:
    result = enrich(
        make_article("Helios to buy Lumen Optics for $4.2 billion", DEAL_TEXT)
    )

    assert 3 <= len(result.key_takeaways) <= 5
    assert not any(takeaway in result.summary for takeaway in result.key_takeaways)
    assert all(takeaway.rstrip("…") in DEAL_TEXT for takeaway in result.key_takeaways)


def test_the_analysis_has_short_paragraphs_and_quotes_what_to_watch_verbatim() -> None:
    result = enrich(
        make_article("Helios to buy Lumen Optics for $4.2 billion", DEAL_TEXT)
    )

    paragraphs = result.analysis.split("\n\n")
    assert 2 <= len(paragraphs) <= 4
    assert (
        "What to watch: The deal is expected to close in the third quarter of 2027"
        in (result.analysis)
    )
    assert "$4.2 billion" in result.analysis
    for number in NUMBER.findall(result.analysis):
        assert number in DEAL_TEXT


def test_an_article_without_text_still_gives_a_valid_result_with_three_takeaways() -> (
    None
):
    result = enrich(make_article("Quillon names new finance chief", ""))

    EnrichmentResult.model_validate(result.model_dump())
    assert result.summary == "Quillon names new finance chief."
    assert result.key_takeaways == [
        "Quillon names new finance chief.",
        "Reported by Northwind Wire.",
        "No further details were given in the feed.",
    ]
    assert result.companies == []


def test_an_entry_without_title_or_text_still_validates() -> None:
    result = enrich(make_article("", "", source_name=""))

    EnrichmentResult.model_validate(result.model_dump())
    assert len(result.key_takeaways) == 3
    assert result.summary


# --- Sentiment --------------------------------------------------------------------------------
def test_a_clearly_positive_earnings_story_is_bullish() -> None:
    text = (
        "Cobalt Cloud beat analysts' estimates for the third quarter as revenue jumped 27% to "
        "a record $6.84 billion. Profit surged 41% and the company raised its full-year "
        "guidance, citing strong demand for AI infrastructure. The shares rallied 8%."
    )

    result = enrich(make_article("Cobalt Cloud profit soars as AI sales double", text))

    assert result.sentiment == "bullish"


def test_a_story_of_losses_layoffs_and_a_probe_is_bearish() -> None:
    text = (
        "Marrowick Insurance swung to a net loss of $640 million in the quarter and said it "
        "would cut 1,200 jobs. Regulators opened a probe into its claims handling, and the "
        "shares plunged 18% to their lowest level in a decade. Analysts downgraded the stock."
    )

    result = enrich(
        make_article("Marrowick posts loss, announces layoffs amid probe", text)
    )

    assert result.sentiment == "bearish"


def test_negation_turns_bad_news_words_into_good_news() -> None:
    plain = "Orbit Foods missed its targets. The quarter brought losses and layoffs."
    negated = "Orbit Foods did not miss its targets. The quarter brought no losses and no layoffs."

    assert enrich(make_article("Orbit Foods reports", plain)).sentiment == "bearish"
    assert enrich(make_article("Orbit Foods reports", negated)).sentiment == "bullish"


def test_failing_to_beat_estimates_counts_as_bad_news() -> None:
    text = "Orbit Foods failed to beat estimates again. Its shares fell 6% and sales declined."

    assert enrich(
        make_article("Orbit Foods fails to beat estimates", text)
    ).sentiment == ("bearish")


def test_a_story_without_market_language_is_neutral() -> None:
    text = (
        "The museum opened a new wing on Saturday. It houses paintings from the 1920s."
    )

    assert enrich(make_article("Museum opens new wing", text)).sentiment == "neutral"


# --- Companies --------------------------------------------------------------------------------
HELIOS = ("Helios Semiconductor", "HLS", ("Helios",))
LUMEN = ("Lumen Optics", "LUMO", ())


def test_known_companies_and_aliases_are_found_once_named_as_written() -> None:
    result = enrich(
        make_article(
            "Helios to buy Lumen Optics for $4.2 billion",
            DEAL_TEXT,
            known_companies=(HELIOS, LUMEN),
        )
    )

    # The headline says "Helios" first; the body's "Helios Semiconductor" is the same firm.
    assert [(c.name, c.ticker) for c in result.companies] == [
        ("Helios", "HLS"),
        ("Lumen Optics", "LUMO"),
    ]


def test_each_company_gets_the_sentiment_of_the_sentences_that_name_it() -> None:
    text = (
        "Lumen Optics shares soared 27% to a record high after strong results. "
        "Helios Semiconductor shares fell 9% after it warned of weak demand and losses."
    )

    result = enrich(
        make_article("Chip stocks move", text, known_companies=(HELIOS, LUMEN))
    )

    sentiments = {c.name: c.sentiment for c in result.companies}
    assert sentiments == {"Lumen Optics": "bullish", "Helios Semiconductor": "bearish"}


def test_well_known_companies_are_found_under_an_alias_with_their_ticker() -> None:
    text = "Google said on Tuesday that its cloud unit would open three data centres in Europe."

    result = enrich(make_article("Google expands in Europe", text))

    assert [(c.name, c.ticker) for c in result.companies] == [("Google", "GOOGL")]


def test_apple_pie_is_not_the_apple_company() -> None:
    pie = "She baked an apple pie for the fair. The apple harvest was good this year."
    firm = "Apple said iPhone sales rose 6% in the quarter."

    assert enrich(make_article("A baking contest", pie)).companies == []
    assert [
        c.ticker for c in enrich(make_article("Apple results", firm)).companies
    ] == ["AAPL"]


def test_no_more_than_eight_companies_are_listed_in_order_of_first_mention() -> None:
    names = [
        "Apple",
        "Microsoft",
        "Nvidia",
        "Amazon",
        "Netflix",
        "Intel",
        "Oracle",
        "Adobe",
    ]
    text = f"{', '.join(names)}, Boeing and Pfizer all reported results this week."

    result = enrich(make_article("Earnings roundup", text))

    assert [c.name for c in result.companies] == names


# --- Importance -------------------------------------------------------------------------------
def test_a_fresh_multi_source_acquisition_outranks_a_trivial_item() -> None:
    deal = make_article(
        "Helios to buy Lumen Optics for $4.2 billion",
        DEAL_TEXT,
        source_trust=0.9,
        coverage_sources=3,
        published_at=NOW - timedelta(hours=1),
        known_companies=(HELIOS, LUMEN),
    )
    trivia = make_article(
        "Office cafeteria adds soup",
        "The cafeteria will serve soup on Fridays.",
        source_trust=0.4,
        published_at=NOW - timedelta(days=3),
    )

    big, small = enrich(deal), enrich(trivia)

    assert 7 <= big.importance <= 9
    assert 1 <= small.importance <= 2
    assert big.importance_reason.startswith(f"{big.importance}/10: ")
    assert "covered by 3 sources" in big.importance_reason
    assert "acquisition" in big.importance_reason
    assert "published 1 h ago" in big.importance_reason


def test_a_routine_single_source_story_lands_in_the_middle() -> None:
    text = (
        "Fennimore Foods said list prices would rise by an average of 4.5% on January 1. "
        "Cocoa, its biggest ingredient cost, is 38% more expensive than a year ago. "
        "The company kept its forecast of 3% to 4% organic sales growth for the year."
    )

    result = enrich(
        make_article("Fennimore raises chocolate prices", text, source_trust=0.7)
    )

    assert 3 <= result.importance <= 6


def test_recency_is_measured_against_the_given_now() -> None:
    article = make_article("Helios to buy Lumen Optics for $4.2 billion", DEAL_TEXT)
    backend = OfflineBackend()

    fresh = backend.enrich(article, now=article.published_at + timedelta(minutes=30))
    stale = backend.enrich(article, now=article.published_at + timedelta(days=30))

    assert fresh.importance > stale.importance
    assert "published 30 days ago" in stale.importance_reason


# --- Category ---------------------------------------------------------------------------------
ENERGY_TEXT = (
    "Brent crude rose 2% as OPEC kept output steady, while solar and wind developers "
    "added record capacity to the grid. Oil and gas producers said refinery margins improved."
)


def test_an_oil_and_solar_story_is_filed_under_energy() -> None:
    result = enrich(
        make_article("Oil climbs as solar installations hit a record", ENERGY_TEXT)
    )

    assert result.category == "Energy"


def test_category_names_are_matched_case_insensitively_and_returned_as_given() -> None:
    result = enrich(
        make_article(
            "Oil climbs", ENERGY_TEXT, categories=("business", "ENERGY", "tech")
        )
    )

    assert result.category == "ENERGY"


def test_without_a_matching_rule_the_category_falls_back_to_business_or_the_first() -> (
    None
):
    text = (
        "The museum opened a new wing on Saturday. It houses paintings from the 1920s."
    )

    with_business = enrich(
        make_article("Museum", text, categories=("Sport", "Business"))
    )
    without = enrich(make_article("Museum", text, categories=("Sport", "Culture desk")))

    assert with_business.category == "Business"
    assert without.category == "Sport"


def test_an_empty_category_list_uses_the_default_set() -> None:
    result = enrich(make_article("Oil climbs", ENERGY_TEXT, categories=()))

    assert result.category == "Energy"


# --- The real feed corpus ---------------------------------------------------------------------
@dataclass(frozen=True)
class Enriched:
    articles: list[ArticleInput]
    results: list[EnrichmentResult]
    seconds: float


@pytest.fixture(scope="module")
def corpus() -> list[ArticleInput]:
    if not CORPUS.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"the real feed corpus is missing at {CORPUS}")
        pytest.skip(f"the real feed corpus is not on this machine ({CORPUS})")
    articles = []
    for path in sorted(CORPUS.iterdir()):
        url = f"https://feeds.example/{path.name}"
        feed = parse_feed(path.read_bytes(), url=url, fetched_at=NOW)
        articles += [
            ArticleInput(
                title=entry.title,
                text=entry.text,
                source_name=feed.title,
                published_at=entry.published_at,
                url=entry.url,
                categories=CATEGORIES,
            )
            for entry in feed.entries
        ]
    assert len(articles) > 1000
    return articles


@pytest.fixture(scope="module")
def enriched(corpus: list[ArticleInput]) -> Enriched:
    backend = OfflineBackend()
    started = time.perf_counter()
    results = [backend.enrich(article, now=NOW) for article in corpus]
    return Enriched(corpus, results, time.perf_counter() - started)


def test_every_long_real_entry_gets_a_valid_grounded_result(enriched: Enriched) -> None:
    problems = []
    checked = 0
    for article, result in zip(enriched.articles, enriched.results, strict=True):
        if len(article.text) < 200:
            continue
        checked += 1
        where = f"{article.source_name!r} / {article.title[:60]!r}"
        EnrichmentResult.model_validate(result.model_dump())
        chunks = verbatim_chunks(result.summary, article.text)
        if chunks is None or len(chunks) > 3:
            problems.append(f"{where}: summary not verbatim: {result.summary[:120]!r}")
        if not 3 <= len(result.key_takeaways) <= 5:
            problems.append(f"{where}: {len(result.key_takeaways)} takeaways")
        if result.category not in CATEGORIES:
            problems.append(f"{where}: category {result.category!r}")
        grounding = f"{article.title}\n{article.text}\n{article.source_name}"
        for part in (result.summary, result.analysis, *result.key_takeaways):
            missing = [n for n in NUMBER.findall(part) if n not in grounding]
            if missing:
                problems.append(
                    f"{where}: numbers {missing} not in the article: {part[:80]!r}"
                )
    assert checked > 1000
    assert problems == []


def test_enriching_the_same_real_entry_twice_gives_identical_results(
    enriched: Enriched,
) -> None:
    backend = OfflineBackend()
    for article, first in zip(enriched.articles, enriched.results, strict=True):
        if len(article.text) >= 200:
            assert backend.enrich(article, now=NOW) == first, article.title


def test_enrichment_runs_at_fifty_articles_a_second_or_more(enriched: Enriched) -> None:
    rate = len(enriched.articles) / enriched.seconds

    assert rate >= 50, f"{rate:.0f} articles/s over {len(enriched.articles)} entries"
