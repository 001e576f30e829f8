"""The offline enrichment backend: handcrafted stories, then the real feed corpus."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from conftest import SHARED_FEEDS, services_required
from enrichment.data import editing
from enrichment.grounding import check
from enrichment.offline import OfflineBackend, condense, reading, split_sentences
from enrichment.offline.condense import ADDED_WORDS, drop_asides, shorten_list, tighten
from enrichment.offline.quality import (
    copies_lead,
    ends_mid_sentence,
    lead_copy_share,
    lead_sentences,
    pads,
)
from enrichment.offline.sentences import leans_on_context
from enrichment.schema import ArticleInput, EnrichmentResult, Proposal
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


# Words condensing may write that the text need not contain: "Acme said it would cut" →
# "Acme will cut", "had agreed" → "has agreed", "its drug" → "Acme's drug".
# And tightening's plain words: "in order to" → "to", "approximately" → "about", and the
# "and more" that ends a shortened list.
GLUE_WORDS = (
    frozenset({"has", "have", "will", "is", "are", "can", "s"})
    | editing.PLAIN_WORDS
    | ADDED_WORDS
)
WORD = re.compile(r"\w+")


def foreign_words(
    part: str, source: str, *, own: frozenset[str] = frozenset()
) -> set[str]:
    """Words of ``part`` that ``source`` does not contain (condensing only leaves out), bar
    ``own`` (the reading's joining words, for an analysis)."""
    known = set(WORD.findall(source.casefold())) | GLUE_WORDS | own
    return set(WORD.findall(part.casefold())) - known


# --- Sentences --------------------------------------------------------------------------------
def test_a_sentence_may_end_with_an_abbreviation_before_a_word_that_opens_one() -> None:
    """An attacker: "… to the U.S. The move will cost …" was one sentence, so a text of
    three was taken for two and printed whole as its summary."""
    text = (
        "Acme said it would move its headquarters to the U.S. The move will cost about "
        "$40m over two years. It is listed as Acme Holdings Inc. In March it said so. "
        "Dr. The Nguyen spoke."
    )

    assert [s for s, _ in split_sentences(text)] == [
        "Acme said it would move its headquarters to the U.S.",
        "The move will cost about $40m over two years.",
        "It is listed as Acme Holdings Inc.",
        "In March it said so.",
        "Dr. The Nguyen spoke.",  # a title never ends a sentence
    ]
    result = enrich(make_article("Acme to move headquarters", text))
    shown = "\n".join([result.summary, result.analysis, *result.key_takeaways])
    assert not all(s in shown for s, _ in split_sentences(text))


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


def test_the_summary_is_one_or_two_of_the_articles_sentences_in_story_order() -> None:
    result = enrich(
        make_article("Helios to buy Lumen Optics for $4.2 billion", DEAL_TEXT)
    )

    # offline-6: the lead sentence(s), at most two, within the budget on source copy.
    sentences = [s for s, _ in split_sentences(result.summary)]
    assert 1 <= len(sentences) <= 2
    # As written but for the description tacked on at its end; the day stays with the verb
    # it dates.
    assert result.summary.startswith(
        "Helios Semiconductor agreed on Monday to buy Lumen Optics for $4.2 billion in "
        "cash."
    )
    assert foreign_words(result.summary, DEAL_TEXT) == set()
    firsts = [DEAL_TEXT.index(" ".join(s.split()[:3])) for s in sentences]
    assert firsts == sorted(firsts)


def test_takeaways_are_whole_sentences_the_summary_did_not_use() -> None:
    result = enrich(
        make_article("Helios to buy Lumen Optics for $4.2 billion", DEAL_TEXT)
    )

    assert 3 <= len(result.key_takeaways) <= 5
    assert not any(takeaway in result.summary for takeaway in result.key_takeaways)
    for takeaway in result.key_takeaways:
        assert ends_mid_sentence(takeaway) is False, takeaway
        assert foreign_words(takeaway, DEAL_TEXT) == set()


def test_the_analysis_repeats_neither_summary_nor_takeaways() -> None:
    result = enrich(
        make_article("Helios to buy Lumen Optics for $4.2 billion", DEAL_TEXT)
    )

    # offline-5: an eight-sentence article has room in the budget for a lead and three
    # takeaways only; the analysis is left empty rather than padded.
    assert len(split_sentences(result.analysis)) <= 2
    for sentence, _ in split_sentences(result.analysis):
        assert sentence not in result.summary
        assert sentence not in result.key_takeaways
    assert foreign_words(result.analysis, DEAL_TEXT) == set()


def test_an_article_without_text_gets_a_summary_and_no_padded_takeaways() -> None:
    """A headline alone has nothing to take away beyond itself: no "Reported by …" or "The
    report gave no further details." on the story page (the desk may write some)."""
    result = enrich(make_article("Quillon names new finance chief", ""))

    Proposal.model_validate(result.model_dump())
    assert result.summary == "Quillon names new finance chief."
    assert result.key_takeaways == []
    assert result.analysis == ""
    assert result.companies == []
    # The model is still held to three to five.
    with pytest.raises(ValidationError, match="at least 3 items"):
        EnrichmentResult.model_validate(result.model_dump())


def test_a_two_sentence_teaser_gets_its_second_sentence_as_its_one_takeaway() -> None:
    result = enrich(
        make_article(
            "Quillon names new finance chief",
            "Quillon Pharmaceuticals named Dana Reyes its chief financial officer on "
            "Monday, filling a post that had been vacant since the spring. Reyes was "
            "previously finance chief at Brisling Labs, where she led its $2.1 billion "
            "sale to a rival drugmaker.",
        )
    )
    assert result.summary.startswith("Quillon Pharmaceuticals named Dana Reyes")
    assert result.key_takeaways == [
        "Reyes was previously finance chief at Brisling Labs, where she led its "
        "$2.1 billion sale to a rival drugmaker."
    ]
    assert result.key_takeaways[0] not in result.analysis


def test_an_entry_without_title_or_text_still_validates() -> None:
    result = enrich(make_article("", "", source_name=""))

    Proposal.model_validate(result.model_dump())
    assert result.key_takeaways == []
    assert result.summary


# --- Condensing: never a changed fact ---------------------------------------------------------
# An earlier version condensed by dropping attributions and clauses and by merging sentences,
# and changed what the article said. These examples are the project's own, modelled on what
# it got wrong.
def test_condensing_keeps_who_said_it_and_the_tense_and_drops_only_ticker_and_day() -> (
    None
):
    sentence = (
        "Marlow Freight (MRLW) said on Tuesday it would cut 1,200 jobs and close two depots "
        "in Ohio, citing a slump in container volumes that began in the spring."
    )

    assert condense(sentence) == (
        "Marlow Freight said it would cut 1,200 jobs and close two depots in Ohio, citing "
        "a slump in container volumes that began in the spring."
    )


@pytest.mark.parametrize(
    "sentence",
    [
        # A claim stays a claim: "said it could not" never becomes "cannot".
        "Tarrow Wind said it could not proceed at the contracted price of $71 a "
        "megawatt-hour.",
        # "would pay" stays "would pay", and the speaker stays.
        "Wexley Telecom said it would pay for the licences with $900 million of cash.",
        # A trailing attribution is kept, statement and all.
        "Orders rose 14% in the quarter, the company said in a statement.",
        "Copper cables use up to a quarter of the rack's power, according to Brightwell.",
        "Chief executive Dana Whitlow told investors that access to water, not land, now "
        "limits how fast the company can build.",
        # A time another word leans on stays: "announced on Wednesday".
        "Under the agreement announced on Wednesday, Pardoe Foods will supply grain to the "
        "Halcombe mill for ten years.",
        # An object is never dropped: "to supply power to" keeps "supply".
        "Orrin Cloud has agreed to buy power from Fallow Wind for 12 years to supply a "
        "data center campus it is building.",
        # An aside is part of the sentence: no fragment is left when it goes.
        "The Phase 2 study, called BRIGHTLINE-4, enrolled 900 patients in 14 countries.",
        # A list is never shortened into a different list.
        "The show covers budget tablets, folding phones, smart rings, e-readers, and a "
        "look at repairable laptops.",
        "Prices rose by most, but not all, of the increase in costs that suppliers passed "
        "on this year.",
        "Quarry Labs found the flaw in October but learned of attacks only last week.",
        "Analysts at Brook Partners said that would lift the ratio to 0.9 times.",
        '"Orders have never been this strong," the company said.',
    ],
)
def test_condensing_never_changes_what_a_sentence_says(sentence: str) -> None:
    assert condense(sentence) == sentence


def test_tightening_makes_wordy_phrases_plain_and_leaves_quotes_alone() -> None:
    wordy = (
        "The council said that the depot would close in order to save approximately "
        "18 percent of its running costs."
    )
    quoted = '"We did this in order to survive," the owner said.'

    assert tighten(wordy) == (
        "The council said the depot would close to save about 18% of its running costs."
    )
    assert tighten(quoted) == quoted


@pytest.mark.parametrize(
    "sentence",
    [
        # Moved after the main clause, a fronted clause attached to something else (two
        # attacks): a condition to an attribution, "once" (formerly) to "once" (when), a
        # pronoun before its name. The sentence stays in its own order.
        "Although orders fell 4% in the quarter, Brannock Tools kept its forecast.",
        "When the deal closes next year, Helios will own 60% of Lumen, the filing shows.",
        "Once the world's biggest phone maker, Nokia now makes network equipment.",
        "Because Aster missed a bond payment, lenders seized its plant in Ohio on Monday.",
        "When prices rise, demand falls in Europe and profits shrink across the industry.",
        # Words of emphasis carry meaning: they are not left out.
        "Aster will almost certainly miss its target for electric vehicle sales this year.",
        "Aster cannot simply walk away from the deal without paying a $2 billion fee.",
        "Aster is no longer very profitable after a decade of price cuts at home.",
        "The label must clearly state that the product contains nuts, the regulator said.",
        "Nobody really knows how many people died in the floods, officials said.",
    ],
)
def test_tightening_keeps_the_sentences_order_and_emphasis(sentence: str) -> None:
    assert tighten(sentence) == sentence


SPECTRUM_TEXT = (
    "Wexley Telecom won 61 licences in the national spectrum auction for $2.9 billion, the "
    "Spectrum Office said on Monday.\n\n"
    "The auction raised $9.4 billion in total from four bidders. Wexley expects to spend a "
    "further $1.2 billion on new radios over three years. Wexley said it would pay for the "
    "licences with $900 million of cash and a planned $2 billion bond sale. Analysts said "
    "the price was higher than expected. Wexley shares fell 2% in early trading."
)


def test_summary_sentences_are_the_articles_own_and_never_joined() -> None:
    result = enrich(make_article("Wexley wins spectrum", SPECTRUM_TEXT))

    for sentence, _ in split_sentences(result.summary + " " + result.analysis):
        assert sentence in SPECTRUM_TEXT, sentence
    for takeaway in result.key_takeaways:
        assert takeaway in SPECTRUM_TEXT, takeaway
    # Not "The auction raised $9.4 billion ... and expects to spend a further $1.2 billion".
    assert "total from four bidders and" not in result.summary
    assert "will pay" not in result.summary + result.analysis


@pytest.mark.parametrize(
    ("sentence", "companies", "leans"),
    [
        ("The main constraint, he said, is no longer land but water.", 1, True),
        ("Most of the job losses will be at that site.", 1, True),
        ("Its chief executive, Mara Voss, will lead the new unit.", 1, True),
        ("It is the largest order in Tessaly's history.", 1, True),
        ("For the fourth quarter, it forecast revenue of $2 billion.", 1, True),
        ('"That is good for bonds and neutral for stocks."', 1, True),
        ('"That is good for bonds," said Rosa Lind of Ashby Partners.', 1, False),
        ("The company said it did not expect job cuts.", 2, True),
        ("The company said it did not expect job cuts.", 1, False),
        ("Harlan Steel said it would cut 800 jobs.", 2, False),
        ("Chief executive Mara Voss said she would stay on.", 1, False),
        ('"Orders doubled," chief executive Mara Voss said.', 2, True),
        ('"Orders doubled," Tessaly chief executive Mara Voss said.', 2, False),
        ("This year, sales rose 4% to $1.2 billion.", 1, False),
    ],
)
def test_a_sentence_that_needs_the_one_before_it_is_recognised(
    sentence: str, companies: int, leans: bool
) -> None:
    assert leans_on_context(sentence, companies=companies) is leans


ORDER_TEXT = (
    "Tessaly Robotics said Harrow Freight would deploy 900 of its picking robots across 14 "
    "warehouses over three years, in a contract worth about $180 million.\n\n"
    "It is the largest order in Tessaly's history. Harrow, which last month reported a 5% "
    "drop in volumes, said the robots were part of a plan to cut costs by $40 million a year. "
    "The company said it did not expect job cuts as a result. Tessaly said pilots at two "
    "Harrow sites raised picking rates by 48%. The robots carry shelves to human pickers who "
    "stay at fixed stations. Tessaly shares rose 11% on the news. Harrow shares were flat. "
    "The main constraint, he said, is training staff. Deliveries start in March 2027."
)


def test_analysis_and_takeaways_never_carry_a_sentence_that_leans_on_another() -> None:
    result = enrich(make_article("Tessaly wins Harrow robot order", ORDER_TEXT))

    out_of_place = result.analysis + " " + " ".join(result.key_takeaways)
    assert "The company said it did not expect job cuts" not in out_of_place
    assert "It is the largest order" not in out_of_place
    assert "The main constraint, he said" not in out_of_place
    assert len(result.key_takeaways) >= 3


HEAT_PUMP_TEXT = (
    "Installers fitted 96,000 heat pumps in homes in the third quarter, 18% more than a "
    "year earlier, according to quarterly figures from the Domestic Heating Council.\n\n"
    "The council credited the rise to grants that cover up to $6,500 of the cost for "
    "households on lower incomes, to falling equipment prices, to a campaign by electricity "
    "suppliers that offered discounted night-time tariffs, and to rising demand for cooling "
    "in the south of the country, where a heat pump replaces both a boiler and an air "
    "conditioner and so pays for itself sooner than in the colder north.\n\n"
    "Sales of gas boilers fell 7% over the same period. The average installed price of a "
    "heat pump fell 4% to about $11,900. The council expects growth to slow in 2027, when "
    "two grant programmes close to new applicants."
)


def test_no_takeaway_ends_mid_sentence_when_a_sentence_is_too_long_to_quote() -> None:
    result = enrich(make_article("Heat pump installations rise 18%", HEAT_PUMP_TEXT))

    # Two whole sentences, not the long one cut short (nor the headline as a third).
    assert result.key_takeaways == [
        "The average installed price of a heat pump fell 4% to about $11,900.",
        "The council expects growth to slow in 2027, when two grant programmes close to "
        "new applicants.",
    ]
    for takeaway in result.key_takeaways:
        assert ends_mid_sentence(takeaway) is False, takeaway
        assert "…" not in takeaway
        assert len(takeaway) <= 240
    for part in (result.summary, result.analysis, *result.key_takeaways):
        assert "where a heat pump…" not in part


def test_the_analysis_has_no_scaffolding_about_what_was_or_was_not_detected() -> None:
    text = (
        "The city council voted 7-2 on Tuesday to extend the night bus network to four new "
        "suburbs from March. About 12,000 residents live within walking distance of the new "
        "stops, the council said. The extension will cost $3.1 million a year, paid from "
        "parking revenue. Councillors who voted against it said the money should go to "
        "road repairs. A review of passenger numbers is due after twelve months. Night "
        "buses carried 1.4 million passengers last year, up from 1.1 million in 2024."
    )

    result = enrich(make_article("Council extends night buses to four suburbs", text))

    # Empty within the budget (offline-5) is fine; scaffolding never is.
    for phrase in (
        "Why it matters",
        "Context:",
        "What to watch",
        "were detected",
        "routine item",
        "the tone is",
        "Figures quoted",
        "the story names",
        "no plans, forecasts",
    ):
        assert phrase not in result.analysis
    assert foreign_words(result.analysis, text) == set()


def test_a_thin_article_gets_no_analysis_rather_than_filler() -> None:
    text = (
        "The museum opened a new wing on Saturday. It houses paintings from the 1920s. "
        "Entry to the wing is free for the first month, the museum said."
    )

    result = enrich(make_article("Museum opens new wing", text))

    assert result.analysis == ""


# --- How the copy is measured ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("takeaway", "cut"),
    [
        ("Shares rose 4%.", False),
        ("Is the deal off?", False),
        ('The union called it "devastating."', False),
        ("where a heat pump…", True),
        ("and the rest of the year...", True),
        ("Orders rose in the quarter", True),
    ],
)
def test_a_takeaway_ends_mid_sentence_without_a_full_stop_or_with_an_ellipsis(
    takeaway: str, cut: bool
) -> None:
    assert ends_mid_sentence(takeaway) is cut


