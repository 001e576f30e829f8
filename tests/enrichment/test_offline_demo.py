"""Every demo feed entry through the offline backend, checked mechanically against the rules
the copy must obey: it never drops who said something, never leaves a fragment, and never
prints a sentence out of its place that leans on the one before it. A story page that
changes a fact is worse than one that copies the article's sentences whole."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from enrichment.data import editing
from enrichment.offline import OfflineBackend, split_sentences
from enrichment.offline.budget import MAX_SENTENCE_SHARE, MAX_WORD_SHARE
from enrichment.offline.quality import (
    copies_lead,
    shown_copy,
    source_sentence_share,
    source_word_share,
)
from enrichment.offline.reading import without_reading
from enrichment.offline.sentences import leans_on_context, named_subjects
from enrichment.schema import ArticleInput, EnrichmentResult
from newsroom.management.commands.load_demo import DEMO_COMPANIES
from sources.parsing import parse_feed

# The demo's companies, as ``load_demo`` creates them and the pipeline passes them on.
KNOWN_COMPANIES = tuple(
    (name, ticker, tuple(aliases)) for name, ticker, aliases in DEMO_COMPANIES
)
DEMO_FEEDS = Path(__file__).resolve().parents[2] / "newsroom" / "demo_feeds"
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
WORD = re.compile(r"[\w'’$%.-]+")
ATTRIBUTION = re.compile(
    r"\b(?:said|says|told|according to|expects|expected|plans|planned|estimated|estimates"
    r"|would|could|may|might)\b"
)
END = re.compile(r"[.!?][\"'”’)\]]*$")
BARE_START = re.compile(
    r"^(?:he|she|it|its|they|their|his|her|this|that|these|those)\b(?! (?:year|week"
    r"|month|quarter)\b)",
    re.IGNORECASE,
)
# A finite verb: a word from this list or one in -ed/-s after the first word.
VERBS = editing.COMMON_VERBS | frozenset(
    ("is", "are", "was", "were", "has", "have", "had", "will", "would", "could", "can")
    + (
        "may",
        "might",
        "must",
        "should",
        "does",
        "did",
        "said",
        "says",
        "told",
        "expects",
    )
)
MIN_WORDS = 4


def demo_entries() -> list[tuple[str, ArticleInput]]:
    entries = []
    for path in sorted(DEMO_FEEDS.glob("*.xml")):
        feed = parse_feed(
            path.read_bytes(), url=f"https://{path.stem}.example/", fetched_at=NOW
        )
        for entry in feed.entries:
            article = ArticleInput(
                title=entry.title,
                text=entry.text,
                source_name=feed.title or path.stem,
                published_at=entry.published_at,
                url=entry.url,
                categories=("Business", "Technology", "Energy", "Economy", "Health"),
                known_companies=KNOWN_COMPANIES,
            )
            entries.append((f"{path.stem}: {entry.title[:40]}", article))
    return entries


ENTRIES = demo_entries()


@pytest.fixture(scope="module")
def results() -> dict[str, EnrichmentResult]:
    backend = OfflineBackend()
    return {name: backend.enrich(article, now=NOW) for name, article in ENTRIES}


def words(text: str) -> list[str]:
    return [w.strip(".,").casefold() for w in WORD.findall(text)]


def output_sentences(result: EnrichmentResult) -> list[tuple[str, str]]:
    """(part, sentence) for every sentence of the summary, analysis and takeaways."""
    found = [("summary", s) for s, _ in split_sentences(result.summary)]
    found += [
        ("analysis", s) for s, _ in split_sentences(without_reading(result.analysis))
    ]
    found += [("takeaway", t) for t in result.key_takeaways]
    return found


def source_for(
    sentence: str, article: ArticleInput, *, lead: bool = False
) -> str | None:
    """The source sentence ``sentence`` keeps most of the words of (at least 60%); for a
    summary's ``lead``, which may leave out asides, the one whose words it is made of (at
    least 90% of its own)."""
    mine = set(words(sentence))
    best, share = None, 0.0
    for source, _ in split_sentences(article.text):
        theirs = set(words(source))
        if theirs and mine:
            overlap = len(mine & theirs) / len(mine if lead else theirs)
            if overlap > share:
                best, share = source, overlap
    return best if share >= (0.9 if lead else 0.6) else None


def test_there_are_demo_entries_to_check() -> None:
    assert len(ENTRIES) >= 40


@pytest.mark.parametrize(("name", "article"), ENTRIES, ids=[n for n, _ in ENTRIES])
def test_demo_copy_obeys_the_rules(
    name: str, article: ArticleInput, results: dict[str, EnrichmentResult]
) -> None:
    result = results[name]
    # "The company" is ambiguous when more than one company opens a sentence.
    companies = named_subjects([s for s, _ in split_sentences(article.text)])
    assert 3 <= len(result.key_takeaways) <= 5
    for part, sentence in output_sentences(result):
        if part == "takeaway" and sentence == f"{article.title.rstrip('.')}.":
            continue  # a text too thin for three takeaways has its headline as one
        # Rule 3: a whole sentence, with its own final mark and a verb.
        assert END.search(sentence), (part, sentence)
        sentence_words = words(sentence)
        assert len(sentence_words) >= MIN_WORDS, (part, sentence)
        assert any(
            w in VERBS or (len(w) > 4 and w.endswith(("ed", "es", "s")))
            for w in sentence_words[1:]
        ), (part, sentence)
        # Rule 1: every attribution and modal of the source sentence it keeps stays.
        source = source_for(sentence, article, lead=part == "summary")
        if source is not None:
            for match in ATTRIBUTION.finditer(source):
                assert match.group() in sentence, (
                    part,
                    match.group(),
                    sentence,
                    source,
                )
        # Rule 2 (no merged sentences): every output sentence is in the text as written,
        # bar a dateline, a ticker, a weekday after "said", plain wording and (in the
        # summary) a descriptive aside left out.
        assert source is not None, (part, sentence)
        # Rule 4: out of its place, nothing leans on a sentence the reader has not seen.
        if part != "summary":
            assert not BARE_START.match(sentence), (part, sentence)
            assert not leans_on_context(sentence, companies=companies), (part, sentence)


# --- Condensing (offline-7) -------------------------------------------------------------------
# The demo is what a newcomer reads first. Leads printed whole, 65% of its summaries repeated
# a lead sentence (offline-6); leaving out the asides that only describe brings it to 59%
# (27 of 46). What is left is leads with nothing a rule may leave out without changing them
# or losing what the headline is about (a stranger's review put back "a move that gives the
# chipmaker control of ...", "well above the $380 million it had budgeted", the reason a
# headline names; two attacks narrowed every rule).
MAX_DEMO_COPIED_LEAD_SHARE = 0.61


def test_most_demo_summaries_condense_their_lead(
    results: dict[str, EnrichmentResult],
) -> None:
    copied = [
        name
        for name, article in ENTRIES
        if copies_lead(results[name].summary, article.text)
    ]

    assert len(copied) <= MAX_DEMO_COPIED_LEAD_SHARE * len(ENTRIES), copied


# --- The budget on source copy (offline-5) -----------------------------------------------------
# Demo stories run 150-200 words, so a lead and the contract's three takeaways alone can pass
# 40% of the words or half of seven sentences: those are the short-article exception, which
# must print only that minimum and stay under these bounds (measured: 20 of 46, at most 56%
# of the words and 57% of the sentences).
MAX_EXCEPTIONS_SHARE = 0.5
EXCEPTION_MAX_WORD_SHARE = 0.6
EXCEPTION_MAX_SENTENCE_SHARE = 0.6


def test_every_demo_story_page_stays_within_the_budget_on_source_copy(
    results: dict[str, EnrichmentResult],
) -> None:
    exceptions = []
    for name, article in ENTRIES:
        result = results[name]
        shown = shown_copy(result.summary, result.analysis, result.key_takeaways)
        word_share = source_word_share(shown, article.text)
        sentence_share = source_sentence_share(shown, article.text)
        if word_share <= MAX_WORD_SHARE and sentence_share <= MAX_SENTENCE_SHARE:
            continue
        exceptions.append(name)
        # Over budget only with the minimum: one lead sentence, three takeaways, and no
        # sentence of the source in the analysis (the reading is ours).
        assert len(split_sentences(result.summary)) == 1, name
        assert len(result.key_takeaways) == 3, name
        assert without_reading(result.analysis) == "", name
        assert word_share <= EXCEPTION_MAX_WORD_SHARE, (name, word_share)
        assert sentence_share <= EXCEPTION_MAX_SENTENCE_SHARE, (name, sentence_share)
    assert len(exceptions) <= MAX_EXCEPTIONS_SHARE * len(ENTRIES), exceptions


# --- The reading: the analysis in our own words ----------------------------------------------
# Without it the budget left every demo story page with no analysis at all (offline-5);
# measured with it: 20 of 46, after a reader's and an attacker's reviews made it say
# nothing rather than something it cannot know.
MIN_ANALYSIS_SHARE = 0.4
NUMBER = re.compile(r"\d[\d,.]*\d|\d")


def test_most_demo_story_pages_carry_an_analysis_whose_facts_are_the_articles(
    results: dict[str, EnrichmentResult],
) -> None:
    with_analysis = 0
    for name, article in ENTRIES:
        analysis = results[name].analysis
        with_analysis += bool(analysis)
        reading = analysis.removesuffix(without_reading(analysis)).strip()
        source = f"{article.title}\n{article.text}"
        for number in NUMBER.findall(reading):
            assert number in source, (name, number, reading)
        # Every name it gives (a capitalised word not opening a sentence or a clause) is
        # the article's.
        for match in re.finditer(r"(?<=[\w,] )[A-Z][\w&.-]+", reading):
            assert match.group().rstrip(".") in source, (name, match.group(), reading)
    assert with_analysis >= MIN_ANALYSIS_SHARE * len(ENTRIES), with_analysis
