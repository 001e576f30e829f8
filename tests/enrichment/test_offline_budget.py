"""The budget on source copy (offline-5): summary, analysis and takeaways together reprint at
most MAX_WORD_SHARE of the article's words and MAX_SENTENCE_SHARE of its sentences."""

from __future__ import annotations

from datetime import UTC, datetime

from enrichment.offline import OfflineBackend, split_sentences
from enrichment.offline.budget import MAX_SENTENCE_SHARE, MAX_WORD_SHARE
from enrichment.offline.quality import (
    shown_copy,
    source_sentence_share,
    source_word_share,
)
from enrichment.schema import ArticleInput

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)

# A story of our own, written for this test: six paragraphs, about 380 words.
HARBOUR_TEXT = (
    "Tessaly Ports agreed on Wednesday to buy the container terminal at Brannick Bay from "
    "Orlov Shipping for $2.7 billion, the largest port deal in the region this decade. "
    "The purchase adds 1.8 million containers a year to Tessaly's capacity.\n\n"
    "Tessaly will pay $1.9 billion in cash and the rest in new shares, according to a "
    "filing with the Coastal Exchange. Orlov Shipping said the sale would cut its debt "
    "by about 40%. Orlov shares rose 11% in early trading, while Tessaly shares fell 2%.\n\n"
    "The Brannick Bay terminal handled 1.2 million containers last year, up from 900,000 "
    "in 2023. Its two deep-water berths can take the largest ships now in service. "
    "Dock workers at the terminal number about 2,300, and their union has asked for "
    "talks on pay and hours before the sale closes.\n\n"
    "Analysts at Merrow Capital said the price was high but the berths were scarce. "
    "Rival operator Kestrel Terminals bid for the site in 2022 and lost to a plan by the "
    "port authority to expand it itself, which was later dropped for lack of funds.\n\n"
    "The deal needs approval from the Maritime Competition Board, which has 90 days to "
    "review it once the filing is complete. Tessaly expects the purchase to close in the "
    "second half of 2027 and to add to earnings in the first full year after that. "
    "Tessaly chief executive Ines Varga said the company would keep the terminal's "
    "existing customers on their current contracts until at least 2029.\n\n"
    "Tessaly Ports runs eleven terminals in six countries and employs 14,000 people. "
    "Orlov Shipping will keep its fleet of 62 vessels and its inland logistics arm. "
    "The two companies said they had agreed a break fee of $120 million. "
    "Shipping volumes through the bay are forecast to grow about 4% a year until 2030."
)


def test_a_long_article_stays_within_the_budget() -> None:
    article = ArticleInput(
        title="Tessaly Ports buys Brannick Bay terminal for $2.7 billion",
        text=HARBOUR_TEXT,
        source_name="Harbour Wire",
        published_at=datetime(2026, 11, 25, 9, 0, tzinfo=UTC),
    )
    result = OfflineBackend().enrich(article, now=NOW)
    shown = shown_copy(result.summary, result.analysis, result.key_takeaways)

    assert source_word_share(shown, HARBOUR_TEXT) <= MAX_WORD_SHARE
    assert source_sentence_share(shown, HARBOUR_TEXT) <= MAX_SENTENCE_SHARE
    # The shape within the budget: the lead, three distinct takeaways, analysis of 0-2.
    assert result.summary.startswith("Tessaly Ports agreed on Wednesday to buy")
    assert 1 <= len(split_sentences(result.summary)) <= 2
    assert len(result.key_takeaways) == 3
    assert len(set(result.key_takeaways)) == 3
    assert len(split_sentences(result.analysis)) <= 2
    parts = [s for s, _ in split_sentences(result.summary)]
    parts += [s for s, _ in split_sentences(result.analysis)] + result.key_takeaways
    assert len(parts) == len(set(parts))  # nothing printed twice
    # Every sentence shown is one of the article's own, whole.
    for sentence in parts:
        assert sentence[:40] in HARBOUR_TEXT, sentence


def test_the_budget_shares_are_measured_on_the_source() -> None:
    text = "One two three four five six. Seven eight nine ten eleven twelve."
    assert source_word_share("One two three four five six.", text) == 0.5
    assert source_sentence_share("One two three four five six.", text) == 0.5
    assert source_word_share("anything", "") == 0.0