def test_a_line_that_only_leads_into_the_next_is_no_takeaway() -> None:
    """A stranger: "Quillon still has hurdles to clear." and "For households, the effect
    will be modest." stood alone as takeaways, their follow-up left out: short, with no
    figure and no name, they say nothing on their own. "At least six analysts cut their
    ratings." says something."""
    text = (
        "Quillon Pharmaceuticals said its heart drug QLP-417 cut hospital visits by 23% "
        "in a late-stage trial of 4,100 patients. "
        "The company still has hurdles to clear. "
        "Regulators must approve the pill before it can be sold, which Quillon expects "
        "in the second half of 2027. "
        "For households, the effect will be modest. "
        "At least six analysts raised their ratings. "
        "The shares closed 29% higher at $69.40 on Monday, adding $5.8 billion to the "
        "company's market value. "
        "Quillon plans to file with the Federal Drug Office in March next year. "
        "Analyst Wen-Li Castellanos raised her peak sales estimate to $3.4 billion."
    )
    result = enrich(make_article("Quillon heart drug succeeds", text))

    assert "The company still has hurdles to clear." not in result.key_takeaways
    assert "For households, the effect will be modest." not in result.key_takeaways
    assert len(result.key_takeaways) >= 3


def test_a_short_item_is_never_printed_whole() -> None:
    """An attacker: a 23-word, three-sentence item came back whole as summary and two
    takeaways, so the story page reprinted the source. One sentence stays with the link;
    a teaser of two sentences, which the feed offers for syndication, is its summary."""
    text = (
        "Wexford Oil cut its quarterly dividend by half on Monday. "
        "The board cited lower crude prices. "
        "The shares fell 6% in early trading."
    )
    result = enrich(make_article("Wexford Oil cuts dividend", text))
    shown = "\n".join([result.summary, result.analysis, *result.key_takeaways])
    sentences = [s.strip() + "." for s in text.split(".") if s.strip()]
    assert result.summary
    assert not all(sentence in shown for sentence in sentences)

    teaser = "Wexford Oil cut its dividend by half. The shares fell 6%."
    assert enrich(make_article("Wexford Oil cuts dividend", teaser)).summary


def test_the_lead_copy_share_is_the_longest_shared_run_over_the_lead_sentence() -> None:
    text = (
        "Tarrow Mills will shut its Leeds plant and cut 400 jobs by the end of March. "
        "It is the third closure this year."
    )

    copied = lead_copy_share(
        "Tarrow Mills will shut its Leeds plant and cut 400 jobs.", text
    )
    condensed = lead_copy_share("Tarrow Mills will cut 400 jobs.", text)

    assert copied == pytest.approx(11 / 16)
    assert condensed == pytest.approx(3 / 16)  # "cut 400 jobs"
    assert copies_lead(text.split(". ")[0], text) is True


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


def test_what_moved_decides_what_a_move_means() -> None:
    """Rising costs and debt are bad news although "climb" and "rise" are good words; a bond
    yield, a currency or a price moving says nothing of the story's tone; a share price does."""
    costs = (
        "Orbit Foods said cocoa costs climbed again and its net debt will rise this year. "
        "Packaging expenses jumped."
    )
    markets = (
        "Stocks climbed on Tuesday and the index rallied. Bond yields slid, the dollar fell "
        "and gold dropped, "
        "and oil prices declined."
    )

    assert enrich(make_article("Orbit Foods reports", costs)).sentiment == "bearish"
    assert enrich(make_article("Markets close", markets)).sentiment == "bullish"
    assert (
        enrich(make_article("Orbit Foods' share price fell", "Its stock price slid."))
    ).sentiment == "bearish"


def test_what_a_measure_is_meant_to_prevent_is_not_bad_news() -> None:
    """A stranger: a rate cut "to keep a slowing economy from stalling" read as bearish."""
    meant = (
        "The board acted to keep the economy from stalling. It wants to keep "
        "hiring from stalling too."
    )
    stalling = "The economy is stalling. Factories are stalling."

    assert enrich(make_article("Board cuts rates", meant)).sentiment != "bearish"
    assert enrich(make_article("Board cuts rates", stalling)).sentiment == "bearish"


def test_a_loss_that_narrows_is_good_news_and_one_that_widens_bad() -> None:
    """Noticed by an attacker: "its net loss narrowed" counted as a loss, bad news."""
    narrowed = "Orbit Foods said its net loss narrowed. Losses narrowed in Europe too."
    widened = "Orbit Foods said its net loss widened. Losses widened in Europe too."

    assert enrich(make_article("Orbit Foods reports", narrowed)).sentiment == "bullish"
    assert enrich(make_article("Orbit Foods reports", widened)).sentiment == "bearish"


def test_a_jobless_rate_that_climbs_is_bad_news() -> None:
    text = "The unemployment rate climbed to 4.7%. The jobless rate has risen all year."

    assert enrich(make_article("Labour market", text)).sentiment == "bearish"


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
    assert big.importance_reason.startswith(
        "A $4.2 billion acquisition reported by 3 sources"
    )
    assert "published 1 h ago" in big.importance_reason
    assert small.importance_reason.startswith("A routine item from one source")


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


def test_an_eighteen_percent_rise_is_not_scored_as_trivia() -> None:
    result = enrich(
        make_article(
            "Heat pump installations rise 18%",
            HEAT_PUMP_TEXT,
            source_trust=0.6,
            published_at=NOW - timedelta(days=4),
        )
    )

    assert result.importance >= 4
    assert result.importance_reason.startswith("An 18% rise from one source")


def test_a_comparison_is_not_read_as_a_fall() -> None:
    """The demo's jet order said "a 15% fall" for a plane that "burns about 15% less
    fuel per seat": a comparison, not anything that fell."""
    text = (
        "Corvane Air ordered 40 narrowbody jets from Orrin Aerospace on Thursday, a deal "
        "worth $5.6 billion at list prices. The new jet burns about 15% less fuel per seat "
        "than the aircraft it will replace, according to Orrin. Deliveries run from 2029."
    )
    result = enrich(make_article("Corvane Air orders 40 Orrin jets", text))

    assert "15% less fuel" in result.importance_reason
    assert "fall" not in result.importance_reason


def test_job_cuts_in_the_thousands_outrank_the_same_story_without_the_number() -> None:
    text = (
        "Brisco Foods will close its bakery in Dunmore by June, the company said on "
        "Wednesday. Production will move to its plant in Leeds. {cuts} The company said "
        "demand for packaged bread had fallen for three years in a row."
    )
    with_cuts = text.format(cuts="Brisco will cut 2,300 jobs across its bakeries.")
    without = text.format(cuts="Some staff will be offered jobs in Leeds.")

    big = enrich(make_article("Brisco Foods to close Dunmore bakery", with_cuts))
    small = enrich(make_article("Brisco Foods to close Dunmore bakery", without))

    assert big.importance > small.importance
    assert big.importance_reason.startswith("2,300 job cuts")


@pytest.mark.parametrize(
    ("title", "event"),
    [
        ("Tallow Air files for bankruptcy protection", "bankruptcy"),
        ("Vesper recalls 80,000 e-bikes over battery fires", "recall"),
        ("Dock workers strike at three Gulf ports", "strike"),
        ("Payments outage hits Korsa Bank customers", "outage"),
    ],
)
def test_strong_events_in_the_headline_raise_importance(title: str, event: str) -> None:
    text = (
        "The company gave the news in a short statement. It said it would give more "
        "details in the coming days and apologised to customers."
    )

    strong = enrich(make_article(title, text))
    plain = enrich(make_article("Company issues short statement", text))

    assert strong.importance >= plain.importance + 2
    assert event in strong.importance_reason.lower()


def test_coverage_by_more_sources_raises_importance() -> None:
    article = make_article("Helios to buy Lumen Optics for $4.2 billion", DEAL_TEXT)
    wide = make_article(
        "Helios to buy Lumen Optics for $4.2 billion", DEAL_TEXT, coverage_sources=4
    )

    assert enrich(wide).importance > enrich(article).importance
    assert "reported by 4 sources" in enrich(wide).importance_reason


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
# The benchmark's targets (benchmarks/enrich.py prints the same figures against them).
# offline-1 copied 96% of its summaries from a lead sentence and cut 18% of its takeaways
# short; offline-3 copied about 10% by dropping attributions and clauses and merging
# sentences, which changed facts. offline-4 prints the article's sentences whole, so about
# 90% of summaries repeat a lead sentence; offline-7 leaves out asides that only describe and
# the tail of long lists, and 85% do (79% before a stranger's review and two attacks put
# back the asides that carried facts and took out rewording that changed them; most of the
# corpus is one- or two-sentence podcast, blog and classified blurbs, with nothing a rule
# may leave out): the limits are what honest copy achieves.
MAX_COPIED_LEAD_SHARE = 0.86
MAX_MEDIAN_COPY = 1.0
MAX_MID_SENTENCE_SHARE = 0.0


@dataclass(frozen=True)
class Enriched:
    articles: list[ArticleInput]
    results: list[Proposal]
    seconds: float


@pytest.fixture(scope="module")
def corpus() -> list[ArticleInput]:
    if not CORPUS.is_dir():
        if services_required():  # CI must measure the corpus, not skip it
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
        Proposal.model_validate(result.model_dump())
        source = f"{article.title}\n{article.text}"
        for part, own in (
            (result.summary, frozenset()),
            (result.analysis, reading.OWN_WORDS),
            *((takeaway, frozenset()) for takeaway in result.key_takeaways),
        ):
            if foreign_words(part, source, own=own):
                problems.append(f"{where}: words not in the article: {part[:120]!r}")
        if check(result, title=article.title, text=article.text):
            problems.append(
                f"{where}: {check(result, title=article.title, text=article.text)}"
            )
        if len(result.key_takeaways) > 5:
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


def test_real_summaries_copy_their_lead_no_more_than_honest_copy_does(
    enriched: Enriched,
) -> None:
    """offline-1 copied 96%; offline-4 about 90%, the lead's own sentence kept whole."""
    judged = [
        copies_lead(result.summary, article.text)
        for article, result in zip(enriched.articles, enriched.results, strict=True)
        if len(article.text.strip()) >= 200 and lead_sentences(article.text)
    ]

    share = sum(judged) / len(judged)

    assert len(judged) > 1000
    assert share <= MAX_COPIED_LEAD_SHARE, f"{share:.1%} of {len(judged)} summaries"


def test_the_median_real_summary_copies_within_the_target(
    enriched: Enriched,
) -> None:
    shares = sorted(
        lead_copy_share(result.summary, article.text)
        for article, result in zip(enriched.articles, enriched.results, strict=True)
        if len(article.text.strip()) >= 200 and lead_sentences(article.text)
    )

    assert shares[len(shares) // 2] <= MAX_MEDIAN_COPY


def test_no_real_takeaway_ends_mid_sentence(enriched: Enriched) -> None:
    """offline-1 cut 18% of them short with "…"."""
    cut = [
        takeaway
        for result in enriched.results
        for takeaway in result.key_takeaways
        if ends_mid_sentence(takeaway)
    ]
    total = sum(len(result.key_takeaways) for result in enriched.results)

    assert total > 2000
    assert len(cut) / total <= MAX_MID_SENTENCE_SHARE, cut[:10]
    assert all(len(result.key_takeaways) <= 5 for result in enriched.results)
    for result in enriched.results:
        assert len(set(result.key_takeaways)) == len(result.key_takeaways)


def test_no_real_story_gets_padded_takeaways(enriched: Enriched) -> None:
    """A podcast blurb or a two-sentence teaser gets the takeaways its text supports, maybe
    none: never its headline again, its source's name or "no further details" (offline-7
    padded half the corpus's stories so), nor a takeaway that repeats the summary."""
    padded = [
        (article.title[:60], takeaway)
        for article, result in zip(enriched.articles, enriched.results, strict=True)
        for takeaway in result.key_takeaways
        if pads(takeaway, title=article.title, summary=result.summary)
    ]
    assert padded == [], padded[:10]
    # Not fewer for a text that has them: of the entries of eight sentences or more, at
    # least nine in ten still get three to five (571 of 604 when this was written).
    long = [
        len(result.key_takeaways)
        for article, result in zip(enriched.articles, enriched.results, strict=True)
        if len(split_sentences(article.text)) >= 8
    ]
    assert len(long) > 400
    assert sum(n >= 3 for n in long) >= 0.9 * len(long)


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


# --- Asides a brief leaves out of its lead ---------------------------------------------------
@pytest.mark.parametrize(
    ("sentence", "brief"),
    [
        (  # a figure restated, then the clause goes on with "and"
            "Aster Motors will eliminate about 3,500 jobs, or roughly 9% of its workforce of "
            "39,000, and close its Ohio plant by June 2027, the carmaker said on Wednesday.",
            "Aster Motors will eliminate about 3,500 jobs and close its Ohio plant by June "
            "2027, the carmaker said on Wednesday.",
        ),
        (  # a description of the subject, place names with their commas
            "Lumen, based in Boulder, Colorado, reported revenue of $610 million in 2025 and "
            "employs about 2,300 people.",
            "Lumen reported revenue of $610 million in 2025 and employs about 2,300 people.",
        ),
        (  # a "which" aside after the verb keeps the sentence's comma
            "Cobalt Cloud reported revenue of $6.84 billion for its third quarter, which ended "
            "October 31, up 27% from a year earlier.",
            "Cobalt Cloud reported revenue of $6.84 billion for its third quarter, up 27% from "
            "a year earlier.",
        ),
        (  # a description of a date, and a consequence at the end
            "The board cut its policy rate to 4.00% on Tuesday, its second cut this year, "
            "giving banks room to lower mortgage rates.",
            "The board cut its policy rate to 4.00% on Tuesday.",
        ),
        (  # a description of a figure before "after": no comma is left behind
            "Cobalt Cloud shares rose 8.1% to $212.60 on Wednesday, a record close, after the "
            "company beat forecasts.",
            "Cobalt Cloud shares rose 8.1% to $212.60 on Wednesday after the company beat "
            "forecasts.",
        ),
        (  # a rank tacked on at the end
            "Helios agreed to acquire Lumen Optics for $4.2 billion in cash, the chipmaker's "
            "largest acquisition.",
            "Helios agreed to acquire Lumen Optics for $4.2 billion in cash.",
        ),
    ],
)
def test_a_lead_leaves_out_descriptive_asides(sentence: str, brief: str) -> None:
    assert drop_asides(sentence) == brief


@pytest.mark.parametrize(
    "sentence",
    [
        # Who said it is never an aside.
        "Aster will close its Harlow Creek plant in Ohio by June 2027, the carmaker said.",
        "Acme, which said it would cut 300 jobs, reported a loss of $4 million on Monday.",
        # A list is not an aside: leaving out an item would change the facts.
        "The company sells shoes, hats, or gloves, and its stores opened in 2020 in Ohio.",
        # The reason given is the news, not a description; so is who said it after a date.
        "The board cut its policy rate to 4.00% on Tuesday, citing a cooling labor market.",
        "Fennimore will raise prices by 4.5% from January 1, 2027, the company said on "
        "Friday, citing a 38% rise in cocoa costs.",
        # What the trial found is the news, not a consequence to leave out.
        "Quillon said its drug cut hospital visits by 23% in a Phase 3 trial, meeting the "
        "study's primary endpoint.",
        # A quotation is never touched.
        '"We will close the plant, which opened in 1984, next year," the chief executive '
        "said on Monday.",
        # Too little would be left.
        "Acme rose 5%, the most since 2019.",
    ],
)
def test_what_is_not_an_aside_stays(sentence: str) -> None:
    assert drop_asides(sentence) == sentence


# Found by an attack on the first version, each of which changed a fact or a sentence.
@pytest.mark.parametrize(
    "sentence",
    [
        # An allegation or a finding is not a description: without it, it reads as fact.
        "Aster Motors paid $40 million in bribes to officials in three countries between "
        "2015 and 2019, the lawsuit alleges.",
        # A clause that reverses or qualifies the news.
        "Aster Motors will close two plants in Ohio and Texas next year and cut 3,500 jobs, "
        "a decision that the board reversed on Friday.",
        # A fronted date: the main clause after it is not an aside.
        "In March 2024, the regulator fined Aster Motors $20 million, the largest fine it "
        "has ever imposed on a carmaker.",
        # Places with more parts, and a list of subjects.
        "The carmaker, based in Detroit, Michigan, and Toronto, reported a loss of $4 "
        "million in the third quarter.",
        "Lumen Optics, based in Paris, Texas, United States, reported revenue of $610 "
        "million in 2025.",
        # Alternatives and conditions are not restated figures.
        "Aster Motors will pay $5 a share in cash, or $6 a share in stock, for Lumen Optics, "
        "the companies said.",
        "Aster will cut 1,000 jobs this year, or 3,000 if sales keep falling, and close two "
        "plants in Ohio.",
        "Aster earned $2 a share, or $1.50 excluding one-time items, beating forecasts of "
        "analysts in the quarter.",
        # Lists.
        "The recall covers 200,000 vehicles built between 2019 and 2021, the Aster X1, the "
        "Aster X2 and the Aster X3.",
        "Shares of Aster fell 12% on Monday, the Nasdaq 1% and the Dow 0.5%, as investors "
        "sold technology stocks.",
        # Quotation marks of any kind.
        "Aster called the cuts 'painful, or roughly 9% of our people, and necessary' in a "
        "memo to its staff on Monday.",
        "Aster called the cuts « painful, or roughly 9% of our people, and necessary » in a "
        "memo to its staff on Monday.",
        # "adding that" reports what someone said.
        "Aster will merge its two plants in Ohio next year, adding that no jobs would be "
        "cut at either site.",
        # A date's description with a verb of its own.
        "Customers who bought the cars in 2021, the year the software was installed, can "
        "claim a refund from Monday.",
        "Aster reported a loss of $4 million for the quarter, which ended October 31, 2024, "
        "and cut its forecast.",
    ],
)
def test_no_aside_rule_changes_a_fact(sentence: str) -> None:
    assert drop_asides(sentence) == sentence


@pytest.mark.parametrize(
    ("sentence", "brief"),
    [
        (  # no comma left between a subject ending in "s" and its verb
            "Helios, which owns 40% of Aster Motors, voted against the merger at the "
            "meeting on Monday.",
            "Helios voted against the merger at the meeting on Monday.",
        ),
        (  # nor before "that"
            "Aster said on Tuesday, its second warning, that profit would fall by a fifth "
            "this year.",
            "Aster said on Tuesday that profit would fall by a fifth this year.",
        ),
    ],
)
def test_a_dropped_aside_leaves_no_stray_comma(sentence: str, brief: str) -> None:
    assert drop_asides(sentence) == brief


# A brief's lead without the asides that only describe (offline-7). Each was in a demo or a
# real feed's lead; what is left is the same sentence with a detail fewer.
@pytest.mark.parametrize(
    ("sentence", "brief"),
    [
        (  # a comment on the news, named as one
            "Cobalt Cloud will buy power from Verdant Grid for 15 years to supply a campus it "
            "is building, a sign of how electricity has become the scarcest input for AI.",
            "Cobalt Cloud will buy power from Verdant Grid for 15 years to supply a campus it "
            "is building.",
        ),
        (
            "Aster Motors is closing its Harlow Creek factory and cutting 3,500 positions, "
            "the clearest sign yet that carmakers' bets on electric vehicles are colliding "
            "with slower demand.",
            "Aster Motors is closing its Harlow Creek factory and cutting 3,500 positions.",
        ),
        (  # a rank, then a comment on it
            "Northbridge Bank is buying Carrow Valley Bancorp for about $1.3 billion in stock, "
            "the largest regional-bank deal of the year and a sign that lenders see a "
            "friendlier climate for mergers.",
            "Northbridge Bank is buying Carrow Valley Bancorp for about $1.3 billion in stock.",
        ),
        (  # "one of the ..." after a name, before "as"
            "Ferrovia Logistics has ordered 600 electric trucks from Aster Motors, one of the "
            "largest truck orders this year, as the freight company replaces diesel rigs.",
            "Ferrovia Logistics has ordered 600 electric trucks from Aster Motors as the "
            "freight company replaces diesel rigs.",
        ),
        (  # a "which" clause that describes, at the end and after the subject
            "Verdant Grid said it had closed $2.1 billion of financing for its Saltmarsh "
            "project in Texas, which is set to become one of the largest battery sites.",
            "Verdant Grid said it had closed $2.1 billion of financing for its Saltmarsh "
            "project in Texas.",
        ),
        (
            "The update, which removed the reader's own sharing features, was unpopular "
            "among the service's most active users.",
            "The update was unpopular among the service's most active users.",
        ),
        (  # what kind of organisation a name is
            "Heat pump shipments rose 18% in October, according to monthly figures from the "
            "Home Energy Institute, an industry research group.",
            "Heat pump shipments rose 18% in October, according to monthly figures from the "
            "Home Energy Institute.",
        ),
        (
            "Analysts at Brisling, a research firm, estimated a single H9 will sell for about "
            "$38,000.",
            "Analysts at Brisling estimated a single H9 will sell for about $38,000.",
        ),
        (  # when it was announced, and where and when it was said
            "Version 11.4.7 of the firmware, released Thursday, fixes the flaw on every "
            "affected router.",
            "Version 11.4.7 of the firmware fixes the flaw on every affected router.",
        ),
        (
            "Aster Motors is recalling about 212,000 electric vehicles because of a braking "
            "fault, the company said in a filing on Friday.",
            "Aster Motors is recalling about 212,000 electric vehicles because of a braking "
            "fault, the company said.",
        ),
        (
            "Manufacturers shipped 412,000 heat pumps in October, according to figures "
            "published on Friday by the Home Energy Institute.",
            "Manufacturers shipped 412,000 heat pumps in October, according to figures "
            "published by the Home Energy Institute.",
        ),
        (  # how a thing was made, and what a share move did
            "The H9 chip, built by TSMC in Taiwan, will sell for about $38,000 next year.",
            "The H9 chip will sell for about $38,000 next year.",
        ),
        (
            "Shares of Quillon closed 29% higher at $69.40 on Monday, adding about $5.8 "
            "billion to its market value, after its heart drug succeeded in a large study.",
            "Shares of Quillon closed 29% higher at $69.40 on Monday after its heart drug "
            "succeeded in a large study.",
        ),
        (
            "Solenne Biotech lost 41% of its market value on Tuesday, falling to $18.25, "
            "after its lead drug failed in a Phase 3 trial.",
            "Solenne Biotech lost 41% of its market value on Tuesday after its lead drug "
            "failed in a Phase 3 trial.",
        ),
        (  # a comparison with an earlier figure at the end
            "Ferrovia reported a profit of $310 million for the quarter, compared with a loss "
            "of $40 million a year earlier.",
            "Ferrovia reported a profit of $310 million for the quarter.",
        ),
        (
            "Greyfell Mining raised its estimated construction cost by 22% to $3.1 billion, "
            "from $2.54 billion.",
            "Greyfell Mining raised its estimated construction cost by 22% to $3.1 billion.",
        ),
        (  # a name given between commas
            "The Phase 3 study, called SOLACE-2, enrolled 1,640 patients with early "
            "Alzheimer's disease.",
            "The Phase 3 study enrolled 1,640 patients with early Alzheimer's disease.",
        ),
    ],
)
def test_a_lead_leaves_out_comments_descriptions_and_comparisons(
    sentence: str, brief: str
) -> None:
    assert drop_asides(sentence) == brief


# What looks like one of those asides but says something the news depends on, or is not an
# aside at all: each stays whole.
@pytest.mark.parametrize(
    "sentence",
    [
        # An aside that undoes or qualifies the news.
        "Helios agreed to acquire Lumen Optics for $4.2 billion in cash, a move that "
        "regulators blocked on Friday.",
        "Helios agreed to buy Lumen Optics for $4.2 billion, a deal that collapsed a week "
        "later.",
        "Aster said it would build a plant in Ohio, which was later scrapped by its board.",
        "Aster will close its Ohio plant next year, which would only apply if sales fall.",
        "Aster said it would build a plant in Ohio, which turned out to be wrong.",
        # An aside that says what the deal buys or what the news cost (a stranger's review:
        # "nothing on the page says what Lumen does").
        "Helios said it had agreed to acquire Lumen Optics for $4.2 billion in cash, a move "
        "that gives the chipmaker control of one of the few independent suppliers.",
        "Solenne said its drug did not slow cognitive decline in a late-stage trial, a "
        "setback that wiped out almost half of the company's market value.",
        # A comparison with what was budgeted or expected is often why it is news.
        "Marrowick Insurance said severe weather had cost it about $640 million so far in "
        "the quarter, well above the $380 million it had budgeted for the whole period.",
        # An aside that reports what someone said or thinks.
        "Aster will cut 3,500 jobs this year, a sign that analysts say points to weaker "
        "demand for its cars.",
        "Aster will cut 3,500 jobs this year, which the company denies in a statement.",
        # A comma of a list inside the aside, not its end.
        "Angie's List, which offers consumers a way to rate doctors, contractors and service "
        "companies on the Web, has set the terms for its IPO.",
        "Acme, which sells shoes, canned goods and hats, reported a loss of $4 million on "
        "Monday.",
        "Helios bought Lumen, which makes lasers, hiking gear and boots, for $4 billion in "
        "cash on Monday.",
        # A comparison someone made.
        "Cobalt reported revenue of $6.84 billion for the quarter, ahead of the $6.61 "
        "billion analysts had expected.",
        # Where something was said, before "that": it may start a clause about the document
        # (an attack: "said in a statement that was later deleted that it would ...").
        "Aster said in a statement that it would cut 3,500 jobs and close its Ohio plant.",
        "Aster said in a statement that was later deleted that it would cut 3,500 jobs in "
        "Ohio.",
        "Aster said in a letter that Reuters has seen that it would cut 3,500 jobs in Ohio.",
        "Aster said in a letter seen by Reuters that it would cut 3,500 jobs and close its "
        "Ohio plant.",
        # A time phrase another word leans on.
        "Aster shares rose 4% after the plan announced on Wednesday won the board's "
        "approval.",
    ],
)
def test_what_only_looks_like_a_description_stays(sentence: str) -> None:
    assert drop_asides(sentence) == sentence


# Found by an attack on offline-7: each would have changed a fact, or broken the sentence,
# had the aside gone.
@pytest.mark.parametrize(
    "sentence",
    [
        # A "which" clause that revises, conditions or carries the news on.
        "The jury awarded the family $2 billion in damages, which was reduced to $200 "
        "million on appeal.",
        "The economy grew at a 2.1% annual rate in the third quarter, which was revised down "
        "to 1.2% on Thursday.",
        "Aster reported a 2024 profit of $4 million, which was restated as a loss of $2 "
        "million in March.",
        "Helios agreed to buy Lumen Optics for $4.2 billion in cash, which requires approval "
        "from regulators in China.",
        "Aster will offer full refunds to customers who bought the X1, where allowed by state "
        "law.",
        "The bill passed the Senate by 52 to 48, which sends it to the House, where Democrats "
        "hold a majority.",
        "Aster reported net income of $12 million for the quarter, which was entirely due to "
        "a tax benefit.",
        "Aster bought the Harlow Creek plant from Helios in 2019, which has since closed.",
        "Aster will sell its Ohio plant to Helios, which will close it next year and cut all "
        "900 jobs there.",
        "This is the 101st article, which means that by television industry standards, this "
        "site is now suitable for broadcast syndication.",
        # A consequence that conditions or reverses the news.
        "Helios agreed to buy Lumen for $4 billion, giving either side the right to cancel "
        "the deal if regulators object.",
        "The board approved the sale of Lumen to Helios, giving regulators until March to "
        "block it.",
        "NASA completed the final test of the rocket on Friday, pushing the launch back to "
        "March 2026.",
        "Aster shares jumped 15% in early trading on Monday, sending the stock to a record "
        "before it closed 2% lower.",
        "The jury convicted the former Aster executive on two counts of fraud, clearing him "
        "of the most serious charge.",
        # An alternative or a condition taken for a restated share.
        "Holders of Lumen shares can take $40 in cash, or 3% of the combined company, under "
        "the terms of the deal.",
        "Aster will cut 3,500 jobs, or 9% of its workforce if the merger fails, and close its "
        "Ohio plant by June.",
        # A rank with a condition, or one that who said it after it may have said.
        "Aster was fined $20 million by the regulator in March, the largest fine on record "
        "pending an appeal by the company.",
        "The Fed cut rates by a quarter point on Wednesday, its third cut this year and "
        "possibly its last, officials signalled.",
        "Aster sales fell 20% in 2025, the worst year for the industry since 2008, analysts "
        "said.",
        # A list of kinds, and a kind before "not".
        "The loans were made by Brisling, a bank, a fund and an insurer, to Aster on Monday.",
        # A date that is not the page's, and a past figure "now" is set against.
        "A government study, published in March 2019, found that 40% of the country's "
        "bridges were unsafe.",
        "The startup, valued at $10 billion in 2021, is now worth about $500 million after "
        "its last funding round.",
        # A cut inside brackets.
        "Aster reported revenue of $4 billion in the quarter (up 5%, from $3.8 billion a "
        "year earlier).",
    ],
)
def test_no_offline_7_aside_rule_changes_a_fact(sentence: str) -> None:
    assert drop_asides(sentence) == sentence


# Found by a second attack on the hardened rules.
@pytest.mark.parametrize(
    "sentence",
    [
        # Who found or thinks it may have found or thought the aside.
        "Aster lost $4 billion in 2024, the worst year for any carmaker since 2008, industry "
        "data show.",
        "Aster's loss was $4 billion in 2024, the largest ever for a carmaker, analysts "
        "think.",
        # An offer that ended is not current.
        "The government offered a $7,500 tax credit to buyers of electric cars, which ended "
        "in September.",
        # An alternative, a reversal, a start date or an age limit.
        "Aster will raise prices by 5%, or 8% of the list price for customers outside "
        "Europe, and cut its dividend.",
        "Aster shares jumped 10% in early trading on Monday, giving back all of those gains "
        "by the close.",
        "The vaccine will be offered free of charge to all children in the country, from 12 "
        "years of age.",
        "The ban on new petrol cars will apply to all sales in the European Union, from "
        "2035.",
        # A cancellation, who paid for a claim, and a thing that is not what it seems.
        "The strike, called off on Friday, was set to shut 40 plants across Germany on "
        "Monday.",
        "The study, funded by the tobacco industry, found that smoking did not raise the "
        "risk of cancer.",
        "Aster paid $40 million to Lumen, a fictitious company, for consulting services.",
        "Prosecutors say Aster routed the payments through Lumen, a sham company.",
        "Investors put $40 million into Lumen, a so-called crypto bank, before it collapsed "
        "in 2022.",
        # What follows the aside describes the aside.
        "Aster shares fell 10% on Monday, closing at $18.25, a level not seen since 2009.",
        "Aster shares rose 10% on Monday, adding $500 billion to its market value, a feat "
        "no company had managed before.",
        # A document's own clause after "said in a statement".
        "Aster said in a statement, which it later withdrew, that it would cut 3,500 jobs.",
    ],
)
def test_no_aside_rule_changes_a_fact_second_attack(sentence: str) -> None:
    assert drop_asides(sentence) == sentence


@pytest.mark.parametrize(
    ("sentence", "brief"),
    [
        (  # the aside sat between a subject and its verb: no comma is left
            "Aster said its rival Helios, which employs 2,000 people, would close its plant "
            "in Ohio.",
            "Aster said its rival Helios would close its plant in Ohio.",
        ),
        (  # nor before a preposition
            "Aster settled with Helios on Monday, its third settlement this year, for $40 "
            "million.",
            "Aster settled with Helios on Monday for $40 million.",
        ),
        (  # every kind of aside, not only a description of the subject (the re-read)
            "Aster said its rival Brisling, a research firm, would close its plant in Ohio "
            "next year.",
            "Aster said its rival Brisling would close its plant in Ohio next year.",
        ),
        (
            "Aster said the chip, built by TSMC in Taiwan, would sell for about $38,000 "
            "next year.",
            "Aster said the chip would sell for about $38,000 next year.",
        ),
        (  # nor before a time
            "Aster closed the plant, which was the largest in Ohio, last year after sales "
            "fell sharply.",
            "Aster closed the plant last year after sales fell sharply.",
        ),
    ],
)
def test_a_dropped_aside_leaves_no_comma_between_a_subject_and_its_verb(
    sentence: str, brief: str
) -> None:
    assert drop_asides(sentence) == brief


def test_a_kind_before_not_keeps_its_comma() -> None:
    assert drop_asides(
        "Aster raised the money from Sequoia, a venture firm, not from the government, its "
        "filing shows."
    ) == (
        "Aster raised the money from Sequoia, not from the government, its filing shows."
    )


@pytest.mark.parametrize(
    ("headline", "sentence"),
    [
        (  # the reason in the headline ("slow") is the aside's
            "Slow EV uptake forces Aster to shut Harlow Creek factory",
            "Aster Motors is closing its Harlow Creek factory and cutting 3,500 positions, "
            "the clearest sign yet that carmakers' bets on electric vehicles are colliding "
            "with slower demand.",
        ),
        (  # "mark slips": the consequence is the headline's second fact
            "Continental central bank lowers deposit rate to 2.75%, mark slips",
            "The Continental Reserve Authority cut its deposit rate to 2.75% on Wednesday, "
            "sending the continental mark lower and lifting shares of exporters.",
        ),
    ],
)
def test_an_aside_that_carries_the_headline_stays(headline: str, sentence: str) -> None:
    assert drop_asides(sentence, headline=headline) == sentence
    assert drop_asides(sentence) != sentence  # an aside, had the headline not named it


def test_a_list_keeps_the_items_its_headline_names() -> None:
    sentence = (
        "The atlas covers traits such as the vasculature, leaves, stems, roots, and "
        "secondary metabolism."
    )

    assert shorten_list(sentence) != sentence
    assert (
        shorten_list(sentence, headline="An atlas of vasculature, metabolism and roots")
        == sentence
    )


@pytest.mark.parametrize(
    ("sentence", "brief"),
    [
        (
            "Will Smith drops by to talk about Marvel Ultimate Alliance 3, Dota Underlords, "
            "Joy Cons, computer cabinets, toads in the hole, and household objects.",
            "Will Smith drops by to talk about Marvel Ultimate Alliance 3, Dota Underlords "
            "and more.",
        ),
        (
            "The recall covers the Lyra, the Vela, the Orca and the Delta.",
            "The recall covers the Lyra, the Vela and more.",
        ),
        (  # the list's own "and more" is kept, not doubled
            "We discuss Skate 3, Alan Wake, in-game advertising, Marvel vs. Capcom 3, and "
            "much more!",
            "We discuss Skate 3, Alan Wake and more!",
        ),
        (  # a list the feed cut short loses its cut item and ends as a sentence
            "We talk about the Wii U launch, the evolution of Mario, PlayStation All-Stars, "
            "and the last word o",
            "We talk about the Wii U launch, the evolution of Mario and more.",
        ),
    ],
)
def test_a_long_closing_list_keeps_its_first_two_items(
    sentence: str, brief: str
) -> None:
    assert shorten_list(sentence) == brief


@pytest.mark.parametrize(
    "sentence",
    [
        # Three items is a short list.
        "Prices rose for turbines, steel foundations and installation vessels.",
        "The recall covers the Lyra, the Vela, the Orca and more.",
        # Alternatives.
        "The company sells shoes, hats, gloves, or scarves in its stores in Ohio.",
        # Clauses, not items.
        "Companies have created positions to create, host, write, edit and produce their "
        "podcasts.",
        "Turn it into a dive watch, albeit, with some hardware and software tweaks that I "
        "will get into.",
        # A list in brackets, or one the feed cut short before it had four whole items.
        "I wrote code for extracting the images (app icons, book covers, album art, etc.) "
        "from the stores.",
        "The recall covers the Lyra, the Vela, the Orca…",
        # A list inside a list item, and a dash.
        "Allergies to pollen, mold, dust mites and cats — arose out of nowhere, she said.",
        # Quotation marks.
        'He listed "shoes, hats, gloves and scarves" as the best sellers.',
        # Found by an attack on offline-7: a condition, a limit or a negation after the
        # list; figures matched "respectively"; words sharing the last item's noun.
        "Aster will close its plants in Ohio, Texas, Utah and Maine unless sales recover "
        "next year.",
        "Aster is recalling cars sold in Ohio, Texas, Utah and Maine before 2020.",
        "The drug is approved for sale in the US, the EU, Japan and nowhere else.",
        "Sales in Ohio, Texas, Utah and Maine rose 5%, 3%, 2% and 1%.",
        "Deliveries rose 5%, 7%, 9% and 12% in the four quarters.",
        "No ground breaking changes, only minor improvements, code modernisation and a bit of "
        "hardening.",
        "I spent the week covering the Microsoft, EA, Ubisoft, and Sony press conferences.",
        "The company makes cheap, light, strong, durable and recyclable packaging.",
        "The app lets users share, save, edit, print and export documents.",
        "It was a long, hot, dry, dusty and windy summer.",
        # A second attack: a qualifier after the last item may cover them all, the list
        # must be what a verb before it takes, an aside is not an item, brackets stay
        # whole, and "no other" is no "more".
        "Aster halted sales in Ohio, New Mexico, Utah, Maine and Iowa temporarily.",
        "Aster sells shoes, hats, gloves, scarves and socks at half price.",
        "Aster is recalling cars sold in Ohio, New Mexico, Utah and Maine since March.",
        "The drug is approved in the US, the EU, Japan, Canada and no other country.",
        "Aster manages money for the Ohio, Texas, Illinois, Kansas and Arkansas teachers' "
        "pension funds.",
        "Regulators in Ohio, New Mexico, Utah and Maine oppose the merger.",
        "The recall covers the X1, a sedan, the X2, the X3 and the X4.",
        "The tests covered [Ohio, New Mexico, Utah, Maine and Iowa] this year.",
        # A stranger's review: "more RDR2 adventures and more".
        "We talk The Quiet Man, more RDR2 adventures, the Black Ops season pass, Deltarune, "
        "and bulk video games.",
    ],
)
def test_what_is_not_a_long_closing_list_stays(sentence: str) -> None:
    assert shorten_list(sentence) == sentence


def test_show_notes_links_and_timestamped_citations_are_not_copy() -> None:
    text = (
        "Pureplays like Wayfair are getting Amazon-like valuations without a business that "
        "works. (0:47) “AMZN Cash Reserves,” Quandl, June 2017. http://bit.ly/2vIetIY "
        "(0:53) “Burning Cash And Losing Customers,” Seeking Alpha, May 2017. "
        "Startup Brandless sells generic household items for $3 each, pointing to a shift "
        "in consumer behavior. Visit http://squarespace.com/show and enter code SHOW for 10% "
        "off your first order. Three-quarters of American teens own iPhones, and the devices "
        "are making them more lonely."
    )

    result = enrich(make_article("iPhone Generation: Lonely & Depressed", text))

    for part in (result.summary, result.analysis, *result.key_takeaways):
        assert "http" not in part, part
        assert "(0:" not in part, part
    assert result.summary.startswith("Pureplays like Wayfair")


# Found by the same attack in the rules every sentence goes through: each changed a fact or
# broke the sentence, and now stays as written.
@pytest.mark.parametrize(
    "sentence",
    [
        # Emphasis after a negation, and hedges.
        "The update does not simply fix the bug but removes the feature entirely.",
        "The new law does not clearly ban the practice of selling the data to brokers.",
        "The results of the two trials are not really comparable, the researchers said.",
        "The two chips are essentially identical in performance, according to the tests.",
        # Plain words that were not the same words (two attacks).
        "Two climbers died in an attempt to reach the summit of K2 on Saturday, officials "
        "said.",
        "Neither company has announced plans to cut jobs in Europe after the merger.",
        "The options are exercisable at a price of $10 a share until the end of 2027.",
        "The ruling party won the majority of seats in parliament in Sunday's election.",
        "Aster is in the process of bankruptcy and has stopped paying its suppliers.",
        "Each device has a unique serial number that regulators can use to trace it.",
        "Aster blamed the cool weather for weak sales of air conditioners in the quarter.",
        "A powerful earthquake struck off the coast of Japan on Monday, killing 40 people.",
        "Aster will buy back 10% of its outstanding shares over the next two years.",
        # A day that is one of two, or not the subject's.
        "On Monday, or Tuesday at the latest, Aster will file for bankruptcy protection.",
        "Today, not tomorrow, is the deadline for Aster to file its annual report.",
        "Aster will close the Ohio plant whether or not the union agrees to the terms.",
        "Since the merger, Aster has been able to cut its costs by a fifth in Europe.",
        "The plan would save Aster $1 billion a year at a cost of 3,000 jobs in Europe.",
        "In 2019, Aster announced plans to build a battery plant in Ohio, but it dropped "
        "the project in 2021.",
        "Aster announced the launch of its X2 electric pickup for next spring at a show.",
        "The vote is set to be held on Friday after the board meets on Thursday.",
        "There is a great deal of uncertainty about the outlook for the economy next year.",
        "The bonds were issued by its ultimate parent, Helios Holdings, in March last year.",
        # A fronted clause that would hang on an attribution, or has no subject of its own.
        "When the deal closes next year, Helios will own 60% of Lumen, according to the "
        "filing.",
        "Since the merger closed, Aster has cut 3,000 jobs in Europe and Asia, the company "
        "said.",
        "Once valued at $40 billion, Aster was sold to Helios for $1 billion on Monday.",
        "While filled with promise initially, box office numbers proved that the film was a "
        "flop.",
        # A day that is the subject, and a day inside a quotation.
        "Monday, Tuesday and Wednesday were the busiest days for online retailers, the "
        "research firm said.",
        "Monday, March 3, was the day the company said it would file for bankruptcy "
        "protection.",
        '"I said yesterday that we would not cut jobs this year," the chief executive told '
        "reporters.",
        # Names and code that begin with a small letter.
        "defaults write com.apple.dock autohide-delay -float 0 makes the dock appear at once.",
    ],
)
def test_condensing_changes_none_of_these(sentence: str) -> None:
    assert condense(sentence) == sentence


@pytest.mark.parametrize(
    ("sentence", "brief"),
    [
        # An all-capitals subject before a dash is not a dateline; a dateline still goes.
        (
            "IBM — once the world's biggest computer company — said on Monday it would cut "
            "3,900 jobs.",
            "IBM — once the world's biggest computer company — said it would cut 3,900 jobs.",
        ),
        (
            "AI — not crypto — is now the hottest area for venture investors.",
            "AI — not crypto — is now the hottest area for venture investors.",
        ),
        (
            "US - China trade talks collapsed on Friday after two days of meetings.",
            "US - China trade talks collapsed on Friday after two days of meetings.",
        ),
        (
            "WASHINGTON (Reuters) - The Federal Reserve held rates steady on Wednesday.",
            "The Federal Reserve held rates steady on Wednesday.",
        ),
        (  # capitals alone before a dash are not a dateline by their form
            "OPEC - Russia talks on output cuts collapsed on Friday.",
            "OPEC - Russia talks on output cuts collapsed on Friday.",
        ),
        (
            "NATO – Russia relations are at their lowest point since the Cold War.",
            "NATO – Russia relations are at their lowest point since the Cold War.",
        ),
        # A name with its own capitals keeps them.
        (
            "eBay said on Monday it would cut about 1,000 jobs in its marketplace business.",
            "eBay said it would cut about 1,000 jobs in its marketplace business.",
        ),
        (
            "On Tuesday, iPhone sales fell 5% in the quarter in all regions, IDC said.",
            "iPhone sales fell 5% in the quarter in all regions, IDC said.",
        ),
    ],
)
def test_an_opening_sentence_loses_only_its_dateline(sentence: str, brief: str) -> None:
    assert condense(sentence, first=True) == brief


@pytest.mark.parametrize(
    ("rule", "sentence"),
    [
        (condense, "a" * 20_000 + " (x"),
        (shorten_list, "Aster" + "." * 20_000 + " b"),
        (shorten_list, "Aster" + "!" * 20_000 + " b"),
        (drop_asides, "Helios, which makes chips, said " * 600),
        (drop_asides, "Aster said " + "A." * 10_000 + " x."),
        (drop_asides, "Aster's code " + "Foo.Bar." * 2_500 + " x."),
        (
            drop_asides,
            "Aster said its rival Helios, which employs 2,000 people, would close its "
            "plant and " * 150 + "x.",
        ),
    ],
)
def test_hostile_sentences_condense_in_linear_time(
    rule: Callable[[str], str], sentence: str
) -> None:
    started = time.perf_counter()
    rule(sentence)
    assert time.perf_counter() - started < 0.1  # an attack found 1.5-2.4 s


def test_a_quotation_introduced_by_the_article_is_not_its_summary() -> None:
    """A blockquote arrives as a plain paragraph after "X wrote:": its "I" is not the
    author's (a stranger's review found "I'm convinced there's no solution" summarising a
    post that argues the opposite)."""
    text = (
        "Om Malik quoted a post by Manuel Moreale about Twitter and Mastodon:\n\n"
        "I'm convinced that there's no solution to the centralisation issue we're facing. "
        "People are lazy, and gathering where everyone else is seems easier.\n\n"
        "I empathise, and in my darker moments I may even agree. But podcasting is proof "
        "there's evidence to be optimistic: its open protocols resist silos by design, and "
        "social networks can be built the same way."
    )

    result = enrich(make_article("The solution to centralisation", text))

    assert "convinced" not in result.summary
    assert all("convinced" not in takeaway for takeaway in result.key_takeaways)


def test_a_line_ending_in_a_colon_that_quotes_no_one_leaves_the_next_paragraph_in() -> (
    None
):
    text = (
        "Suppose we want to publish a public, append-only log of data that clients can "
        "check. This post is about a data structure for such a log, with three properties:"
        "\n\nFor any record R in a log of N records, we can prove in O(lg N) steps that R "
        "is in the log. For any two versions of the log, we can prove the later one contains "
        "the earlier one."
    )

    result = enrich(make_article("Transparent logs", text))

    shown = " ".join((result.summary, *result.key_takeaways))
    assert "For any record R" in shown or "For any two versions" in shown


def test_code_in_an_article_is_not_a_sponsor_read() -> None:
    text = (
        "Developers can use code signing to prove an app came from them and was not "
        "changed. Apple will require it for every app on the store from March. Apps without "
        "a signature will not install on the new release of the operating system."
    )

    result = enrich(make_article("Apple will require code signing", text))

    assert result.summary.startswith("Developers can use code signing")


def test_a_sponsor_read_is_not_copy() -> None:
    text = (
        "This week we talk about the new iPad Pro and its keyboard, and whether a tablet "
        "can replace a laptop for writing. Use code ATP for 10% off your first order. Use "
        "code atp100 to make shipping free. Use code atpbundle for $50 off the bundle. "
        "We also answer listener questions about backups and home networks."
    )

    result = enrich(make_article("Episode 300: Keyboards", text))

    for part in (result.summary, *result.key_takeaways):
        assert "code ATP" not in part, part
        assert "code atp" not in part, part


def test_condensing_a_sentence_with_a_long_run_of_spaces_stays_fast() -> None:
    """An attack: 39,000 spaces took condense 6 s and the backend 20 s (quadratic)."""
    started = time.perf_counter()
    condensed = condense(
        "Aster Motors said on Monday it would cut jobs" + " " * 39_000 + "in Ohio."
    )
    assert time.perf_counter() - started < 0.5
    assert condensed == "Aster Motors said it would cut jobs in Ohio."


@pytest.mark.parametrize(
    ("sentence", "leans"),
    [
        # A reader's find: which "it"? The flaw, named in a sentence not shown.
        ("Auralis rated it 9.8 out of 10 for severity.", True),
        ("Engineers patched it within a day, the company said.", True),
        # "it" as the subject of what was said leans on nothing.
        ("Auralis said it would ship a fix on Friday.", False),
        ("Aster announced it had hired 300 engineers in Ohio.", False),
        # A stranger's find: a summary that opened on what it had left out.
        ("All this means the utility will have to raise its rates.", True),
        ("All of these plants will close by June.", True),
        ("All three plants will close by June.", False),
    ],
)
def test_an_object_it_leans_on_the_sentence_before(sentence: str, leans: bool) -> None:
    assert leans_on_context(sentence) is leans


@pytest.mark.parametrize(
    ("takeaway", "padding"),
    [
        ("Reported by Giant Bombcast.", True),
        ("The report gave no further details.", True),
        ("Giant Bombcast 553: Hot Dogs and Helmut Kruger.", True),  # the headline
        ("“Giant Bombcast 553 — hot dogs and Helmut Kruger”", True),  # in other marks
        (
            "Hitman 2 and Super Mario Party are discussed at length.",
            True,
        ),  # the summary
        ("Reyes led the $2.1 billion sale of Brisling Labs.", False),
    ],
)
def test_what_counts_as_a_padding_takeaway(takeaway: str, padding: bool) -> None:
    summary = (
        "The crew talks games. Hitman 2 and Super Mario Party are discussed at length."
    )
    title = "Giant Bombcast 553: Hot Dogs and Helmut Kruger"
    assert pads(takeaway, title=title, summary=summary) is padding


def test_show_notes_sponsor_reads_reach_neither_summary_nor_takeaways() -> None:
    """A stranger's find: an episode's takeaways were its sponsors' offers."""
    notes = (
        "This week we talk about the new camera rumours and why the battery case matters "
        "more than anyone expected.\n\n"
        "Follow-up: the keyboard repair programme now covers the older models as well.\n\n"
        "Casey tried the new noise-cancelling earbuds on a long flight to Denver.\n\n"
        "Sponsored by:\n\n"
        "Audible: With Audible you can listen to thousands of books anywhere you go.\n\n"
        "Get a free 30-day trial.\n\n"
        "Mack Weldon: The most comfortable underwear you will ever wear.\n\n"
        "Get 20% off your first order."
    )
    result = enrich(make_article("311: Mutually Assured Destruction", notes))
    shown = " ".join([result.summary, result.analysis, *result.key_takeaways])
    for sponsor in ("Audible", "30-day trial", "Mack Weldon", "20% off"):
        assert sponsor not in shown, (sponsor, shown)
    assert "camera rumours" in result.summary


@pytest.mark.parametrize(
    ("text", "summary"),
    [
        # A whole sentence needs no headline before it (the page's title says it).
        (
            "Ryan and Jeff return from PAX East exhausted and looking forward to GDC.",
            "Ryan and Jeff return from PAX East exhausted and looking forward to GDC.",
        ),
        # A fragment does.
        ("Hitman 2! Mario!", "Giant Bombcast 553. Hitman 2! Mario!"),
        ("", "Giant Bombcast 553."),
    ],
)
def test_a_short_entry_is_summarised_by_its_text_and_its_headline_only_if_needed(
    text: str, summary: str
) -> None:
    result = enrich(make_article("Giant Bombcast 553", text))
    assert result.summary == summary


def test_the_headline_in_other_quotes_or_punctuation_is_never_a_takeaway() -> None:
    """An attack: a text sentence repeating the headline with a curly apostrophe or a
    colon became a takeaway (only case and a final stop were ignored)."""
    title = "Port board approves the harbour's $2bn expansion after a year"
    text = (
        "The port board approved the $2.1 billion expansion of the harbour on Monday "
        "after a year of hearings.\n\n"
        "Port board approves the harbour’s $2bn expansion: after a year.\n\n"
        "The plan adds two berths and a rail link to the container terminal."
    )
    result = enrich(make_article(title, text))
    assert result.key_takeaways == [
        "The plan adds two berths and a rail link to the container terminal."
    ]


def test_an_endless_sentence_gives_a_summary_of_a_few_lines_marked_as_cut() -> None:
    """An attack: a 70,000-character sentence became a 40,000-character summary, ending
    mid-word."""
    text = "The council said " + ", ".join(
        f"item {i} was approved" for i in range(3000)
    )
    result = enrich(make_article("Council approves budget", text + "."))
    assert len(result.summary) <= 651
    assert result.summary.startswith("The council said item 0 was approved")
    assert result.summary.endswith("…")
